"""``scrapy seed <spider> [-a NAME=VALUE …] [--force]``: start a fleet crawl in Redis.

The crawl's arguments (base_url, edition, newspapers, since, refresh, deep) are given here,
once, and stored with the crawl; workers (``scrapy crawl <spider>`` with the same
``REDIS_URL``) take them from Redis. The seeds are the pages the spider starts from: its
home page, feeds and chosen newspapers, after the articles that failed in earlier runs.

Exit status: 0 seeded, 2 bad arguments, 3 Redis unreachable, 4 a crawl is still running.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json

from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.conf import arglist_to_dict

from crawler.fleet.command import FleetCommand
from crawler.fleet.state import CrawlInProgress
from crawler.known import KnownArticles


class Command(FleetCommand):
    def short_desc(self) -> str:
        return "Start a fleet crawl: store its arguments and push its seeds into Redis"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-a", dest="spargs", action="append", default=[], metavar="NAME=VALUE",
                            help="a crawl argument, as for `scrapy crawl` (may be repeated)")
        parser.add_argument("--force", action="store_true",
                            help="discard a crawl that still has work queued or in flight")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        try:
            opts.spargs = arglist_to_dict(opts.spargs)
        except ValueError:
            raise UsageError("invalid -a value, use -a NAME=VALUE", print_help=False) from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        name = self.spider_name(args)
        try:
            spidercls = get_spider_loader(self.settings).load(name)
            spider = spidercls(**opts.spargs)
        except (KeyError, ValueError, TypeError) as error:
            return self.fail(2, f"cannot seed {name}: {error}")
        fleet = self.connect(spidercls.name)
        if fleet is None:
            return None
        known = KnownArticles(self.settings.get("DATABASE_URL") or "sqlite:///articles.db")
        try:
            failed = asyncio.run(known.failed(spider.site.name, spider.urls.base + "/"))
        finally:
            known.close()
        seeds = [dataclasses.asdict(seed) for seed in spider.seeds(failed)]
        try:
            crawl = fleet.start_crawl(spider.arguments, seeds, force=opts.force)
        except CrawlInProgress as error:
            return self.fail(4, f"{error}: wait for it (`scrapy fleet {spidercls.name}`) or seed with --force")
        print(json.dumps({"crawl": crawl["id"], "fleet": fleet.keys.prefix, "seeds": len(seeds),
                          "retried_failures": sum(s["kind"] == "article" for s in seeds),
                          "arguments": crawl["arguments"]}, default=str))
