"""The items that walk through the pipelines, in order.

``RawPage`` (the spider's output: what was fetched) → ``Draft`` (fields as found on the
page, filled in stage by stage) → ``Article`` (validated; what is stored).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RawPage:
    url: str  # canonical article URL
    fetched_url: str  # the URL the response actually came from
    status: int
    content_type: str
    body: bytes
    encoding: str | None  # what the response declared (header, BOM or <meta>)
    fetched_at: dt.datetime
    site: str
    edition: str
    newspaper: str  # slug from the URL

    def __repr__(self) -> str:  # keep logs readable: never print the body
        return f"RawPage({self.url}, {self.status}, {len(self.body)} bytes)"


@dataclass
class Draft:
    """Fields as the extractor found them; later stages clean and complete them."""

    url: str
    site: str
    edition: str
    language: str
    newspaper: str
    fetched_at: dt.datetime
    body: bytes = b""  # the page as fetched; the extractor parses it and empties it
    text_encoding: str = ""  # the charset the decode stage proved right for ``body``
    title: str | None = None
    kicker: str | None = None
    dateline: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    source_url: str | None = None
    ticker: list[str] = field(default_factory=list)  # the text of the ticker(s) removed from the page
    method: str = ""  # which extractor found the fields ("selectors:2018" / "structure")
    source: str | None = None
    published_on: dt.date | None = None
    date_text: str | None = None

    def __repr__(self) -> str:
        return f"Draft({self.url}, title={self.title!r})"


@dataclass(frozen=True)
class Article:
    url: str
    site: str
    edition: str
    language: str
    source: str
    source_slug: str
    source_url: str | None
    title: str
    kicker: str | None
    published_on: dt.date
    body: str
    fetched_at: dt.datetime

    def as_row(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "site": self.site,
            "language": self.language,
            "source": self.source,
            "source_slug": self.source_slug,
            "source_url": self.source_url,
            "title": self.title,
            "kicker": self.kicker,
            "published_on": self.published_on,
            "body": self.body,
            "edition": self.edition,
            "fetched_at": self.fetched_at,
        }

    def __repr__(self) -> str:
        return f"Article({self.url}, {self.title!r})"
