"""Stage 2 – one parse per page, fields found by meaning.

First the edition's selector sets (known template versions). Where none of them finds a
title, a date line and a body, the page's structure decides: the page is read as a flat
run of text lines (block elements and <br> split it), the article's date line is the line
matching the language's date-line pattern that has a non-link title line above it, the
title is the main heading among the lines just above it, the kicker the short line
between them, the body the lines after it up to the "read it at the source" link.
The headline ticker and the page's script/style are removed before anything is read, and
sidebars, menus and footers are never read as the article.

``extract_page`` is a pure function (HTML in, fields out) so that it is tested on fixture
pages without a network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

from cssselect import HTMLTranslator
from lxml import etree

from crawler.items import Draft
from crawler.sites import get_site
from crawler.sites.platform import Edition, LanguageText, PlatformChrome, SelectorSet
from crawler.text import fold, normalise, split_dateline
from pipelines.base import Stage

BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul marquee caption".split()
)
HEADINGS = {f"h{n}": n for n in range(1, 7)}
MAX_LINES_ABOVE_DATELINE = 4
# libxml2 drops everything after a stray </html> or </body>; browsers ignore them. So do we.
_EARLY_END = re.compile(rb"</(?:html|body)\s*>", re.I)
_TITLE_SEPARATORS = re.compile(r"\s+[-|–—:]\s+")


@dataclass(slots=True)
class Line:
    """A run of text between two block boundaries."""

    text: str
    heading: int = 0  # 1–6 inside <hN>, else 0
    link_chars: int = 0
    hrefs: tuple[str, ...] = ()
    region: bool = False  # inside a sidebar, menu, footer…
    in_article: bool = False  # inside <article> or <main>

    @property
    def link_share(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


@dataclass
class Fields:
    title: str | None = None
    kicker: str | None = None
    dateline: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    source_url: str | None = None
    ticker: list[str] = field(default_factory=list)
    method: str = "none"


# -- parsing and chrome ------------------------------------------------------------------
def parse_html(page: bytes | str, encoding: str = "utf-8") -> etree._Element:
    """Parse the page's bytes in the charset the decode stage proved right (str: UTF-8)."""
    if isinstance(page, str):
        page = page.encode("utf-8")
    if _closes_early(page):
        page = _EARLY_END.sub(b"", page)
    # plain etree elements: lxml.html's element classes cost a lookup at every node visited
    root = etree.fromstring(page, _parser(encoding)) if page.strip() else None
    return root if root is not None else etree.fromstring(b"<html><body></body></html>", _parser("utf-8"))


def _closes_early(page: bytes) -> bool:
    """Is there a </html> or </body> before the last few bytes? (bytes.find is memchr-fast)"""
    lowered = page.lower()
    end = len(page) - 64
    return 0 <= lowered.find(b"</html") < end or 0 <= lowered.find(b"</body") < end


@lru_cache(maxsize=16)
def _parser(encoding: str) -> etree.HTMLParser:
    return etree.HTMLParser(encoding=encoding, remove_comments=True, remove_pis=True)


@lru_cache(maxsize=256)
def _xpath(css: str) -> etree.XPath:
    return etree.XPath(HTMLTranslator().css_to_xpath(css))


def _text(element: etree._Element) -> str:
    return normalise("".join(element.itertext()))


def strip_chrome(root: etree._Element, chrome: PlatformChrome) -> list[str]:
    """Remove the ticker and non-text nodes; return the ticker's text (its headlines run
    together, for the clean stage's last check)."""
    etree.strip_elements(root, *chrome.noise_tags, with_tail=False)  # in C: the bulk of a page's bytes
    texts: list[str] = []
    for ticker in _xpath(chrome.ticker)(root):
        texts.append(normalise(" ".join(ticker.itertext())))
        _remove(ticker)
    return texts


def _remove(node: etree._Element) -> None:
    parent = node.getparent()
    if parent is None:
        return
    # keep the tail text: it belongs to the parent, not to the removed node
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


