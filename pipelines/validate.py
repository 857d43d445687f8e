"""Stage 5 – required fields present, or the page is dropped with its reason.

Never stored half-filled. Reasons: ``no_dateline``, ``no_title``, ``no_date`` (a date line
whose date could not be read), ``no_source``, ``no_body``, ``bad_encoding`` (fields in the
wrong letters: a second guard behind the decode stage); ``before_since`` for an
article older than the spider's ``since``.
"""

from __future__ import annotations

from crawler.items import Article, Draft
from crawler.sites import get_site
from pipelines.base import Stage
from pipelines.decode import plausible

MAX_TITLE_CHARS = 400


class ValidateStage(Stage):
    def process_item(self, item: Draft) -> Article:
        if not item.dateline:  # the structural reader anchors on it: checked first
            self.drop("no_dateline", item.url)
        if not item.title or len(item.title) > MAX_TITLE_CHARS:
            self.drop("no_title", item.url)
        if item.published_on is None:
            self.drop("no_date", item.url, repr(item.date_text or item.dateline))
        if not item.source:
            self.drop("no_source", item.url)
        if not item.paragraphs:
            self.drop("no_body", item.url)
        language = get_site(item.site).edition(item.edition).language
        text = " ".join((item.title, item.kicker or "", *item.paragraphs))
        if "\ufffd" in text or not plausible(text, language.native_letters, minimum=8):
            self.drop("bad_encoding", item.url, "the fields are not in the edition's letters")
        since = getattr(self.spider, "since", None)
        if since and item.published_on < since:
            self.drop("before_since", item.url, str(item.published_on), log_level="DEBUG")
        self.stats.inc_value("articles/valid")
        return Article(
            url=item.url,
            site=item.site,
            edition=item.edition,
            language=item.language,
            source=item.source,
            source_slug=item.newspaper,
            source_url=item.source_url,
            title=item.title,
            kicker=item.kicker,
            published_on=item.published_on,
            body="\n\n".join(item.paragraphs),
            fetched_at=item.fetched_at,
        )
