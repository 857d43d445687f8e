"""End to end: ``scrapy crawl djazairess`` over the replica on loopback, into SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from storage import article_revisions, articles, create_db_engine, crawl_runs
from tests.conftest import DATABASES, read_stats, run_crawl, start_crawl, temporary_postgres_database
from tests.replica import ARTICLES, BROKEN_PAGES, Replica, ReplicaServer

pytestmark = pytest.mark.crawl

BOILERPLATE = ("Merci d'avoir signalé", "Merci d’avoir signalé", "Cette image sera automatiquement",
               "Cliquez ici", "depuis sa source")


def query(database_url: str, statement) -> list[dict]:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            return [dict(r) for r in connection.execute(statement).mappings()]
    finally:
        engine.dispose()


def rows(database_url: str) -> dict[str, dict]:
    found = {}
    for row in query(database_url, select(articles)):
        row["published_on"] = row["published_on"].isoformat()
        found[row["url"]] = row
    return found


def runs(database_url: str) -> list[dict]:
    return query(database_url, select(crawl_runs).order_by(crawl_runs.c.id))


@pytest.fixture(scope="module", params=DATABASES)
def first_crawl(request, replica_server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawl")
    with _database(request.param, tmp) as database_url:
        yield run_crawl(replica_server.base_url, database_url, tmp), tmp


class _database:
    def __init__(self, kind: str, tmp: Path) -> None:
        self.kind, self.tmp = kind, tmp
        self._pg = temporary_postgres_database() if kind == "postgresql" else None

    def __enter__(self) -> str:
        return self._pg.__enter__() if self._pg else f"sqlite:///{self.tmp / 'articles.db'}"

    def __exit__(self, *exc) -> None:
        if self._pg:
            self._pg.__exit__(*exc)


def test_crawl_stores_every_article_exactly(first_crawl, replica_server) -> None:
    result, _ = first_crawl
    assert result.returncode == 0, result.log[-3000:]
    stored = rows(result.database_url)
    assert len(stored) == len(ARTICLES)
    for article in ARTICLES:
        row = stored[replica_server.base_url + article.path]
        assert {key: row[key] for key in article.expected()} == article.expected(), article.path
        assert row["site"] == "djazairess"
        assert row["first_seen_at"] == row["last_seen_at"] == row["changed_at"]


def test_crawl_stats_count_pages_and_drops(first_crawl, replica_server) -> None:
    result, _ = first_crawl
    stats = result.stats
    assert stats["finish_reason"] == "finished"
    assert stats["articles/valid"] == stats["store/articles_inserted"] == len(ARTICLES)
    # the one broken article page is dropped with its reason, nothing else is dropped
    assert {k: v for k, v in stats.items() if k.startswith("articles/dropped/")} == {
        "articles/dropped/no_dateline": len(BROKEN_PAGES)}
    assert stats["pages/encoding_repaired/cp1252"] == 1
    assert stats["extract/method/selectors:2018"] > 0 and stats["extract/method/structure"] > 0
    # every article page requested once although linked many times and many ways
    assert stats["discovery/article_requests"] == len(ARTICLES) + len(BROKEN_PAGES)
    assert all(replica_server.hits[a.path] >= 1 for a in ARTICLES)
    assert replica_server.hits["/robots.txt"] >= 1
    assert not any("utm_source" in path for path in replica_server.hits)
    assert not any(path.startswith("/fr/author/") for path in replica_server.hits)


def test_crawl_run_is_recorded(first_crawl) -> None:
    result, _ = first_crawl
    run = runs(result.database_url)[0]
    assert run["spider"] == "djazairess" and run["finish_reason"] == "finished"
    assert run["pages_fetched"] == result.stats["response_received_count"] > len(ARTICLES)
    assert (run["articles_inserted"], run["articles_updated"], run["articles_unchanged"]) == (len(ARTICLES), 0, 0)
    assert run["items_dropped"] == {"no_dateline": len(BROKEN_PAGES)}
    assert run["errors"] == 0
    assert run["arguments"]["spider"]["base_url"].startswith("http://127.0.0.1:")
    assert run["arguments"]["settings"]["DATABASE_URL"] == result.database_url  # no password here to mask
    assert run["finished_at"] >= run["started_at"]
    assert {r["last_crawl_run_id"] for r in rows(result.database_url).values()} == {run["id"]}


def test_no_ticker_or_boilerplate_in_any_field(first_crawl, replica_server) -> None:
    result, _ = first_crawl
    ticker = {title for _, title in replica_server.replica.ticker_links() if title}
    for row in rows(result.database_url).values():
        for field in ("title", "kicker", "body", "source", "source_url"):
            value = row[field] or ""
            assert not any(text in value for text in BOILERPLATE), (row["url"], field)
            assert not any(h in value for h in ticker - {row["title"]}), (row["url"], field)


def test_second_crawl_is_incremental_and_refresh_refetches(first_crawl, replica_server) -> None:
    result, tmp = first_crawl
    before = rows(result.database_url)
    again = run_crawl(replica_server.base_url, result.database_url, tmp)
    assert again.returncode == 0, again.log[-3000:]
    assert rows(result.database_url) == before  # nothing fetched again, nothing rewritten
    assert again.stats["discovery/skipped_stored"] == len(ARTICLES)
    # only the page that was dropped (never stored) is fetched again
    assert again.stats["discovery/article_pages_fetched"] == len(BROKEN_PAGES)
    assert again.stats["discovery/listings_stopped_at_stored"] >= 1
    last = runs(result.database_url)[-1]
    assert (last["articles_inserted"], last["pages_skipped_stored"]) == (0, len(ARTICLES))

    refreshed = run_crawl(replica_server.base_url, result.database_url, tmp, "refresh=1")
    assert refreshed.returncode == 0, refreshed.log[-3000:]
    after = rows(result.database_url)
    assert after.keys() == before.keys()
    for url, row in after.items():
        assert (row["id"], row["first_seen_at"], row["changed_at"]) == \
            (before[url]["id"], before[url]["first_seen_at"], before[url]["changed_at"])
        assert row["last_seen_at"] > before[url]["last_seen_at"]
        assert row["times_seen"] == 2
    last = runs(result.database_url)[-1]
    assert (last["articles_inserted"], last["articles_updated"], last["articles_unchanged"]) == (0, 0, len(ARTICLES))
    assert query(result.database_url, select(article_revisions)) == []


def test_newspapers_argument_limits_the_crawl(replica_server, tmp_path) -> None:
    result = run_crawl(replica_server.base_url, f"sqlite:///{tmp_path / 'two.db'}", tmp_path,
                       "newspapers=elwatan,lexpression")
    assert result.returncode == 0, result.log[-3000:]
    expected = {replica_server.base_url + a.path for a in ARTICLES if a.newspaper in ("elwatan", "lexpression")}
    assert set(rows(result.database_url)) == expected


def test_since_skips_older_articles_and_stops_paginating(replica_server, tmp_path) -> None:
    hits_before = dict(replica_server.hits)
    result = run_crawl(replica_server.base_url, f"sqlite:///{tmp_path / 'since.db'}", tmp_path, "since=2025-01-01")
    assert result.returncode == 0, result.log[-3000:]
    since = dt.date(2025, 1, 1)
    assert set(rows(result.database_url)) == {replica_server.base_url + a.path for a in ARTICLES if a.published >= since}
    assert result.stats["discovery/listings_stopped_at_since"] >= 1
    fetched = {p for p, n in replica_server.hits.items() if n > hits_before.get(p, 0)}
    assert "/fr/elwatan?page=3" not in fetched  # no listing page past the one that reached `since`
    # old articles are known old from their listing teaser or feed item and never fetched,
    # except the one the home page links without a date: fetched, then dropped and counted
    old_fetched = {a.path for a in ARTICLES if a.published < since} & fetched
    assert old_fetched == {a.path for a in ARTICLES if a.tracking_link}
    assert result.stats["discovery/skipped_before_since"] > 0
    assert result.stats["articles/dropped/before_since"] == len(old_fetched)


def test_last_batch_is_flushed_when_the_spider_closes_early(replica_server, tmp_path) -> None:
    result = run_crawl(replica_server.base_url, f"sqlite:///{tmp_path / 'early.db'}", tmp_path,
                       settings={"CLOSESPIDER_ITEMCOUNT": "5", "STORE_BATCH_SIZE": "1000",
                                 "STORE_FLUSH_SECONDS": "600", "CONCURRENT_REQUESTS": "1"})
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["finish_reason"] == "closespider_itemcount"
    assert len(rows(result.database_url)) == result.stats["store/rows_written"] >= 5
    assert runs(result.database_url)[0]["finish_reason"] == "closespider_itemcount"


def test_ctrl_c_stores_what_was_accepted_and_records_the_run(tmp_path) -> None:
    with ReplicaServer(Replica(), delay=0.15) as slow:
        process, stats_file = start_crawl(
            slow.base_url, f"sqlite:///{tmp_path / 'int.db'}", tmp_path,
            settings={"CONCURRENT_REQUESTS": "2", "STORE_BATCH_SIZE": "1000", "STORE_FLUSH_SECONDS": "600"})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and sum(slow.hits[a.path] for a in ARTICLES) < 6:
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        assert process.wait(60) == 0
    stats = read_stats(stats_file)
    assert stats["finish_reason"] == "shutdown"
    stored = rows(f"sqlite:///{tmp_path / 'int.db'}")
    assert 0 < len(stored) < len(ARTICLES)
    assert len(stored) == stats["articles/valid"]  # every accepted article was written
    assert runs(f"sqlite:///{tmp_path / 'int.db'}")[0]["finish_reason"] == "shutdown"


@pytest.mark.parametrize("kind", DATABASES)
def test_changed_article_gives_one_revision(kind, tmp_path) -> None:
    replica = Replica()
    with ReplicaServer(replica) as server, _database(kind, tmp_path) as database_url:
        assert run_crawl(server.base_url, database_url, tmp_path).returncode == 0
        index, old = next((i, a) for i, a in enumerate(replica.articles) if a.path == "/fr/elwatan/1616650")
        replica.articles[index] = dataclasses.replace(
            old, title=old.title + " (actualisé)", paragraphs=old.paragraphs + ("Mise à jour : le chantier est achevé.",))
        server.refresh()
        again = run_crawl(server.base_url, database_url, tmp_path, "refresh=1")
        assert again.returncode == 0, again.log[-3000:]
        row = rows(database_url)[server.base_url + old.path]
        revisions = query(database_url, select(article_revisions))
        all_runs = runs(database_url)
        last_run = all_runs[-1]
    assert (again.stats["store/articles_updated"], again.stats["store/articles_unchanged"]) == (1, len(ARTICLES) - 1)
    assert row["title"] == old.title + " (actualisé)"
    assert row["body"].endswith("Mise à jour : le chantier est achevé.")
    assert len(revisions) == 1
    assert (revisions[0]["article_id"], revisions[0]["title"], revisions[0]["body"]) == (row["id"], old.title, old.body)
    assert revisions[0]["replaced_at"] == row["changed_at"] == row["last_seen_at"]
    assert revisions[0]["valid_from"] == row["first_seen_at"]
    assert (last_run["articles_updated"], last_run["articles_unchanged"]) == (1, len(ARTICLES) - 1), all_runs


@pytest.mark.postgres
def test_two_crawlers_at_once_into_one_postgres_database(replica_server, tmp_path) -> None:
    with temporary_postgres_database() as database_url:
        crawls = [start_crawl(replica_server.base_url, database_url, tmp_path) for _ in range(2)]
        for process, _ in crawls:
            assert process.wait(180) == 0
        stored = query(database_url, select(articles.c.url, articles.c.times_seen))
        run_rows = runs(database_url)
    assert len(stored) == len({r["url"] for r in stored}) == len(ARTICLES)
    assert [r["finish_reason"] for r in run_rows] == ["finished", "finished"]
    assert sum(r["articles_inserted"] for r in run_rows) == len(ARTICLES)
    # an article either crawler found already stored was skipped, otherwise stored again unchanged
    stats = [read_stats(path) for _, path in crawls]
    assert sum(r["times_seen"] for r in stored) == sum(s["store/rows_written"] for s in stats)
    assert sum(r["articles_unchanged"] for r in run_rows) == sum(r["times_seen"] - 1 for r in stored)
