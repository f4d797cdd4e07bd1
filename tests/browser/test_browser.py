"""The pages in a real browser: filters redraw charts in place, a chart click shows the
records behind it, the ledger edits round-trip, bad forms show their errors, writes need
a sign-in, and the briefing opens offline with every chart drawn."""

from __future__ import annotations

from pathlib import Path

import httpx

from browser.conftest import Page, sign_in
from reciprocity.api import Reciprocity
from reciprocity.report.builder import render_html
from web.support import CREDIT, USERS, session_store

CHART = "#chart-0-flows"


def flows_total(page: Page, trace: int = 0) -> float:
    """Sum of one trace of the explorer's flows chart, as drawn."""
    return page.page.evaluate(
        f"""() => document.querySelector('{CHART}').data[{trace}].y
                  .reduce((s, v) => s + (v || 0), 0)""")


def wait_drawn(page: Page) -> None:
    page.page.wait_for_selector(f"{CHART}[data-drawn] .main-svg", state="attached")


def test_filter_changes_the_chart_in_place(web_page: Page, web_server: str) -> None:
    page = web_page
    page.page.goto("/pair?a=USA&b=JPN&channel=arms")
    wait_drawn(page)
    page.page.evaluate("window.__stillHere = true")
    everything = flows_total(page)
    api = httpx.get(f"{web_server}/api/dyad?a=USA&b=JPN&channel=arms").json()
    assert abs(everything - api["channels"]["arms"]["flow_ab"]) < 1e-6

    page.page.select_option("#mode", "licensed_production")
    page.page.wait_for_function("() => location.search.includes('mode=licensed_production')")
    wait_drawn(page)
    licensed = flows_total(page)
    api = httpx.get(f"{web_server}/api/dyad?a=USA&b=JPN&channel=arms"
                    "&mode=licensed_production").json()
    assert abs(licensed - api["channels"]["arms"]["flow_ab"]) < 1e-6
    assert 0 < licensed < everything
    assert page.page.evaluate("window.__stillHere") is True  # no full reload
    assert "mode=licensed_production" in page.page.get_attribute("#briefing-link", "href")
    assert CREDIT in page.page.inner_text(".results")  # beside the figures, once
    assert CREDIT not in page.page.inner_text("footer")
    assert not page.errors and not page.outside


def test_chart_click_shows_source_records(web_page: Page) -> None:
    page = web_page
    page.page.goto("/pair?a=USA&b=JPN&channel=arms")
    wait_drawn(page)
    x, y = page.page.evaluate(f"""() => {{
        const gd = document.querySelector('{CHART}');
        const fl = gd._fullLayout, box = gd.getBoundingClientRect();
        return [box.left + fl._size.l + fl.xaxis.d2p(1991),
                box.top + fl._size.t + fl.yaxis.d2p(gd.data[0].y[gd.data[0].x.indexOf(1991)])];
    }}""")
    page.page.mouse.move(x, y)
    page.page.mouse.click(x, y)
    page.page.wait_for_selector("#records-table")
    text = page.page.inner_text("#records-body")
    assert "1991" in page.page.inner_text("#records-title")
    assert "F-15J Eagle" in text and "Beechjet-400" in text  # both directions
    assert "sipri_arms_transfers/2026-01-12" in text
    assert page.page.evaluate("document.activeElement.id") == "records-title"
    assert not page.errors


def test_records_by_keyboard(web_page: Page) -> None:
    page = web_page
    page.page.goto("/pair?a=USA&b=JPN")
    page.page.focus("#records-year")
    page.page.keyboard.type("2025")
    page.page.keyboard.press("Enter")
    page.page.wait_for_selector("#records-table")
    assert "MIM-104 PAC-3 MSE" in page.page.inner_text("#records-body")
    page.page.goto("/pair")
    page.page.keyboard.press("Tab")
    assert page.page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert not page.errors


def test_ledger_edit_round_trip(web_page: Page) -> None:
    page = web_page
    sign_in(page, "ed", USERS["ed"][1])
    page.page.goto("/ledger/web-test-program")
    page.page.click("#edit-link")
    page.page.fill("#f-name", "Test co-development program, renamed")
    page.page.fill("#f-workshare-0-actual_pct", "38")
    page.page.fill("#f-reason", "corrected from the 2026 report")
    page.page.click("#save")
    page.page.wait_for_selector("#saved")
    assert "renamed" in page.page.inner_text("#record-title")
    assert "38" in page.page.inner_text("main")
    history = page.page.inner_text("#version-history")
    assert "corrected from the 2026 report" in history and "ed" in history
    assert "name, workshare" in history
    assert not page.errors