# -- the flat run of lines ------------------------------------------------------------------
class _LineWriter:
    def __init__(self, chrome: PlatformChrome) -> None:
        self.lines: list[Line] = []
        self._parts: list[str] = []
        self._link_chars = 0
        self._hrefs: list[str] = []
        self._context = (0, False, False)
        self._region_names = _region_pattern(chrome.region_names)
        self._region_tags = frozenset(chrome.region_tags)

    def is_region(self, element: etree._Element, in_article: bool) -> bool:
        tag = element.tag
        if tag in self._region_tags or (tag == "header" and not in_article):
            return True
        names = element.get("class") or ""
        if element.get("id"):
            names = f"{names} {element.get('id')}"
        return bool(names) and self._region_names.search(names) is not None

    def add(self, text: str | None, href: str | None, context: tuple[int, bool, bool]) -> None:
        if not text:
            return
        if not self._parts:
            self._context = context
        self._parts.append(text)
        if href is not None:
            self._link_chars += len(text.strip())
            if href not in self._hrefs:
                self._hrefs.append(href)

    def flush(self) -> None:
        if self._parts:
            text = normalise("".join(self._parts))
            if text:
                heading, region, in_article = self._context
                self.lines.append(
                    Line(text, heading, min(self._link_chars, len(text)), tuple(self._hrefs), region, in_article)
                )
        self._parts.clear()
        self._hrefs.clear()
        self._link_chars = 0

    def walk(self, element: etree._Element, heading: int = 0, region: bool = False,
             in_article: bool = False, href: str | None = None) -> None:
        tag = element.tag
        if not isinstance(tag, str):  # comment or processing instruction
            return
        if tag == "br":
            self.flush()
            return
        block = tag in BLOCK_TAGS
        if block:
            self.flush()
        in_article = in_article or tag in ("article", "main")
        heading = heading or HEADINGS.get(tag, 0)
        if not region and self.is_region(element, in_article):
            # a sidebar, menu or footer is never the article: one boundary line stands for it
            self.flush()
            self.lines.append(Line("", region=True, in_article=in_article))
            return
        if tag == "a":
            href = element.get("href", "")
        context = (heading, region, in_article)
        self.add(element.text, href, context)
        for child in element:
            self.walk(child, heading, region, in_article, href)
            self.add(child.tail, href, context)
        if block:
            self.flush()


@lru_cache(maxsize=8)
def _text_finder(lead: str, anchor: str) -> tuple[etree.XPath, etree.XPath]:
    def finder(text: str) -> etree.XPath:
        literal = f"'{text}'" if "'" not in text else f'"{text}"'
        return etree.XPath(f".//text()[contains(., {literal})]/..")

    return finder(lead), finder(anchor)


@lru_cache(maxsize=8)
def _region_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, names)), re.I)


def page_lines(element: etree._Element, chrome: PlatformChrome) -> list[Line]:
    writer = _LineWriter(chrome)
    writer.walk(element)
    writer.flush()
    return writer.lines


