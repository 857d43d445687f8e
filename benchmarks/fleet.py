"""Fleet benchmark: one worker against three on the same network-bound crawl.

The replica (``--articles`` generated articles, ten per listing page) is served on loopback
with ``--delay`` seconds per response, so that, as on the real site, a worker waits on the
network rather than on its CPU. Each round seeds a fresh fleet in Redis and a fresh
PostgreSQL database, starts the workers (``scrapy crawl djazairess`` with ``REDIS_URL``),
waits until they have all joined, seeds, and times from the seed until the fleet has no
work left (every page fetched and every article stored). Start-up and the workers' idle
wait before leaving are not timed. Rounds alternate 1 and 3 workers, ``--repeat`` times.

    python benchmarks/fleet.py [--articles 900] [--delay 0.15] [--concurrency 2] [--repeat 3]

Needs Redis (``TEST_REDIS_URL``, default redis://127.0.0.1:6379/0) and PostgreSQL
(``TEST_POSTGRES_URL``), as the tests do.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import REDIS_TEST_URL, temporary_postgres_database  # noqa: E402
from tests.fleetrun import FleetRun, wait_for  # noqa: E402
from tests.replica import Replica, ReplicaServer  # noqa: E402
from tests.replica.generate import generated_articles  # noqa: E402


def one_round(server: ReplicaServer, workers: int, concurrency: int, folder: Path) -> dict:
    with temporary_postgres_database() as database_url:
        fleet = FleetRun(REDIS_TEST_URL, f"bench-{uuid.uuid4().hex[:8]}", database_url, folder, settings={
            "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency), "ROBOTSTXT_OBEY": "False",
            "LOG_LEVEL": "WARNING", "MAX_IDLE_TIME_BEFORE_CLOSE": "2"})
        state = fleet.state()
        try:
            fleet.start_workers(workers)
            wait_for(lambda: state.status()["workers_alive"] == workers, timeout=120, what="workers joined")
            hits_before = sum(server.hits.values())
            started = time.monotonic()
            seeded = fleet.seed(f"base_url={server.base_url}")
            assert seeded.returncode == 0, seeded.stderr
            wait_for(lambda: sum(server.hits.values()) > hits_before and state.work_left() == 0,
                     timeout=1800, every=0.05, what="the crawl to finish")
            seconds = time.monotonic() - started
            pages = sum(server.hits.values()) - hits_before
            assert fleet.wait(timeout=120) == [0] * workers
            fetched = [w.stats.get("discovery/article_pages_fetched", 0) for w in fleet.workers]
        finally:
            fleet.stop()
            keys = list(state.server.scan_iter(f"{fleet.fleet}:*"))
            if keys:
                state.server.delete(*keys)
    return {"pages": pages, "seconds": seconds, "rate": pages / seconds, "articles_per_worker": fetched}


def measure(articles: int, delay: float, concurrency: int, repeat: int, folder: Path) -> dict:
    replica = Replica(tuple(generated_articles(articles, seed=31)), per_page=10, broken_pages={})
    rounds: dict[int, list[dict]] = {1: [], 3: []}
    with ReplicaServer(replica, delay=delay) as server:
        for _ in range(repeat):
            for workers in (1, 3):
                rounds[workers].append(one_round(server, workers, concurrency, folder))
    return {"rounds": rounds, "articles": articles, "delay": delay, "concurrency": concurrency}


def report(figures: dict) -> str:
    one, three = figures["rounds"][1], figures["rounds"][3]
    ratios = [b["rate"] / a["rate"] for a, b in zip(one, three, strict=True)]

    def line(label: str, runs: list[dict]) -> str:
        rates = [r["rate"] for r in runs]
        return (f"  {label:<10} {statistics.median(rates):>7.1f} pages/s  ({min(rates):.1f}-{max(rates):.1f})"
                f"   {runs[0]['pages']} pages in {statistics.median(r['seconds'] for r in runs):.1f} s;"
                f" articles per worker {runs[-1]['articles_per_worker']}")

    return "\n".join([
        f"fleet: {figures['articles']} articles, {figures['delay'] * 1000:.0f} ms per response, "
        f"{figures['concurrency']} requests at a time per worker; median (min-max) of {len(one)}", "",
        line("1 worker", one),
        line("3 workers", three), "",
        f"  3 workers / 1 worker   {statistics.median(ratios):.2f}x  ({min(ratios):.2f}-{max(ratios):.2f})",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=900)
    parser.add_argument("--delay", type=float, default=0.15, help="seconds the server waits before each response")
    parser.add_argument("--concurrency", type=int, default=2, help="CONCURRENT_REQUESTS_PER_DOMAIN of each worker")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        print(report(measure(args.articles, args.delay, args.concurrency, args.repeat, Path(folder))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
