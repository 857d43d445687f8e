"""Dates as the site writes them.

The site's own form (``DD - MM - YYYY``) takes a regex (~1 µs), and so does a date in
words ("3 mars 2024") with the language's month names. Anything else goes to dateparser, restricted to the language's locales and strict about the parts it needs,
built and warmed once per process (an unrestricted first call costs over a second).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from crawler.sites.platform import LanguageText
from crawler.text import site_date, split_dateline


class DateReader:
    def __init__(self, locales: tuple[str, ...]) -> None:
        from dateparser.date import DateDataParser  # heavy import, only when a reader is needed

        self._parser = DateDataParser(
            locales=list(locales) or None,
            settings={"DATE_ORDER": "DMY", "STRICT_PARSING": True, "PREFER_DAY_OF_MONTH": "first",
                      "RETURN_AS_TIMEZONE_AWARE": False, "REQUIRE_PARTS": ["day", "month", "year"]},
        )
        self.read("1 janvier 2020")  # warm up: load the language data now, not mid-crawl

    def read(self, text: str) -> dt.date | None:
        found = self._parser.get_date_data(text)
        return found.date_obj.date() if found and found.date_obj else None


@lru_cache(maxsize=16)
def date_reader(locales: tuple[str, ...]) -> DateReader:
    return DateReader(locales)


@lru_cache(maxsize=16)
def _words_pattern(months: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, int]]:
    numbers = {name: index for index, names in enumerate(months, 1) for name in names.split("|")}
    names = "|".join(sorted(numbers, key=len, reverse=True))
    return re.compile(rf"^(\d{{1,2}})(?:er)?\s+({names})\s+(\d{{4}})$", re.I), numbers


def words_date(text: str, language: LanguageText) -> dt.date | None:
    """The second fast path: "3 mars 2024", "1er février 2023". Raises ValueError if impossible."""
    if not language.months:
        return None
    pattern, numbers = _words_pattern(language.months)
    match = pattern.match(text.strip())
    if not match:
        return None
    return dt.date(int(match[3]), numbers[match[2].lower()], int(match[1]))


def fast_date(text: str, language: LanguageText) -> dt.date | None:
    """The site's own forms, without dateparser. Raises ValueError for an impossible date."""
    return site_date(text) or words_date(text, language)


def read_date(text: str, language: LanguageText) -> dt.date | None:
    """Fast paths first, dateparser second. Raises ValueError for an impossible date."""
    return fast_date(text, language) or date_reader(language.date_locales).read(text)


def dateline_date(text: str, language: LanguageText) -> dt.date | None:
    """The date of a date line, or None (also for an impossible date)."""
    parts = split_dateline(text, language)
    if not parts:
        return None
    try:
        return read_date(parts[1], language)
    except ValueError:
        return None
