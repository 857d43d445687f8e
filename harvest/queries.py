"""The questions analysts ask, as SQL for SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, or_, select, text

from storage import article_revisions, articles, crawl_runs

PG_DOCUMENT = ("(setweight(to_tsvector('french_unaccent'::regconfig, coalesce(articles.title, '')), 'A') || "
               "setweight(to_tsvector('french_unaccent'::regconfig, coalesce(articles.kicker, '')), 'B') || "
               "setweight(to_tsvector('french_unaccent'::regconfig, coalesce(articles.source, '')), 'B') || "
               "setweight(to_tsvector('french_unaccent'::regconfig, coalesce(articles.body, '')), 'C'))")
EXPORT_COLUMNS = ("id", "url", "site", "language", "source", "source_slug", "source_url", "title", "kicker",
                  "published_on", "body", "first_seen_at", "last_seen_at")


@dataclass
class Filters:
    source: str | None = None  # display name or slug, any case
    since: dt.date | None = None
    until: dt.date | None = None

    def apply(self, statement: Any) -> Any:
        if self.source:
            wanted = self.source.casefold()
            statement = statement.where(or_(func.lower(articles.c.source) == wanted,
                                            func.lower(articles.c.source_slug) == wanted))
        if self.since:
            statement = statement.where(articles.c.published_on >= self.since)
        if self.until:
            statement = statement.where(articles.c.published_on <= self.until)
        return statement


def fts_query(words: str) -> str:
    """User words → an FTS5 query: every word required, quoted (no syntax errors), a
    trailing * kept as a prefix search, "a phrase" kept as a phrase."""
    parts = []
    for phrase, word in re.findall(r'"([^"]+)"|(\S+)', words):
        if phrase:
            parts.append('"' + phrase.replace('"', "") + '"')
        else:
            star = word.endswith("*")
            word = word.strip('*"').replace('"', "")
            if word:
                parts.append(f'"{word}"' + ("*" if star else ""))
    return " ".join(parts)


def search(connection: Connection, words: str, filters: Filters, limit: int) -> list[dict[str, Any]]:
    """Ranked matches with a highlighted snippet ([…] around the matched words)."""
    if connection.dialect.name == "sqlite":
        statement = text(
            "SELECT a.id, a.published_on, a.source, a.title, a.url, "
            "snippet(articles_fts, -1, '[', ']', '…', 16) AS snippet, bm25(articles_fts, 10.0, 5.0, 1.0, 3.0) AS rank "
            "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
            "WHERE articles_fts MATCH :query "
            "AND (:source IS NULL OR lower(a.source) = :source OR lower(a.source_slug) = :source) "
            "AND (:since IS NULL OR a.published_on >= :since) AND (:until IS NULL OR a.published_on <= :until) "
            "ORDER BY rank LIMIT :limit")
        parameters = {"query": fts_query(words)}
    else:
        statement = text(
            "WITH q AS (SELECT websearch_to_tsquery('french_unaccent', :query) AS query) "
            "SELECT a.id, a.published_on, a.source, a.title, a.url, "
            "ts_headline('french_unaccent', coalesce(a.title, '') || ' — ' || a.body, q.query, "
            "'StartSel=[, StopSel=], MaxWords=24, MinWords=10, MaxFragments=1, FragmentDelimiter=…') AS snippet, "
            f"ts_rank({PG_DOCUMENT.replace('articles.', 'a.')}, q.query) AS rank "
            f"FROM articles a, q WHERE {PG_DOCUMENT.replace('articles.', 'a.')} @@ q.query "
            "AND (CAST(:source AS text) IS NULL OR lower(a.source) = :source OR lower(a.source_slug) = :source) "
            "AND (CAST(:since AS date) IS NULL OR a.published_on >= :since) "
            "AND (CAST(:until AS date) IS NULL OR a.published_on <= :until) "
            "ORDER BY rank DESC, a.published_on DESC LIMIT :limit")
        parameters = {"query": words}
    parameters.update(source=filters.source.casefold() if filters.source else None,
                      since=filters.since, until=filters.until, limit=limit)
    if not parameters["query"]:
        return []
    return [dict(row) for row in connection.execute(statement, parameters).mappings()]


def show(connection: Connection, key: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """One article by URL or id, and its earlier versions (newest first)."""
    condition = articles.c.id == int(key) if key.isdigit() else articles.c.url == key
    row = connection.execute(select(articles).where(condition)).mappings().first()
    if row is None:
        return None
    revisions = connection.execute(
        select(article_revisions.c.title, article_revisions.c.kicker, article_revisions.c.body,
               article_revisions.c.valid_from, article_revisions.c.replaced_at)
        .where(article_revisions.c.article_id == row["id"]).order_by(article_revisions.c.replaced_at.desc())
    ).mappings().all()
    return dict(row), [dict(r) for r in revisions]


def per_newspaper_month(connection: Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in connection.execute(text(
        "SELECT source, month, articles FROM articles_per_newspaper_month ORDER BY month DESC, source")).mappings()]


def latest_runs(connection: Connection, limit: int = 5) -> list[dict[str, Any]]:
    columns = [crawl_runs.c[name] for name in (
        "id", "started_at", "finished_at", "finish_reason", "pages_fetched", "pages_skipped_stored",
        "articles_inserted", "articles_updated", "articles_unchanged", "items_dropped", "errors")]
    return [dict(r) for r in connection.execute(
        select(*columns).order_by(crawl_runs.c.id.desc()).limit(limit)).mappings()]


def export_rows(connection: Connection, filters: Filters, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Every matching article, streamed from a server-side cursor: constant memory."""
    statement = filters.apply(select(*(articles.c[name] for name in EXPORT_COLUMNS))).order_by(articles.c.id)
    result = connection.execution_options(stream_results=True, yield_per=batch).execute(statement)
    for row in result.mappings():
        yield dict(row)


__all__ = ["Filters", "export_rows", "fts_query", "latest_runs", "per_newspaper_month", "search", "show"]
