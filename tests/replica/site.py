"""Renders the replica of djazairess.com/fr: every page the spider may meet, as bytes.

The shape follows SITE.md: the <marquee> headline ticker with &nbsp; separators and
empty links, the image-report dialog, title, optional kicker, date line, body, the link
to the source, a sidebar of teasers (with their own date lines), newspaper listings
paginated by "next" links, RSS feeds, author pages. Articles come in three markups
(``jsf2018``: the platform's old class names; ``html5``: semantic tags, other classes;
``soup``: obfuscated classes, no marquee, dates in words) so that the extractor's
fallbacks are exercised, not just its selectors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from urllib.parse import quote_plus

from tests.replica.articles import ARTICLES, BROKEN_PAGES, NEWSPAPERS, TICKER_EXTRAS, TICKER_PATHS, FixtureArticle

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
NBSP4 = "&nbsp;" * 4


@dataclass(frozen=True)
class Page:
    status: int
    content_type: str
    body: bytes


def e(text: str | None) -> str:
    return escape(text or "", quote=True)


def site_date(day: dt.date) -> str:
    return f"{day.day:02d} - {day.month:02d} - {day.year}"


def words_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def dateline_text(article: FixtureArticle) -> str:
    when = words_date(article.published) if article.date_in_words else site_date(article.published)
    return f"Publié dans {article.source} le {when}"


def _ballast() -> str:
    """Scripts (in <head>) and a JSF view state (first in <body>) of the weight the real pages carry."""
    import base64
    import random

    rng = random.Random(5)
    slots = "".join(
        f"googletag.defineSlot('/21620968445/Djazairess_Fr_{n}', [[728, 90], [300, 250]], 'div-gpt-ad-{rng.randrange(10**9)}-0')"
        ".addService(googletag.pubads());\n" for n in range(120))
    state = base64.b64encode(rng.randbytes(22_000)).decode()
    return (f"<script type='text/javascript'>googletag.cmd.push(function() {{\n{slots}googletag.enableServices();}});</script>"
            f'<script type="text/javascript">var _gaq = _gaq || []; /* {"x" * 2000} */</script>'
            "</head><body>"
            f'<form id="j_idt26" method="post" action="/faces/index.xhtml"><input type="hidden" '
            f'name="javax.faces.ViewState" value="{state}" autocomplete="off" /></form>')


def author_path(name: str, plus_encoded: bool = False) -> str:
    path = "/fr/author/" + quote_plus(name)
    return path.replace("+", "%2B") if plus_encoded else path


class Replica:
    """The site as data. ``articles`` can be changed between crawls (tests of later runs)."""

    def __init__(self, articles: tuple[FixtureArticle, ...] = ARTICLES, per_page: int = 3,
                 broken_pages: dict[str, str] | None = None, heavy: bool = False) -> None:
        self.articles = list(articles)
        self.per_page = per_page
        self.broken_pages = dict(BROKEN_PAGES if broken_pages is None else broken_pages)
        # heavy: the real site's page weight (~60-70 KB): a 50-headline ticker, 20 sidebar
        # teasers, ad and analytics scripts, a JSF view state – for benchmarks
        self.heavy = heavy
        self._ballast = _ballast() if heavy else ""

    # -- what the site holds -----------------------------------------------------------------
    def listed(self, newspaper: str | None = None) -> list[FixtureArticle]:
        key = (newspaper, len(self.articles), id(self.articles[-1]) if self.articles else 0)
        cache = self.__dict__.setdefault("_listed", {})
        if key not in cache:  # rendering a big replica asks this thousands of times
            found = [a for a in self.articles if a.in_listings and (newspaper is None or a.newspaper == newspaper)]
            cache[key] = sorted(found, key=lambda a: (a.published, a.article_id), reverse=True)
        return cache[key]

    def newspapers(self) -> list[str]:
        return [slug for slug in NEWSPAPERS if any(a.newspaper == slug for a in self.articles)]

    def ticker_links(self) -> list[tuple[str, str]]:
        key = (len(self.articles), id(self.articles[-1]) if self.articles else 0)
        cache = self.__dict__.setdefault("_ticker", {})
        if key not in cache:  # every page shows it: compute it once per render
            cache.clear()
            cache[key] = self._ticker_links()
        return cache[key]

    def _ticker_links(self) -> list[tuple[str, str]]:
        by_path = {a.path: a for a in self.articles}
        links = [(p, by_path[p].title) for p in TICKER_PATHS if p in by_path]
        links += [(p, t) for p, t in TICKER_EXTRAS if p in by_path or p in self.broken_pages]
        if self.heavy:
            links += [(a.path, a.title) for a in self.listed()[:45]]
        return links

    # -- all pages ------------------------------------------------------------------------------
    def pages(self, base_url: str) -> dict[str, Page]:
        return dict(self.iter_pages(base_url))

    def iter_pages(self, base_url: str) -> Iterator[tuple[str, Page]]:
        """Every page as (path with query, page), one at a time (a big replica does not fit in memory)."""
        for cache in ("_listed", "_newest", "_ticker"):
            self.__dict__.pop(cache, None)
        base = base_url.rstrip("/")
        yield "/robots.txt", Page(200, "text/plain", b"User-agent: *\nDisallow: /fr/search\nDisallow: /faces/\n")
        yield "/fr", self._html(self.home(base))
        yield "/fr/rss", self._rss(self.feed(base, None))
        yield "/fr/about", self._html(self._shell("À propos", "<p>Djazairess reprend les articles de la presse algérienne.</p>"))
        for slug in self.newspapers():
            listed = self.listed(slug)
            page_count = max(1, -(-len(listed) // self.per_page))
            for number in range(1, page_count + 1):
                key = f"/fr/{slug}" + (f"?page={number}" if number > 1 else "")
                yield key, self._html(self.listing(slug, number, page_count))
            yield f"/fr/{slug}/rss", self._rss(self.feed(base, slug))
        authors = sorted({a.author for a in self.articles if a.author})
        for name in authors:
            page = self._html(self.author_page(name))
            yield author_path(name), page
            yield author_path(name, plus_encoded=True), page
        for article in self.articles:
            yield article.path, self.article_page(article)
        for path, title in self.broken_pages.items():
            yield path, self._html(self._shell(title, f"<h2>{e(title)}</h2><p>Contenu momentanément indisponible.</p>"))

    @staticmethod
    def _html(text: str, charset: str = "utf-8") -> Page:
        return Page(200, f"text/html; charset={charset}", text.encode(charset, errors="xmlcharrefreplace"))

    @staticmethod
    def _rss(text: str) -> Page:
        return Page(200, "application/rss+xml; charset=utf-8", text.encode("utf-8"))

    # -- shared chrome --------------------------------------------------------------------------
    def ticker(self, separated_only: bool = False) -> str:
        links = NBSP4.join(f'<a href="{e(p)}">{e(t)}</a>' for p, t in self.ticker_links()) + NBSP4
        if separated_only:  # the "soup" template: no <marquee>, just a run of links
            return links
        return f'<marquee direction="left" id="marquee" onmouseover="this.stop();"><span class="marquee">{links}</span></marquee>'

    def menu(self) -> str:
        papers = "".join(f'<li><a href="/fr/{s}">{e(NEWSPAPERS[s])}</a></li>' for s in self.newspapers())
        return (
            '<div id="centeredmenu"><ul><li><a href="/fr">Accueil</a></li>'
            '<li><a href="/fr/politique">Politique</a></li><li><a href="/fr/economie">Économie</a></li>'
            '<li><a href="/fr/sport">Sport</a></li><li><a href="/fr/culture">Culture</a></li>'
            f'<li><span>Journaux</span><ul class="newspapers">{papers}</ul></li></ul></div>'
        )

    def teaser(self, article: FixtureArticle, href: str | None = None, with_date: bool = True) -> str:
        href = e(href or article.path)
        lead = e(article.paragraphs[0][:120].rsplit(" ", 1)[0]) + " (...)"
        author = (f'<a class="teaserauthor" href="{e(author_path(article.author))}">{e(article.author)}</a> '
                  if article.author else "")
        date = f'<span class="teaserdate">{e(dateline_text(article))}</span>' if with_date else ""
        return (
            f'<div class="teasercontainer"><a class="teasertitle" href="{href}">{e(article.title)}</a><br/>'
            f'<a class="teasersubtitle" href="{href}">{e(article.kicker)}</a>'
            f'<div class="teaserlead">{lead}</div>{author}'
            f'<a class="teasernewspaper" href="/fr/{article.newspaper}">{e(article.source)}</a> {date}</div>'
        )

    def sidebar_articles(self, exclude: FixtureArticle | None = None) -> list[FixtureArticle]:
        if not hasattr(self, "_newest"):
            self._newest = self.listed()[:21]
        return [a for a in self._newest if a is not exclude][:20 if self.heavy else 4]

    def _shell(self, title: str, main: str, sidebar: str = "") -> str:
        return (
            "<?xml version='1.0' encoding='UTF-8' ?>\n<!DOCTYPE html>\n"
            '<html xmlns="http://www.w3.org/1999/xhtml"><head>'
            '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />'
            f"<title>{e(title)} - Djazairess</title>"
            '<link rel="alternate" type="application/rss+xml" href="/fr/rss" />'
            "<script type=\"text/javascript\">var _gaq = _gaq || []; _gaq.push(['_trackPageview']);</script>"
            "</head><body>"
            '<div id="header"><a href="/fr"><img src="/resources/logo-fr.png" alt="Djazairess" /></a>'
            '<form id="searchform" action="/fr/search"><input name="q" /><select><option>Titre</option><option>Auteur</option></select></form></div>'
            f'{self.menu()}<div id="belowheader">{self.ticker()}<br /><br />'
            f'<div id="sideBar">{sidebar}</div><div id="mainContent">{main}</div></div>'
            '<div id="footer">© Djazairess – la presse algérienne au quotidien. <a href="/fr/about">À propos</a></div>'
            "</body></html>"
        )

    # -- pages ----------------------------------------------------------------------------------
    def home(self, base: str) -> str:
        host_relative = base.split(":", 1)[1]  # //127.0.0.1:port
        teasers = []
        for index, article in enumerate(self.listed()[:12]):
            href = article.path
            if article.tracking_link:
                href += "?utm_source=facebook&utm_medium=social&fbclid=AbC123#commentaires"
            elif index == 1:
                href = f"{host_relative}{article.path}/"  # protocol-relative, trailing slash
            elif index == 2:
                href = f"{base.replace('http://', 'HTTP://')}{article.path}?"
            teasers.append(self.teaser(article, href, with_date=False))
        tracked = [a for a in self.listed() if a.tracking_link and a not in self.listed()[:12]]
        teasers += [self.teaser(a, a.path + "?utm_source=newsletter&utm_campaign=juin", with_date=False) for a in tracked]
        main = (
            '<div class="pagetitlewraper"><span class="pagetitle">À la une</span>'
            '<a href="/fr/rss"><img class="rssimage" src="/resources/rss.png" alt="rss" /></a></div>'
            + "".join(teasers)
        )
        return self._shell("L'actualité algérienne", main)

    def listing(self, slug: str, number: int, page_count: int) -> str:
        listed = self.listed(slug)
        chunk = listed[(number - 1) * self.per_page: number * self.per_page]
        links = []
        if number > 1:
            previous = f"/fr/{slug}" + (f"?page={number - 1}" if number > 2 else "")
            links.append(f'<a href="{previous}">Précédent</a>')
        links += [f'<a href="/fr/{slug}?page={n}">{n}</a>' for n in range(1, page_count + 1) if n != number]
        if number < page_count:
            # two styles of "next" link, both seen on the web: rel=next, or only the word
            if list(NEWSPAPERS).index(slug) % 2 == 0:
                links.append(f'<a rel="next" href="?page={number + 1}">Suivant »</a>')
            else:
                links.append(f'<a href="/fr/{slug}?page={number + 1}">Suivant</a>')
        main = (
            f'<div class="pagetitlewraper"><span class="pagetitle">{e(NEWSPAPERS[slug])}</span>'
            f'<a href="/fr/{slug}/rss"><img class="rssimage" src="/resources/rss.png" alt="rss" /></a></div>'
            + "".join(self.teaser(a) for a in chunk)
            + f'<div class="pagination">{" ".join(links)}</div>'
        )
        return self._shell(NEWSPAPERS[slug], main)

    def author_page(self, name: str) -> str:
        written = [a for a in self.listed() if a.author == name]
        return self._shell(name, f'<span class="pagetitle">{e(name)}</span>' + "".join(self.teaser(a) for a in written))

    def feed(self, base: str, slug: str | None) -> str:
        items = []
        for article in self.listed(slug)[:10]:
            stamp = dt.datetime.combine(article.published, dt.time(8, 30), dt.UTC)
            items.append(
                f"<item><title>{e(article.title)}</title>"
                f"<link>{e(base + article.path)}?utm_source=rss&amp;utm_medium=feed</link>"
                f"<dc:creator>{e(article.source)}</dc:creator>"
                f"<description>{e(article.paragraphs[0][:150])} (...)</description>"
                f"<pubDate>{stamp.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
            )
        title = NEWSPAPERS[slug] if slug else "Djazairess"
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel><title>{e(title)}</title><link>{e(base)}/fr</link><description>Djazairess</description>"
            + "".join(items) + "</channel></rss>"
        )

    def article_page(self, article: FixtureArticle) -> Page:
        render = {"jsf2018": self._jsf2018, "html5": self._html5, "soup": self._soup}[article.template]
        text = render(article)
        if self._ballast:
            text = text.replace("</head><body>", self._ballast, 1)
        if article.encoding == "windows-1252":
            text = text.replace("encoding='UTF-8'", "encoding='windows-1252'").replace("charset=UTF-8", "charset=windows-1252")
            return Page(200, "text/html; charset=windows-1252", text.encode("cp1252", errors="xmlcharrefreplace"))
        if article.encoding == "windows-1252-as-utf-8":  # mislabelled, as seen once on the real site
            return Page(200, "text/html; charset=UTF-8", text.encode("cp1252", errors="xmlcharrefreplace"))
        return self._html(text)

    @staticmethod
    def _dialog(curly: bool = False) -> str:
        apostrophe = "’" if curly else "'"
        return (
            f'<div id="reportDialog" class="ui-dialog" style="display:none"><span>Merci d{apostrophe}avoir signalé!</span><br />'
            f"Cette image sera automatiquement bloquée après qu{apostrophe}elle soit signalée par plusieurs personnes.</div>"
        )

    def _sidebar(self, article: FixtureArticle) -> str:
        return "".join(self.teaser(a) for a in self.sidebar_articles(article))

    def _jsf2018(self, article: FixtureArticle) -> str:
        body = "<br /><br />".join(e(p) for p in article.paragraphs[:-1])
        last = e(article.paragraphs[-1])
        main = (
            f'{self._dialog()}<img class="articleimage" src="//images2.djazairess.com{article.path}" alt="{e(article.title)}" /><br />'
            f'<span class="articletitle">{e(article.title)}</span><br />'
            f'<span class="articlesubtitle">{e(article.kicker)}</span><br />'
            f'<span class="articlenewspaper">Publié dans <a href="/fr/{article.newspaper}">{e(article.source)}</a> '
            f"le {site_date(article.published)}</span><br /><br />"
            f'<span class="articlecontent">{body}</span><br /><br />'
            f'<span class="articlecontent">{last}</span><br /><br />'
            f'<a class="articlesource" href="{e(article.source_url)}" target="_blank">Cliquez ici pour lire l\'article depuis sa source.</a>'
        )
        shell = self._shell(article.title, main, self._sidebar(article))
        return shell.replace("<title>", f'<meta property="og:title" content="{e(article.title)}" /><title>', 1)

    def _html5(self, article: FixtureArticle) -> str:
        kicker = f'<p class="story-dek">{e(article.kicker)}</p>' if article.kicker else ""
        when = site_date(article.published).replace(" ", "&nbsp;")  # no-break spaces in the date
        paragraphs = []
        for index, paragraph in enumerate(article.paragraphs):
            text = e(paragraph)
            if index == 0 and " " in text:  # inline markup inside a paragraph
                first, rest = text.split(" ", 1)
                text = f"<strong>{first}</strong> {rest}"
            paragraphs.append(f"<p>{text}</p>")
        related = "".join(
            f'<li><a href="{a.path}">{e(a.title)}</a><p class="meta">{e(dateline_text(a))}</p></li>'
            for a in self.sidebar_articles(article)
        )
        papers = "".join(f'<a href="/fr/{s}">{e(NEWSPAPERS[s])}</a>' for s in self.newspapers())
        return (
            '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
            f"<title>{e(article.title)} | Djazairess</title>"
            '<style>.story-title{font-size:2em}</style><script>window.dataLayer=[];</script></head><body>'
            f'<header class="site-header"><a class="logo" href="/fr">Djazairess</a><nav>{papers}</nav></header>'
            f'<div class="breaking"><marquee behavior="scroll">{NBSP4.join(f"<a href={chr(34)}{e(p)}{chr(34)}>{e(t)}</a>" for p, t in self.ticker_links())}</marquee></div>'
            '<div class="layout"><main>'
            f'{self._dialog(curly=True)}'
            '<article class="story"><figure><img src="/images/photo.jpg" alt=""><figcaption>Photo : D. R.</figcaption></figure>'
            f'<header><h1 class="story-title">{e(article.title)}</h1>{kicker}'
            f'<p class="story-meta">Publié dans <a href="/fr/{article.newspaper}">{e(article.source)}</a> le {when}</p></header>'
            f'<div class="story-body">{"".join(paragraphs)}</div>'
            f'<p class="story-source"><a href="{e(article.source_url)}" rel="nofollow">Cliquez ici pour lire l’article depuis sa source.</a></p>'
            '<div class="share-buttons"><a href="#">Facebook</a> <a href="#">X</a></div>'
            "</article></main>"
            f'<aside class="related"><h2>À lire aussi</h2><ul>{related}</ul></aside></div>'
            '<footer><p>© Djazairess 2025</p><p>Publié dans Djazairess le 01 - 01 - 2025</p></footer>'
            "</body></html>"
        )

    def _soup(self, article: FixtureArticle) -> str:
        when = words_date(article.published) if article.date_in_words else site_date(article.published)
        kicker = f'<div class="k2"><i>{e(article.kicker)}</i></div>' if article.kicker else ""
        body = "<br><br>".join(e(p) for p in article.paragraphs)
        side = "".join(
            f'<div class="q1"><a href="{a.path}">{e(a.title)}</a><br><a href="{a.path}">{e(a.kicker)}</a><br>'
            f"{e(dateline_text(a))}<br>{e(a.paragraphs[0][:80])}</div>"
            for a in self.sidebar_articles(article)
        )
        return (
            '<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8">'
            f"<title>{e(article.title)} - Djazairess</title></head><body>"
            '<div class="z0"><h1 class="z1"><a href="/fr">DJAZAIRESS</a></h1></div>'
            f'<div class="z3">{self.ticker(separated_only=True)}</div>'
            '<div class="z4"><a href="/fr">Accueil</a> | <a href="/fr/economie">Économie</a></div>'
            f'<table class="z5"><tr><td class="z6">{side}</td><td class="z7">'
            f'<div class="z8">Merci d\'avoir signalé!<br>Cette image sera automatiquement bloquée après qu\'elle soit signalée par plusieurs personnes.</div>'
            f'<h2 class="z9">{e(article.title)}</h2>{kicker}'
            f'<div class="z10"><small>Publié dans <b>{e(article.source)}</b> le {when}</small></div>'
            f'<div class="z11">{body}</div>'
            f'<div class="z12"><a href="{e(article.source_url)}">Cliquez ici</a> pour lire l\'article depuis sa source.</div>'
            '</td></tr></table><div class="z13">Tous droits réservés © 2025 Djazairess<br>Contact | Publicité</div>'
            "</body></html>"
        )
