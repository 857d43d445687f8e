"""Peak memory of a child process, measured right.

``ru_maxrss`` from ``wait4`` is not it: Linux carries the high-water mark of the process's
memory across ``exec``, so a child forked from a big parent (a benchmark holding a
rendered site) reports the parent's size. ``VmHWM`` in ``/proc/<pid>/status`` belongs to
the address space the child ``exec``-ed into; it is polled until the child ends.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path


def _hwm_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None


def run_measuring_peak(command: list[str], cwd: str | Path | None = None, poll: float = 0.02,
                       **popen: object) -> tuple[int, float, float]:
    """Run ``command``; return (exit status, wall seconds, peak resident memory in MB)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, **popen)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _hwm_kib(process.pid) or 0)
        time.sleep(poll)
    return process.returncode, time.perf_counter() - started, peak / 1024
