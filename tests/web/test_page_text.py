"""What a reader sees on every page: headings and cells in words (no snake_case key, no raw
id), numbers formatted by their unit, and each credit line exactly once."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from reciprocity.assess.capabilities import AREA_COLUMNS, MEASURE_COLUMNS, MEASURES
from reciprocity.taxonomy import areas

PAGES = ["/pair?a=USA&b=JPN", "/partners?a=JPN", "/index?a=USA&b=JPN",
         "/capabilities?country=JPN", "/opportunities?a=USA&b=JPN&all=true",
         "/dependence?country=JPN", "/alerts", "/ledger", "/ledger/check?a=USA&b=JPN",
         "/events", "/sources", "/login"]
ASSESS = PAGES[2:7]

#: Machine keys that must never be read on a page: the assessment's columns, its measures,
#: the taxonomy's area ids and the index's columns.
KEYS = sorted({k for k in [*AREA_COLUMNS, *MEASURE_COLUMNS, *MEASURES, *areas(),
                           "observed_ab", "observed_ba", "ci_low", "ci_high", "null_low",
                           "null_high", "declared_weight", "in_composite", "present_share",
                           "best_evidence", "b_strength", "a_strength", "top_share",
                           "unknown_share", "long_term_risk", "short_term_risk",
                           "workshare_pct", "ledger_managed"]
               if "_" in k})

#: Keys with their underscores taken out: not words either.
SPACED = {"observed ab", "observed ba", "ci low", "ci high", "null low", "null high",
          "a strength", "b strength", "b rising", "present share", "rta", "previous rta",
          "unknown share", "z"}


def visible(page: str) -> str:
    """The text a reader sees in <main> and the footer (no scripts, forms' options, links'
    addresses or code samples)."""
    body = page[page.index("<main"):]
    for tag in ("script", "select", "code", "a"):
        body = re.sub(rf"<{tag}\b.*?</{tag}>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "\n", body))


def cells(page: str, tag: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", page, flags=re.S)]


@pytest.mark.parametrize("url", PAGES)
def test_no_machine_key_is_shown(web_client: TestClient, url: str) -> None:
    resp = web_client.get(url)
    assert resp.status_code == 200, resp.text[:300]
    text = visible(resp.text)
    shown = [k for k in KEYS if re.search(rf"\b{k}\b", text)]
    assert not shown, f"{url}: {shown}"
    headings = cells(resp.text, "th")
    raw = [h for h in headings if "_" in h or h.lower() in SPACED]
    assert not raw, f"{url}: {raw}"
    missing = [c for c in cells(resp.text, "td") if c in ("nan", "NaN", "None", "NaT", "<NA>")]
    assert not missing, url


@pytest.mark.parametrize("url", PAGES)
def test_each_credit_line_once(web_client: TestClient, url: str) -> None:
    page = web_client.get(url).text
    lines = [c.rstrip(".") for c in cells(page, "p") if c.startswith(("Information from",
                                                                        "Reciprocity coop"))]
    assert len(lines) == len(set(lines)), f"{url}: {lines}"
    credit_lines = re.findall(r'<p class="credit[^"]*">(.*?)</p>', page, flags=re.S)
    assert not [c for c in credit_lines if c.endswith("..")], url


def test_partners_page_credits_its_channel(web_client: TestClient) -> None:
    page = web_client.get("/partners?a=JPN&channel=arms").text
    api = web_client.get("/api/partners?a=JPN&channel=arms").json()
    footer = page[page.index("<footer"):]
    assert [c.rstrip(".") for c in cells(footer, "p")[:-1]] == api["credits"]
    assert re.search(r'<td class="num">\d[\d,]*\.\d</td>', page)  # million TIV, 1 decimal


def test_credits_name_the_sources_of_the_page(web_client: TestClient) -> None:
    """An assessment page credits the sources its figures come from (its API's credits)."""
    for url in ASSESS:
        page = web_client.get(url).text
        api = web_client.get("/api" + url).json()
        credits = api["credits"] if isinstance(api, dict) else api[0]["credits"]
        shown = {c.rstrip(".") for c in cells(page, "p") if c.rstrip(".") in
                 {*credits, "Reciprocity cooperation ledger, compiled by the project from "
                            "the public sources cited in each record",
                  "Information from the SIPRI Arms Transfers Database"}}
        assert shown == set(credits), url


def column(page: str, heading: str) -> list[str]:
    """The cells under ``heading`` in the first table that has it."""
    for table in re.findall(r"<table\b.*?</table>", page, flags=re.S):
        heads = cells(table, "th")
        if heading in heads:
            i = heads.index(heading)
            rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], flags=re.S)
            return [cells(r, "td")[i] for r in rows]
    raise AssertionError(f"no column {heading!r}")


