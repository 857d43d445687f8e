"""``scrapy fleet <spider> [--json] [--watch SECONDS]``: the fleet's state in Redis.

The current crawl and its arguments, seeds not yet taken, requests queued, fingerprints
seen, requests in flight, and each worker: alive or not, what it holds, what it has done.
Exit status: 0, or 3 when Redis does not answer.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from crawler.fleet.command import FleetCommand


class Command(FleetCommand):
    def short_desc(self) -> str:
        return "Show a fleet crawl's queue and workers (Redis)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--json", action="store_true", help="one JSON object (per --watch round)")
        parser.add_argument("--watch", type=float, metavar="SECONDS", help="print again every SECONDS until Ctrl-C")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        fleet = self.connect(self.spider_name(args))
        if fleet is None:
            return
        try:
            while True:
                status = fleet.status()
                print(json.dumps(status, default=str) if opts.json else render(status), flush=True)
                if not opts.watch:
                    return
                time.sleep(opts.watch)
        except KeyboardInterrupt:
            return


def render(status: dict[str, Any]) -> str:
    crawl = status["crawl"] or {}
    lines = [
        f"fleet {status['fleet']}: crawl {crawl.get('id', '(none seeded)')}"
        + (f" since {crawl['started_at']}" if crawl else ""),
        f"  arguments        {json.dumps(crawl.get('arguments', {}), default=str)}",
        f"  seeds pending    {status['seeds_pending']}",
        f"  requests pending {status['requests_pending']}",
        f"  requests seen    {status['requests_seen']}",
        f"  in flight        {status['in_flight']}",
        f"  workers alive    {status['workers_alive']}",
    ]
    for worker in status["workers"]:
        state = "alive" if worker["alive"] else "DEAD (its requests go back to the queue)"
        lines.append(f"    {worker['id']:<40} {state}; holds {worker['in_flight']}, fetched "
                     f"{worker.get('pages_fetched', '?')} pages ({worker.get('articles_fetched', '?')} articles), "
                     f"wrote {worker.get('rows_written', '?')} rows"
                     + (", idle" if worker.get("idle") else "")
                     + (f", heard from {worker['last_heartbeat_seconds']} s ago" if worker["alive"] else ""))
    return "\n".join(lines)
