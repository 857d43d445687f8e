"""Incremental crawls (only what is new), and jobs resumed after Ctrl-C or SIGKILL."""

from __future__ import annotations

import dataclasses
import signal
import time

import pytest
from sqlalchemy import select

from storage import article_revisions
from tests.conftest import read_stats, run_crawl, start_crawl
from tests.replica import ARTICLES, BROKEN_PAGES, Replica, ReplicaServer
from tests.replica.generate import generated_articles
from tests.test_crawl import query, rows, runs

pytestmark = pytest.mark.crawl
CONTENT = ("title", "kicker", "source", "source_slug", "source_url", "published_on", "body", "language")


def test_next_run_fetches_only_what_is_new(tmp_path) -> None:
    replica = Replica()
    database_url = f"sqlite:///{tmp_path / 'inc.db'}"
    with ReplicaServer(replica) as server:
        first = run_crawl(server.base_url, database_url, tmp_path)
        assert first.returncode == 0, first.log[-3000:]
        new = generated_articles(5, seed=11, first_id=7_000_000)
        changed_index = next(i for i, a in enumerate(replica.articles) if a.path == "/fr/lnr/1803221451")
        old = replica.articles[changed_index]
        replica.articles[changed_index] = dataclasses.replace(old, kicker="Transport urbain")
        replica.articles += new
        server.refresh()
        hits_before = dict(server.hits)

        second = run_crawl(server.base_url, database_url, tmp_path)
        assert second.returncode == 0, second.log[-3000:]
        fetched = {p for p, n in server.hits.items() if n > hits_before.get(p, 0)}
        stored_paths = {a.path for a in ARTICLES}
        assert not (fetched & stored_paths)  # no stored article page was fetched again
        assert second.stats["store/articles_inserted"] == 5
        assert second.stats.get("store/articles_updated", 0) == 0
        assert second.stats["discovery/article_pages_fetched"] == 5 + len(BROKEN_PAGES)
        assert set(rows(database_url)) == {server.base_url + a.path for a in replica.articles}
        assert rows(database_url)[server.base_url + old.path]["kicker"] == "Transport" == old.kicker
        assert runs(database_url)[-1]["pages_skipped_stored"] == second.stats["discovery/skipped_stored"] > 0

        third = run_crawl(server.base_url, database_url, tmp_path, "refresh=1")
        assert third.returncode == 0, third.log[-3000:]
    assert third.stats["store/articles_updated"] == 1
    assert rows(database_url)[server.base_url + old.path]["kicker"] == "Transport urbain"
    revisions = query(database_url, select(article_revisions))
    assert [(r["title"], r["kicker"]) for r in revisions] == [(old.title, "Transport")]


def big_replica() -> Replica:
    return Replica(ARTICLES + tuple(generated_articles(180)), per_page=10)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """The reference: the same big replica crawled without interruption."""
    tmp = tmp_path_factory.mktemp("reference")
    with ReplicaServer(big_replica()) as server:
        result = run_crawl(server.base_url, f"sqlite:///{tmp / 'ref.db'}", tmp)
        assert result.returncode == 0, result.log[-3000:]
        return {url.split("/", 3)[3]: {k: row[k] for k in CONTENT} for url, row in rows(result.database_url).items()}


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGKILL], ids=["sigint", "sigkill"])
def test_job_resumes_after_a_stop(stop, uninterrupted, tmp_path) -> None:
    replica = big_replica()
    assert len(replica.articles) >= 200
    database_url = f"sqlite:///{tmp_path / 'resume.db'}"
    job = {"JOBDIR": str(tmp_path / "job"), "CONCURRENT_REQUESTS": "4"}
    with ReplicaServer(replica, delay=0.02) as server:
        process, first_stats = start_crawl(server.base_url, database_url, tmp_path, settings=job)
        article_paths = [a.path for a in replica.articles]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and sum(server.hits[p] for p in article_paths) < len(article_paths) // 2:
            time.sleep(0.05)
        process.send_signal(stop)
        process.wait(60)
        stopped_with = len(rows(database_url))
        assert 0 < stopped_with < len(replica.articles), "the stop came too late to test anything"

        resumed = run_crawl(server.base_url, database_url, tmp_path, settings=job)
        assert resumed.returncode == 0, resumed.log[-3000:]
        fetches = [server.hits[p] for p in article_paths]
    assert resumed.stats["finish_reason"] == "finished"
    final = {url.split("/", 3)[3]: {k: row[k] for k in CONTENT} for url, row in rows(database_url).items()}
    assert final == uninterrupted  # the same database as a crawl that was never stopped
    assert [r["url"] for r in rows(database_url).values() if r["times_seen"] != 1] == []  # each stored once
    # a page is fetched again only if its work was unfinished at the stop: in flight, or fetched
    # but its article not yet written (the store's batch); each such request is put back once
    refetched = sum(n - 1 for n in fetches if n > 1)
    assert min(fetches) == 1
    if stop == signal.SIGINT:  # graceful: in-flight requests finish, the last batch is written
        assert read_stats(first_stats)["finish_reason"] == "shutdown"
        assert refetched == 0
    else:
        restored = resumed.stats.get("frontier/restored_in_flight", 0)
        assert 0 < refetched <= restored < len(article_paths) // 2
