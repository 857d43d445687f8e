"""Scheduled runs: deploy the project to a real Scrapyd on loopback and run a job through it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REDIS_TEST_URL, ROOT, background_server
from tests.fleetrun import FAST_FLEET, FleetRun
from tests.replica.static import free_port
from tests.replica import ARTICLES
from tests.test_crawl import rows, runs

pytestmark = pytest.mark.crawl


def call(url: str, data: dict | None = None) -> dict:
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def scrapyd(tmp_path):
    port = free_port()
    (tmp_path / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\neggs_dir = {tmp_path}/eggs\nlogs_dir = {tmp_path}/logs\n"
        f"dbs_dir = {tmp_path}/dbs\nitems_dir =\nmax_proc = 1\npoll_interval = 0.5\n"
    )
    url = f"http://127.0.0.1:{port}"
    with background_server([sys.executable, "-m", "scrapyd"], f"{url}/daemonstatus.json", tmp_path / "scrapyd.log",
                           cwd=tmp_path):
        yield url


def deploy(scrapyd: str) -> None:
    done = subprocess.run(["scrapyd-deploy", "fleet", "-p", "djazairess", "--version", "test-1"],
                          cwd=ROOT, env={**os.environ, "SCRAPYD_URL": scrapyd}, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert call(f"{scrapyd}/listspiders.json?project=djazairess")["spiders"] == ["djazairess"]


def wait_for_jobs(scrapyd: str, job_ids: list[str], folder: Path, timeout: float = 120) -> list[str]:
    """Wait until the jobs have finished; their logs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = call(f"{scrapyd}/listjobs.json?project=djazairess")
        if set(job_ids) <= {j["id"] for j in jobs["finished"]}:
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"the Scrapyd jobs did not finish: {jobs}")
    return [next(folder.glob(f"logs/djazairess/djazairess/{job_id}.log")).read_text() for job_id in job_ids]


def test_deploy_and_schedule_through_scrapyd(scrapyd, replica_server, tmp_path) -> None:
    deploy(scrapyd)
    database = tmp_path / "scheduled.db"
    job = call(f"{scrapyd}/schedule.json", {
        "project": "djazairess", "spider": "djazairess", "base_url": replica_server.base_url,
        "setting": [f"DATABASE_URL=sqlite:///{database}", "AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_DELAY=0",
                    "CONCURRENT_REQUESTS_PER_DOMAIN=8"],
    })
    assert job["status"] == "ok", job
    [log] = wait_for_jobs(scrapyd, [job["jobid"]], tmp_path)
    stored = rows(f"sqlite:///{database}")
    assert len(stored) == len(ARTICLES), log[-3000:]
    assert runs(f"sqlite:///{database}")[0]["finish_reason"] == "finished"
    assert "Traceback" not in log


def test_fleet_workers_as_scrapyd_jobs(scrapyd, replica_server, fleet_name, postgres_url, tmp_path) -> None:
    """The README's recipe: one `scrapy seed`, then workers scheduled as Scrapyd jobs."""
    deploy(scrapyd)
    run = FleetRun(REDIS_TEST_URL, fleet_name, postgres_url, tmp_path)
    seeded = run.seed(f"base_url={replica_server.base_url}")
    assert seeded.returncode == 0, seeded.stderr
    settings = {**FAST_FLEET, "REDIS_URL": REDIS_TEST_URL, "FLEET_NAME": fleet_name, "DATABASE_URL": postgres_url,
                "AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "STORE_FLUSH_SECONDS": "0.5"}
    jobs = [call(f"{scrapyd}/schedule.json", {"project": "djazairess", "spider": "djazairess",
                                              "setting": [f"{k}={v}" for k, v in settings.items()]})
            for _ in range(2)]
    assert all(job["status"] == "ok" for job in jobs), jobs
    logs = wait_for_jobs(scrapyd, [job["jobid"] for job in jobs], tmp_path)
    assert all("Traceback" not in log and "Spider closed (finished)" in log for log in logs), logs[0][-3000:]
    assert all(f"working on fleet crawl {json.loads(seeded.stdout)['crawl']}" in log for log in logs)
    stored = rows(postgres_url)
    assert set(stored) == {replica_server.base_url + a.path for a in ARTICLES}
