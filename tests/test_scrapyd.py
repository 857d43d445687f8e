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

from tests.conftest import ROOT, background_server
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


def test_deploy_and_schedule_through_scrapyd(scrapyd, replica_server, tmp_path) -> None:
    deploy = subprocess.run(["scrapyd-deploy", "fleet", "-p", "djazairess", "--version", "test-1"],
                            cwd=ROOT, env={**os.environ, "SCRAPYD_URL": scrapyd}, capture_output=True, text=True,
                            timeout=180)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    assert call(f"{scrapyd}/listspiders.json?project=djazairess")["spiders"] == ["djazairess"]

    database = tmp_path / "scheduled.db"
    job = call(f"{scrapyd}/schedule.json", {
        "project": "djazairess", "spider": "djazairess", "base_url": replica_server.base_url,
        "setting": [f"DATABASE_URL=sqlite:///{database}", "AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_DELAY=0",
                    "CONCURRENT_REQUESTS_PER_DOMAIN=8"],
    })
    assert job["status"] == "ok", job
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        jobs = call(f"{scrapyd}/listjobs.json?project=djazairess")
        if any(j["id"] == job["jobid"] for j in jobs["finished"]):
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"the Scrapyd job did not finish: {jobs}")
    log = next(Path(tmp_path).glob(f"logs/djazairess/djazairess/{job['jobid']}.log")).read_text()
    stored = rows(f"sqlite:///{database}")
    assert len(stored) == len(ARTICLES), log[-3000:]
    assert runs(f"sqlite:///{database}")[0]["finish_reason"] == "finished"
    assert "Traceback" not in log
