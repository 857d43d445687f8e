"""Stage 1 – bytes to text: trust the declared charset only when the text proves it.

Scrapy takes the charset from the HTTP header, a BOM or <meta>. A windows-1252 body
labelled UTF-8 then decodes with U+FFFD replacement characters, a UTF-8 body labelled
windows-1252 decodes into mojibake ("Ã©"), and a windows-1256 body read as windows-1252
decodes "cleanly" into foreign letters. All three are detected here; the body is re-read
as UTF-8 or with the edition's legacy single-byte encoding when that gives clean text in
the edition's language, and otherwise dropped (``bad_encoding``), never stored.
"""

from __future__ import annotations

import codecs
import functools
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


_OTHER_LETTERS = re.compile(r"[^\W\d_\x00-\x7f]")  # letters outside ASCII


@functools.lru_cache(maxsize=16)
def _native(letters: str) -> re.Pattern[str]:
    return re.compile(f"[{letters}]" if letters else r"(?!)")


def plausible(text: str, native_letters: str, minimum: int = 20, share: float = 0.9) -> bool:
    """Does the text use its language's letters? A French page read as windows-1252 while it
    was windows-1256 (or the reverse) decodes without an error but into foreign letters."""
    others = _OTHER_LETTERS.findall(text)
    if len(others) < minimum:
        return True
    native = _native(native_letters)
    return sum(1 for letter in others if native.match(letter)) >= share * len(others)


def decode_body(body: bytes, declared: str | None, legacy: str, native_letters: str = "") -> tuple[str, str, bool] | None:
    """(text, encoding used, repaired?) or None when no encoding gives clean text.

    A clean UTF-8 decode is trusted as it is (other bytes almost never decode as UTF-8);
    a single-byte decode must also read as the language's letters.
    """
    if body.startswith(codecs.BOM_UTF8):
        text = _strict(body[len(codecs.BOM_UTF8):], "utf-8")
        return (text, "utf-8", False) if text is not None else None
    declared = _codec(declared) or "utf-8"
    legacy = _codec(legacy) or legacy

    def clean(encoding: str) -> str | None:
        text = _strict(body, encoding)
        if text is None or (("Ã" in text or "Â" in text or "â€" in text) and _MOJIBAKE.search(text)):
            return None
        return text if encoding == "utf-8" or plausible(text, native_letters) else None

    for candidate in dict.fromkeys((declared, "utf-8", legacy)):
        text = clean(candidate)
        if text is not None:
            return text, candidate, candidate != declared
    return None


class DecodeStage(Stage):
    def process_item(self, item: RawPage) -> Draft:
        if not isinstance(item, RawPage):
            return item
        media_type = item.content_type.split(";")[0].strip().lower()
        if media_type not in _HTML_TYPES:
            self.drop("not_html", item.url, media_type)
        edition = get_site(item.site).edition(item.edition)
        decoded = decode_body(item.body, item.encoding, edition.language.legacy_encoding,
                              edition.language.native_letters)
        if decoded is None:
            self.drop("bad_encoding", item.url, f"declared {item.encoding}")
        _, encoding, repaired = decoded
        if repaired:
            self.stats.inc_value(f"pages/encoding_repaired/{encoding}")
        return Draft(
            url=item.url,
            site=item.site,
            edition=item.edition,
            language=edition.language.code,
            newspaper=item.newspaper,
            fetched_at=item.fetched_at,
            body=item.body,
            text_encoding=encoding,
        )
