"""The hostile replica: every fault the live web throws at a crawler, one article each.

``hostile_site(other_host)`` returns the replica, the server faults to inject and the
expected outcome of each case; the fault tests and ``benchmarks/hostile.py`` share it.

Outcomes: ``recovered`` – a transient fault, retried, the article stored exactly;
``stored`` – nasty content read correctly, stored exactly; ``failure`` – still failing
after retries, recorded in ``fetch_failures`` with ``reason`` and not stored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from tests.replica.articles import ARTICLES, FixtureArticle
from tests.replica.faults import Fault, Redirect, Replace, ResetMidBody, Slow, Status, Truncated
from tests.replica.generate import generated_articles
from tests.replica.site import Page, Replica

# Settings the hostile crawl runs with (short timeouts keep the test fast).
HOSTILE_SETTINGS = {
    "DOWNLOAD_TIMEOUT": "2",
    "RETRY_TIMES": "2",
    "DOWNLOAD_MAXSIZE": str(1024 * 1024),
    "DOWNLOAD_WARNSIZE": "0",
    "REDIRECT_MAX_TIMES": "5",
    "RETRY_AFTER_MAX": "5",
}


@dataclass
class Case:
    kind: str
    article: FixtureArticle
    outcome: str  # recovered | stored | failure
    reason: str | None = None
    fault: Fault | None = None


CHALLENGE = (b"<html><head><title>Veuillez patienter...</title><meta http-equiv='refresh' content='5'></head>"
             b"<body><h1>V\xc3\xa9rification de votre navigateur</h1><p>Merci de patienter quelques secondes."
             b"</p><script>setTimeout(function(){location.reload()},5000)</script></body></html>")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


class HostileReplica(Replica):
    """The replica with per-article markup and encoding mischief."""

    def __init__(self, articles, mangle: dict[str, str], encodings: dict[str, str]) -> None:
        super().__init__(tuple(articles), per_page=10)
        self.mangle = mangle  # path → how the page's markup is spoiled
        self.encodings = encodings  # path → the charset the bytes are really in (labelled UTF-8)

    def article_page(self, article: FixtureArticle) -> Page:
        page = super().article_page(article)
        how = self.mangle.get(article.path)
        encoding = self.encodings.get(article.path)
        if not how and not encoding:
            return page
        text = page.body.decode("utf-8")
        if how == "malformed":
            # unclosed paragraphs, a stray </html> mid-page, nested forms around the sidebar
            text = (text.replace("</p>", "").replace("<main>", "<main></html>", 1)
                    .replace('<aside class="related">', '<form action="/x"><form action="/y"><aside class="related">', 1))
        elif how == "scripts":
            junk = ('<script>var pub = "Publié dans Faux Journal le 01 - 01 - 2000"; document.write(pub);</script>'
                    "<style>.story-body p { color: red; }</style>"
                    '<iframe src="https://ads.example/frame">Votre navigateur ne lit pas les cadres</iframe>'
                    "<noscript>Activez JavaScript</noscript>")
            text = text.replace("</p><p>", f"</p>{junk}<p>", 1)
        if encoding:
            return Page(200, "text/html; charset=UTF-8", text.encode(encoding, errors="xmlcharrefreplace"))
        return Page(page.status, page.content_type, text.encode("utf-8"))


def hostile_site(other_host: str) -> tuple[HostileReplica, dict[str, Fault], list[Case]]:
    spare = iter(generated_articles(40, seed=99, first_id=8_000_000, newest=dt.date(2025, 6, 25)))

    def article(**changes) -> FixtureArticle:
        return dataclasses.replace(next(spare), template="html5", **changes)

    arabic = article(kicker=None, published=dt.date(2022, 1, 3))  # old: in no sidebar of other pages
    arabic_text = ("الجزائر تستقبل الوفد في زيارة رسمية لتدشين مشاريع جديدة في الولاية",
                   "وأكد الوزير أن الأشغال ستنتهي قبل نهاية السنة الجارية حسب المصادر")
    cases = [
        Case("transient 503, then OK", article(), "recovered", fault=Status(status=503, times=2)),
        Case("transient 500, then OK", article(), "recovered", fault=Status(status=500, times=1)),
        Case("429 with Retry-After", article(), "recovered", fault=Status(status=429, retry_after="1", times=1)),
        Case("slower than DOWNLOAD_TIMEOUT", article(), "recovered", fault=Slow(seconds=4, times=1)),
        Case("connection reset mid-body", article(), "recovered", fault=ResetMidBody(times=1)),
        Case("truncated body", article(), "recovered", fault=Truncated(times=1)),
        Case("persistent 503", article(), "failure", "http_503", Status(status=503)),
        Case("404 article link", article(), "failure", "http_404", Status(status=404)),
        Case("redirect loop", article(), "failure", "redirect_loop", None),
        Case("redirect to another host", article(), "failure", "offsite_redirect", None),
        Case("page larger than DOWNLOAD_MAXSIZE", article(), "failure", "too_large", None),
        Case("PDF at an article URL", article(), "failure", "not_html",
             Replace(body=PDF, content_type="application/pdf")),
        Case("image at an article URL", article(), "failure", "not_html", Replace(body=PNG, content_type="image/png")),
        Case("challenge page (200, no article)", article(), "failure", "no_dateline",
             Replace(body=CHALLENGE, content_type="text/html; charset=utf-8")),
        Case("malformed HTML", article(), "stored"),
        Case("script, style, iframe in the body", article(), "stored"),
        Case("SQL and HTML metacharacters", article(
            title="'; DROP TABLE articles; -- <b>Gras</b> & \"guillemets\" &amp;",
            kicker="Rubrique « R&D » – l’<i>essentiel</i>",
            paragraphs=("Le texte cite R&D, <i>Le Monde</i> et 5 < 6 > 4, tel quel.", "Fin; -- commentaire")),
            "stored"),
        Case("windows-1252 labelled UTF-8", article(), "stored"),
        Case("windows-1256 labelled UTF-8 (French text)", article(), "stored"),
        Case("windows-1256 labelled UTF-8 (Arabic text)", dataclasses.replace(arabic, paragraphs=arabic_text,
             title="زيارة رسمية إلى الولاية"), "failure", "bad_encoding"),
    ]
    by_kind = {case.kind: case for case in cases}
    loop = by_kind["redirect loop"]
    loop.fault = Redirect(location=loop.article.path + "?boucle=1")
    offsite = by_kind["redirect to another host"]
    offsite.fault = Redirect(location=other_host.rstrip("/") + offsite.article.path)
    huge = by_kind["page larger than DOWNLOAD_MAXSIZE"]
    huge.fault = Replace(body=b"<html><body>" + b"<p>" + b"x" * 2_000_000 + b"</p></body></html>")

    mangle = {by_kind["malformed HTML"].article.path: "malformed",
              by_kind["script, style, iframe in the body"].article.path: "scripts"}
    encodings = {by_kind["windows-1252 labelled UTF-8"].article.path: "cp1252",
                 by_kind["windows-1256 labelled UTF-8 (French text)"].article.path: "cp1256",
                 by_kind["windows-1256 labelled UTF-8 (Arabic text)"].article.path: "cp1256"}
    replica = HostileReplica(list(ARTICLES) + [case.article for case in cases], mangle, encodings)
    faults = {case.article.path: case.fault for case in cases if case.fault is not None}
    return replica, faults, cases
