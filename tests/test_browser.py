"""Datasette in a real browser: headless Chromium (Debian's chromium + chromedriver, driven by
Selenium) searches a harvest made by crawling the replica. The screenshot is kept in
``test-artifacts/``."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import pytest

from harvest.datasette import command, metadata
from tests.conftest import ROOT, background_server, require_service, run_crawl
from tests.replica.static import free_port
from tests.replica import ARTICLES

pytestmark = pytest.mark.crawl
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                  "--window-size=1280,1600")


@pytest.fixture(scope="module")
def datasette(replica_server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("datasette")
    database = tmp / "harvest.db"
    assert run_crawl(replica_server.base_url, f"sqlite:///{database}", tmp).returncode == 0
    metadata_file = tmp / "metadata.json"
    metadata_file.write_text(json.dumps(metadata("harvest")))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with background_server(command(database, "127.0.0.1", port, metadata_file), f"{url}/-/versions.json",
                           tmp / "datasette.log"):
        yield url


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_datasette_search_facets_and_canned_queries(datasette) -> None:
    found = get_json(f"{datasette}/harvest/articles.json?_search=Bejaia&_shape=objects")
    expected = {a.title for a in ARTICLES if "Béjaïa" in " ".join((a.title, a.kicker or "", a.body))}
    assert {row["title"] for row in found["rows"]} == expected
    facets = get_json(f"{datasette}/harvest/article_index.json?_size=0")["facet_results"]
    assert {"source", "month"} <= set(facets)
    latest = get_json(f"{datasette}/harvest/latest_per_newspaper.json?per_newspaper=1&_shape=objects")["rows"]
    assert len(latest) == len({a.source for a in ARTICLES})
    phrase = get_json(f"{datasette}/harvest/phrase_search.json?phrase=port+de+bejaia&_shape=objects")["rows"]
    assert [row["title"] for row in phrase] == ["Le port de Béjaïa modernise son terminal à conteneurs"]
    # read-only: nothing can write
    request = urllib.request.Request(f"{datasette}/harvest/-/create", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=5)


def test_search_box_in_a_real_browser(datasette) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    require_service("Chromium", Path(chromium).exists() and Path(driver_path).exists(),
                    "Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={ROOT / 'test-artifacts' / 'chromium-profile'}")
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.rmtree(ARTIFACTS / "chromium-profile", ignore_errors=True)  # a fresh profile every run
    browser = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver_path))
    try:
        browser.get(f"{datasette}/harvest/articles")
        box = browser.find_element(By.NAME, "_search")
        box.send_keys("Bejaia")
        box.submit()
        WebDriverWait(browser, 20).until(expected_conditions.url_contains("_search=Bejaia"))
        WebDriverWait(browser, 20).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "table.rows-and-columns")))
        page = browser.find_element(By.TAG_NAME, "body").text
        browser.save_screenshot(str(ARTIFACTS / "datasette-search.png"))
    finally:
        browser.quit()
        shutil.rmtree(ARTIFACTS / "chromium-profile", ignore_errors=True)
    assert "Le port de Béjaïa modernise son terminal à conteneurs" in page
    assert "Béjaïa : le festival du théâtre de rue fait son retour" in page
    assert "Sécheresse" not in page  # not every article: the search did filter
    assert (ARTIFACTS / "datasette-search.png").stat().st_size > 10_000
