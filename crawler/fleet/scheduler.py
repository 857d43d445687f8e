"""scrapy-redis's scheduler and priority queue, with requests held until their work is done.

scrapy-redis pops a request off the shared queue and forgets it: a worker killed with
requests in flight (or with fetched articles not yet stored) loses them for good, and the
shared duplicate filter stops anyone from finding them again. Here a popped request moves,
in one atomic step, from the shared queue to the worker's *in-flight* set, and leaves it
when its work is done – a discovery page once its callback has run, an article once it is
stored or dropped (the same acknowledgements as the JOBDIR queue, ``crawler.frontier``).
A worker that stops hands back what it still holds; a worker that dies is found out by its
expired heartbeat, and the living put its requests back in the queue. When Redis itself goes
away, a worker keeps working on what it has, keeps what it cannot send, sends it when Redis
is back – and stops (exit status 3) if Redis stays away past ``FLEET_REDIS_OUTAGE_SECONDS``.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import warnings
from collections.abc import Iterable
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, ScrapyDeprecationWarning
from redis.exceptions import RedisError
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.fleet import FleetKeys
from crawler.fleet.state import Fleet, new_worker_id
from crawler.frontier import ACK_ON_STORE, AcknowledgedQueue
from crawler.stopping import REDIS_UNAVAILABLE, stop_crawl

logger = logging.getLogger(__name__)

# Pop the best request and hold it for this worker, in one step.
TAKE = """
local best = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #best == 0 then return false end
redis.call('ZREM', KEYS[1], best[1])
redis.call('ZADD', KEYS[2], best[2], best[1])
return best[1]
"""

# Queue a request unless its fingerprint was seen, replacing the held request it copies (a
# retry or a redirect), in one step: a fingerprint never lands without its request – else a
# page fetched again (reclaimed after a crash) would find its links "seen" and lose them.
PUSH = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
if ARGV[4] ~= '' then redis.call('ZREM', KEYS[3], ARGV[4]) end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""


class RedisHealth:
    """Whether the fleet's Redis answers. While it does not, the worker stops asking (each
    failing call would block the reactor through the client's retries) and only the
    heartbeat probes it; what the worker could not send waits in memory."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.down_since: float | None = None

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def down_for(self) -> float:
        return time.monotonic() - self.down_since if self.down_since is not None else 0.0

    def failed(self, error: Exception) -> None:
        self.crawler.stats.inc_value("fleet/redis_errors")
        if self.down_since is None:
            self.down_since = time.monotonic()
            logger.error("Redis does not answer (%s): working on what is in hand, trying again on each heartbeat",
                         error)

    def recovered(self) -> None:
        if self.down_since is not None:
            logger.warning("Redis answers again, after %.0f s", self.down_for())
            self.down_since = None


