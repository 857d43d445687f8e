"""Stage 6 – batched upserts, off the reactor thread.

Items are buffered; a batch is written in a worker thread when it is full, when it is
older than ``STORE_FLUSH_SECONDS``, and when the spider closes, whatever the reason
(finished, closespider limit, Ctrl-C). Batches are written one at a time, in order.
``DATABASE_URL`` (setting or environment) selects the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from typing import Any

from crawler.items import Article
from pipelines.base import Stage
from storage import ArticleStore, mask_url

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
        self._buffer: list[dict[str, Any]] = []
        self._oldest = 0.0
        self._lock = asyncio.Lock()
        self._timer: asyncio.Task | None = None

    async def open_spider(self) -> None:
        logger.info("storing into %s", mask_url(self.database_url))
        self.store = await asyncio.to_thread(ArticleStore.open, self.database_url, self.auto_migrate)
        self._timer = asyncio.create_task(self._flush_periodically())

    async def process_item(self, item: Article) -> Article:
        row = item.as_row()
        row["first_seen_at"] = row["last_seen_at"] = item.fetched_at
        if not self._buffer:
            self._oldest = time.monotonic()
        self._buffer.append(row)
        if len(self._buffer) >= self.batch_size:
            await self.flush()  # back-pressure: at most one batch waits for the database
        return item

    async def flush(self) -> None:
        async with self._lock:
            rows, self._buffer = self._buffer, []
            if not rows:
                return
            started = time.perf_counter()
            await asyncio.to_thread(self.store.upsert, rows)
            self.stats.inc_value("store/rows_written", len(rows))
            self.stats.inc_value("store/batches")
            self.stats.inc_value("store/seconds", time.perf_counter() - started)

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
        if self.store is None:
            return
        await self.flush()
        self.stats.set_value("store/finished_at", dt.datetime.now(dt.UTC).isoformat())
        await asyncio.to_thread(self.store.close)
