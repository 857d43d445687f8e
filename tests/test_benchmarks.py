"""Smoke runs of the benchmark scripts, so that they never rot (the figures are not checked)."""

from __future__ import annotations

import re

from benchmarks import storage as storage_benchmark


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
