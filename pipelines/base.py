"""What every pipeline stage shares: the crawler, its stats, and one way to drop an item."""

from __future__ import annotations

from typing import Any, NoReturn, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

class Dropped(DropItem):
    """An item dropped for a named reason (counted as ``articles/dropped/<reason>``)."""

    def __init__(self, reason: str, url: str, detail: str = "", log_level: str = "WARNING") -> None:
        self.reason = reason
        self.url = url
        super().__init__(f"{reason}" + (f" ({detail})" if detail else ""), log_level=log_level)


class Stage:
    """An item pipeline stage built from the crawler (settings, stats, spider)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    @property
    def spider(self) -> Any:
        return self.crawler.spider

    def drop(self, reason: str, url: str, detail: str = "", log_level: str = "WARNING") -> NoReturn:
        """Count the reason, then drop; Scrapy logs it once with the item (its URL)."""
        self.stats.inc_value(f"articles/dropped/{reason}")
        raise Dropped(reason, url, detail, log_level)
