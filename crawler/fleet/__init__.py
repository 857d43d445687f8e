"""Fleet mode: many crawler processes, on one machine or many, share one crawl through Redis.

Switched on by ``REDIS_URL``. The engine is scrapy-redis: its scheduler keeps the request
queue and the duplicate filter in Redis, and its ``RedisMixin`` (what ``RedisSpider`` is
made of) feeds the crawl's seeds to whichever worker is free. What this package adds:

- ``FleetAddon`` puts scrapy-redis's scheduler and duplicate filter in place when
  ``REDIS_URL`` is set, with keys named after the fleet (``FLEET_NAME``, or the spider);
- ``scheduler.FleetQueue`` remembers which worker took which request until its work is done
  (as the JOBDIR queue does), so that a worker killed mid-crawl loses nothing: live workers
  put a dead worker's requests back in the queue once its heartbeat has expired;
- ``scheduler.FleetScheduler`` keeps an idle worker waiting while any worker still has work,
  and closes it once the whole fleet has been quiet for ``MAX_IDLE_TIME_BEFORE_CLOSE``;
- ``state.Fleet`` is the fleet as Redis holds it, for ``scrapy seed`` and ``scrapy fleet``.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings


def fleet_enabled(settings: BaseSettings) -> bool:
    return bool(settings.get("REDIS_URL"))


@dataclass(frozen=True)
class FleetKeys:
    """The Redis keys of one fleet (one crawl at a time)."""

    prefix: str

    @classmethod
    def of(cls, settings: BaseSettings, spider_name: str) -> FleetKeys:
        return cls(settings.get("FLEET_NAME") or spider_name)

    @property
    def requests(self) -> str:  # scrapy-redis's priority queue (a sorted set)
        return f"{self.prefix}:requests"

    @property
    def dupefilter(self) -> str:  # scrapy-redis's request fingerprints (a set)
        return f"{self.prefix}:dupefilter"

    @property
    def seeds(self) -> str:  # RedisMixin's start URLs (a list of JSON seeds)
        return f"{self.prefix}:start_urls"

    @property
    def crawl(self) -> str:  # the seeded crawl: id, start time, spider arguments (a hash)
        return f"{self.prefix}:crawl"

    @property
    def workers(self) -> str:  # ids of workers that joined and have not left (a set)
        return f"{self.prefix}:workers"

    def heartbeat(self, worker: str) -> str:  # a worker's status, expiring unless renewed
        return f"{self.prefix}:worker:{worker}"

    def in_flight(self, worker: str) -> str:  # requests a worker took and has not finished
        return f"{self.prefix}:inflight:{worker}"


class FleetAddon:
    """A Scrapy add-on: with ``REDIS_URL`` set, the crawl joins the fleet.

    Add-ons run after the command line's ``-s`` settings are applied, so
    ``-s REDIS_URL=…`` switches fleet mode as well as the environment variable does."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FleetAddon:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        if not fleet_enabled(settings):
            return
        keys = FleetKeys.of(settings, self.crawler.spidercls.name)
        fleet = {
            "SCHEDULER": "crawler.fleet.scheduler.FleetScheduler",
            "SCHEDULER_QUEUE_CLASS": "crawler.fleet.scheduler.FleetQueue",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            # scrapy-redis clears the shared queue when a scheduler closes unless told to persist:
            # the first worker to finish would wipe every other worker's work
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_QUEUE_KEY": keys.requests,
            "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
            "REDIS_START_URLS_KEY": keys.seeds,
            # scrapy-redis's queue orders equal priorities by their pickled bytes, not by age:
            # listings first keeps every worker's queue fed with articles
            "DISCOVERY_PRIORITY": 1,
        }
        for name, value in fleet.items():
            # at the priority these already have: settings.py's JOBDIR scheduler must give way
            settings.set(name, value, priority=max(settings.getpriority(name) or 0, 15))
