"""Stage 4 – the date line read into a source name and a date (see ``crawler.dates``)."""

from __future__ import annotations

from crawler.dates import date_reader, fast_date
from crawler.items import Draft
from crawler.sites import get_site
from crawler.text import split_dateline
from pipelines.base import Stage


class DatesStage(Stage):
    def open_spider(self) -> None:
        spider = self.spider
        if spider is not None and hasattr(spider, "language"):
            date_reader(spider.language.date_locales)  # warmed once per crawl, before the first page

    def process_item(self, item: Draft) -> Draft:
        if not item.dateline:
            return item
        language = get_site(item.site).edition(item.edition).language
        parts = split_dateline(item.dateline, language)
        if parts is None:
            return item
        item.source, item.date_text = parts
        try:
            item.published_on = fast_date(item.date_text, language)
        except ValueError:
            self.drop("impossible_date", item.url, item.date_text)
        if item.published_on is None:  # not the site's own form: dateparser
            self.stats.inc_value("dates/dateparser")
            item.published_on = date_reader(language.date_locales).read(item.date_text)
        return item
