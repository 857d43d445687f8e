"""Stopping a crawl because a service it needs stayed away – and the exit status that says so."""

from __future__ import annotations

import asyncio

from scrapy.crawler import Crawler

DATABASE_UNAVAILABLE = "database_unavailable"
REDIS_UNAVAILABLE = "redis_unavailable"
# finish reason → exit status of `scrapy crawl` (crawler/commands/crawl.py)
FAILED_REASONS = {DATABASE_UNAVAILABLE: 3, REDIS_UNAVAILABLE: 3}


def stop_crawl(crawler: Crawler, reason: str) -> None:
    """Close the spider with ``reason``, on the next turn of the loop (not from inside the
    component that gives up, which the closing will wait for)."""
    engine = crawler.engine
    if engine is not None and engine.spider is not None:
        asyncio.get_running_loop().call_soon(
            lambda: asyncio.ensure_future(engine.close_spider_async(reason=reason)))
