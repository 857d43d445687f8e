"""A hostile site: each fault injected by the replica server, its outcome read from the
database and the crawl stats. Then a second run without the faults: the recorded failures
are tried again and leave the table once stored."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storage import fetch_failures
from tests.conftest import run_crawl
from tests.replica import ARTICLES, BROKEN_PAGES, Replica, ReplicaServer
from tests.replica.hostile import HOSTILE_SETTINGS, hostile_site
from tests.test_crawl import query, rows

pytestmark = pytest.mark.crawl

GARBAGE = re.compile("\ufffd|Ã[\u0080-\u00bf]|â€|document\\.write|function\\(|color: red|Activez JavaScript|"
                     "ne lit pas les cadres|Faux Journal|Vérification de votre navigateur|%PDF|PNG")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    with ReplicaServer(Replica()) as other_host:
        # another port of the same machine: Scrapy's own offsite filter would let it through
        replica, faults, cases = hostile_site(other_host.base_url)
        with ReplicaServer(replica, faults=faults) as server:
            database_url = f"sqlite:///{tmp / 'hostile.db'}"
            first = run_crawl(server.base_url, database_url, tmp, settings=HOSTILE_SETTINGS)
            after_first = rows(database_url), query(database_url, select(fetch_failures))
            other_hits = sum(other_host.hits.values())
            server._server.faults.clear()  # the site heals
            second = run_crawl(server.base_url, database_url, tmp, settings=HOSTILE_SETTINGS)
            after_second = rows(database_url), query(database_url, select(fetch_failures))
            yield {"server": server, "cases": cases, "first": first, "second": second, "other_hits": other_hits,
                   "after_first": after_first, "after_second": after_second}


def _stored(hostile, which: str) -> dict[str, dict]:
    base = hostile["server"].base_url
    return {url[len(base):]: row for url, row in hostile[which][0].items()}


def test_the_crawl_runs_to_its_end(hostile) -> None:
    first = hostile["first"]
    assert first.returncode == 0, first.log[-3000:]
    assert first.stats["finish_reason"] == "finished"


@pytest.mark.parametrize("outcome", ["recovered", "stored"])
def test_recovered_and_nasty_pages_are_stored_exactly(hostile, outcome) -> None:
    stored = _stored(hostile, "after_first")
    cases = [case for case in hostile["cases"] if case.outcome == outcome]
    assert cases
    for case in cases:
        assert case.article.path in stored, case.kind
        row = stored[case.article.path]
        assert {k: row[k] for k in case.article.expected()} == case.article.expected(), case.kind


def test_persistent_failures_are_recorded_not_stored(hostile) -> None:
    stored = _stored(hostile, "after_first")
    failures = {row["url"][len(hostile["server"].base_url):]: row for row in hostile["after_first"][1]}
    for case in (c for c in hostile["cases"] if c.outcome == "failure"):
        assert case.article.path not in stored, case.kind
        assert failures[case.article.path]["reason"] == case.reason, case.kind
        assert failures[case.article.path]["attempts"] == 1
    for path in BROKEN_PAGES:
        assert failures[path]["reason"] == "no_dateline"
    expected_failures = {c.article.path for c in hostile["cases"] if c.outcome == "failure"} | set(BROKEN_PAGES)
    assert set(failures) == expected_failures


def test_every_ordinary_article_is_stored_and_nothing_is_garbage(hostile) -> None:
    stored = _stored(hostile, "after_first")
    for article in ARTICLES:
        row = stored[article.path]
        assert {k: row[k] for k in article.expected()} == article.expected(), article.path
    for path, row in stored.items():
        for field in ("title", "kicker", "body", "source", "source_url"):
            assert not GARBAGE.search(row[field] or ""), (path, field, row[field])


def test_metacharacters_are_stored_verbatim(hostile) -> None:
    case = next(c for c in hostile["cases"] if c.kind == "SQL and HTML metacharacters")
    row = _stored(hostile, "after_first")[case.article.path]
    assert row["title"] == "'; DROP TABLE articles; -- <b>Gras</b> & \"guillemets\" &amp;"
    assert row["kicker"] == "Rubrique « R&D » – l’<i>essentiel</i>"
    assert row["body"] == "Le texte cite R&D, <i>Le Monde</i> et 5 < 6 > 4, tel quel.\n\nFin; -- commentaire"


def test_other_hosts_are_never_fetched(hostile) -> None:
    assert hostile["other_hits"] == 0


def test_stats_count_each_kind_of_fault(hostile) -> None:
    stats = hostile["first"].stats
    assert stats["retry/retry_after_honoured"] >= 1
    assert stats["retry/reason_count/503 Service Unavailable"] >= 2 + 2  # transient ×2, persistent ×2 retries
    assert stats["retry/reason_count/500 Internal Server Error"] >= 1
    assert any(k.startswith("retry/reason_count/") and "Timeout" in k for k in stats), stats
    assert stats["fetch/failed/http_503"] == 1
    assert stats["fetch/failed/http_404"] == 1
    assert stats["fetch/failed/redirect_loop"] == 1
    assert stats["fetch/failed/offsite_redirect"] == 1
    assert stats["fetch/failed/too_large"] == 1
    assert stats["articles/dropped/not_html"] == 2
    assert stats["articles/dropped/no_dateline"] == 1 + len(BROKEN_PAGES)
    assert stats["articles/dropped/bad_encoding"] == 1
    assert stats["pages/encoding_repaired/cp1252"] >= 3
    assert stats["store/failures_recorded"] == len(hostile["after_first"][1])


def test_next_run_retries_failures_and_clears_them(hostile) -> None:
    second = hostile["second"]
    assert second.returncode == 0, second.log[-3000:]
    assert second.stats["discovery/retried_failures"] == len(hostile["after_first"][1])
    stored = _stored(hostile, "after_second")
    for case in hostile["cases"]:
        if case.reason == "bad_encoding":
            continue  # the page itself is still broken
        assert {k: stored[case.article.path][k] for k in case.article.expected()} == case.article.expected()
    remaining = {row["url"][len(hostile["server"].base_url):]: row for row in hostile["after_second"][1]}
    arabic = next(c for c in hostile["cases"] if c.reason == "bad_encoding").article.path
    assert set(remaining) == {arabic, *BROKEN_PAGES}
    assert all(row["attempts"] == 2 for row in remaining.values())
