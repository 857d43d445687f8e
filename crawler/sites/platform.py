"""What every site of the platform shares (djazairess, turess, maghress, masress, sauress).

Everything here is data: the parsers in ``pipelines/`` read it and never hard-code a
string of the site. Facts marked [seen] come from real pages; [assumed] ones are guesses
kept here so that they can change in one place (see shared SITE.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LanguageText:
    """The fixed strings of one language of the platform."""

    code: str
    # "Publié dans L'Expression le 21 - 12 - 2022": the source name, then the date text.
    dateline: re.Pattern[str]
    # text of the link to the original article (matched after normalisation, as a substring)
    source_link: tuple[str, ...]
    # dialog and chrome sentences that must never reach a field
    boilerplate: tuple[str, ...]
    # texts of a listing's "next page" link
    next_page: tuple[str, ...]
    # the single-byte encoding that a mislabelled page of this language is most likely in
    legacy_encoding: str
    # dateparser locales for dates that are not in the site's own DD - MM - YYYY form
    date_locales: tuple[str, ...] = ()
    # the non-ASCII letters text of this language is written with (a regex class body): a page
    # decoded with the wrong single-byte charset is full of other letters
    native_letters: str = ""
    # literal pieces of the date line and of the source link, to find them fast (XPath contains())
    dateline_lead: str = ""
    source_link_anchor: str = ""
    # month names, January first (variants separated by "|"): "3 mars 2024" without dateparser
    months: tuple[str, ...] = ()


def _dateline(lead: str, joiner: str) -> re.Pattern[str]:
    # The source name is greedy so that a name starting with "Le " survives; the date
    # part follows the *last* joiner word.
    return re.compile(rf"^{lead}\s+(?P<source>.+)\s+{joiner}\s+(?P<date>[^\s].*?)\.?$", re.S)


FRENCH = LanguageText(
    code="fr",
    dateline=_dateline("Publié dans", "le"),  # [seen]
    source_link=("lire l'article depuis sa source",),  # [seen]
    boilerplate=(
        "Merci d'avoir signalé!",  # [seen]
        "Cette image sera automatiquement bloquée après qu'elle soit signalée par plusieurs personnes.",  # [seen]
        "Cliquez ici pour lire l'article depuis sa source.",  # [seen]
        "Signaler cette image",  # [assumed]
    ),
    next_page=("Suivant", "Page suivante", "»"),  # [assumed]
    legacy_encoding="windows-1252",
    date_locales=("fr",),
    native_letters="àâäæçéèêëîïôöœùûüÿÀÂÄÆÇÉÈÊËÎÏÔÖŒÙÛÜŸ",
    dateline_lead="Publié dans",
    source_link_anchor="depuis sa source",
    months=("janvier", "février|fevrier", "mars", "avril", "mai", "juin", "juillet", "août|aout",
            "septembre", "octobre", "novembre", "décembre|decembre"),
)

ARABIC = LanguageText(
    code="ar",
    dateline=_dateline("نشر في", "يوم"),  # [assumed]
    source_link=("اضغط هنا لقراءة المقال من مصدره",),  # [assumed]
    boilerplate=("شكرا على الإبلاغ!",),  # [assumed]
    next_page=("التالي", "»"),  # [assumed]
    legacy_encoding="windows-1256",
    date_locales=("ar-DZ",),
    native_letters="\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeffàâçéèêëîïôûùü",
)

ENGLISH = LanguageText(
    code="en",
    dateline=_dateline("Published in", "on"),  # [assumed]
    source_link=("read the article from its source",),  # [assumed]
    boilerplate=("Thanks for reporting!",),  # [assumed]
    next_page=("Next", "»"),  # [assumed]
    legacy_encoding="windows-1252",
    date_locales=("en",),
    native_letters="éèàçüöïëâêô",
)


@dataclass(frozen=True)
class SelectorSet:
    """CSS selectors of one known version of the article template.

    A set is used only when it finds the title, the date line and the body; otherwise the
    extractor falls back on the page's structure. ``version`` names the template so that
    the stats tell which one matched (a drifting template shows up there first).
    """

    version: str
    title: str
    dateline: str
    body: str
    kicker: str | None = None
    source_link: str | None = None


@dataclass(frozen=True)
class PlatformChrome:
    """Page furniture shared by the sites of the platform."""

    # the scrolling headline ticker: removed before anything is read [seen: marquee#marquee]
    ticker: str = "marquee, #marquee"
    # elements never read as article text (removed with their content, their tail text kept)
    noise_tags: tuple[str, ...] = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
                                   "select", "button", "textarea")
    # regions whose text is never the article (name fragments matched against id and class)
    region_names: tuple[str, ...] = (
        "sidebar", "teaser", "related", "widget", "menu", "comment", "share", "footer",
        "ticker", "marquee", "breadcrumb", "advert", "banner",
    )
    region_tags: tuple[str, ...] = ("aside", "nav", "footer")
    # a listing teaser: the container holding one article link (and maybe its date line)
    teaser: str = ".teasercontainer, .maincontainer, li.teaser, article.teaser"  # [seen] + [assumed]
    # links to newspapers [seen: a.teasernewspaper]; the menu is [assumed] for /fr
    newspaper_links: str = "a.teasernewspaper, .newspapers a, #newspapers a"
    hosts_prefix: str = "www."


PLATFORM = PlatformChrome()


@dataclass(frozen=True)
class Edition:
    """One edition of a site: its path prefix, its language, and its template versions."""

    prefix: str  # "" for the root edition
    language: LanguageText
    selector_sets: tuple[SelectorSet, ...] = ()
    # path segments that look like a newspaper slug but are not one
    reserved_slugs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Site:
    name: str
    base_url: str
    editions: dict[str, Edition] = field(default_factory=dict)
    chrome: PlatformChrome = PLATFORM

    def edition(self, key: str) -> Edition:
        try:
            return self.editions[key]
        except KeyError:
            known = ", ".join(sorted(self.editions))
            raise ValueError(f"site {self.name!r} has no edition {key!r} (known: {known})") from None


# Path segments the platform uses for its own pages [seen: author, rss, video; the rest assumed]
PLATFORM_RESERVED = frozenset(
    {"author", "rss", "video", "search", "about", "advertisement", "widget", "city", "faces",
     "resources", "fr", "en", "ar", "page", "tag", "topics"}
)
