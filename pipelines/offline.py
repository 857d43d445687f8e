"""Run the extraction stages (decode → extract → clean → dates → validate) on pages
without a crawl or a network: for fixture tests, benchmarks and debugging one page."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from crawler.items import Article, RawPage
from pipelines.base import Dropped

STORAGE_STAGES = ("pipelines.store.StoreStage",)


class OfflineChain:
    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        from crawler.spiders.djazairess import DjazairessSpider
        import settings as project_settings

        values = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
        values["TWISTED_REACTOR"] = None  # no crawl here: do not install or check a reactor
        values.update(settings or {})
        self.crawler = get_crawler(DjazairessSpider, values)
        self.crawler.stats.open_spider()
        pipelines = sorted(values["ITEM_PIPELINES"].items(), key=lambda kv: kv[1])
        self.stages = [
            load_object(path).from_crawler(self.crawler)
            for path, order in pipelines
            if order is not None and path not in STORAGE_STAGES
        ]
        from crawler.dates import date_reader
        from crawler.sites import SITES

        for site in SITES.values():  # warm dateparser once, as a crawl does when it opens
            for edition in site.editions.values():
                date_reader(edition.language.date_locales)

    @property
    def stats(self) -> dict[str, Any]:
        return self.crawler.stats.get_stats()

    def run(self, page: RawPage) -> Article | Dropped:
        item: Any = page
        try:
            for stage in self.stages:
                item = stage.process_item(item)
        except Dropped as dropped:
            return dropped
        return item

    def run_html(self, url: str, body: bytes, content_type: str = "text/html; charset=utf-8",
                 site: str = "djazairess", edition: str = "fr") -> Article | Dropped:
        from crawler.sites import get_site
        from crawler.urls import UrlRules

        parts = urlsplit(url)
        ref = UrlRules(f"{parts.scheme}://{parts.netloc}", get_site(site).edition(edition)).article(url)
        if ref is None:
            raise ValueError(f"not an article URL of {site}/{edition}: {url}")
        charset = content_type.partition("charset=")[2].strip() or None
        return self.run(RawPage(ref.url, url, 200, content_type, body, charset,
                                dt.datetime.now(dt.UTC), site, edition, ref.newspaper))
