"""Server-rendered pages: they answer, carry the credit line, and show errors beside fields."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from web.support import CREDIT, form_fields
from web.test_auth import csrf_of, sign_in, state


@pytest.mark.parametrize("url", [
    "/pair", "/pair?a=JPN&b=USA&channel=arms&since=1980&until=2000",
    "/partners?a=USA", "/sources", "/sources/diff?dataset=sipri_arms_transfers",
    "/ledger", "/ledger?kind=programs", "/ledger/web-t-licence", "/ledger/web-test-program",
    "/ledger/check?a=USA&b=JPN", "/login",
])
def test_pages_answer_with_the_credit_line(web_client: TestClient, url: str) -> None:
    resp = web_client.get(url)
    assert resp.status_code == 200, resp.text[:500]
    assert resp.headers["content-type"].startswith("text/html")
    assert CREDIT in resp.text
    assert resp.headers["x-frame-options"] == "DENY"


def test_home_goes_to_the_explorer(web_client: TestClient) -> None:
    resp = web_client.get("/", follow_redirects=False)
    assert resp.status_code == 307 and resp.headers["location"] == "/pair"


def test_pair_page_numbers_match_the_api(web_client: TestClient) -> None:
    page = web_client.get("/pair?a=USA&b=JPN&channel=arms").text
    gl = web_client.get("/api/dyad?a=USA&b=JPN&channel=arms").json()["channels"]["arms"][
        "gl_index"]
    assert re.search(rf'data-gl="arms">{gl:.3f}<', page)
    assert 'data-figure="chart-0-flows-spec"' in page
    fragment = web_client.get("/pair/results?a=USA&b=JPN&channel=arms&mode=new")
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "chart-0-flows" in fragment.text


def test_pair_page_unknown_country_shows_the_message_beside_the_field(
        web_client: TestClient) -> None:
    resp = web_client.get("/pair?a=USA&b=Atlantis&since=later")
    assert resp.status_code == 422
    assert re.search(r'id="b-error"[^>]*>unknown country &#39;Atlantis&#39;', resp.text)
    assert re.search(r'id="since-error"[^>]*>not a year', resp.text)
    assert 'aria-invalid="true" aria-describedby="b-error"' in resp.text
    assert 'value="later"' in resp.text  # what was typed is kept


def test_pair_page_unknown_channel_is_404(web_client: TestClient) -> None:
    resp = web_client.get("/pair?a=USA&b=JPN&channel=telepathy")
    assert resp.status_code == 404
    assert 'id="channel-error"' in resp.text


def test_pair_without_data_says_so(web_client: TestClient) -> None:
    resp = web_client.get("/pair?a=ISL&b=NPL")
    assert resp.status_code == 200 and 'id="no-data"' in resp.text


def test_records_fragment_lists_the_explain_rows(web_client: TestClient) -> None:
    resp = web_client.get("/pair/records?a=USA&b=JPN&channel=arms&year=1991")
    assert resp.status_code == 200
    assert "F-15J Eagle" in resp.text and "Beechjet-400" in resp.text
    assert "sipri_arms_transfers/2026-01-12" in resp.text


def test_partners_ranked_with_small_charts(web_client: TestClient) -> None:
    page = web_client.get("/partners?a=JPN").text
    rows = re.findall(r'<td class="num">(\d+)</td>\s*<td><a href="/pair\?a=JPN&amp;b=(\w+)', page)
    assert rows[0] == ("1", "USA")
    assert page.count('<svg class="spark"') == len(rows) >= 2
    assert web_client.get("/partners?a=Atlantis").status_code == 422


def test_sources_page_lists_vintages_and_checksums(web_client: TestClient) -> None:
    page = web_client.get("/sources").text
    sums = web_client.get("/api/sources").json()
    for v in sums:
        assert v["sha256"] in page and v["vintage_id"] in page
    diff = web_client.get("/sources/diff?dataset=sipri_arms_transfers&change=changed").text
    assert "AIM-9M Sidewinder" in diff and "tiv_delivered" in diff
    assert web_client.get("/sources/diff?dataset=nothing").status_code == 404


def test_unknown_page_is_an_html_404(web_client: TestClient) -> None:
    resp = web_client.get("/no-such-page")
    assert resp.status_code == 404 and resp.headers["content-type"].startswith("text/html")
    assert web_client.get("/ledger/no-such-record").status_code == 404


def test_briefing_from_the_web(web_client: TestClient) -> None:
    resp = web_client.get("/report?a=USA&b=JPN")
    assert resp.status_code == 200 and "Plotly" in resp.text and CREDIT in resp.text


# -- the ledger's forms --------------------------------------------------------------------

def test_invalid_form_shows_each_message_beside_its_field(web_rw_client: TestClient) -> None:
    sign_in(web_rw_client, "ed")
    form = web_rw_client.get("/ledger/new/transfer")
    assert form.status_code == 200
    before = state(web_rw_client)
    resp = web_rw_client.post("/ledger/new/transfer", data={
        "csrf_token": csrf_of(form.text), "id": "bad id!", "from": "Atlantis", "to": "USA",
        "technology": "", "status_history-0-status": "proposed",
        "status_history-0-date": "1990-13", "sources-0-title": "Only a title"})
    assert resp.status_code == 422
    for field in ("id", "from", "technology", "status_history-0-date", "sources-0"):
        assert f'id="{field}-error"' in resp.text, field
    assert 'value="Atlantis"' in resp.text  # what was typed is kept
    assert state(web_rw_client) == before


def test_create_edit_round_trip(web_rw_client: TestClient) -> None:
    sign_in(web_rw_client, "ed")
    token = csrf_of(web_rw_client.get("/ledger/new/transfer").text)
    created = web_rw_client.post("/ledger/new/transfer", data={
        "csrf_token": token, "id": "web-t-form", "from": "JPN", "to": "USA",
        "program": "web-test-program", "technology": "Form-made transfer",
        "kind": "hard", "significance": "major", "status_history-0-status": "approved",
        "status_history-0-date": "2001", "status_history-0-reason": "signed",
        "sources-0-title": "A form source", "sources-0-publisher": "Tests", "reason": "new"})
    assert created.status_code == 303, created.text
    assert created.headers["location"] == "/ledger/web-t-form?saved=1"
    edit = web_rw_client.get("/ledger/web-t-form/edit")
    assert 'value="A form source"' in edit.text
    fields = form_fields(edit.text, "record-form")
    assert fields["kind"] == "hard" and fields["program"] == "web-test-program"
    fields.update({"technology": "Form-made transfer, revised", "reason": "typo"})
    no_reason = web_rw_client.post("/ledger/web-t-form/edit", data={**fields, "reason": ""})
    assert no_reason.status_code == 422 and 'id="reason-error"' in no_reason.text
    saved = web_rw_client.post("/ledger/web-t-form/edit", data=fields)
    assert saved.status_code == 303, saved.text
    page = web_rw_client.get("/ledger/web-t-form").text
    assert "Form-made transfer, revised" in page
    history = web_rw_client.get("/api/ledger/records/web-t-form/history").json()
    assert [v["changes"] for v in history] == [["created"], ["technology"]]
    assert history[1]["reason"] == "typo" and history[1]["changed_by"] == "ed"


def test_status_transition_refused_beside_the_field(web_rw_client: TestClient) -> None:
    sign_in(web_rw_client, "ed")
    page = web_rw_client.get("/ledger/web-t-flowback").text
    assert 'id="status-form"' in page
    token = csrf_of(page)
    bad = web_rw_client.post("/ledger/web-t-flowback/status", data={
        "csrf_token": token, "status": "approved", "date": "1980", "reason": "too early"})
    assert bad.status_code == 422 and 'id="date-error"' in bad.text
    good = web_rw_client.post("/ledger/web-t-flowback/status", data={
        "csrf_token": token, "status": "approved", "date": "1994", "reason": "accepted"})
    assert good.status_code == 303
    assert "approved" in web_rw_client.get("/ledger/web-t-flowback").text


def test_viewer_cannot_open_forms(web_rw_client: TestClient) -> None:
    sign_in(web_rw_client, "vi")
    assert web_rw_client.get("/ledger/new/program").status_code == 403
    assert 'id="edit-link"' not in web_rw_client.get("/ledger/web-t-licence").text


def test_pair_page_shows_coverage_and_gaps_of_a_snapshot_channel(ncses_db, run_app) -> None:
    """The pair page says which years have data, shows the latest value (not a sum of the
    survey years), lists its two survey years alone, and /api/dyad answers the CLI's JSON."""
    import json

    from ev_helpers import ncses_value
    from reciprocity.web.app import create_app

    with TestClient(create_app(ncses_db, read_only=True, secret="test-secret")) as client:
        page = client.get("/pair?a=USA&b=JPN&channel=coauthorship").text
        api = client.get("/api/dyad?a=USA&b=JPN&channel=coauthorship").json()
    assert re.search(r'data-years="coauthorship">2 years with data: 2003, 2022<', page)
    latest = ncses_value("United States", "Japan", 2022)
    both = latest + ncses_value("United States", "Japan", 2003)
    assert f"{latest:,.0f}" in page and f"{both:,.0f}" not in page
    # two survey years: a table of those years (no 0 for the years between), not two dots
    few = re.search(r'<table class="few".*?</table>', page, re.S).group(0)
    assert re.findall(r"<tr><td>(\d{4})</td>", few) == ["2003", "2022"]
    assert 'data-kind="flows"' not in page
    ch = api["channels"]["coauthorship"]
    assert ch["years_with_data"] == [2003, 2022] and ch["flow_ab"] is None
    cli = run_app("--db", ncses_db, "dyad", "USA", "JPN", "--channel", "coauthorship",
                  "--format", "json")
    assert api == json.loads(cli.stdout)


def test_partners_page_of_a_snapshot_channel_uses_the_latest_year(ncses_db) -> None:
    from reciprocity.web.app import create_app
    from reciprocity.web.pages.partners import sparkline_svg

    with TestClient(create_app(ncses_db, read_only=True, secret="test-secret")) as client:
        page = client.get("/partners?a=JPN&channel=coauthorship").text
    assert "(2022, latest year with data)" in page
    assert "<polyline" not in page  # two survey years twenty years apart: dots, no line
    svg = sparkline_svg([1, 2, 3, 4], [1.0, None, 2.0, 3.0], [None] * 4, lo=1, hi=4)
    assert svg.count("<circle") == 1 and svg.count("<polyline") == 1
