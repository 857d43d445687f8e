"""URL rules of one edition: what is an article, a listing or a feed, and the canonical form.

One article is one row however it was linked, so every URL is reduced to
``{base scheme}://{base host}/{edition}/{slug}/{id}`` – no query, no fragment, no
trailing slash, the base's scheme and host whatever the link used (``www.`` or bare,
http or https).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from crawler.sites.platform import Edition

_SLUG = r"[a-z0-9][a-z0-9_-]*"
_SLASHES = re.compile(r"/{2,}")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class ArticleRef:
    url: str
    newspaper: str
    article_id: str


@dataclass(frozen=True)
class Seed:
    """A page a crawl starts from: ``kind`` is home, feed, newspaper (a listing) or article."""

    kind: str
    url: str
    newspaper: str | None = None


def _host_key(netloc: str, scheme: str, www: str) -> str:
    """The host as compared between links: lower case, no default port, no ``www.``."""
    host = netloc.lower().rsplit("@", 1)[-1]
    name, _, port = host.partition(":")
    if port and _DEFAULT_PORTS.get(scheme) == int(port or 0):
        port = ""
    if name.startswith(www):
        name = name[len(www):]
    return f"{name}:{port}" if port else name


class UrlRules:
    def __init__(self, base_url: str, edition: Edition, www: str = "www.") -> None:
        parts = urlsplit(base_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
        self.scheme = parts.scheme
        self.netloc = parts.netloc.lower()
        self.base = f"{self.scheme}://{self.netloc}"
        self._www = www
        self._host = _host_key(self.netloc, self.scheme, www)
        self.edition = edition
        prefix = f"/{edition.prefix}" if edition.prefix else ""
        self.prefix = prefix
        self._article = re.compile(rf"^{re.escape(prefix)}/(?P<slug>{_SLUG})/(?P<id>\d+)$")
        self._listing = re.compile(rf"^{re.escape(prefix)}/(?P<slug>{_SLUG})$")

    # -- building --------------------------------------------------------
    def home(self) -> str:
        return self.base + (self.prefix or "/")

    def feed(self, newspaper: str | None = None) -> str:
        return self.base + self.prefix + (f"/{newspaper}" if newspaper else "") + "/rss"

    def listing(self, newspaper: str) -> str:
        return f"{self.base}{self.prefix}/{newspaper}"

    def robots(self) -> str:
        return self.base + "/robots.txt"

    # -- reading ---------------------------------------------------------
    def on_site(self, url: str, page_url: str | None = None) -> str | None:
        """Absolute URL on the base host (scheme and host rewritten to the base), or None."""
        url = urljoin(page_url or self.base + "/", url.strip())
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return None
        if _host_key(parts.netloc, parts.scheme, self._www) != self._host:
            return None
        path = _SLASHES.sub("/", parts.path) or "/"
        return urlunsplit((self.scheme, self.netloc, path, parts.query, ""))

    def _path(self, url: str, page_url: str | None) -> str | None:
        url = url.strip()
        if url.startswith("/") and not url.startswith("//"):
            # the common case, a root-relative link: no joining or host check needed
            path = url.split("#", 1)[0].split("?", 1)[0]
            path = _SLASHES.sub("/", path) if "//" in path else path
        else:
            absolute = self.on_site(url, page_url)
            if absolute is None:
                return None
            path = urlsplit(absolute).path
        return path.rstrip("/").lower() or "/"

    def article(self, url: str, page_url: str | None = None) -> ArticleRef | None:
        path = self._path(url, page_url)
        match = self._article.match(path) if path else None
        if not match or match["slug"] in self.edition.reserved_slugs:
            return None
        return ArticleRef(f"{self.base}{path}", match["slug"], match["id"])

    def canonical(self, url: str, page_url: str | None = None) -> str | None:
        ref = self.article(url, page_url)
        return ref.url if ref else None

    def listing_slug(self, url: str, page_url: str | None = None) -> str | None:
        """The newspaper slug if ``url`` is a newspaper listing's first page, else None."""
        path = self._path(url, page_url)
        match = self._listing.match(path) if path else None
        if not match or match["slug"] in self.edition.reserved_slugs:
            return None
        return match["slug"]
