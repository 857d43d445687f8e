"""Stage 4 – the date line read into a source name and a date.

The site's own form (``DD - MM - YYYY``) takes a regex (~1 µs). Anything else goes to
dateparser, restricted to the edition's language and strict about day/month order,
built and warmed once per crawl (an unrestricted first call costs over a second).
"""

from __future__ import annotations

import datetime as dt

from crawler.items import Draft
from crawler.sites import get_site
from crawler.text import site_date, split_dateline
from pipelines.base import Stage


class DateReader:
    def __init__(self, locales: tuple[str, ...]) -> None:
        from dateparser.date import DateDataParser  # imported lazily: heavy, and only for odd dates

        self._parser = DateDataParser(
            locales=list(locales) or None,
            settings={"DATE_ORDER": "DMY", "STRICT_PARSING": True, "PREFER_DAY_OF_MONTH": "first",
                      "RETURN_AS_TIMEZONE_AWARE": False, "REQUIRE_PARTS": ["day", "month", "year"]},
        )
        self.read("1 janvier 2020")  # warm up: load the language data now, not mid-crawl

    def read(self, text: str) -> dt.date | None:
        found = self._parser.get_date_data(text)
        return found.date_obj.date() if found and found.date_obj else None


class DatesStage(Stage):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self._readers: dict[tuple[str, str], DateReader] = {}

    def _reader(self, site: str, edition: str) -> DateReader:
        key = (site, edition)
        if key not in self._readers:
            self._readers[key] = DateReader(get_site(site).edition(edition).language.date_locales)
        return self._readers[key]

    def open_spider(self) -> None:
        spider = self.spider
        if spider is not None and hasattr(spider, "edition_key"):
            self._reader(spider.site.name, spider.edition_key)

    def process_item(self, item: Draft) -> Draft:
        if not item.dateline:
            return item
        language = get_site(item.site).edition(item.edition).language
        parts = split_dateline(item.dateline, language)
        if parts is None:
            return item
        item.source, item.date_text = parts
        try:
            item.published_on = site_date(item.date_text)
        except ValueError:
            self.drop("impossible_date", item.url, item.date_text)
        if item.published_on is None:
            self.stats.inc_value("dates/dateparser")
            item.published_on = self._reader(item.site, item.edition).read(item.date_text)
        return item
