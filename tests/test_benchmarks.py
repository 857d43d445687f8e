"""Smoke runs of the benchmark scripts, so that they never rot (the figures are not checked)."""

from __future__ import annotations

import re

from benchmarks import storage as storage_benchmark


def test_storage_benchmark_runs(capsys) -> None:
    assert storage_benchmark.main(["--rows", "60", "--body", "500", "--batch", "20", "--repeat", "1", "--no-postgres"]) == 0
    out = capsys.readouterr().out
    for path in ("bare Core insert", "writer: insert", "writer: re-upsert unchanged", "writer: re-upsert changed"):
        assert re.search(rf"sqlite\s+{re.escape(path)}.*\d+%", out), out