# -- finding the article --------------------------------------------------------------------
class Reader:
    """Reads one page of one edition: selector sets first, structure second."""

    def __init__(self, edition: Edition, chrome: PlatformChrome) -> None:
        self.edition = edition
        self.language: LanguageText = edition.language
        self.chrome = chrome
        self._boilerplate = frozenset(fold(b) for b in self.language.boilerplate)
        self._boilerplate_sizes = range(min(map(len, self._boilerplate), default=0) - 2,
                                        max(map(len, self._boilerplate), default=0) + 3)
        self._source_link = tuple(fold(s) for s in self.language.source_link)

    def is_boilerplate(self, text: str) -> bool:
        return len(text) in self._boilerplate_sizes and fold(text) in self._boilerplate

    def is_source_link(self, line: Line) -> bool:
        folded = fold(line.text)
        return bool(line.hrefs) and any(s in folded for s in self._source_link)

    def is_dateline(self, text: str) -> bool:
        return split_dateline(text, self.language) is not None

    def read(self, html: bytes | str, url: str, use_selectors: bool = True, encoding: str = "utf-8") -> Fields:
        root = parse_html(html, encoding)
        ticker = strip_chrome(root, self.chrome)
        hints = _title_hints(root)
        fields = None
        if use_selectors:
            for selector_set in self.edition.selector_sets:
                fields = self._by_selectors(root, selector_set, url)
                if fields:
                    break
        if fields is None:
            body = root.find("body")
            body = body if body is not None else root
            article = self._article_container(body)
            if article is not None:  # most pages: read only the article's own container
                fields = self._by_structure(page_lines(article, self.chrome), hints, url)
            if fields is None or fields.title is None:
                fields = self._by_structure(page_lines(body, self.chrome), hints, url)
        fields.ticker = ticker
        return fields

    # the known templates
    def _by_selectors(self, root: etree._Element, selectors: SelectorSet, url: str) -> Fields | None:
        title = _first_text(root, selectors.title)
        dateline = _first_text(root, selectors.dateline)
        bodies = _xpath(selectors.body)(root)
        if not title or not dateline or not bodies or not self.is_dateline(dateline):
            return None
        paragraphs = [
            line.text
            for element in bodies
            for line in page_lines(element, self.chrome)
            if self._is_body_text(line)
        ]
        kicker = _first_text(root, selectors.kicker) if selectors.kicker else None
        source_url = None
        if selectors.source_link:
            found = _xpath(selectors.source_link)(root)
            if found and found[0].get("href"):
                source_url = urljoin(url, found[0].get("href").strip())
        if source_url is None:
            source_url = self._source_url(page_lines(root, self.chrome), url)
        return Fields(title, kicker or None, dateline, paragraphs, source_url, method=f"selectors:{selectors.version}")

    def _is_body_text(self, line: Line) -> bool:
        return (
            not line.region
            and line.link_share <= 0.5
            and not self.is_boilerplate(line.text)
            and not self.is_source_link(line)
        )

    def _source_url(self, lines: list[Line], url: str) -> str | None:
        for line in lines:
            if self.is_source_link(line):
                return urljoin(url, line.hrefs[0].strip())
        return None

    # the page's structure
    def _article_container(self, body: etree._Element) -> etree._Element | None:
        """The smallest element holding a date line and the source link: the article's own
        container, found with two XPath text searches instead of reading the whole page.
        (A sidebar's date lines are far from the source link: their container is larger.)"""
        lead, anchor = self.language.dateline_lead, self.language.source_link_anchor
        if not lead or not anchor:
            return None
        finder = _text_finder(lead, anchor)
        datelines, links = finder[0](body), finder[1](body)
        if not datelines or not links:
            return None
        link_chain = {links[0], *links[0].iterancestors()}
        best, best_depth = None, -1
        for element in datelines:
            for ancestor in (element, *element.iterancestors()):
                if ancestor in link_chain:  # the lowest common ancestor with the source link
                    depth = sum(1 for _ in ancestor.iterancestors())
                    if depth > best_depth:
                        best, best_depth = ancestor, depth
                    break
        return best

    def _by_structure(self, lines: list[Line], hints: list[str], url: str) -> Fields:
        best: tuple[tuple[int, int], int, int] | None = None
        for index, line in enumerate(lines):
            if line.region or not self.is_dateline(line.text):
                continue
            title_index = self._title_above(lines, index, hints)
            if title_index is None:
                continue
            rank = (int(self._matches_hint(lines[title_index].text, hints)), int(lines[title_index].in_article))
            if best is None or rank > best[0]:
                best = (rank, index, title_index)
        if best is None:
            return Fields(method="structure")
        _, date_index, title_index = best
        title = lines[title_index]
        kicker = " ".join(line.text for line in lines[title_index + 1:date_index]) or None
        paragraphs, source_url = self._body_below(lines, date_index, title.heading, url)
        return Fields(title.text, kicker, lines[date_index].text, paragraphs, source_url, method="structure")

    def _title_above(self, lines: list[Line], date_index: int, hints: list[str]) -> int | None:
        """Index of the title line above a date line, or None when there is none."""
        above: list[int] = []
        for index in range(date_index - 1, max(-1, date_index - 1 - MAX_LINES_ABOVE_DATELINE), -1):
            line = lines[index]
            if (line.region or line.link_share > 0.5 or self.is_boilerplate(line.text)
                    or self.is_dateline(line.text)):
                break
            above.insert(0, index)
        if not above:
            return None
        for index in above:
            if self._matches_hint(lines[index].text, hints):
                return index
        headed = [i for i in above if lines[i].heading]
        if headed:
            return min(headed, key=lambda i: (lines[i].heading, i))
        return above[-2] if len(above) >= 2 else above[-1]

    def _body_below(self, lines: list[Line], date_index: int, title_heading: int,
                    url: str) -> tuple[list[str], str | None]:
        paragraphs: list[str] = []
        for line in lines[date_index + 1:]:
            if self.is_source_link(line):
                return paragraphs, urljoin(url, line.hrefs[0].strip())
            if self.is_dateline(line.text) and not line.in_article:
                break  # the next teaser of a list, not our article
            if paragraphs and title_heading and line.heading and line.heading <= title_heading:
                break  # a heading as strong as the title opens another section
            if self._is_body_text(line):
                paragraphs.append(line.text)
        return paragraphs, None

    @staticmethod
    def _matches_hint(text: str, hints: list[str]) -> bool:
        folded = fold(text)
        return any(folded == hint or hint.startswith(folded) and _TITLE_SEPARATORS.match(hint, len(folded))
                   for hint in hints)


def _first_text(root: etree._Element, css: str | None) -> str | None:
    if not css:
        return None
    found = _xpath(css)(root)
    return _text(found[0]) if found else None


def _title_hints(root: etree._Element) -> list[str]:
    """What the page says its title is (<title>, og:title), folded: a tie-breaker only."""
    hints = [fold(v) for v in root.xpath("//meta[@property='og:title']/@content") if v.strip()]
    hints += [fold(_text(t)) for t in root.xpath("//head/title") if _text(t)]
    return hints


@lru_cache(maxsize=32)
def reader_for(site: str, edition: str) -> Reader:
    site_def = get_site(site)
    return Reader(site_def.edition(edition), site_def.chrome)


def extract_page(html: bytes | str, url: str, site: str = "djazairess", edition: str = "fr",
                 use_selectors: bool = True, encoding: str = "utf-8") -> Fields:
    return reader_for(site, edition).read(html, url, use_selectors, encoding)


class ExtractStage(Stage):
    def process_item(self, item: Draft) -> Draft:
        fields = reader_for(item.site, item.edition).read(item.body, item.url, encoding=item.text_encoding)
        item.body = b""  # the page is not needed past this stage
        item.title, item.kicker, item.dateline = fields.title, fields.kicker, fields.dateline
        item.paragraphs, item.source_url = fields.paragraphs, fields.source_url
        item.ticker, item.method = fields.ticker, fields.method
        self.stats.inc_value(f"extract/method/{fields.method}")
        return item
