"""End to end: ``scrapy crawl djazairess`` over the replica on loopback, into SQLite."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_crawl
from tests.replica import ARTICLES, BROKEN_PAGES

pytestmark = pytest.mark.crawl

BOILERPLATE = ("Merci d'avoir signalé", "Merci d’avoir signalé", "Cette image sera automatiquement",
               "Cliquez ici", "depuis sa source")


def rows(db: Path) -> dict[str, dict]:
    with sqlite3.connect(db) as connection:
        connection.row_factory = sqlite3.Row
        return {row["url"]: dict(row) for row in connection.execute("SELECT * FROM articles")}


@pytest.fixture(scope="module")
def first_crawl(replica_server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawl")
    db = tmp / "articles.db"
    result = run_crawl(replica_server.base_url, f"sqlite:///{db}", tmp)
    return result, db, tmp


def test_crawl_stores_every_article_exactly(first_crawl, replica_server) -> None:
    result, db, _ = first_crawl
    assert result.returncode == 0, result.log[-3000:]
    stored = rows(db)
    assert len(stored) == len(ARTICLES)
    for article in ARTICLES:
        row = stored[replica_server.base_url + article.path]
        got = {key: row[key] for key in article.expected()}
        assert got == article.expected(), article.path
        assert row["site"] == "djazairess"
        assert row["first_seen_at"] and row["first_seen_at"] == row["last_seen_at"]


def test_crawl_stats_count_pages_and_drops(first_crawl, replica_server) -> None:
    result, _, _ = first_crawl
    stats = result.stats
    assert stats["finish_reason"] == "finished"
    assert stats["articles/valid"] == len(ARTICLES)
    assert stats["store/rows_written"] == len(ARTICLES)
    # the one broken article page is dropped with its reason, nothing else is dropped
    assert {k: v for k, v in stats.items() if k.startswith("articles/dropped/")} == {
        "articles/dropped/no_dateline": len(BROKEN_PAGES)}
    assert stats["pages/encoding_repaired/cp1252"] == 1
    assert stats["extract/method/selectors:2018"] > 0 and stats["extract/method/structure"] > 0
    # every article page fetched exactly once although linked many times and many ways
    for article in ARTICLES:
        assert replica_server.hits[article.path] >= 1
    assert stats["discovery/article_requests"] == len(ARTICLES) + len(BROKEN_PAGES)
    assert replica_server.hits["/robots.txt"] >= 1
    assert not any("utm_source" in path for path in replica_server.hits)
    assert not any(path.startswith("/fr/author/") for path in replica_server.hits)


def test_no_ticker_or_boilerplate_in_any_field(first_crawl, replica_server) -> None:
    _, db, _ = first_crawl
    ticker = {title for _, title in replica_server.replica.ticker_links() if title}
    for row in rows(db).values():
        for field in ("title", "kicker", "body", "source", "source_url"):
            value = row[field] or ""
            assert not any(text in value for text in BOILERPLATE), (row["url"], field)
            assert not any(h in value for h in ticker - {row["title"]}), (row["url"], field)


def test_second_crawl_adds_no_rows_and_updates_last_seen(first_crawl, replica_server) -> None:
    _, db, tmp = first_crawl
    before = rows(db)
    again = run_crawl(replica_server.base_url, f"sqlite:///{db}", tmp)
    assert again.returncode == 0, again.log[-3000:]
    after = rows(db)
    assert after.keys() == before.keys()
    for url, row in after.items():
        assert row["id"] == before[url]["id"]
        assert row["first_seen_at"] == before[url]["first_seen_at"]
        assert row["last_seen_at"] > before[url]["last_seen_at"]


def test_newspapers_argument_limits_the_crawl(replica_server, tmp_path) -> None:
    db = tmp_path / "two.db"
    result = run_crawl(replica_server.base_url, f"sqlite:///{db}", tmp_path, "newspapers=elwatan,lexpression")
    assert result.returncode == 0, result.log[-3000:]
    expected = {replica_server.base_url + a.path for a in ARTICLES if a.newspaper in ("elwatan", "lexpression")}
    assert set(rows(db)) == expected


def test_since_skips_older_articles_and_stops_paginating(replica_server, tmp_path) -> None:
    db = tmp_path / "since.db"
    hits_before = dict(replica_server.hits)
    result = run_crawl(replica_server.base_url, f"sqlite:///{db}", tmp_path, "since=2025-01-01")
    assert result.returncode == 0, result.log[-3000:]
    expected = {replica_server.base_url + a.path for a in ARTICLES if a.published >= dt.date(2025, 1, 1)}
    assert set(rows(db)) == expected
    assert result.stats["discovery/listings_stopped_at_since"] >= 1
    # no listing page past the one that reached `since` was fetched, and no old article page
    fetched = {p for p, n in replica_server.hits.items() if n > hits_before.get(p, 0)}
    assert "/fr/elwatan?page=3" not in fetched
    # old articles are known old from their listing teaser or feed item and never fetched,
    # except the one the home page links without a date: fetched, then dropped and counted
    old_fetched = {a.path for a in ARTICLES if a.published < dt.date(2025, 1, 1)} & fetched
    assert old_fetched == {a.path for a in ARTICLES if a.tracking_link}
    assert result.stats["discovery/skipped_before_since"] > 0
    before_since = {a.path for a in ARTICLES if a.published < dt.date(2025, 1, 1)} & fetched
    assert result.stats["articles/dropped/before_since"] >= len(before_since)


def test_last_batch_is_flushed_when_the_spider_closes_early(replica_server, tmp_path) -> None:
    db = tmp_path / "early.db"
    result = run_crawl(replica_server.base_url, f"sqlite:///{db}", tmp_path,
                       settings={"CLOSESPIDER_ITEMCOUNT": "5", "STORE_BATCH_SIZE": "1000",
                                 "STORE_FLUSH_SECONDS": "600", "CONCURRENT_REQUESTS": "1"})
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["finish_reason"] == "closespider_itemcount"
    stored = rows(db)
    assert len(stored) == result.stats["store/rows_written"] >= 5
