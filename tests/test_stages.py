"""Unit tests of single stages: decoding, dates, cleaning."""

from __future__ import annotations

import datetime as dt

import pytest

from crawler.sites.platform import FRENCH
from crawler.text import site_date, split_dateline
from pipelines.clean import _boilerplate_pattern, clean_text, is_ticker_leak
from crawler.dates import DateReader
from pipelines.decode import decode_body

TEXT = "<p>Béjaïa, l’été « chaud » – Sétif</p>"


def test_clean_utf8_is_kept() -> None:
    assert decode_body(TEXT.encode(), "utf-8", "windows-1252", FRENCH.native_letters) == (TEXT, "utf-8", False)


def test_windows_1252_labelled_utf8_is_repaired() -> None:
    assert decode_body(TEXT.encode("cp1252"), "utf-8", "windows-1252", FRENCH.native_letters) == (TEXT, "cp1252", True)


def test_utf8_labelled_windows_1252_is_repaired_not_stored_as_mojibake() -> None:
    assert decode_body(TEXT.encode(), "windows-1252", "windows-1252", FRENCH.native_letters) == (TEXT, "utf-8", True)


def test_bom_wins_over_label() -> None:
    assert decode_body(b"\xef\xbb\xbf" + TEXT.encode(), "windows-1252", "windows-1252", FRENCH.native_letters)[0] == TEXT


def test_undecodable_body_is_rejected() -> None:
    # invalid as UTF-8, and 0x81/0x8d are undefined in windows-1252
    assert decode_body(b"<p>\x81\x8d\xc3(</p>", "utf-8", "windows-1252", FRENCH.native_letters) is None


@pytest.mark.parametrize("text,expected", [
    ("21 - 12 - 2022", dt.date(2022, 12, 21)),
    ("21\u00a0-\u00a012\u00a0-\u00a02022", dt.date(2022, 12, 21)),
    ("1-2-2024", dt.date(2024, 2, 1)),
    ("le 21 décembre 2022", None),
])
def test_site_date_fast_path(text: str, expected: dt.date | None) -> None:
    assert site_date(text) == expected


def test_site_date_never_swaps_day_and_month() -> None:
    with pytest.raises(ValueError):
        site_date("12 - 21 - 2022")


def test_dateparser_path_is_restricted_to_the_language() -> None:
    reader = DateReader(("fr",))
    assert reader.read("3 mars 2024") == dt.date(2024, 3, 3)
    assert reader.read("1er février 2023") == dt.date(2023, 2, 1)
    assert reader.read("mars 2024") is None  # no day: not a publication date
    assert reader.read("demain matin peut-être") is None


@pytest.mark.parametrize("line,expected", [
    ("Publié dans L'Expression le 21 - 12 - 2022", ("L'Expression", "21 - 12 - 2022")),
    ("Publié dans Le Soir d'Algérie le 3 mars 2024", ("Le Soir d'Algérie", "3 mars 2024")),
    ("Publié  dans\u00a0El Watan  le 01 - 02 - 2024.", ("El Watan", "01 - 02 - 2024")),
    ("Programme TV - match du mercredi 29 août 2025", None),
])
def test_dateline(line: str, expected: tuple[str, str] | None) -> None:
    assert split_dateline(line, FRENCH) == expected


def test_boilerplate_is_cut_whatever_the_apostrophe() -> None:
    pattern = _boilerplate_pattern("djazairess", "fr")
    assert clean_text("Merci d’avoir signalé! Un vrai texte.", pattern) == "Un vrai texte."
    assert clean_text("Cliquez ici pour lire l'article depuis sa source.", pattern) is None
    assert clean_text("  Un   titre\u00a0propre ", pattern) == "Un titre propre"


def test_ticker_leak_detection() -> None:
    ticker = "Le président reçoit l’envoyé spécial Classement Fifa: l’Algérie à la 38e place"
    assert is_ticker_leak("Classement Fifa: l’Algérie à la 38e place", ticker)
    assert is_ticker_leak(ticker, ticker)
    assert not is_ticker_leak("Le président reçoit l’envoyé spécial, a-t-on appris hier.", ticker)
    assert not is_ticker_leak("Fifa", ticker)  # too short to say
