"""Serve the replica, or crawl it as an offline demo.

    python -m tests.replica serve [--port 8000]
    python -m tests.replica demo  [--db demo.db]     # serve, crawl into demo.db, print a summary
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import time

from tests.replica import Replica, ReplicaServer


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.replica", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("serve", "demo"))
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    parser.add_argument("--db", default="demo.db", help="SQLite file the demo crawls into")
    args = parser.parse_args()
    with ReplicaServer(Replica(), port=args.port) as server:
        if args.command == "serve":
            print(f"replica of djazairess.com/fr at {server.base_url}/fr  (Ctrl-C to stop)", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                return 0
        print(f"replica at {server.base_url}; crawling into {args.db} ...", flush=True)
        started = time.perf_counter()
        crawl = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "djazairess", "-a", f"base_url={server.base_url}",
             "-s", f"DATABASE_URL=sqlite:///{args.db}", "-s", "AUTOTHROTTLE_ENABLED=False",
             "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "LOG_LEVEL=WARNING"],
            check=False,
        )
        elapsed = time.perf_counter() - started
    with sqlite3.connect(args.db) as db:
        rows = db.execute(
            "SELECT source, count(*), min(published_on), max(published_on) FROM articles GROUP BY source ORDER BY source"
        ).fetchall()
        sample = db.execute("SELECT published_on, source, title, kicker FROM articles ORDER BY published_on DESC LIMIT 5").fetchall()
    print(f"\ncrawl exit status {crawl.returncode}, {elapsed:.1f} s\n\narticles per newspaper:")
    for source, count, first, last in rows:
        print(f"  {source:<26} {count:>3}   {first} .. {last}")
    print("\nlatest:")
    for published, source, title, kicker in sample:
        print(f"  {published}  {source:<22} {title}" + (f"  [{kicker}]" if kicker else ""))
    print(f"\nopen it with: sqlite3 {args.db} 'SELECT title, source, published_on FROM articles'")
    return crawl.returncode


if __name__ == "__main__":
    sys.exit(main())
