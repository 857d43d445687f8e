"""Stage 3 – the ticker and the boilerplate out of every field; whitespace normalised.

The extractor already removed the ticker element and skipped boilerplate lines; this
stage is the guarantee on the text itself, whatever template the page used: a
boilerplate sentence is cut out wherever it stands, a body line that repeats ticker
headlines is dropped. The title is never compared with the ticker: an article whose
headline also runs in the ticker keeps its title.
"""

from __future__ import annotations

import re
from functools import lru_cache

from crawler.items import Draft
from crawler.sites import get_site
from crawler.text import fold, normalise
from pipelines.base import Stage


@lru_cache(maxsize=32)
def _boilerplate_pattern(site: str, edition: str) -> re.Pattern[str]:
    sentences = get_site(site).edition(edition).language.boilerplate
    # apostrophes vary between templates (' ’ ´): match any of them
    parts = [re.escape(s).replace("'", "['’´]") for s in sorted(sentences, key=len, reverse=True)]
    return re.compile("|".join(parts), re.I)


def clean_text(text: str | None, boilerplate: re.Pattern[str]) -> str | None:
    if text is None:
        return None
    return normalise(boilerplate.sub(" ", text)) or None


def is_ticker_leak(paragraph: str, ticker: str) -> bool:
    """A body line found word for word in the ticker's text: a headline that leaked. (Both
    come from the same page, already normalised: no folding needed.)"""
    return len(paragraph) > 20 and paragraph in ticker


class CleanStage(Stage):
    def process_item(self, item: Draft) -> Draft:
        boilerplate = _boilerplate_pattern(item.site, item.edition)
        ticker = " ".join(item.ticker)
        item.title = clean_text(item.title, boilerplate)
        item.kicker = clean_text(item.kicker, boilerplate)
        if item.kicker and item.title and fold(item.kicker) == fold(item.title):
            item.kicker = None
        paragraphs = []
        for paragraph in item.paragraphs:
            text = clean_text(paragraph, boilerplate)
            if not text:
                continue
            if ticker and is_ticker_leak(text, ticker):
                self.stats.inc_value("clean/ticker_lines_removed")
                continue
            paragraphs.append(text)
        item.paragraphs = paragraphs
        item.ticker = []
        return item
