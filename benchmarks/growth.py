"""Growth benchmark: does the crawl stay linear in time and flat in memory as the site grows?

The crawl (spider + pipelines + SQLite) over replicas of 2,500 / 5,000 / 10,000 / 20,000
articles served by nginx; for each size, the wall time of ``scrapy crawl`` and the peak
resident memory of its process (``VmHWM`` of the crawl's own address space).

    python benchmarks/growth.py [--sizes 2500,5000,10000,20000] [--repeat 3]

Targets: time grows linearly (20k / 5k <= 4.4) and peak RSS at 20k <= 1.2 x that at 5k.
Pages are of ordinary weight here (the extraction cost is the crawl benchmark's subject).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.memory import run_measuring_peak  # noqa: E402
from tests.replica import Replica  # noqa: E402
from tests.replica.generate import generated_articles  # noqa: E402
from tests.replica.static import NginxReplica  # noqa: E402


def crawl_once(base_url: str, folder: Path, tag: str) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one crawl process."""
    command = [sys.executable, "-m", "scrapy", "crawl", "djazairess", "-a", f"base_url={base_url}",
               "-s", f"DATABASE_URL=sqlite:///{folder / f'growth-{tag}.db'}", "-s", "AUTOTHROTTLE_ENABLED=False",
               "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
               "-s", "LOG_LEVEL=WARNING", "-s", "ROBOTSTXT_OBEY=False", "-s", f"STORE_SPOOL_DIR={folder / 'spool'}"]
    status, elapsed, peak = run_measuring_peak(command, cwd=ROOT)
    if status != 0:
        raise RuntimeError(f"crawl failed with status {status}")
    return elapsed, peak


def measure(sizes: list[int], repeat: int, folder: Path) -> dict[int, dict[str, list[float]]]:
    figures: dict[int, dict[str, list[float]]] = {}
    for size in sizes:
        replica = Replica(tuple(generated_articles(size, seed=33)), per_page=10, broken_pages={})
        with NginxReplica(replica, folder / f"site-{size}") as site:
            for n in range(repeat):
                seconds, rss = crawl_once(site.base_url, folder, f"{size}-{n}")
                entry = figures.setdefault(size, {"seconds": [], "rss": []})
                entry["seconds"].append(seconds)
                entry["rss"].append(rss)
    return figures


def report(figures: dict[int, dict[str, list[float]]]) -> str:
    lines = ["growth: wall time and peak RSS of one crawl process; median (min-max)", "",
             f"  {'articles':>8}  {'seconds':>8} {'(min-max)':>16}  {'peak RSS MB':>11} {'(min-max)':>14}"]
    for size, entry in sorted(figures.items()):
        t, m = entry["seconds"], entry["rss"]
        lines.append(f"  {size:>8}  {statistics.median(t):>8.1f} {f'({min(t):.1f}-{max(t):.1f})':>16}"
                     f"  {statistics.median(m):>11.0f} {f'({min(m):.0f}-{max(m):.0f})':>14}")
    sizes = sorted(figures)
    if len(sizes) >= 2:
        small, large = sizes[1] if len(sizes) > 2 else sizes[0], sizes[-1]
        time_ratio = statistics.median(figures[large]["seconds"]) / statistics.median(figures[small]["seconds"])
        rss_ratio = statistics.median(figures[large]["rss"]) / statistics.median(figures[small]["rss"])
        lines += ["", f"  time {large}/{small}: {time_ratio:.2f}  (linear: {large / small:.1f}; target <= {1.1 * large / small:.1f})",
                  f"  peak RSS {large}/{small}: {rss_ratio:.2f}  (target <= 1.2)"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2500,5000,10000,20000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        print(report(measure(sizes, args.repeat, Path(folder))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
