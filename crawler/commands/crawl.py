"""``scrapy crawl``, with an exit status that says when a crawl ended badly.

Scrapy's own command exits 0 whatever the finish reason. Here a crawl that had to stop
because its database (or a fleet worker's Redis) stayed unreachable exits with status 3, so that cron, systemd and
Scrapyd see the failure – as does a fleet worker whose Redis does not answer at start.
"""

from __future__ import annotations

import argparse
import sys

from scrapy import signals
from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from crawler.fleet import fleet_enabled
from crawler.fleet.state import FleetUnavailable, connect
from crawler.stopping import FAILED_REASONS


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process
        if fleet_enabled(self.settings):
            try:
                connect(self.settings, args[0])
            except FleetUnavailable as error:
                print(f"scrapy crawl: {error}", file=sys.stderr)
                self.exitcode = 3
                return
        crawler = self._create_crawler(args[0])
        reasons: list[str] = []

        def remember(reason: str) -> None:
            reasons.append(reason)

        crawler.signals.connect(remember, signal=signals.spider_closed, weak=False)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        for reason in reasons:
            self.exitcode = max(self.exitcode, FAILED_REASONS.get(reason, 0))
