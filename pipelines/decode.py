"""Stage 1 – bytes to text: trust the declared charset only when the text proves it.

Scrapy takes the charset from the HTTP header, a BOM or <meta>. A windows-1252 body
labelled UTF-8 then decodes with U+FFFD replacement characters, and a UTF-8 body
labelled windows-1252 decodes into mojibake ("Ã©"). Both are detected here and repaired
with the edition's legacy single-byte encoding (or re-read as UTF-8); a body that
decodes cleanly under none of them is dropped, never stored.
"""

from __future__ import annotations

import codecs
import re

from crawler.items import Draft, RawPage
from crawler.sites import get_site
from pipelines.base import Stage

_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/xml", "application/xml", "")
# UTF-8 multi-byte sequences read as windows-1252/latin-1: "Ã©", "Ã¨", "â€™", "Â "
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u02c6\u02dc\u0192]|â€")


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        text = body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return None if "\ufffd" in text else text


def decode_body(body: bytes, declared: str | None, legacy: str) -> tuple[str, str, bool] | None:
    """(text, encoding used, repaired?) or None when no encoding gives clean text."""
    if body.startswith(codecs.BOM_UTF8):
        text = _strict(body[len(codecs.BOM_UTF8):], "utf-8")
        return (text, "utf-8", False) if text is not None else None
    declared = _codec(declared) or "utf-8"
    legacy = _codec(legacy) or legacy
    text = _strict(body, declared)
    if text is not None and not _MOJIBAKE.search(text):
        return text, declared, False
    if text is not None and declared != "utf-8":
        # mojibake: UTF-8 bytes labelled as a single-byte charset
        fixed = _strict(body, "utf-8")
        if fixed is not None:
            return fixed, "utf-8", True
    for candidate in (legacy, "utf-8"):
        if candidate == declared:
            continue
        fixed = _strict(body, candidate)
        if fixed is not None and not _MOJIBAKE.search(fixed):
            return fixed, candidate, True
    return None


class DecodeStage(Stage):
    def process_item(self, item: RawPage) -> Draft:
        if not isinstance(item, RawPage):
            return item
        media_type = item.content_type.split(";")[0].strip().lower()
        if media_type not in _HTML_TYPES:
            self.drop("not_html", item.url, media_type)
        edition = get_site(item.site).edition(item.edition)
        decoded = decode_body(item.body, item.encoding, edition.language.legacy_encoding)
        if decoded is None:
            self.drop("bad_encoding", item.url, f"declared {item.encoding}")
        text, encoding, repaired = decoded
        if repaired:
            self.stats.inc_value(f"pages/encoding_repaired/{encoding}")
        return Draft(
            url=item.url,
            site=item.site,
            edition=item.edition,
            language=edition.language.code,
            newspaper=item.newspaper,
            fetched_at=item.fetched_at,
            html=text,
            text_encoding=encoding,
        )
