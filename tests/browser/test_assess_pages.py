"""The assessment pages and the pair page's headline in a real browser: each page loads under
the app's Content-Security-Policy with no console error, shows its figures, and leaves a
screenshot in test-artifacts/browser/."""

from __future__ import annotations

import pytest

from browser.conftest import SHOTS, Page

PAGES = [
    ("index", "/index?a=USA&b=JPN", "#headline-sentence"),
    ("capabilities", "/capabilities?country=JPN", "table.assess"),
    ("opportunities", "/opportunities?a=USA&b=JPN&all=true", "table.assess"),
    ("dependence", "/dependence?country=JPN", "#facts"),
    ("alerts", "/alerts", "table.assess"),
    ("pair", "/pair?a=USA&b=JPN", "#headline-sentence"),
    ("pair-one-year", "/pair?a=USA&b=JPN&since=1991&until=1991", "[data-card]"),
]


@pytest.mark.parametrize("name, url, selector", PAGES, ids=[p[0] for p in PAGES])
def test_page_loads_without_console_errors(web_page: Page, name: str, url: str,
                                           selector: str) -> None:
    page = web_page
    resp = page.page.goto(url)
    assert resp is not None and resp.status == 200, url
    page.page.wait_for_load_state("load")
    page.page.wait_for_selector(selector)
    if name.startswith("pair") and name != "pair-one-year":
        page.page.wait_for_selector(".chart .main-svg")  # the charts drew
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(SHOTS / f"page-{name}.png"), full_page=True)
    assert not page.errors, page.errors
    assert not page.outside, page.outside


def test_assessment_tabs_by_keyboard(web_page: Page) -> None:
    """From the index, the tabs lead to every assessment page; the form changes the pair."""
    page = web_page
    page.page.goto("/index?a=USA&b=JPN")
    page.page.click("nav.tabs a[href='/dependence']")
    page.page.wait_for_url("**/dependence")
    page.page.wait_for_selector("#facts")
    page.page.select_option("#f-country", "USA")
    page.page.press("#f-until", "Enter")
    page.page.wait_for_url("**/dependence?country=USA*")
    assert "Dependence of United States" in page.page.inner_text("h1")
    assert not page.errors, page.errors
