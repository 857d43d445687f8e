"""Extraction without a network: fixture pages with expected JSON, and every replica page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.items import Article
from pipelines.base import Dropped
from crawler.sites.platform import FRENCH
from pipelines.decode import decode_body
from pipelines.extract import extract_page
from pipelines.offline import OfflineChain
from tests.replica import ARTICLES, Replica
from tests.replica.articles import NEWSPAPERS

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "djazairess" / "fr").glob("*.json"))
BASE = "https://www.djazairess.com"
BOILERPLATE = (
    "Merci d'avoir signalé", "Merci d’avoir signalé", "Cette image sera automatiquement bloquée",
    "Cliquez ici", "lire l'article depuis sa source", "lire l’article depuis sa source",
)


def as_dict(article: Article) -> dict:
    return {
        "url": article.url, "title": article.title, "kicker": article.kicker, "source": article.source,
        "source_slug": article.source_slug, "source_url": article.source_url,
        "published_on": article.published_on.isoformat(), "body": article.body, "language": article.language,
    }


@pytest.fixture(scope="module")
def chain() -> OfflineChain:
    return OfflineChain()


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_fixture_page_gives_exact_fields(fixture: Path, chain: OfflineChain) -> None:
    expected = json.loads(fixture.read_text(encoding="utf-8"))
    result = chain.run_html(expected.pop("url") if "dropped" in expected else expected["url"],
                            fixture.with_suffix(".html").read_bytes(), expected.pop("content_type"))
    if "dropped" in expected:
        assert isinstance(result, Dropped)
        assert result.reason == expected["dropped"]
        return
    assert isinstance(result, Article), f"dropped: {result}"
    assert as_dict(result) == expected


@pytest.mark.parametrize("fixture", [f for f in FIXTURES if "dropped" not in f.stem], ids=lambda p: p.stem)
def test_structure_alone_finds_the_same_fields(fixture: Path) -> None:
    """With every selector set switched off, the page's structure must give the same fields."""
    expected = json.loads(fixture.read_text(encoding="utf-8"))
    html = fixture.with_suffix(".html").read_bytes()
    text, _, _ = decode_body(html, expected["content_type"].partition("charset=")[2], "windows-1252", FRENCH.native_letters)
    fields = extract_page(text, expected["url"], use_selectors=False)
    assert fields.method == "structure"
    assert fields.title == expected["title"]
    assert fields.kicker == expected["kicker"]
    assert "\n\n".join(fields.paragraphs) == expected["body"]
    assert fields.source_url == expected["source_url"]
    assert fields.dateline.startswith(f"Publié dans {expected['source']} le ")


def test_known_template_is_read_by_its_selectors_others_by_structure(chain: OfflineChain) -> None:
    pages = Replica().pages(BASE)
    methods = {}
    for article in ARTICLES:
        page = pages[article.path]
        text, _, _ = decode_body(page.body, page.content_type.partition("charset=")[2], "windows-1252", FRENCH.native_letters)
        fields = extract_page(text, BASE + article.path)
        methods.setdefault(article.template, set()).add(fields.method)
    assert methods == {"jsf2018": {"selectors:2018"}, "html5": {"structure"}, "soup": {"structure"}}


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: f"{a.template}:{a.path}")
def test_every_replica_article_extracts_exactly(article, chain: OfflineChain) -> None:
    page = Replica().pages(BASE)[article.path]
    result = chain.run_html(BASE + article.path, page.body, page.content_type)
    assert isinstance(result, Article), f"dropped: {result}"
    assert as_dict(result) == {"url": BASE + article.path, **article.expected()}


def test_no_ticker_headline_or_boilerplate_in_any_field(chain: OfflineChain) -> None:
    replica = Replica()
    pages = replica.pages(BASE)
    headlines = {title for _, title in replica.ticker_links() if title}
    sidebar_dates = {f"{a.published.day:02d} - {a.published.month:02d}" for a in ARTICLES}
    for article in ARTICLES:
        result = chain.run_html(BASE + article.path, pages[article.path].body, pages[article.path].content_type)
        fields = {"title": result.title, "kicker": result.kicker or "", "body": result.body, "source": result.source}
        for name, value in fields.items():
            for text in BOILERPLATE:
                assert text not in value, (article.path, name, text)
            for headline in headlines - {article.title}:
                assert headline not in value, (article.path, name, headline)
        assert "Publié dans" not in result.body
        assert result.published_on == article.published  # never a sidebar's or the ticker's date
    assert len(sidebar_dates) > 10  # the sidebars do carry other dates


def test_page_without_dateline_is_dropped_and_counted() -> None:
    chain = OfflineChain()
    body = b"<html><head><title>Veuillez patienter</title></head><body><h1>Veuillez patienter</h1><p>Redirection en cours.</p></body></html>"
    result = chain.run_html(BASE + "/fr/elwatan/1", body)
    assert isinstance(result, Dropped) and result.reason == "no_dateline"
    assert chain.stats["articles/dropped/no_dateline"] == 1


def test_impossible_date_is_dropped_not_guessed() -> None:
    chain = OfflineChain()
    page = Replica().pages(BASE)["/fr/elwatan/1616801"].body.replace(b"le 12 - 06 - 2025", b"le 06 - 31 - 2025")
    result = chain.run_html(BASE + "/fr/elwatan/1616801", page)
    assert isinstance(result, Dropped) and result.reason == "impossible_date"


def test_missing_body_is_dropped() -> None:
    chain = OfflineChain()
    html = ("<html><body><h1>Un titre</h1><p>Publié dans El Watan le 01 - 02 - 2024</p>"
            "<p><a href='https://x.example/a'>Cliquez ici pour lire l'article depuis sa source.</a></p></body></html>")
    result = chain.run_html(BASE + "/fr/elwatan/2", html.encode())
    assert isinstance(result, Dropped) and result.reason == "no_body"


def test_sidebar_teaser_before_the_article_is_not_taken_for_it() -> None:
    """A teaser list before the article (its titles are links) never provides the fields."""
    html = (
        "<html><body><div class='a1'><div><a href='/fr/liberte/5'>Autre titre</a><br>"
        "Publié dans Liberté le 09 - 09 - 2021<br>Un résumé sans lien qui précède (...)</div></div>"
        "<div><h3>Le vrai titre</h3><div>Publié dans El Watan le 03 - 04 - 2024</div>"
        "<p>Premier paragraphe.</p><p>Second paragraphe.</p></div></body></html>"
    )
    fields = extract_page(html, BASE + "/fr/elwatan/3")
    assert (fields.title, fields.kicker, fields.paragraphs) == ("Le vrai titre", None, ["Premier paragraphe.", "Second paragraphe."])
    assert fields.dateline.endswith("03 - 04 - 2024")


def test_replica_covers_the_cases_the_issue_names() -> None:
    assert len(ARTICLES) >= 30 and len({a.newspaper for a in ARTICLES}) >= 4
    assert set(NEWSPAPERS) == {a.newspaper for a in ARTICLES}
    assert any(a.kicker is None for a in ARTICLES)
    assert any("«" in a.title for a in ARTICLES) and any("’" in a.title for a in ARTICLES)
    assert any(p.startswith("■") for a in ARTICLES for p in a.paragraphs)
    assert any(a.tracking_link for a in ARTICLES)
    assert any(a.encoding == "windows-1252" for a in ARTICLES)
    assert {a.template for a in ARTICLES} == {"jsf2018", "html5", "soup"}
