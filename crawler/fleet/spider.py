"""The spider side of fleet mode: scrapy-redis's ``RedisMixin`` (what ``RedisSpider`` is
made of) reading the crawl's seeds from Redis, and joining the crawl they belong to."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from redis.exceptions import RedisError
from scrapy_redis.spiders import RedisMixin
from scrapy_redis.utils import bytes_to_str

from crawler.fleet import FleetKeys
from crawler.fleet.state import Fleet
from crawler.urls import Seed

logger = logging.getLogger(__name__)


class FleetSpiderMixin(RedisMixin):
    """Mixed into a site spider; inert until ``join_fleet`` (called when ``REDIS_URL`` is set).

    The spider provides ``_configure(**arguments)`` (apply a crawl's arguments) and
    ``request_for_seed(seed)`` (the request a seed starts with)."""

    fleet: Fleet | None = None
    fleet_crawl: str | None = None  # id of the seeded crawl this worker works on

    def join_fleet(self, crawler: Crawler) -> None:
        keys = FleetKeys.of(crawler.settings, self.name)
        self.redis_key = keys.seeds
        self.setup_redis(crawler)
        self.fleet = Fleet(self.server, keys)
        crawler.signals.connect(self._record_crawl, signal=signals.spider_opened)
        crawl = self.fleet.crawl()
        if crawl is not None:
            self._join_crawl(crawl)
        # Scrapy's offsite filter is compiled once, when the spider opens – before a waiting
        # worker knows its crawl's site. The spider's own check (host and port of the crawl's
        # base URL, on every scheduled request) does that job in fleet mode.
        self.allowed_domains = None

    def _join_crawl(self, crawl: dict[str, Any]) -> None:
        self._configure(**crawl["arguments"])
        self.job_started_at = dt.datetime.fromisoformat(crawl["started_at"])
        self.allowed_domains = None
        self.fleet_crawl = crawl["id"]
        self.arguments["fleet_crawl"] = crawl["id"]
        self._record_crawl()
        logger.info("working on fleet crawl %s %s", crawl["id"], crawl["arguments"])

    def follow_crawl(self, crawl: str | None) -> bool:
        """Work on crawl ``crawl`` (a seed's or a queued request's): True if it is the current
        one. A worker joins the crawl from whatever it takes first, seed or request."""
        if crawl is not None and crawl == self.fleet_crawl:
            return True
        current = self.fleet.crawl() if self.fleet else None
        if current is None or current["id"] != crawl:
            return False
        self._join_crawl(current)
        return True

    def _record_crawl(self) -> None:
        """The crawl's id in the stats, hence in ``crawl_runs.stats``."""
        try:
            stats = self.crawler.stats
        except RuntimeError:  # joined from from_crawler, before the stats exist: spider_opened calls again
            return
        if self.fleet_crawl:
            stats.set_value("fleet/crawl", self.fleet_crawl)

    def make_request_from_data(self, data: bytes) -> list[scrapy.Request] | scrapy.Request:
        """A seed pushed by ``scrapy seed``: ``{"kind", "url", "newspaper", "crawl"}``."""
        try:
            seed = json.loads(bytes_to_str(data, self.redis_encoding))
            kind, url, crawl = seed["kind"], seed["url"], seed["crawl"]
        except (ValueError, KeyError, TypeError):
            self.crawler.stats.inc_value("fleet/bad_seeds")
            logger.warning("not a seed of `scrapy seed`, ignored: %r", data[:200])
            return []
        if not self.follow_crawl(crawl):
            self.crawler.stats.inc_value("fleet/stale_seeds")
            logger.warning("seed of crawl %s, which is not the current crawl: ignored", crawl)
            return []
        request = self.request_for_seed(Seed(kind, url, seed.get("newspaper")))
        return request if request is not None else []

    def spider_idle(self) -> None:
        # RedisMixin's idle handler also decides when to close – timing idleness from when its
        # class was imported. Here it only feeds seeds; FleetScheduler decides when to leave
        # (and notices when Redis does not answer).
        try:
            self.schedule_next_requests()
        except RedisError as error:
            logger.debug("no seeds read: %s", error)