class FleetQueue(AcknowledgedQueue, PriorityQueue):
    """scrapy-redis's priority queue; what this worker popped stays held until acknowledged."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.crawler: Crawler = spider.crawler
        self.keys = FleetKeys.of(self.crawler.settings, spider.name)
        self.worker = new_worker_id()
        self.held_key = self.keys.in_flight(self.worker)
        self._take = server.register_script(TAKE)
        self._push = server.register_script(PUSH)
        self._next_id = 0
        self._held: dict[int, bytes] = {}  # frontier id → the request as stored in Redis
        self._held_urls: dict[str, set[int]] = {}  # URL → ids of requests acknowledged by the store
        self._store_url: dict[int, str] = {}  # … and back
        self.unacknowledged: list[bytes] = []  # done, but Redis has not been told yet
        # requests that could not reach Redis yet; acknowledgements wait for them (a page must
        # not be done while its links are in limbo)
        self.unsent: list[Request] = []
        self.redis = RedisHealth(self.crawler)
        self.listen(self.crawler)

    def push(self, request: Request, fingerprint: str | None = None) -> bool:
        """Queue ``request``; with a ``fingerprint``, only if the duplicate filter has not seen it
        (then False). Raises RedisError when Redis does not answer."""
        # which crawl it belongs to: a worker takes its crawl's arguments from its first request
        request.meta.setdefault("fleet_crawl", self.spider.fleet_crawl)
        data = self._encode_request(request)
        frontier_id = request.meta.get("frontier_id")
        replaces = self._held.get(frontier_id, b"")  # a retry or a redirect replaces what it copies
        added = self._push(keys=[self.keys.dupefilter, self.key, self.held_key],
                           args=[fingerprint or "", -request.priority, data, replaces])
        if added and replaces:
            self._forget(frontier_id)
        return bool(added)

    def pop(self, timeout: int = 0) -> Request | None:
        while True:
            data = self._take(keys=[self.key, self.held_key])
            if not data:
                return None
            request = self._decode_request(data)
            if self.spider.follow_crawl(request.meta.get("fleet_crawl")):
                break
            # left over from a crawl that `scrapy seed --force` replaced
            self.server.zrem(self.held_key, data)
            self.crawler.stats.inc_value("fleet/stale_requests")
        self._next_id += 1
        request.meta["frontier_id"] = self._next_id
        self._held[self._next_id] = data
        if request.meta.get(ACK_ON_STORE):
            self._held_urls.setdefault(request.url, set()).add(self._next_id)
            self._store_url[self._next_id] = request.url
        return request

    def done(self, ids: Iterable[int] = (), urls: Iterable[str] = ()) -> None:
        finished = {i for i in ids if i in self._held}
        for url in urls:
            finished.update(self._held_urls.get(url, ()))
        self.unacknowledged += [self._forget(i) for i in finished]
        if self.unacknowledged and not self.redis.down and not self.unsent:
            try:
                self.send_acknowledgements()
            except RedisError as error:
                self.redis.failed(error)

    def send_acknowledgements(self) -> None:
        """Tell Redis which held requests are done (kept here while Redis does not answer)."""
        if self.unacknowledged:
            self.server.zrem(self.held_key, *self.unacknowledged)
            self.unacknowledged = []

    def _forget(self, frontier_id: int) -> bytes:
        """No longer held here: the request as stored in Redis."""
        url = self._store_url.pop(frontier_id, None)
        if url is not None:
            ids = self._held_urls[url]
            ids.discard(frontier_id)
            if not ids:
                del self._held_urls[url]
        return self._held.pop(frontier_id)

    def forget_held(self, awaiting_store_too: bool) -> int:
        """Drop requests held by mistake: called only when this worker's engine is idle, when a
        held request can only be an article waiting for the store's next batch – or an orphan."""
        orphans = [i for i in self._held if awaiting_store_too or i not in self._store_url]
        if orphans:
            self.server.zrem(self.held_key, *(self._forget(i) for i in orphans))
            self.crawler.stats.inc_value("fleet/unacknowledged", len(orphans))
            logger.warning("%d requests were never acknowledged: forgotten", len(orphans))
        return len(orphans)

    def close(self) -> None:
        self.stop_listening()


