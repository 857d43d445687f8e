"""The database fails mid-crawl: PostgreSQL restarted, PostgreSQL gone, SQLite locked by
another writer. Every accepted article must end up stored exactly once. And the password
of DATABASE_URL never appears in a log, the stats or the run records."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from storage import ArticleStore, crawl_runs
from tests.conftest import read_stats, run_crawl, start_crawl, temporary_postgres_database
from tests.replica import ARTICLES, Replica, ReplicaServer
from tests.test_crawl import query, rows

pytestmark = [pytest.mark.crawl, pytest.mark.postgres]

SMALL_BATCHES = {"STORE_BATCH_SIZE": "4", "STORE_FLUSH_SECONDS": "0.3", "CONCURRENT_REQUESTS": "2"}


def wait_for_rows(database_url: str, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if len(rows(database_url)) >= count:
                return
        except Exception:  # noqa: BLE001 - the schema may not exist yet
            pass
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} rows after {timeout} s")


def assert_complete(database_url: str, base_url: str) -> None:
    stored = rows(database_url)
    assert set(stored) == {base_url + a.path for a in ARTICLES}
    assert [url for url, row in stored.items() if row["times_seen"] != 1] == []  # each stored once
    for article in ARTICLES:
        row = stored[base_url + article.path]
        assert {k: row[k] for k in article.expected()} == article.expected()


def test_postgres_restarted_mid_crawl(throwaway_postgres, tmp_path) -> None:
    with ReplicaServer(Replica(), delay=0.08) as server:
        process, stats_file = start_crawl(server.base_url, throwaway_postgres.url, tmp_path, settings={
            **SMALL_BATCHES, "STORE_RETRY_TIMES": "8", "STORE_RETRY_BACKOFF": "0.5"})
        wait_for_rows(throwaway_postgres.url, 4)
        throwaway_postgres.stop()
        time.sleep(3)
        throwaway_postgres.start()
        assert process.wait(180) == 0
    stats = read_stats(stats_file)
    assert stats["store/database_errors"] >= 1
    assert stats["finish_reason"] == "finished"
    assert_complete(throwaway_postgres.url, server.base_url)


def test_postgres_gone_stops_cleanly_and_the_next_run_stores_the_spool(throwaway_postgres, tmp_path) -> None:
    spool = tmp_path / "spool"
    settings = {**SMALL_BATCHES, "STORE_RETRY_TIMES": "2", "STORE_RETRY_BACKOFF": "0.2", "STORE_SPOOL_DIR": str(spool)}
    with ReplicaServer(Replica(), delay=0.08) as server:
        process, stats_file = start_crawl(server.base_url, throwaway_postgres.url, tmp_path, settings=settings)
        wait_for_rows(throwaway_postgres.url, 4)
        throwaway_postgres.stop()
        assert process.wait(120) == 3  # a non-zero exit status for the scheduler to see
        first = read_stats(stats_file)
        assert first["finish_reason"] == "database_unavailable"
        assert first["store/rows_spooled"] > 0 and list(spool.glob("spool-*.jsonl"))

        throwaway_postgres.start()
        stored_before = len(rows(throwaway_postgres.url))
        assert stored_before + first["store/rows_spooled"] == first["articles/valid"]  # nothing accepted was lost
        second = run_crawl(server.base_url, throwaway_postgres.url, tmp_path, settings=settings)
        assert second.returncode == 0, second.log[-3000:]
    assert second.stats["store/spool_replayed"] == first["store/rows_spooled"]
    assert not list(spool.glob("spool-*.jsonl"))
    assert_complete(throwaway_postgres.url, server.base_url)


def test_sqlite_locked_by_another_writer(tmp_path) -> None:
    database = tmp_path / "locked.db"
    ArticleStore.open(f"sqlite:///{database}").close()
    locker = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time\n"
        f"c = sqlite3.connect({str(database)!r}, isolation_level=None)\n"
        "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(4); c.execute('COMMIT')\n")],
        stdout=subprocess.PIPE, text=True)
    assert locker.stdout.readline().strip() == "locked"
    with ReplicaServer(Replica()) as server:
        result = run_crawl(server.base_url, f"sqlite:///{database}", tmp_path, settings={
            **SMALL_BATCHES, "STORE_SQLITE_BUSY_TIMEOUT": "0.2", "STORE_RETRY_TIMES": "8", "STORE_RETRY_BACKOFF": "0.5"})
    locker.wait(10)
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["store/database_errors"] >= 1
    assert_complete(f"sqlite:///{database}", server.base_url)


def test_password_is_never_logged_or_recorded(replica_server, tmp_path) -> None:
    with temporary_postgres_database() as database_url:
        secret_url = database_url.replace("postgres@", "postgres:S3cr3t-pw@")  # trust auth ignores it
        result = run_crawl(replica_server.base_url, secret_url, tmp_path, settings={"LOG_LEVEL": "DEBUG"})
        assert result.returncode == 0, result.log[-3000:]
        run = query(database_url, select(crawl_runs))[0]
    assert "S3cr3t-pw" not in result.log
    assert "postgres:***@" in result.log
    assert "S3cr3t-pw" not in str(result.stats)
    assert "S3cr3t-pw" not in str(run)
    assert run["database_url"].startswith("postgresql+psycopg://postgres:***@")
    assert run["arguments"]["settings"]["DATABASE_URL"].startswith("postgresql+psycopg://postgres:***@")


def test_env_database_url_is_masked_too(replica_server, tmp_path) -> None:
    import os

    with temporary_postgres_database() as database_url:
        secret_url = database_url.replace("postgres@", "postgres:Env-S3cret@")
        command = [sys.executable, "-m", "scrapy", "crawl", "djazairess", "-a", f"base_url={replica_server.base_url}",
                   "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "CLOSESPIDER_ITEMCOUNT=3"]
        done = subprocess.run(command, cwd=Path(__file__).parent.parent, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "DATABASE_URL": secret_url})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Env-S3cret" not in done.stderr and "postgres:***@" in done.stderr
