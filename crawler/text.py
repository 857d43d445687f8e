"""Small text helpers shared by the spider and the pipelines (no state, no I/O)."""

from __future__ import annotations

import datetime as dt
import re

from crawler.sites.platform import LanguageText

# the site's own date form: "21 - 12 - 2022", with ordinary or no-break spaces (\s covers both)
_SITE_DATE = re.compile(r"^(\d{1,2})\s*-\s*(\d{1,2})\s*-\s*(\d{4})$")
_APOSTROPHES = ("’", "´", "‘", "`")


def normalise(text: str) -> str:
    """Collapse every run of whitespace (no-break and zero-width spaces too) into one space."""
    if "\u200b" in text or "\ufeff" in text:
        text = text.replace("\u200b", "").replace("\ufeff", "")
    return " ".join(text.split())  # str.split() knows Unicode whitespace, \xa0 included


def fold(text: str) -> str:
    """A comparison key: normalised, lower case, one kind of apostrophe."""
    text = normalise(text)
    for apostrophe in _APOSTROPHES:  # str.replace is ~10x faster than str.translate here
        if apostrophe in text:
            text = text.replace(apostrophe, "'")
    return text.casefold()


def site_date(text: str) -> dt.date | None:
    """The fast path: ``DD - MM - YYYY`` → date; None if the text is not in that form.

    Raises ValueError for an impossible date in that form (31 - 02 - 2023).
    """
    match = _SITE_DATE.match(text.strip())
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    return dt.date(year, month, day)


def split_dateline(text: str, language: LanguageText) -> tuple[str, str] | None:
    """(source name, date text) if ``text`` is a date line of that language."""
    match = language.dateline.match(normalise(text))
    if not match:
        return None
    return match["source"].strip(), match["date"].strip()
