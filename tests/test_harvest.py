"""The ``djazairess`` query command and Datasette, over harvests made by crawling the replica."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from harvest import cli
from storage import ArticleStore
from tests.conftest import DATABASES, ROOT, run_crawl, temporary_postgres_database
from tests.replica import ARTICLES

pytestmark = pytest.mark.crawl

BEJAIA = {a.title for a in ARTICLES if "Béjaïa" in " ".join((a.title, a.kicker or "", a.body))}
BEJAIA_IN_TITLE = {a.title for a in ARTICLES if "Béjaïa" in a.title}


@pytest.fixture(scope="module", params=DATABASES)
def harvest(request, replica_server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("harvest")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'harvest.db'}"
        assert run_crawl(replica_server.base_url, url, tmp).returncode == 0
        yield url
    else:
        with temporary_postgres_database() as url:
            assert run_crawl(replica_server.base_url, url, tmp).returncode == 0
            yield url


def djazairess(database_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harvest.cli", "--database", database_url, *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_search_ignores_accents_and_ranks_titles_first(harvest) -> None:
    done = djazairess(harvest, "search", "Bejaia")  # a pipe: JSON
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert {row["title"] for row in found} == BEJAIA
    assert {row["title"] for row in found[:len(BEJAIA_IN_TITLE)]} == BEJAIA_IN_TITLE
    assert all("[" in row["snippet"] and "]" in row["snippet"] for row in found)
    assert any("[Béjaïa]" in row["snippet"] for row in found)


def test_search_filters_and_limit(harvest) -> None:
    by_source = json.loads(djazairess(harvest, "search", "Bejaia", "--source", "liberte").stdout)
    assert {row["source"] for row in by_source} == {"Liberté"}
    by_name = json.loads(djazairess(harvest, "search", "Bejaia", "--source", "LIBERTÉ").stdout)
    assert by_name == by_source
    recent = json.loads(djazairess(harvest, "search", "Bejaia", "--since", "2025-01-01").stdout)
    assert recent and all(row["published_on"] >= "2025-01-01" for row in recent)
    old = json.loads(djazairess(harvest, "search", "Bejaia", "--until", "2024-12-31").stdout)
    assert {r["title"] for r in recent} | {r["title"] for r in old} == BEJAIA
    assert len(json.loads(djazairess(harvest, "search", "Bejaia", "--limit", "1").stdout)) == 1


def test_search_formats(harvest) -> None:
    table = djazairess(harvest, "search", "tramway Setif", "--format", "table").stdout
    assert table.splitlines()[0].split()[:3] == ["PUBLISHED_ON", "SOURCE", "TITLE"]
    assert "Le tramway de Sétif" in table
    rows = list(csv.DictReader(io.StringIO(djazairess(harvest, "search", "tramway", "--format", "csv").stdout)))
    assert rows[0]["title"].startswith("Le tramway de Sétif") and rows[0]["source"] == "El Watan"
    assert json.loads(djazairess(harvest, "search", "zzzxqj").stdout) == []


@pytest.mark.parametrize("args,status,words", [
    (["search", "x", "--format", "xml"], 2, "invalid choice"),
    (["search", "x", "--since", "2024-02-30"], 2, "not a date"),
    (["search", "x", "--since", "2025-02-01", "--until", "2025-01-01"], 2, "after --until"),
    (["search", "x", "--limit", "0"], 2, "positive"),
    (["export", "--format", "xls", "--out", "-"], 2, "invalid choice"),
    (["show", "999999"], 4, "no article"),
])
def test_bad_input_gives_one_line_and_a_status(harvest, args, status, words) -> None:
    done = djazairess(harvest, *args)
    assert done.returncode == status
    assert len(done.stderr.strip().splitlines()) == 1 and words in done.stderr


def test_unreachable_database(tmp_path) -> None:
    done = djazairess("postgresql+psycopg://crawler:pw@127.0.0.1:1/harvest", "stats")
    assert done.returncode == 3 and "cannot reach the database" in done.stderr and "pw@" not in done.stderr
    missing = djazairess(f"sqlite:///{tmp_path / 'none' / 'x.db'}", "stats")
    assert missing.returncode == 3 and len(missing.stderr.strip().splitlines()) == 1


def test_show_by_id_and_url_with_revisions(harvest) -> None:
    article = next(a for a in ARTICLES if a.path == "/fr/liberte/3300900")
    found = json.loads(djazairess(harvest, "search", "classique MC Alger").stdout)[0]
    by_id = json.loads(djazairess(harvest, "show", str(found["id"])).stdout)[0]
    by_url = json.loads(djazairess(harvest, "show", found["url"]).stdout)[0]
    assert by_id == by_url
    assert (by_id["title"], by_id["kicker"], by_id["body"]) == (article.title, article.kicker, article.body)
    store = ArticleStore.open(harvest)
    try:
        store.upsert([{**{k: by_id[k] for k in ("url", "site", "language", "source", "source_slug", "source_url",
                                                  "kicker", "body")},
                       "title": article.title + " (corrigé)", "edition": "fr",
                       "published_on": dt.date.fromisoformat(by_id["published_on"]),
                       "fetched_at": dt.datetime.now(dt.UTC)}])
    finally:
        store.close()
    shown = json.loads(djazairess(harvest, "show", str(found["id"])).stdout)[0]
    assert shown["title"].endswith("(corrigé)")
    # the search index followed the change (and only rows whose text changed are reindexed)
    assert [r["id"] for r in json.loads(djazairess(harvest, "search", "corrige").stdout)] == [found["id"]]
    assert [r["title"] for r in shown["revisions"]] == [article.title]
    table = djazairess(harvest, "show", str(found["id"]), "--format", "table").stdout
    assert "--- before" in table and article.body in table


def test_stats(harvest) -> None:
    report = json.loads(djazairess(harvest, "stats").stdout)[0]
    counted = collections.Counter((a.source, a.published.strftime("%Y-%m")) for a in ARTICLES)
    assert {(r["source"], r["month"]): r["articles"] for r in report["articles_per_newspaper_month"]} == counted
    assert report["latest_crawl_runs"][0]["finish_reason"] == "finished"
    assert "Articles per newspaper per month" in djazairess(harvest, "stats", "--format", "table").stdout


def test_export_formats_and_filters(harvest, tmp_path) -> None:
    jsonl = djazairess(harvest, "export", "--out", "-", "--source", "El Watan", "--since", "2024-01-01")
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert {r["url"].split("/", 3)[3] for r in rows} == {
        a.path.lstrip("/") for a in ARTICLES if a.newspaper == "elwatan" and a.published >= dt.date(2024, 1, 1)}
    out = tmp_path / "all.csv"
    assert djazairess(harvest, "export", "--format", "csv", "--out", str(out)).returncode == 0
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == len(ARTICLES)
    import pyarrow.parquet as pq

    parquet = tmp_path / "all.parquet"
    assert djazairess(harvest, "export", "--format", "parquet", "--out", str(parquet)).returncode == 0
    table = pq.read_table(parquet)
    assert table.num_rows == len(ARTICLES)
    assert {u.split("/", 3)[3] for u in table.column("url").to_pylist()} == {a.path.lstrip("/") for a in ARTICLES}
    assert str(table.schema.field("published_on").type) == "date32[day]"


def _export_peak_rss(database_url: str, out: Path) -> float:
    from benchmarks.memory import run_measuring_peak

    status, _, peak = run_measuring_peak([sys.executable, "-m", "harvest.cli", "--database", database_url, "export",
                                          "--format", "jsonl", "--out", str(out)], cwd=ROOT, stderr=subprocess.DEVNULL)
    assert status == 0
    return peak


@pytest.mark.parametrize("kind", DATABASES)
def test_export_of_a_large_table_keeps_memory_flat(kind, tmp_path) -> None:
    from benchmarks.storage_writes import make_rows

    def fill(url: str, count: int) -> None:
        store = ArticleStore.open(url)
        try:
            rows = make_rows(count, body_chars=4000)
            for start in range(0, count, 1000):
                store.upsert(rows[start:start + 1000])
        finally:
            store.close()

    peaks = []
    for count in (1_000, 15_000):  # 4 MB, then 60 MB of bodies
        if kind == "sqlite":
            url = f"sqlite:///{tmp_path / f'big-{count}.db'}"
            fill(url, count)
            peaks.append(_export_peak_rss(url, tmp_path / f"out-{count}.jsonl"))
        else:
            with temporary_postgres_database() as url:
                fill(url, count)
                peaks.append(_export_peak_rss(url, tmp_path / f"out-{count}.jsonl"))
        assert sum(1 for _ in (tmp_path / f"out-{count}.jsonl").open()) == count
    assert peaks[1] < peaks[0] + 25, peaks  # 15x the rows, not 15x the memory


def test_datasette_metadata(tmp_path) -> None:
    harvest = f"sqlite:///{tmp_path / 'harvest.db'}"
    ArticleStore.open(harvest).close()
    target = tmp_path / "metadata.json"
    assert cli.main(["--database", harvest, "datasette", "--metadata-out", str(target)]) == 0
    document = json.loads(target.read_text())
    database = document["databases"]["harvest"]
    assert database["tables"]["articles"]["fts_table"] == "articles_fts"
    assert database["tables"]["article_index"]["facets"] == ["source", "month"]
    assert set(database["queries"]) == {"latest_per_newspaper", "phrase_search"}
