"""Stage 6 – batched upserts, off the reactor thread, and the crawl's run record.

Items are buffered; a batch is written in a worker thread when it is full, when it is
older than ``STORE_FLUSH_SECONDS``, and when the spider closes, whatever the reason
(finished, closespider limit, Ctrl-C). Batches are written one at a time, in order.
``DATABASE_URL`` (setting or environment) selects the database. A ``crawl_runs`` row is
opened when the spider opens and completed on ``spider_closed``, which Scrapy sends
however the crawl ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from scrapy import signals
from scrapy.settings import SETTINGS_PRIORITIES

from crawler.frontier import frontier_done
from crawler.items import Article
from pipelines.base import Stage
from storage import ArticleStore, finish_run, mask_url, start_run

logger = logging.getLogger(__name__)


class StoreStage(Stage):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.database_url = settings.get("DATABASE_URL") or "sqlite:///articles.db"
        self.batch_size = settings.getint("STORE_BATCH_SIZE", 200)
        self.flush_seconds = settings.getfloat("STORE_FLUSH_SECONDS", 5.0)
        self.auto_migrate = settings.getbool("DATABASE_AUTO_MIGRATE", True)
        self.store: ArticleStore | None = None
        self.run_id: int | None = None
        self._buffer: list[dict[str, Any]] = []
        self._oldest = 0.0
        self._lock = asyncio.Lock()
        self._timer: asyncio.Task | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def _run_arguments(self) -> dict[str, Any]:
        settings = self.crawler.settings
        given = {
            name: (mask_url(str(value)) if name == "DATABASE_URL" else value)
            for name, value in settings.items()
            if settings.getpriority(name) >= SETTINGS_PRIORITIES["cmdline"]
        }
        return {"spider": getattr(self.spider, "arguments", {}), "settings": given}

    def _open(self) -> None:
        self.store = ArticleStore.open(self.database_url, self.auto_migrate)
        self.run_id = start_run(self.store.engine, self.spider.name, self._run_arguments(), mask_url(self.database_url))

    async def open_spider(self) -> None:
        logger.info("storing into %s", mask_url(self.database_url))
        await asyncio.to_thread(self._open)
        self.stats.set_value("store/crawl_run_id", self.run_id)
        self._timer = asyncio.create_task(self._flush_periodically())

    async def process_item(self, item: Article) -> Article:
        if not self._buffer:
            self._oldest = time.monotonic()
        self._buffer.append(item.as_row())
        if len(self._buffer) >= self.batch_size:
            await self.flush()  # back-pressure: at most one batch waits for the database
        return item

    async def flush(self) -> None:
        async with self._lock:
            rows, self._buffer = self._buffer, []
            if not rows:
                return
            started = time.perf_counter()
            result = await asyncio.to_thread(self.store.upsert, rows, self.run_id)
            self.stats.inc_value("store/rows_written", len(rows))
            self.stats.inc_value("store/articles_inserted", result.inserted)
            self.stats.inc_value("store/articles_updated", result.updated)
            self.stats.inc_value("store/articles_unchanged", result.unchanged)
            self.stats.inc_value("store/batches")
            self.stats.inc_value("store/seconds", time.perf_counter() - started)
            # a resumable job may now forget these requests: their articles are in the database
            self.crawler.signals.send_catch_log(signal=frontier_done, urls=[row["url"] for row in rows])

    async def _flush_periodically(self) -> None:
        while True:
            await asyncio.sleep(min(1.0, self.flush_seconds))
            if self._buffer and time.monotonic() - self._oldest >= self.flush_seconds:
                await self.flush()

    async def close_spider(self) -> None:
        if self._timer:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
        if self.store is not None:
            await self.flush()

    async def spider_closed(self, reason: str) -> None:
        if self.store is None:
            return
        stats = dict(self.stats.get_stats())
        await asyncio.to_thread(finish_run, self.store.engine, self.run_id, reason, stats)
        await asyncio.to_thread(self.store.close)
        self.store = None