class FleetScheduler(Scheduler):
    """scrapy-redis's scheduler, as one worker of a fleet: heartbeat, waiting, leaving."""

    crawler: Crawler
    queue: FleetQueue

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FleetScheduler:
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        settings = crawler.settings
        scheduler.heartbeat_seconds = settings.getfloat("FLEET_HEARTBEAT_SECONDS", 5.0)
        scheduler.worker_timeout = settings.getfloat("FLEET_WORKER_TIMEOUT", 30.0)
        scheduler.poll_seconds = settings.getfloat("FLEET_POLL_SECONDS", 1.0)
        scheduler.orphan_seconds = settings.getfloat("FLEET_ORPHAN_SECONDS", 60.0)
        scheduler.outage_limit = settings.getfloat("FLEET_REDIS_OUTAGE_SECONDS", 300.0)
        # scrapy-redis's own setting: 0 waits for work for ever (a standing worker)
        scheduler.max_idle = settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE", 0)
        if scheduler.worker_timeout <= 2 * scheduler.heartbeat_seconds:
            raise ValueError("FLEET_WORKER_TIMEOUT must be more than twice FLEET_HEARTBEAT_SECONDS")
        return scheduler

    def open(self, spider: Spider) -> None:
        with warnings.catch_warnings():  # its "Resuming crawl" line goes through Spider.log()
            warnings.filterwarnings("ignore", "Spider.log", ScrapyDeprecationWarning)
            super().open(spider)
        if not isinstance(self.queue, FleetQueue):
            raise TypeError("FleetScheduler needs SCHEDULER_QUEUE_CLASS = crawler.fleet.scheduler.FleetQueue")
        self.fleet = Fleet(self.server, self.queue.keys)
        self.worker = self.queue.worker
        self.redis = self.queue.redis
        self.unsent = self.queue.unsent
        self.started_at = time.time()
        self.quiet_since: float | None = None
        self.idle_since: float | None = None
        # The engine polls an empty scheduler on its heartbeat (5 s in Scrapy 2.19): an idle
        # worker would notice new work in the shared queue that late. Poll faster.
        self.crawler.engine._SLOT_HEARTBEAT_INTERVAL = self.poll_seconds
        self.crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        self._beat = task.LoopingCall(self.beat)
        self._beat.start(self.heartbeat_seconds, now=True)
        logger.info("fleet worker %s joined fleet %r (%d requests queued)",
                    self.worker, self.queue.keys.prefix, len(self.queue))

    # scrapy-redis 0.9.1's own versions of these two pass ``spider=`` to the stats collector,
    # which Scrapy 2.19 deprecates (a warning per request). These also ride out a Redis outage.
    def enqueue_request(self, request: Request) -> bool:
        if self.redis.down:
            self.unsent.append(request)
            return True
        return self._enqueue(request)

    def _enqueue(self, request: Request) -> bool:
        # scrapy-redis's duplicate filter (its fingerprints, its key), checked in the same
        # atomic step as the push (FleetQueue.push)
        fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
        try:
            added = self.queue.push(request, fingerprint)
        except RedisError as error:
            self.redis.failed(error)
            self.unsent.append(request)
            return True
        if not added:
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self.redis.down:
            return None
        try:
            request = self.queue.pop()
        except RedisError as error:
            self.redis.failed(error)
            return None
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
            self.quiet_since = self.idle_since = None
        return request

    def has_pending_requests(self) -> bool:
        if self.redis.down or self.unsent:
            return True  # not known: keep the worker open; the heartbeat decides
        try:
            return len(self) > 0
        except RedisError as error:
            self.redis.failed(error)
            return True

    def _send_held_back(self) -> None:
        """What could not reach Redis during an outage: the new requests first, then the
        acknowledgements of the pages they came from (never a page done, its links lost)."""
        pending = self.unsent[:]
        self.unsent.clear()
        for index, request in enumerate(pending):
            self._enqueue(request)
            if self.redis.down:  # gone again: keep the rest for the next heartbeat
                self.unsent.extend(pending[index + 1:])
                return
        self.queue.send_acknowledgements()

    def beat(self) -> None:
        stats = self.crawler.stats
        try:
            self.fleet.beat(self.worker, {
                "host": socket.gethostname(), "pid": os.getpid(),
                "started_at": self.started_at, "crawl": getattr(self.spider, "fleet_crawl", None),
                "pages_fetched": stats.get_value("response_received_count", 0),
                "articles_fetched": stats.get_value("discovery/article_pages_fetched", 0),
                "rows_written": stats.get_value("store/rows_written", 0),
                "idle": self.idle_since is not None,
            }, self.worker_timeout)
            self.redis.recovered()
            self._send_held_back()
            for dead, requests in self.fleet.reclaim_dead().items():
                stats.inc_value("fleet/requests_reclaimed", requests)
                logger.warning("fleet worker %s stopped answering: %d of its requests are queued again",
                               dead, requests)
        except RedisError as error:
            self.redis.failed(error)
            if self.redis.down_for() > self.outage_limit:
                self._give_up()
        except Exception:  # a bug here must not kill the worker: the next beat tries again
            logger.exception("fleet heartbeat failed")

    def _give_up(self) -> None:
        """Redis stayed away: stop (exit status 3). What this worker holds stays in Redis for the
        fleet to reclaim – including the pages whose new links never reached Redis, since a page
        is acknowledged only after its links are sent."""
        if self._beat.running:
            self._beat.stop()
        logger.error("Redis has not answered for %.0f s: stopping", self.redis.down_for())
        stop_crawl(self.crawler, REDIS_UNAVAILABLE)

    def spider_idle(self, spider: Spider) -> None:
        """Nothing to do here: wait while the fleet has work, leave once it has been quiet."""
        now = time.monotonic()
        self.idle_since = self.idle_since or now
        if self.redis.down:
            raise DontCloseSpider  # the heartbeat waits for Redis, or gives up
        try:
            self.queue.forget_held(awaiting_store_too=now - self.idle_since > self.orphan_seconds)
            busy = self.fleet.work_left()
        except RedisError as error:
            self.redis.failed(error)
            raise DontCloseSpider from None
        if busy:
            self.quiet_since = None
            raise DontCloseSpider
        self.quiet_since = self.quiet_since or now
        if self.max_idle and now - self.quiet_since >= self.max_idle:
            logger.info("the fleet has been quiet for %.0f s: leaving", now - self.quiet_since)
            return
        raise DontCloseSpider

    def close(self, reason: str) -> None:
        if self._beat.running:
            self._beat.stop()
        try:
            self._send_held_back()
            if reason == "finished":
                # the engine is idle and the store has flushed: nothing held is still being worked on
                self.queue.forget_held(awaiting_store_too=True)
            handed_back = self.fleet.hand_back(self.worker)
            if handed_back:
                self.crawler.stats.set_value("fleet/handed_back", handed_back)
                logger.info("handed %d unfinished requests back to the fleet (%s)", handed_back, reason)
            self.fleet.leave(self.worker)
        except RedisError as error:
            self.crawler.stats.set_value("fleet/requests_lost", len(self.unsent))
            logger.error("Redis does not answer (%s): what this worker holds stays there for the fleet to "
                         "reclaim; %d new requests never reached it (the pages they came from are reclaimed)",
                         error, len(self.unsent))
        self.queue.close()
        super().close(reason)
