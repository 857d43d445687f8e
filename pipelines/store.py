"""Stage 6 – batched upserts, off the reactor thread; fetch failures; the crawl's run record.

Items are buffered; a batch is written in a worker thread when it is full, when it is
older than ``STORE_FLUSH_SECONDS``, and when the spider closes, whatever the reason
(finished, closespider limit, Ctrl-C). Batches are written one at a time, in order.
Pages that failed (a fetch error after retries, or a page dropped for want of an
article) go to ``fetch_failures`` with the same batches; a stored article clears its row.

When the database fails, a batch is retried with backoff (``STORE_RETRY_TIMES``,
``STORE_RETRY_BACKOFF``). If it stays down, the batch and every later item are written
to a spool file (``STORE_SPOOL_DIR``), the crawl stops with finish reason
``database_unavailable`` (exit status 3), and the next run stores the spool first.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.settings import SETTINGS_PRIORITIES
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from crawler.frontier import frontier_done
from crawler.stopping import DATABASE_UNAVAILABLE, stop_crawl
from crawler.items import Article
from crawler.logsafety import mask
from crawler.signals import fetch_failed
from pipelines.base import Dropped, Stage
from storage import ArticleStore, finish_run, mask_url, start_run

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)
NOT_FAILURES = {"before_since"}  # drops that say nothing about the page's health


class DatabaseUnavailable(Exception):
    pass


class Spool:
    """Rows the database could not take, as JSON lines; read back by the next run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / f"spool-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{os.getpid()}.jsonl"

    def write(self, rows: list[dict[str, Any]], failures: list[dict[str, Any]]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            for kind, entries in (("article", rows), ("failure", failures)):
                for entry in entries:
                    out.write(json.dumps({"kind": kind, "row": entry}, default=_encode, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())

    def pending(self) -> list[Path]:
        return sorted(self.folder.glob("spool-*.jsonl")) if self.folder.exists() else []

    @staticmethod
    def read(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rows, failures = [], []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue  # a line cut short by a crash is the only possible damage
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                logger.warning("skipping a damaged line in %s", path)
                continue
            row = entry["row"]
            for key in ("fetched_at", "seen_at"):
                if key in row:
                    row[key] = dt.datetime.fromisoformat(row[key])
            if "published_on" in row:
                row["published_on"] = dt.date.fromisoformat(row["published_on"])
            (rows if entry["kind"] == "article" else failures).append(row)
        return rows, failures


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(type(value))


class StoreStage(Stage):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.database_url = settings.get("DATABASE_URL") or "sqlite:///articles.db"
        self.batch_size = settings.getint("STORE_BATCH_SIZE", 200)
        self.flush_seconds = settings.getfloat("STORE_FLUSH_SECONDS", 5.0)
        self.auto_migrate = settings.getbool("DATABASE_AUTO_MIGRATE", True)
        self.retry_times = settings.getint("STORE_RETRY_TIMES", 5)
        self.retry_backoff = settings.getfloat("STORE_RETRY_BACKOFF", 0.5)
        self.sqlite_busy_seconds = settings.getfloat("STORE_SQLITE_BUSY_TIMEOUT", 30.0)
        self.spool = Spool(Path(settings.get("STORE_SPOOL_DIR") or "spool"))
        self.store: ArticleStore | None = None
        self.run_id: int | None = None
        self.database_down = False
        self._rows: list[dict[str, Any]] = []
        self._failures: list[dict[str, Any]] = []
        self._oldest = 0.0
        self._lock = asyncio.Lock()
        self._timer: asyncio.Task | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.page_failed, signal=fetch_failed)

    # -- opening ----------------------------------------------------------------------------
    def _run_arguments(self) -> dict[str, Any]:
        settings = self.crawler.settings
        given = {
            name: (mask_url(str(value)) if name == "DATABASE_URL" else value)
            for name, value in settings.items()
            if settings.getpriority(name) >= SETTINGS_PRIORITIES["cmdline"]
        }
        return {"spider": getattr(self.spider, "arguments", {}), "settings": given}

    def _open(self) -> None:
        self.store = ArticleStore.open(self.database_url, self.auto_migrate, self.sqlite_busy_seconds)
        self.run_id = start_run(self.store.engine, self.spider.name, self._run_arguments(), mask_url(self.database_url))

    def _replay_spool(self) -> int:
        """Store what an earlier run could not, before anything new."""
        replayed = 0
        for path in self.spool.pending():
            rows, failures = Spool.read(path)
            for start in range(0, max(len(rows), 1), self.batch_size):
                self.store.upsert(rows[start:start + self.batch_size], self.run_id,
                                  failures if start == 0 else ())
            replayed += len(rows)
            path.unlink()
            logger.info("stored %d articles spooled by an earlier run (%s)", len(rows), path.name)
        return replayed

    async def open_spider(self) -> None:
        logger.info("storing into %s", mask_url(self.database_url))
        try:
            await self._with_retries(self._open)
            replayed = await self._with_retries(self._replay_spool)
        except DatabaseUnavailable:
            await self._give_up()
            return
        if replayed:
            self.stats.set_value("store/spool_replayed", replayed)
        self.stats.set_value("store/crawl_run_id", self.run_id)
        self._timer = asyncio.create_task(self._flush_periodically())

    # -- buffering ----------------------------------------------------------------------------
    async def process_item(self, item: Article) -> Article:
        if not self._rows and not self._failures:
            self._oldest = time.monotonic()
        self._rows.append(item.as_row())
        if len(self._rows) >= self.batch_size:
            await self.flush()  # back-pressure: at most one batch waits for the database
        return item

    def _fail(self, url: str, site: str, reason: str) -> None:
        if not self._rows and not self._failures:
            self._oldest = time.monotonic()
        self._failures.append({"url": url, "site": site, "reason": reason, "seen_at": dt.datetime.now(dt.UTC)})

    def item_dropped(self, item: Any, exception: BaseException, **_: Any) -> None:
        reason = getattr(exception, "reason", None) if isinstance(exception, Dropped) else None
        if reason and reason not in NOT_FAILURES and getattr(item, "url", None):
            self._fail(item.url, item.site, reason)

    def page_failed(self, url: str, site: str, reason: str) -> None:
        self._fail(url, site, reason)

    # -- writing ------------------------------------------------------------------------------
    async def _with_retries(self, work, *args: Any) -> Any:
        delay = self.retry_backoff
        for attempt in range(self.retry_times + 1):
            try:
                return await asyncio.to_thread(work, *args)
            except DATABASE_ERRORS as error:
                self.stats.inc_value("store/database_errors")
                if attempt == self.retry_times:
                    logger.error("database still failing after %d attempts: %s", attempt + 1, _first_line(error))
                    raise DatabaseUnavailable from error
                logger.warning("database error (attempt %d, retrying in %.1fs): %s", attempt + 1, delay,
                               _first_line(error))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
        raise AssertionError("unreachable")

    async def flush(self) -> None:
        async with self._lock:
            rows, self._rows = self._rows, []
            failures, self._failures = self._failures, []
            if not rows and not failures:
                return
            if self.database_down:
                await asyncio.to_thread(self.spool.write, rows, failures)
                self.stats.inc_value("store/rows_spooled", len(rows))
                return
            started = time.perf_counter()
            try:
                result = await self._with_retries(self.store.upsert, rows, self.run_id, failures)
            except DatabaseUnavailable:
                await asyncio.to_thread(self.spool.write, rows, failures)
                self.stats.inc_value("store/rows_spooled", len(rows))
                await self._give_up()
                return
            self.stats.inc_value("store/rows_written", len(rows))
            self.stats.inc_value("store/failures_recorded", len(failures))
            self.stats.inc_value("store/articles_inserted", result.inserted)
            self.stats.inc_value("store/articles_updated", result.updated)
            self.stats.inc_value("store/articles_unchanged", result.unchanged)
            self.stats.inc_value("store/batches")
            self.stats.inc_value("store/seconds", time.perf_counter() - started)
            # a resumable job may now forget these requests: their outcome is in the database
            self.crawler.signals.send_catch_log(
                signal=frontier_done, urls=[row["url"] for row in rows] + [f["url"] for f in failures])

    async def _give_up(self) -> None:
        """The database stays down: keep every item in the spool and stop the crawl cleanly."""
        if self.database_down:
            return
        self.database_down = True
        self.stats.set_value("store/database_unavailable", True)
        logger.error("the database is unreachable: stopping the crawl; accepted items are kept in %s and "
                     "will be stored first by the next run", self.spool.folder)
        stop_crawl(self.crawler, DATABASE_UNAVAILABLE)

    async def _flush_periodically(self) -> None:
        while True:
            await asyncio.sleep(min(1.0, self.flush_seconds))
            if (self._rows or self._failures) and time.monotonic() - self._oldest >= self.flush_seconds:
                # shielded: when close_spider cancels this timer mid-write, the write and its
                # accounting (stats, acknowledgements) still complete; close_spider waits for it
                await asyncio.shield(self.flush())

    # -- closing --------------------------------------------------------------------------------
    async def close_spider(self) -> None:
        if self._timer:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
        await self.flush()

    async def spider_closed(self, reason: str) -> None:
        if self.store is None:
            return
        if not self.database_down:
            stats = dict(self.stats.get_stats())
            try:
                await self._with_retries(finish_run, self.store.engine, self.run_id, reason, stats)
            except DatabaseUnavailable:
                logger.error("could not record the end of crawl run %s", self.run_id)
        await asyncio.to_thread(self.store.close)
        self.store = None


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return mask(text.splitlines()[0] if text else error.__class__.__name__)