def test_invalid_form_shows_its_errors(web_page: Page, web_server: str) -> None:
    page = web_page
    sign_in(page, "ed", USERS["ed"][1])
    page.page.goto("/ledger/new/transfer")
    page.page.fill("#f-id", "bad id!")
    page.page.fill("#f-from", "Atlantis")
    page.page.fill("#f-to", "JPN")
    page.page.fill("#f-sources-0-title", "A title and nothing else")
    page.page.click("#save")
    page.page.wait_for_selector("#form-errors")
    for field in ("id", "from", "technology", "sources-0"):
        assert page.page.is_visible(f"#{field}-error"), field
    assert page.page.get_attribute("#f-from", "aria-invalid") == "true"
    assert page.page.input_value("#f-from") == "Atlantis"
    ids = {t["id"] for t in httpx.get(f"{web_server}/api/ledger/transfers").json()}
    assert "bad id!" not in ids
    # the form comes back with status 422, which Chromium logs; nothing else may be
    assert [e for e in page.errors if "status of 422" not in e] == []


def test_write_refused_without_sign_in(web_page: Page, web_server: str) -> None:
    page = web_page
    page.page.goto("/ledger/new/transfer")
    assert "/login?next=/ledger/new/transfer" in page.page.url
    page.page.goto("/ledger")
    status = page.page.evaluate("""async () => (await fetch('/api/ledger/transfers', {
        method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({id: 'sneaky', from: 'USA', to: 'JPN', technology: 'x',
                              status_history: [{status: 'proposed'}],
                              sources: [{title: 't', publisher: 'p'}]})})).status""")
    assert status == 401
    ids = {t["id"] for t in httpx.get(f"{web_server}/api/ledger/transfers").json()}
    assert "sneaky" not in ids
    assert page.page.is_visible("#sign-in")


def test_briefing_opens_offline_with_every_chart_drawn(web_page: Page, tmp_path: Path,
                                                       tmp_path_factory) -> None:
    page = web_page
    with Reciprocity(session_store(tmp_path_factory.getbasetemp()), read_only=True) as r:
        html = render_html(r, "USA", "JPN")
    path = tmp_path / "briefing.html"
    path.write_text(html, encoding="utf-8")
    page.page.goto(path.as_uri())
    page.page.wait_for_function("window.__briefingReady === true")
    figures = page.page.eval_on_selector_all("[data-figure]", "els => els.length")
    drawn = page.page.eval_on_selector_all("[data-figure][data-drawn] .main-svg",
                                           "els => new Set(els.map(e => e.closest("
                                           "'[data-figure]'))).size")
    assert figures >= 4 and drawn == figures
    assert page.errors == []
    assert page.outside == []
    page.page.emulate_media(media="print")
    page.page.evaluate("window.__prepareForPrint()")


def test_other_pages_have_no_console_errors(web_page: Page) -> None:
    page = web_page
    for url in ("/partners?a=JPN", "/sources", "/ledger", "/ledger/check?a=USA&b=JPN",
                "/docs"):
        page.page.goto(url)
        page.page.wait_for_load_state("load")
    page.page.wait_for_selector(".swagger-ui .info")
    assert not page.errors, page.errors
    assert not page.outside, page.outside


def test_served_briefing_draws_under_its_content_security_policy(web_page: Page) -> None:
    """/report runs its inline Plotly in a sandbox with no network: every chart still draws
    and nothing is blocked (a CSP violation is a console error)."""
    page = web_page
    resp = page.page.goto("/report?a=USA&b=JPN")
    assert "sandbox allow-scripts" in resp.headers["content-security-policy"]
    page.page.wait_for_function("window.__briefingReady === true")
    figures = page.page.eval_on_selector_all("[data-figure]", "els => els.length")
    drawn = page.page.eval_on_selector_all("[data-figure][data-drawn] .main-svg",
                                           "els => new Set(els.map(e => e.closest("
                                           "'[data-figure]'))).size")
    assert figures >= 4 and drawn == figures
    assert page.errors == [], page.errors
    assert page.outside == []


def test_password_change_by_keyboard(web_page: Page) -> None:
    """The account page under the CSP: change the admin's password (a user no other browser
    test signs in as), stay signed in, see the confirmation."""
    page = web_page
    sign_in(page, "ad", USERS["ad"][1])
    page.page.click("[data-user] a")
    page.page.wait_for_url("**/account")
    page.page.fill("#current", USERS["ad"][1])
    page.page.fill("#new", "admin-pass-changed-1")
    page.page.fill("#repeat", "admin-pass-changed-1")
    page.page.press("#repeat", "Enter")
    page.page.wait_for_selector("#password-changed")
    assert page.page.get_attribute("[data-user]", "data-user") == "ad"
    assert page.errors == [], page.errors
