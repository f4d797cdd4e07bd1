"""Every web page in a real browser (the assessment pages, the pair page with its headline,
partners, ledger, events, sources, sign-in, account): each loads under the app's
Content-Security-Policy with no console error, shows its figures with each credit line once,
and leaves a screenshot ``page-<name>.png`` in test-artifacts/browser/ to look at."""

from __future__ import annotations

import pytest

from browser.conftest import SHOTS, Page, sign_in
from web.support import USERS

PAGES = [
    ("index", "/index?a=USA&b=JPN", "#headline-sentence"),
    ("capabilities", "/capabilities?country=JPN", "table.assess"),
    ("opportunities", "/opportunities?a=USA&b=JPN&all=true", "table.assess"),
    ("dependence", "/dependence?country=JPN", "#facts"),
    ("alerts", "/alerts", "table.assess"),
    ("pair", "/pair?a=USA&b=JPN", "#headline-sentence"),
    ("pair-one-year", "/pair?a=USA&b=JPN&since=1991&until=1991", "[data-card]"),
    # every other page a reader reaches from the navigation
    ("explore", "/pair?a=USA&b=JPN&channel=arms&mode=licensed_production", ".chart .main-svg"),
    ("partners", "/partners?a=JPN", "table"),
    ("ledger", "/ledger", "table"),
    ("ledger-record", "/ledger/web-test-program", "h1"),
    ("ledger-check", "/ledger/check?a=USA&b=JPN", "#check-summary"),
    ("events", "/events", "table"),
    ("event", "/events/web-ev-principles", "h1"),
    ("sources", "/sources", "h1"),
    ("sign-in", "/login", "#password"),
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
    credits = page.page.locator("p.credit").all_inner_texts()
    assert len(credits) == len(set(credits)), credits  # each credit line once
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(SHOTS / f"page-{name}.png"), full_page=True)
    assert not page.errors, page.errors
    assert not page.outside, page.outside


def test_account_page(web_page: Page) -> None:
    """The account page of a signed-in viewer (the sign-in leads to the ledger)."""
    page = web_page
    sign_in(page, "vi", USERS["vi"][1])
    page.page.goto("/account")
    page.page.wait_for_selector("#current")
    page.page.screenshot(path=str(SHOTS / "page-account.png"), full_page=True)
    assert not page.errors, page.errors


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
