"""Drive a fleet as a user would: ``scrapy seed``, N ``scrapy crawl`` workers, ``scrapy fleet``.

Shared by the fleet tests and ``benchmarks/fleet.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import ROOT, crawl_command, read_stats

# Quick to notice and to leave, for tests; production defaults are in settings.py.
FAST_FLEET = {
    "MAX_IDLE_TIME_BEFORE_CLOSE": "3",
    "FLEET_POLL_SECONDS": "0.25",
    "FLEET_HEARTBEAT_SECONDS": "1",
    "FLEET_WORKER_TIMEOUT": "10",
}


@dataclass
class Worker:
    process: subprocess.Popen
    stats_file: Path

    @property
    def stats(self) -> dict:
        return read_stats(self.stats_file)

    @property
    def log(self) -> str:
        path = self.stats_file.with_suffix(".log")
        return path.read_text(errors="replace") if path.exists() else ""


@dataclass
class FleetRun:
    redis_url: str
    fleet: str
    database_url: str
    folder: Path
    settings: dict[str, str] = field(default_factory=dict)
    workers: list[Worker] = field(default_factory=list)

    def _settings(self) -> dict[str, str]:
        return {"REDIS_URL": self.redis_url, "FLEET_NAME": self.fleet, **FAST_FLEET, **self.settings}

    def _scrapy(self, *args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "scrapy", *args]
        for name, value in self._settings().items():
            command += ["-s", f"{name}={value}"]
        command += ["-s", f"DATABASE_URL={self.database_url}"]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)

    def seed(self, *arguments: str, force: bool = False) -> subprocess.CompletedProcess:
        args = ["seed", "djazairess"] + [item for a in arguments for item in ("-a", a)]
        return self._scrapy(*args, *(["--force"] if force else []))

    def status(self) -> dict:
        done = self._scrapy("fleet", "djazairess", "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def state(self):
        """The fleet in Redis, read in-process (quicker than ``status()`` for polling)."""
        import redis

        from crawler.fleet import FleetKeys
        from crawler.fleet.state import Fleet

        return Fleet(redis.Redis.from_url(self.redis_url), FleetKeys(self.fleet))

    def start_workers(self, count: int, **settings: str) -> list[Worker]:
        started = []
        for _ in range(count):
            stats_file = self.folder / f"worker-{len(self.workers) + len(started) + 1}.json"
            command = crawl_command(None, self.database_url, stats_file,
                                    settings={**self._settings(), **settings})
            log = open(stats_file.with_suffix(".log"), "w")  # noqa: SIM115 - closed with the process
            process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True,
                                       env={**os.environ, "PYTHONUNBUFFERED": "1"})
            started.append(Worker(process, stats_file))
        self.workers += started
        return started

    def wait(self, workers: list[Worker] | None = None, timeout: float = 300) -> list[int]:
        deadline = time.monotonic() + timeout
        codes = []
        for worker in workers or self.workers:
            try:
                codes.append(worker.process.wait(max(1.0, deadline - time.monotonic())))
            except subprocess.TimeoutExpired:
                for other in self.workers:
                    other.process.kill()
                raise AssertionError(f"a worker did not finish in {timeout} s:\n{worker.log[-4000:]}") from None
        return codes

    def stop(self) -> None:
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait(10)


def wait_for(condition: Callable[[], object], timeout: float = 60, every: float = 0.2, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(every)
