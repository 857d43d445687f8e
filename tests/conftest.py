"""Shared fixtures: the replica served on loopback, and a real ``scrapy crawl`` against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.replica import Replica, ReplicaServer

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def require_service(name: str, reachable: bool, why: str) -> None:
    """Outside CI a missing service skips with its reason; under CI=true it fails the run."""
    if reachable:
        return
    message = f"{name} is not reachable: {why}"
    if IN_CI:
        pytest.fail(message + " (CI=true: services are required)", pytrace=False)
    pytest.skip(message)


@dataclass
class CrawlResult:
    returncode: int
    stats: dict
    log: str
    database_url: str


def run_crawl(base_url: str, database_url: str, tmp_path: Path, *args: str, timeout: float = 300,
              settings: dict[str, str] | None = None) -> CrawlResult:
    """Run ``scrapy crawl djazairess`` in a subprocess, as a user would, against ``base_url``."""
    stats_file = tmp_path / f"stats-{len(list(tmp_path.glob('stats-*.json')))}.json"
    overrides = {
        "DATABASE_URL": database_url,
        "STATS_FILE": str(stats_file),
        "AUTOTHROTTLE_ENABLED": "False",
        "DOWNLOAD_DELAY": "0",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
        "STORE_FLUSH_SECONDS": "0.5",
        **(settings or {}),
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "djazairess", "-a", f"base_url={base_url}"]
    for arg in args:
        command += ["-a", arg]
    for name, value in overrides.items():
        command += ["-s", f"{name}={value}"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    return CrawlResult(done.returncode, stats, done.stderr, database_url)


@pytest.fixture(scope="module")
def replica_server():
    with ReplicaServer(Replica()) as server:
        yield server


# -- databases ---------------------------------------------------------------------------------
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _postgres_admin():
    try:
        import psycopg
    except ImportError as error:  # pragma: no cover - the [test] extra installs it
        return None, f"psycopg is not installed ({error})"
    try:
        return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3), ""
    except psycopg.OperationalError as error:
        return None, str(error).strip().splitlines()[0]


@pytest.fixture
def postgres_url(request):
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    import uuid

    admin, why = _postgres_admin()
    require_service("PostgreSQL", admin is not None, f"{POSTGRES_ADMIN_URL}: {why}")
    name = f"djz_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        try:
            yield f"{base}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """The same test on SQLite and on the real PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
    else:
        yield request.getfixturevalue("postgres_url")
