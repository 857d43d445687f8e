"""Shared fixtures: the replica served on loopback, and a real ``scrapy crawl`` against it."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
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


def crawl_command(base_url: str | None, database_url: str, stats_file: Path, *args: str,
                  settings: dict[str, str] | None = None) -> list[str]:
    """``scrapy crawl djazairess`` as a user would run it, against ``base_url`` (a fleet
    worker takes its crawl's arguments from Redis: no ``base_url`` then)."""
    overrides = {
        "DATABASE_URL": database_url,
        "STATS_FILE": str(stats_file),
        "AUTOTHROTTLE_ENABLED": "False",
        "DOWNLOAD_DELAY": "0",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
        "STORE_FLUSH_SECONDS": "0.5",
        "STORE_SPOOL_DIR": str(stats_file.parent / "spool"),  # never the checkout
        **(settings or {}),
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "djazairess"]
    for arg in ([f"base_url={base_url}"] if base_url else []) + list(args):
        command += ["-a", arg]
    for name, value in overrides.items():
        command += ["-s", f"{name}={value}"]
    return command


def new_stats_file(tmp_path: Path) -> Path:
    return tmp_path / f"stats-{uuid.uuid4().hex[:8]}.json"


def run_crawl(base_url: str, database_url: str, tmp_path: Path, *args: str, timeout: float = 300,
              settings: dict[str, str] | None = None) -> CrawlResult:
    stats_file = new_stats_file(tmp_path)
    command = crawl_command(base_url, database_url, stats_file, *args, settings=settings)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    return CrawlResult(done.returncode, read_stats(stats_file), done.stderr, database_url)


def start_crawl(base_url: str | None, database_url: str, tmp_path: Path, *args: str,
                settings: dict[str, str] | None = None) -> tuple[subprocess.Popen, Path]:
    """A crawl in the background: (process, its stats file)."""
    stats_file = new_stats_file(tmp_path)
    command = crawl_command(base_url, database_url, stats_file, *args, settings=settings)
    log = open(stats_file.with_suffix(".log"), "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True), stats_file


def read_stats(stats_file: Path) -> dict:
    return json.loads(stats_file.read_text()) if stats_file.exists() else {}


@pytest.fixture(scope="module")
def replica_server():
    with ReplicaServer(Replica()) as server:
        yield server


# -- Redis (fleet mode) --------------------------------------------------------------------------
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def fleet_name():
    """A fleet of the test's own on the Redis server (skips or fails when Redis is missing);
    its keys are deleted afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=3)
    try:
        client.ping()
        why = ""
    except redis.RedisError as error:
        why = str(error)
    require_service("Redis", not why, f"{REDIS_TEST_URL}: {why}")
    name = f"test-fleet-{uuid.uuid4().hex[:8]}"
    yield name
    stale = list(client.scan_iter(f"{name}:*"))
    if stale:
        client.delete(*stale)
    client.close()


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


@contextlib.contextmanager
def temporary_postgres_database():
    """A fresh PostgreSQL database, dropped afterwards (skips or fails when the server is missing)."""
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


@pytest.fixture
def postgres_url():
    with temporary_postgres_database() as url:
        yield url


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    """The same test on SQLite and on the real PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
    else:
        with temporary_postgres_database() as url:
            yield url


# -- a PostgreSQL server of the test's own ---------------------------------------------------------
class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary directory that a test may stop and start at will."""

    def __init__(self) -> None:
        import glob
        import shutil
        import socket
        import tempfile

        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        require_service("initdb", bool(binaries) or bool(shutil.which("initdb")),
                        "PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        self.bin = Path(binaries[-1]).parent if binaries else Path(shutil.which("initdb")).parent
        self.root = Path(tempfile.mkdtemp(prefix="djz-pg-"))
        self.data = self.root / "data"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.root, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.bin / tool), *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        import shutil

        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def throwaway_postgres():
    server = ThrowawayPostgres()
    server.start()
    yield server
    server.remove()


@contextlib.contextmanager
def background_server(command: list[str], health_url: str, log: Path, cwd: Path | None = None):
    """Start a server process, wait until ``health_url`` answers, stop it afterwards."""
    with open(log, "w") as output:
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
        try:
            wait_until_serving(health_url, process, log)
            yield process
        finally:
            process.terminate()
            process.wait(20)


def wait_until_serving(url: str, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    """Poll ``url`` until it answers; fail with the server's log if it dies or never answers."""
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(log.read_text()) from None
            time.sleep(0.2)
