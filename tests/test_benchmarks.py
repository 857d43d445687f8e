"""Smoke runs of the benchmark scripts, so that they never rot (the figures are not checked)."""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks import storage_writes as storage_benchmark


def test_storage_benchmark_runs(capsys) -> None:
    assert storage_benchmark.main(["--rows", "60", "--body", "500", "--batch", "20", "--repeat", "1", "--no-postgres"]) == 0
    out = capsys.readouterr().out
    for path in ("bare Core insert", "writer: insert", "writer: re-upsert unchanged", "writer: re-upsert changed"):
        assert re.search(rf"sqlite\s+{re.escape(path)}.*\d+%", out), out


def test_hostile_report_runs_and_shows_no_garbage_and_no_loss(tmp_path) -> None:
    from benchmarks import hostile

    outcome = hostile.crawl_hostile(tmp_path)
    table = hostile.report(*outcome)
    total = next(line for line in table.splitlines() if line.startswith("total")).split()
    assert total[-2:] == ["0", "0"], table  # garbage rows, articles lost
    assert "requests to the other host: 0" in table


def test_extraction_benchmark_runs_and_is_exact(capsys) -> None:
    from benchmarks import extract

    assert extract.main(["--pages", "30", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "exact pages (every field)    30/30" in out
    assert re.search(r"our stages / bare parse\s+\d", out) and re.search(r"trafilatura / our stages\s+\d", out)


def _nginx_or_skip() -> None:
    import shutil

    from tests.conftest import require_service

    require_service("nginx", shutil.which("nginx") is not None or Path("/usr/sbin/nginx").exists(),
                    "the crawl benchmarks serve the replica with nginx (apt-get install nginx-light)")


def test_crawl_benchmark_runs(tmp_path) -> None:
    from benchmarks import crawl

    _nginx_or_skip()
    figures = crawl.measure(articles=40, repeat=1, concurrency=8, folder=tmp_path)
    assert figures["pages"]["ours"] == figures["pages"]["do-nothing"] > 40
    assert "ours / do-nothing" in crawl.report(figures)


def test_growth_benchmark_runs(tmp_path) -> None:
    from benchmarks import growth

    _nginx_or_skip()
    figures = growth.measure([20, 40], repeat=1, folder=tmp_path)
    assert all(entry["rss"][0] > 20 and entry["seconds"][0] > 0 for entry in figures.values())
    assert "peak RSS 40/20" in growth.report(figures)


def test_fleet_benchmark_runs(tmp_path, fleet_name) -> None:
    from benchmarks import fleet

    figures = fleet.measure(articles=30, delay=0.0, concurrency=4, repeat=1, folder=tmp_path)
    assert figures["rounds"][1][0]["pages"] == figures["rounds"][3][0]["pages"] > 30
    assert "3 workers / 1 worker" in fleet.report(figures)
