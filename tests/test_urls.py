import pytest

from crawler.sites import get_site
from crawler.urls import UrlRules

FR = get_site("djazairess").edition("fr")
LIVE = UrlRules("https://www.djazairess.com", FR)


@pytest.mark.parametrize("link", [
    "https://www.djazairess.com/fr/elwatan/1616807",
    "http://www.djazairess.com/fr/elwatan/1616807",
    "https://djazairess.com/fr/elwatan/1616807",
    "http://djazairess.com:80/fr/elwatan/1616807/",
    "https://www.djazairess.com/fr/elwatan/1616807?utm_source=facebook&fbclid=x#comments",
    "//www.djazairess.com/fr/elwatan/1616807",
    "/fr//elwatan/1616807/",
    "/FR/ElWatan/1616807",
    "HTTPS://WWW.DJAZAIRESS.COM/fr/elwatan/1616807",
])
def test_one_article_one_url(link: str) -> None:
    assert LIVE.canonical(link, "https://www.djazairess.com/fr") == "https://www.djazairess.com/fr/elwatan/1616807"


@pytest.mark.parametrize("link", [
    "https://www.elwatan.com/fr/elwatan/1616807",  # another host
    "https://www.djazairess.com.evil.example/fr/elwatan/1",
    "/fr/author/Rachid+DAHMANI",
    "/fr/author/Rachid%2BDAHMANI",
    "/fr/elwatan",
    "/fr/elwatan?page=2",
    "/fr/elwatan/rss",
    "/elkhabar/635352",  # the Arabic edition
    "/fr/video/5163290",  # reserved word, not a newspaper
    "/fr/elwatan/16168a07",
    "mailto:redaction@djazairess.com",
    "javascript:void(0)",
])
def test_not_an_article_of_the_edition(link: str) -> None:
    assert LIVE.article(link, "https://www.djazairess.com/fr") is None


def test_article_reference_parts() -> None:
    ref = LIVE.article("/fr/lnr/1803221451", "https://www.djazairess.com/fr")
    assert (ref.newspaper, ref.article_id) == ("lnr", "1803221451")


def test_same_id_in_two_newspapers_is_two_articles() -> None:
    assert LIVE.canonical("/fr/elwatan/1000123", LIVE.base) != LIVE.canonical("/fr/liberte/1000123", LIVE.base)


def test_listing_and_feed_urls() -> None:
    assert LIVE.home() == "https://www.djazairess.com/fr"
    assert LIVE.feed() == "https://www.djazairess.com/fr/rss"
    assert LIVE.feed("elwatan") == "https://www.djazairess.com/fr/elwatan/rss"
    assert LIVE.listing_slug("https://djazairess.com/fr/liberte/", LIVE.base) == "liberte"
    assert LIVE.listing_slug("/fr/author", LIVE.base) is None


def test_base_url_may_be_a_mirror_or_the_replica() -> None:
    local = UrlRules("http://127.0.0.1:8123/", FR)
    assert local.canonical("/fr/elwatan/12?x=1", "http://127.0.0.1:8123/fr") == "http://127.0.0.1:8123/fr/elwatan/12"
    assert local.canonical("http://127.0.0.1:9999/fr/elwatan/12") is None  # another port is another site
    with pytest.raises(ValueError):
        UrlRules("www.djazairess.com", FR)


def test_root_edition_articles() -> None:
    arabic = UrlRules("https://www.djazairess.com", get_site("djazairess").edition("ar"))
    assert arabic.canonical("/elkhabar/635352") == "https://www.djazairess.com/elkhabar/635352"
    assert arabic.canonical("/video/5163290") is None
    assert arabic.canonical("/fr/elwatan/1") is None