def test_numbers_formatted_by_unit(web_client: TestClient) -> None:
    page = web_client.get("/index?a=USA&b=JPN").text
    three = re.compile(r"^(-?\d\.\d{3})?$")  # indices to 3 decimals, empty when undefined
    for heading in ("two-way index", "95% interval, low", "expected by chance", "weight"):
        values = column(page, heading)
        assert values and all(three.match(v) for v in values), (heading, values)
    by_unit = {"million TIV": r"^[\d,]+\.\d$", "transfers": r"^\d+$"}  # TIV 1 decimal
    rows = dict(zip(column(page, "unit"), column(page, "USA → JPN"), strict=True))
    assert {"million TIV", "transfers"} <= set(rows), rows
    for unit, pattern in by_unit.items():
        assert re.match(pattern, rows[unit]), (unit, rows[unit])
    text = visible(web_client.get("/dependence?country=USA").text)
    shares = re.findall(r"(?i)top share\W+(\S+ ?%?)", text)  # a column or, if equal, the caption
    assert shares and all(re.match(r"^\d+\.\d %$", v) for v in shares), shares


def test_pair_summary_formats_each_channel_by_its_unit(web_client: TestClient) -> None:
    page = web_client.get("/pair?a=USA&b=JPN").text
    summary = re.search(r'<table class="summary".*?</table>', page, flags=re.S).group(0)
    rows = dict(zip(column(summary, "unit"), column(summary, "USA → JPN"), strict=True))
    assert re.match(r"^[\d,]+\.\d$", rows["million TIV"]), rows  # TIV to one decimal
    assert re.match(r"^\d+$", rows["transfers"]), rows  # counts as integers


def test_pair_summary_of_snapshot_and_index_units(ncses_db) -> None:
    """A joint channel has one value (no B→A, no balance); an index to 3 decimals; a unit
    with two years of data is tagged with its latest year, not 'only'."""
    from reciprocity.web.app import create_app

    with TestClient(create_app(ncses_db, read_only=True, secret="test-secret")) as client:
        page = client.get("/pair?a=USA&b=JPN").text
    summary = re.search(r'<table class="summary".*?</table>', page, flags=re.S).group(0)
    units = column(summary, "unit")
    index_row = next(i for i, u in enumerate(units) if u.startswith("co-authorship index"))
    assert units[index_row].endswith("2022, latest") and "only" not in units[index_row]
    assert re.match(r"^\d+\.\d{3}$", column(summary, "USA → JPN")[index_row])
    assert column(summary, "JPN → USA")[index_row] == "—"
    assert column(summary, "balance")[index_row] == "—"


def test_two_years_of_a_snapshot_unit_are_a_table_not_a_chart(ncses_db) -> None:
    """The pair page shows a snapshot or index unit with two years of data as a small table
    of those years (formatted by the unit), not a chart of two dots."""
    from reciprocity.web.app import create_app

    with TestClient(create_app(ncses_db, read_only=True, secret="test-secret")) as client:
        page = client.get("/pair?a=USA&b=JPN").text
    tables = re.findall(r'<table class="few" data-few="([^"]+)".*?</table>', page, flags=re.S)
    assert len(tables) == 2, tables  # co-authored articles and the co-authorship index
    assert 'data-kind="flows"' not in page  # no chart of two dots
    few = re.search(r'<table class="few".*?</table>', page, flags=re.S).group(0)
    assert [c for c in cells(few, "td")][::2] == ["2003", "2022"]


def test_capabilities_credit_the_production_base_they_show(web_client: TestClient) -> None:
    """Japan's production base (SIPRI licensed production) is shown, so SIPRI is credited."""
    data = web_client.get("/api/capabilities?country=JPN").json()
    assert data["production_base"], "the fixture shows a production base"
    assert "Information from the SIPRI Arms Transfers Database" in data["credits"]


def test_a_credit_line_ends_with_one_full_stop() -> None:
    from reciprocity.web.pages.common import credit_line, templates

    assert credit_line("Information from the SIPRI Arms Transfers Database") == (
        "Information from the SIPRI Arms Transfers Database.")
    atop = "Alliance Treaty Obligations and Provisions (ATOP) data, http://www.atopdata.org/."
    assert credit_line(atop) == atop
    env = templates().env
    for name in ("base.html.j2", "_pair_results.html.j2"):  # every credit through the filter
        source = env.loader.get_source(env, name)[0]
        assert "|credit }}" in source and "{{ c }}." not in source, name
