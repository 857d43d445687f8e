"""The ``djazairess`` spider: discovery only.

It walks the edition's home page, RSS feeds, newspaper listings (following their own
"next" links) and the headline ticker, and yields one ``RawPage`` per article page.
Everything else – decoding, extraction, cleaning, dates, validation, storage – happens
in the item pipelines.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any, Self

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.job import job_dir
from twisted.python.failure import Failure

from crawler.dates import date_reader, dateline_date
from crawler.fleet import fleet_enabled
from crawler.fleet.spider import FleetSpiderMixin
from crawler.frontier import ACK_ON_STORE, acknowledge
from crawler.items import RawPage
from crawler.known import KnownArticles
from crawler.signals import fetch_failed
from crawler.sites import get_site
from crawler.text import fold
from crawler.urls import ArticleRef, Seed, UrlRules


def _flag(value: str | bool | None) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on") if value is not None else False


def _csv(value: str | Iterable[str] | None) -> frozenset[str]:
    if not value:
        return frozenset()
    items = value.split(",") if isinstance(value, str) else value
    return frozenset(v.strip().lower() for v in items if v.strip())


class DjazairessSpider(FleetSpiderMixin, scrapy.Spider):
    name = "djazairess"
    site_name = "djazairess"

    def __init__(
        self,
        base_url: str | None = None,
        edition: str = "fr",
        newspapers: str | None = None,
        since: str | None = None,
        refresh: str | None = None,
        deep: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.site = get_site(self.site_name)
        self.known: KnownArticles | None = None
        self._configure(base_url=base_url, edition=edition, newspapers=newspapers, since=since,
                        refresh=refresh, deep=deep, **kwargs)

    def _configure(self, base_url: str | None = None, edition: str = "fr", newspapers: str | Iterable[str] | None = None,
                   since: str | None = None, refresh: str | bool | None = None, deep: str | bool | None = None,
                   **extra: Any) -> None:
        """Apply a crawl's arguments: at start, or when a fleet worker joins a seeded crawl."""
        self.edition_key = edition
        self.edition = self.site.edition(edition)
        self.language = self.edition.language
        self.urls = UrlRules(base_url or self.site.base_url, self.edition, self.site.chrome.hosts_prefix)
        self.newspapers = _csv(newspapers)
        try:
            self.since: dt.date | None = dt.date.fromisoformat(since) if since else None
        except ValueError:
            raise ValueError(f"since must be a date as YYYY-MM-DD, got {since!r}") from None
        # incremental by default: stored articles are not fetched again, and a listing is not
        # paginated past a page that holds only articles stored before this job started
        self.refresh = _flag(refresh)  # fetch stored articles again (corrections → revisions)
        self.deep = _flag(deep)  # paginate every listing to its end (still skipping stored articles)
        # what this run was asked for, as recorded in crawl_runs
        self.arguments = {"base_url": self.urls.base, "edition": edition, "newspapers": sorted(self.newspapers),
                          "since": since, "refresh": self.refresh, "deep": self.deep, **extra}
        host = self.urls.netloc.split(":")[0]
        www = self.site.chrome.hosts_prefix
        self.allowed_domains = [host[len(www):] if host.startswith(www) else host]
        self._next_texts = {fold(t) for t in self.language.next_page}
        if self.since:
            date_reader(self.language.date_locales)  # warm dateparser now, not on the first listing
        # Links are filtered here, before they become requests: handing ~100 duplicate
        # links per page to the duplicate filter costs more than fetching (see STACK.md).
        self._articles_requested: set[str] = set()
        self._newspapers_followed: set[str] = set()
        self.job_started_at = dt.datetime.now(dt.UTC)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.known = KnownArticles(crawler.settings.get("DATABASE_URL") or "sqlite:///articles.db")
        spider.job_started_at = _job_started_at(crawler) or spider.job_started_at
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.request_scheduled, signal=signals.request_scheduled)
        if fleet_enabled(crawler.settings):
            spider.join_fleet(crawler)  # REDIS_URL: a worker of the fleet (crawler/fleet)
        return spider

    def closed(self, reason: str) -> None:
        if self.known is not None:
            self.known.close()

    # -- entry points ----------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.fleet is not None:
            # a fleet worker: the seeds are in Redis (`scrapy seed`), shared by every worker
            for request in self.next_requests():
                yield request
            return
        failed = await self.known.failed(self.site.name, self.urls.base + "/") if self.known else []
        for seed in self.seeds(failed):
            request = self.request_for_seed(seed)
            if request is not None:
                yield request

    def seeds(self, failed: Iterable[str] = ()) -> Iterator[Seed]:
        """Where a crawl starts: pages that failed in earlier runs first (whether or not a
        listing still shows them), then the edition's home page, its feed, chosen newspapers."""
        for url in failed:
            ref = self.urls.article(url)
            if ref and (not self.newspapers or ref.newspaper in self.newspapers):
                yield Seed("article", ref.url, ref.newspaper)
        yield Seed("home", self.urls.home())
        yield Seed("feed", self.urls.feed())
        for slug in sorted(self.newspapers):
            yield Seed("newspaper", self.urls.listing(slug), slug)
            yield Seed("feed", self.urls.feed(slug), slug)

    def request_for_seed(self, seed: Seed) -> scrapy.Request | None:
        if seed.kind == "article":
            ref = self.urls.article(seed.url)
            if ref is None or ref.url in self._articles_requested:
                return None
            self._articles_requested.add(ref.url)
            self.crawler.stats.inc_value("discovery/retried_failures")
            return self._article_request(ref)
        if seed.kind == "home":
            return self._discovery_request(seed.url, self.parse_listing, newspaper=None)
        if seed.kind == "feed":
            return self._discovery_request(seed.url, self.parse_feed)
        if seed.kind == "newspaper" and seed.newspaper:
            self._newspapers_followed.add(seed.newspaper)
            self.crawler.stats.inc_value("discovery/newspapers")
            return self._discovery_request(seed.url, self.parse_listing, newspaper=seed.newspaper)
        self.logger.warning("unknown seed %r: ignored", seed)
        return None

    # -- callbacks ---------------------------------------------------------------
    async def parse_listing(self, response: Response, newspaper: str | None) -> AsyncIterator[scrapy.Request]:
        """The edition home page or a newspaper listing page (ticker links included)."""
        stats = self.crawler.stats
        stats.inc_value("discovery/listing_pages")
        teaser_dates = self._teaser_dates(response)
        refs: dict[str, ArticleRef] = {}
        listed: set[str] = set()  # this page's own entries: links outside the ticker
        for href in response.xpath("//a[not(ancestor::marquee)]/@href").getall():
            if ref := self.urls.article(href, response.url):
                refs.setdefault(ref.url, ref)
                listed.add(ref.url)
        for href in response.xpath("//marquee//a/@href").getall():
            if ref := self.urls.article(href, response.url):
                refs.setdefault(ref.url, ref)
        stored = await self._stored(refs)
        for ref in refs.values():
            for request in self._follow_article(ref, teaser_dates.get(ref.url), stored):
                yield request
            if newspaper is None:
                for request in self._follow_newspaper(ref.newspaper):
                    yield request
        if newspaper is None:
            for href in response.css(self.site.chrome.newspaper_links).xpath("@href").getall():
                slug = self.urls.listing_slug(href, response.url)
                if slug:
                    for request in self._follow_newspaper(slug):
                        yield request
            return
        if self.since and teaser_dates and min(teaser_dates.values()) < self.since:
            # listings run newest first: everything after this page is older still
            stats.inc_value("discovery/listings_stopped_at_since")
            return
        own = {url for url in listed if refs[url].newspaper == newspaper}
        if self._only_old_news(own, stored):
            stats.inc_value("discovery/listings_stopped_at_stored")
            return
        next_url = self._next_page(response)
        if next_url:
            yield self._discovery_request(response.urljoin(next_url), self.parse_listing, newspaper=newspaper)

    async def parse_feed(self, response: Response) -> AsyncIterator[scrapy.Request]:
        self.crawler.stats.inc_value("discovery/feeds")
        response.selector.remove_namespaces()
        found = []
        for item in response.xpath("//item"):
            ref = self.urls.article(item.xpath("normalize-space(link)").get(""), response.url)
            if ref is not None:
                found.append((ref, self._rss_date(item.xpath("normalize-space(pubDate)").get(""))))
        stored = await self._stored({ref.url: ref for ref, _ in found})
        for ref, published in found:
            for request in self._follow_article(ref, published, stored):
                yield request

    def parse_article(self, response: Response, ref: ArticleRef) -> Iterator[RawPage]:
        self.crawler.stats.inc_value("discovery/article_pages_fetched")
        final = self.urls.article(response.url) if response.url != ref.url else ref
        if final is None:  # redirected away from an article
            self.crawler.stats.inc_value("discovery/not_an_article")
            self.logger.info("not an article after redirect: %s -> %s", ref.url, response.url)
            return
        yield RawPage(
            url=final.url,
            fetched_url=response.url,
            status=response.status,
            content_type=response.headers.get(b"Content-Type", b"").decode("latin-1"),
            body=response.body,
            encoding=getattr(response, "encoding", None),
            fetched_at=dt.datetime.now(dt.UTC),
            site=self.site.name,
            edition=self.edition_key,
            newspaper=final.newspaper,
        )

    # -- helpers -----------------------------------------------------------------
    async def _stored(self, refs: dict[str, ArticleRef]) -> dict[str, dt.datetime]:
        """Which of these articles the database holds (URL → first seen); {} with refresh=1."""
        if self.known is None or self.refresh:
            return {}
        wanted = [url for url, ref in refs.items() if not self.newspapers or ref.newspaper in self.newspapers]
        return await self.known.stored(wanted)

    def _only_old_news(self, listed: set[str], stored: dict[str, dt.datetime]) -> bool:
        """True when every article this listing page lists was stored before this job began."""
        if self.deep or self.refresh or self.known is None:
            return False
        return bool(listed) and all(url in stored and stored[url] < self.job_started_at for url in listed)

    def _follow_article(self, ref: ArticleRef, published: dt.date | None,
                        stored: dict[str, dt.datetime]) -> Iterator[scrapy.Request]:
        if ref.url in self._articles_requested:
            return
        if self.newspapers and ref.newspaper not in self.newspapers:
            return
        if self.since and published and published < self.since:
            self.crawler.stats.inc_value("discovery/skipped_before_since")
            return
        self._articles_requested.add(ref.url)
        if ref.url in stored:
            self.crawler.stats.inc_value("discovery/skipped_stored")
            return
        self.crawler.stats.inc_value("discovery/article_requests")
        yield self._article_request(ref)

    def _discovery_request(self, url: str, callback: Any, **cb_kwargs: Any) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.discovery_failed, cb_kwargs=cb_kwargs,
                              priority=self.crawler.settings.getint("DISCOVERY_PRIORITY"))

    def _article_request(self, ref: ArticleRef) -> scrapy.Request:
        return scrapy.Request(ref.url, callback=self.parse_article, errback=self.article_failed,
                              cb_kwargs={"ref": ref}, meta={ACK_ON_STORE: True})

    def article_failed(self, failure: Failure) -> None:
        """An article page that could not be fetched, after retries: counted and recorded."""
        self._record_failure(failure.request, failure_reason(failure))

    def discovery_failed(self, failure: Failure) -> None:
        """A listing or feed that could not be fetched, after retries: counted, logged, and done
        (the next run finds it again from the home page)."""
        reason = failure_reason(failure)
        self.crawler.stats.inc_value(f"fetch/failed_discovery/{reason}")
        self.logger.warning("could not fetch %s: %s", failure.request.url, reason)
        acknowledge(self.crawler, failure.request)

    def request_dropped(self, request: scrapy.Request, **_: Any) -> None:
        # A redirect back to a URL already requested is dropped by the duplicate filter,
        # without an errback: that is how a redirect loop ends in Scrapy.
        if request.meta.get(ACK_ON_STORE) and request.meta.get("redirect_urls"):
            self._record_failure(request, "redirect_loop")

    def request_scheduled(self, request: scrapy.Request, **_: Any) -> None:
        # Scrapy's offsite filter compares host names only; another port or scheme-host of the
        # same machine is another site too. Nothing off the base URL's host is ever fetched.
        if self.urls.on_site(request.url) is None:
            self.crawler.stats.inc_value("discovery/offsite_filtered")
            if request.meta.get(ACK_ON_STORE):
                self._record_failure(request, "offsite_redirect")
            raise IgnoreRequest(f"not on {self.urls.base}: {request.url}")

    def _record_failure(self, request: scrapy.Request, reason: str) -> None:
        url = request.meta.get("redirect_urls", [request.url])[0]  # the article URL, not where it led
        self.crawler.stats.inc_value(f"fetch/failed/{reason}")
        self.logger.warning("could not fetch %s: %s", url, reason)
        self.crawler.signals.send_catch_log(signal=fetch_failed, url=url, site=self.site.name, reason=reason)

    def _follow_newspaper(self, slug: str) -> Iterator[scrapy.Request]:
        if slug in self._newspapers_followed or (self.newspapers and slug not in self.newspapers):
            return
        self._newspapers_followed.add(slug)
        self.crawler.stats.inc_value("discovery/newspapers")
        yield self._discovery_request(self.urls.listing(slug), self.parse_listing, newspaper=slug)
        yield self._discovery_request(self.urls.feed(slug), self.parse_feed)

    def _teaser_dates(self, response: Response) -> dict[str, dt.date]:
        """Article URL → date shown in its teaser, where the teaser shows one [assumed]."""
        dates: dict[str, dt.date] = {}
        lead = self.language.dateline_lead.replace("'", "")
        for teaser in response.css(self.site.chrome.teaser):
            published = None
            texts = teaser.xpath(f".//text()[contains(., '{lead}')]").getall() if lead else teaser.xpath(".//text()").getall()
            for text in texts:
                published = dateline_date(text, self.language)
                if published:
                    break
            if published is None:
                continue
            for href in teaser.xpath(".//a/@href").getall():
                ref = self.urls.article(href, response.url)
                if ref:
                    dates[ref.url] = published
        return dates

    def _next_page(self, response: Response) -> str | None:
        href = response.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href").get()
        if href:
            return href
        # short links only: a "next" link says one or two words
        for link in response.xpath("//a[@href][string-length(normalize-space(.)) < 20]"):
            if fold(" ".join(link.xpath(".//text()").getall())) in self._next_texts:
                return link.attrib["href"]
        return None

    @staticmethod
    def _rss_date(text: str) -> dt.date | None:
        try:
            return email.utils.parsedate_to_datetime(text).date() if text else None
        except (TypeError, ValueError):
            return None


