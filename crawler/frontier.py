"""A JOBDIR scheduler that survives SIGKILL as well as Ctrl-C.

Scrapy's own JOBDIR queue is written for a graceful stop: its priority list is saved
only on close, and a request popped for download is gone from disk. After a SIGKILL the
queue is unreadable and whatever was in flight (or fetched but not yet stored) is lost.

``DurableScheduler`` is Scrapy's scheduler with one change: its disk queue is a SQLite
file in the JOBDIR where every push and pop is committed at once, and a popped request
stays there, marked *taken*, until its work is done – a discovery page once its callback
has finished, an article page once the article is in the database (or dropped). A job
restarted after a kill puts taken requests back: they are fetched again, nothing is lost.
Scrapy's duplicate filter is kept, its file flushed at every write (``DurableDupeFilter``).
"""

from __future__ import annotations

import logging
import pickle
import sqlite3
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import NotConfigured
from scrapy.utils.request import request_from_dict

logger = logging.getLogger(__name__)

# Signal: the work of these requests is done (``ids=`` frontier ids, ``urls=`` request URLs).
frontier_done = object()
ACK_ON_STORE = "frontier_ack_on_store"  # request meta: acknowledged by the store, not the callback


class AcknowledgedQueue:
    """A queue that holds taken requests until told their work is done: by ``frontier_done``
    (frontier ids, or URLs the store wrote) or by a dropped item (its URL)."""

    def done(self, ids: Iterable[int] = (), urls: Iterable[str] = ()) -> None:
        raise NotImplementedError

    def listen(self, crawler: Crawler) -> None:
        crawler.signals.connect(self.done, signal=frontier_done)
        crawler.signals.connect(self._item_dropped, signal=signals.item_dropped)

    def stop_listening(self) -> None:
        self.crawler.signals.disconnect(self.done, signal=frontier_done)
        self.crawler.signals.disconnect(self._item_dropped, signal=signals.item_dropped)

    def _item_dropped(self, item: Any, **_: Any) -> None:
        url = getattr(item, "url", None)
        if url:
            self.done(urls=[url])


class DurableRequestQueue(AcknowledgedQueue):
    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"  # durable across a process kill
            "CREATE TABLE IF NOT EXISTS requests (id INTEGER PRIMARY KEY, priority INTEGER NOT NULL,"
            " url TEXT NOT NULL, taken INTEGER NOT NULL DEFAULT 0, data BLOB NOT NULL);"
            "CREATE INDEX IF NOT EXISTS requests_next ON requests (taken, priority, id);"
            "CREATE INDEX IF NOT EXISTS requests_url ON requests (url);"
        )
        restored = self.db.execute("UPDATE requests SET taken = 0 WHERE taken = 1").rowcount
        self._pending = self.db.execute("SELECT count(*) FROM requests WHERE taken = 0").fetchone()[0]
        if restored:
            logger.info("resuming: %d requests that were in flight when the job stopped are queued again", restored)
            crawler.stats.set_value("frontier/restored_in_flight", restored)
        self.listen(crawler)

    def push(self, request: Request) -> None:
        data = pickle.dumps(request.to_dict(spider=self.crawler.spider), protocol=4)
        replaces = request.meta.get("frontier_id")  # a retry replaces the request it copies
        with self.db:
            if replaces is not None:
                self.db.execute("DELETE FROM requests WHERE id = ? AND taken = 1", (replaces,))
            self.db.execute("INSERT INTO requests (priority, url, data) VALUES (?, ?, ?)",
                            (request.priority, request.url, data))
        self._pending += 1

    def pop(self) -> Request | None:
        # last in, first out within a priority, as Scrapy's default disk queue
        row = self.db.execute(
            "UPDATE requests SET taken = 1 WHERE id = (SELECT id FROM requests WHERE taken = 0 "
            "ORDER BY priority DESC, id DESC LIMIT 1) RETURNING id, data").fetchone()
        if row is None:
            return None
        self._pending -= 1
        request = request_from_dict(pickle.loads(row[1]), spider=self.crawler.spider)
        request.meta["frontier_id"] = row[0]
        return request

    def done(self, ids: Iterable[int] = (), urls: Iterable[str] = ()) -> None:
        ids, urls = list(ids), list(urls)
        with self.db:
            if ids:
                self.db.executemany("DELETE FROM requests WHERE id = ? AND taken = 1", [(i,) for i in ids])
            if urls:
                self.db.executemany("DELETE FROM requests WHERE url = ? AND taken = 1", [(u,) for u in urls])

    def __len__(self) -> int:
        return self._pending

    def close(self) -> list[int]:
        self.stop_listening()
        self.db.close()
        return []


