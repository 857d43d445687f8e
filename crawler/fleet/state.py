"""The fleet as Redis holds it: the seeded crawl, the queue, the workers and what they hold."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import time
import uuid
from collections.abc import Iterable
from typing import Any

from redis import Redis

from crawler.fleet import FleetKeys

# Move every request a worker holds back into the shared queue, with its priority: one
# atomic step, so that two workers reclaiming the same dead worker cannot both do it.
HAND_BACK = """
local held = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
for i = 1, #held, 2 do redis.call('ZADD', KEYS[1], held[i + 1], held[i]) end
redis.call('DEL', KEYS[2])
return #held / 2
"""


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class CrawlInProgress(RuntimeError):
    pass


class Fleet:
    def __init__(self, server: Redis, keys: FleetKeys) -> None:
        self.server = server
        self.keys = keys
        self._hand_back = server.register_script(HAND_BACK)

    # -- the crawl ---------------------------------------------------------------------------------
    def crawl(self) -> dict[str, Any] | None:
        """The seeded crawl: ``{"id", "started_at", "arguments"}``, or None before any seed."""
        raw = self.server.hgetall(self.keys.crawl)
        if not raw:
            return None
        fields = {_text(k): _text(v) for k, v in raw.items()}
        return {"id": fields["id"], "started_at": fields["started_at"],
                "arguments": json.loads(fields.get("arguments") or "{}")}

    def start_crawl(self, arguments: dict[str, Any], seeds: Iterable[dict[str, Any]], force: bool = False) -> dict[str, Any]:
        """Begin a new crawl: forget the last one's queue and fingerprints, push the seeds.

        Refuses while the last crawl still has work (pending or held requests) unless ``force``."""
        self.reclaim_dead()
        if not force:
            busy = self.work_left()
            if busy:
                raise CrawlInProgress(
                    f"crawl {(self.crawl() or {}).get('id', '?')} still has {busy} requests pending or in flight")
        crawl = {"id": dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6],
                 "started_at": dt.datetime.now(dt.UTC).isoformat(), "arguments": arguments}
        messages = [json.dumps({**seed, "crawl": crawl["id"]}) for seed in seeds]
        with self.server.pipeline() as pipe:  # MULTI/EXEC: workers see the old crawl or the new one
            pipe.delete(self.keys.requests, self.keys.dupefilter, self.keys.seeds, self.keys.crawl)
            for worker in self.worker_ids():
                pipe.delete(self.keys.in_flight(worker))
            pipe.hset(self.keys.crawl, mapping={"id": crawl["id"], "started_at": crawl["started_at"],
                                                "arguments": json.dumps(arguments, default=str)})
            if messages:
                pipe.rpush(self.keys.seeds, *messages)
            pipe.execute()
        return crawl

    # -- workers -------------------------------------------------------------------------------------
    def worker_ids(self) -> list[str]:
        return sorted(_text(w) for w in self.server.smembers(self.keys.workers))

    def beat(self, worker: str, status: dict[str, Any], timeout: float) -> None:
        """I am alive (for ``timeout`` seconds), and this is what I am doing."""
        with self.server.pipeline() as pipe:
            pipe.sadd(self.keys.workers, worker)
            pipe.set(self.keys.heartbeat(worker), json.dumps({**status, "at": time.time()}, default=str),
                     px=max(1, int(timeout * 1000)))
            pipe.execute()

    def leave(self, worker: str) -> None:
        with self.server.pipeline() as pipe:
            pipe.srem(self.keys.workers, worker)
            pipe.delete(self.keys.heartbeat(worker), self.keys.in_flight(worker))
            pipe.execute()

    def hand_back(self, worker: str) -> int:
        """Put everything ``worker`` holds back in the shared queue; how many requests."""
        return int(self._hand_back(keys=[self.keys.requests, self.keys.in_flight(worker)]))

    def reclaim_dead(self) -> dict[str, int]:
        """Workers whose heartbeat expired (killed, or cut off): their requests go back in the
        queue for the living, and they leave the fleet. Returns worker → requests reclaimed."""
        workers = self.worker_ids()
        if not workers:
            return {}
        with self.server.pipeline(transaction=False) as pipe:
            for worker in workers:
                pipe.exists(self.keys.heartbeat(worker))
            alive = pipe.execute()
        reclaimed = {}
        for worker, is_alive in zip(workers, alive, strict=True):
            if not is_alive:
                reclaimed[worker] = self.hand_back(worker)
                self.server.srem(self.keys.workers, worker)
        return reclaimed

    def work_left(self) -> int:
        """Seeds not yet taken + requests queued + requests held by workers (the living and the
        not-yet-reclaimed dead): zero when the crawl is over."""
        workers = self.worker_ids()
        with self.server.pipeline(transaction=False) as pipe:
            pipe.llen(self.keys.seeds)
            pipe.zcard(self.keys.requests)
            for worker in workers:
                pipe.zcard(self.keys.in_flight(worker))
            return sum(pipe.execute())

    def status(self) -> dict[str, Any]:
        """Everything ``scrapy fleet`` shows."""
        workers = self.worker_ids()
        with self.server.pipeline(transaction=False) as pipe:
            pipe.llen(self.keys.seeds)
            pipe.zcard(self.keys.requests)
            pipe.scard(self.keys.dupefilter)
            for worker in workers:
                pipe.get(self.keys.heartbeat(worker))
                pipe.zcard(self.keys.in_flight(worker))
            seeds, pending, seen, *per_worker = pipe.execute()
        now = time.time()
        rows = []
        for index, worker in enumerate(workers):
            raw, held = per_worker[2 * index], per_worker[2 * index + 1]
            beat = json.loads(raw) if raw else {}
            rows.append({"id": worker, "alive": raw is not None, "in_flight": held,
                         "last_heartbeat_seconds": round(now - beat["at"], 1) if beat else None,
                         **{k: v for k, v in beat.items() if k != "at"}})
        return {"fleet": self.keys.prefix, "crawl": self.crawl(), "seeds_pending": seeds,
                "requests_pending": pending, "requests_seen": seen,
                "in_flight": sum(row["in_flight"] for row in rows),
                "workers_alive": sum(row["alive"] for row in rows), "workers": rows}


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


class FleetUnavailable(RuntimeError):
    pass


def connect(settings: Any, spider_name: str) -> Fleet:
    """The fleet named by the settings (``REDIS_URL``, ``FLEET_NAME``), its server answering."""
    from redis.exceptions import RedisError
    from scrapy_redis.connection import get_redis_from_settings

    from crawler.logsafety import mask

    if not settings.get("REDIS_URL"):
        raise FleetUnavailable("REDIS_URL is not set: fleet mode needs a Redis server, e.g. "
                               "REDIS_URL=redis://127.0.0.1:6379/0")
    server = get_redis_from_settings(settings)
    try:
        server.ping()
    except RedisError as error:
        raise FleetUnavailable(f"Redis at {mask(settings.get('REDIS_URL'))} does not answer: {error}") from None
    return Fleet(server, FleetKeys.of(settings, spider_name))