def _job_started_at(crawler: Crawler) -> dt.datetime | None:
    """When this JOBDIR job first started: a resumed job keeps its first start time."""
    folder = job_dir(crawler.settings)
    if not folder:
        return None
    marker = Path(folder, "job-started-at")
    if not marker.exists():
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(dt.datetime.now(dt.UTC).isoformat())
    return dt.datetime.fromisoformat(marker.read_text().strip())


def failure_reason(failure: Failure) -> str:
    """A short, stable name for why a download failed (stats keys and fetch_failures.reason)."""
    from scrapy.exceptions import DownloadCancelledError
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet import defer, error
    from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

    value = failure.value
    if isinstance(value, HttpError):
        return f"http_{value.response.status}"
    if isinstance(value, IgnoreRequest):
        text = str(value).lower()
        if "redirect" in text:
            return "redirect_loop"
        if "offsite" in text:
            return "offsite_redirect"
        return "ignored"
    if isinstance(value, defer.TimeoutError | error.TimeoutError | error.TCPTimedOutError):
        return "timeout"
    if isinstance(value, defer.CancelledError | DownloadCancelledError):
        return "too_large"  # Scrapy cancels a download that passes DOWNLOAD_MAXSIZE
    if isinstance(value, ResponseFailed | ResponseNeverReceived):
        names = " ".join(type(r.value).__name__ for r in getattr(value, "reasons", []))
        return "truncated" if "DataLoss" in names else "connection_lost"
    if isinstance(value, error.ConnectionRefusedError | error.ConnectError | error.DNSLookupError):
        return "unreachable"
    return type(value).__name__.lower()