class DurableScheduler(Scheduler):
    """Scrapy's scheduler with a kill-safe disk queue when JOBDIR is set."""

    def _dq(self) -> DurableRequestQueue:  # type: ignore[override]
        assert self.dqdir is not None and self.crawler is not None
        queue = DurableRequestQueue(self.crawler, Path(self.dqdir) / "requests.sqlite")
        if len(queue):
            logger.info("Resuming crawl (%d requests scheduled)", len(queue))
        return queue


class DurableDupeFilter(RFPDupeFilter):
    """Scrapy's duplicate filter, with ``requests.seen`` flushed at every new fingerprint.

    Scrapy 2.19 buffers that file: a SIGKILL loses the last few hundred fingerprints, and a
    resumed job then schedules those requests a second time."""

    def request_seen(self, request: Request) -> bool:
        seen = super().request_seen(request)
        if not seen and self.file is not None:
            self.file.flush()
        return seen


def acknowledge(crawler: Crawler, request: Request) -> None:
    """The work of ``request`` is done (its callback or errback has run): forget it."""
    frontier_id = request.meta.get("frontier_id")
    if frontier_id is not None and not request.meta.get(ACK_ON_STORE):
        crawler.signals.send_catch_log(signal=frontier_done, ids=[frontier_id])


class FrontierAckMiddleware:
    """Spider middleware: a discovery page is done once every request its callback yielded is
    in the queue (or was filtered out) – not merely yielded.

    Scrapy hands a callback's output to ``CONCURRENT_ITEMS`` workers through a buffer: the
    callback can be exhausted while up to twice that many of its requests still wait to be
    scheduled. Acknowledging the page then, a SIGKILL in that window lost the rest of a
    listing's pagination for good. So each yielded request is counted, and counted off when
    the engine schedules it (``request_scheduled``, sent just before the queue push in the
    same call – the acknowledgement itself waits for the next turn of the event loop)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._parents: dict[Request, int] = {}  # yielded, not yet scheduled → its page's frontier id
        self._pending: dict[int, list] = {}  # frontier id → [requests not yet scheduled, callback finished]
        crawler.signals.connect(self._scheduled, signal=signals.request_scheduled)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierAckMiddleware:
        # a JOBDIR queue or the fleet's shared queue tracks requests until they are done;
        # without either there is nothing to acknowledge, and no per-response cost
        if not crawler.settings.get("JOBDIR") and not crawler.settings.get("REDIS_URL"):
            raise NotConfigured
        return cls(crawler)

    async def process_spider_output(self, response: Any, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        request = response.request
        frontier_id = request.meta.get("frontier_id")
        if frontier_id is None or request.meta.get(ACK_ON_STORE):  # articles: acknowledged by the store
            async for output in result:
                yield output
            return
        pending = self._pending.setdefault(frontier_id, [0, False])
        try:
            async for output in result:
                if isinstance(output, Request):
                    self._parents[output] = frontier_id
                    pending[0] += 1
                yield output
        finally:
            pending[1] = True
            self._maybe_done(request, frontier_id)

    def process_spider_exception(self, response: Any, exception: BaseException) -> None:
        frontier_id = response.request.meta.get("frontier_id")
        if frontier_id is not None and frontier_id not in self._pending:  # raised before any output
            acknowledge(self.crawler, response.request)
        return None

    def _scheduled(self, request: Request, **_: Any) -> None:
        frontier_id = self._parents.pop(request, None)
        if frontier_id is not None and frontier_id in self._pending:
            self._pending[frontier_id][0] -= 1
            self._maybe_done(request, frontier_id)

    def _maybe_done(self, request: Request, frontier_id: int) -> None:
        outstanding, finished = self._pending[frontier_id]
        if finished and outstanding <= 0:
            del self._pending[frontier_id]
            from twisted.internet import reactor  # the installed one: importing it early would install the default

            # after the push that follows this signal in the same call
            reactor.callLater(0, self.crawler.signals.send_catch_log, signal=frontier_done, ids=[frontier_id])
