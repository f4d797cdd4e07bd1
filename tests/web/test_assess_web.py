"""The assessment in the web app: JSON endpoints equal to the CLI's ``--format json``, a page
for each, and the pair page's headline sentence and value cards."""

from __future__ import annotations

import html as html_mod
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reciprocity.api import Reciprocity
from reciprocity.report import headline


def cli_json(run_app: Callable[..., object], db: Path, *args: object) -> object:
    result = run_app("--db", db, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def same(a: object, b: object) -> bool:
    """Equal as JSON (NaN equal to NaN, as both sides print it)."""
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True,
                                                                    default=str)


@pytest.mark.parametrize("query, args", [
    ("/api/index?a=USA&b=JPN", ["index", "USA", "JPN"]),
    ("/api/index?a=JPN&b=USA&since=1980&until=2010&weights=declared&replicates=200&seed=7",
     ["index", "JPN", "USA", "--since", "1980", "--until", "2010", "--weights", "declared",
      "--replicates", "200", "--seed", "7"]),
    ("/api/capabilities?country=JPN", ["assess", "capabilities", "JPN"]),
    ("/api/opportunities?a=USA&b=JPN", ["assess", "opportunities", "USA", "JPN"]),
    ("/api/opportunities?a=USA&b=JPN&all=true",
     ["assess", "opportunities", "USA", "JPN", "--all"]),
    ("/api/dependence?country=JPN", ["assess", "dependence", "JPN"]),
    ("/api/dependence?country=USA&channel=arms&since=1990",
     ["assess", "dependence", "USA", "--channel", "arms", "--since", "1990"]),
    ("/api/alerts", ["alerts"]),
])
def test_assessment_endpoints_equal_cli_json(web_client: TestClient, web_store_path: Path,
                                             run_app, query: str, args: list[str]) -> None:
    resp = web_client.get(query)
    assert resp.status_code == 200, resp.text
    expected = cli_json(run_app, web_store_path, *args)
    assert same(resp.json(), expected)
    assert resp.json()  # an answer, not an empty body


def test_assessment_endpoints_refuse_bad_input(web_client: TestClient) -> None:
    for url, param in (("/api/index?a=USA&b=Atlantis", "query.b"),
                       ("/api/capabilities?country=Atlantis", "query.country"),
                       ("/api/dependence?country=Atlantis", "query.country")):
        body = web_client.get(url).json()
        assert body["status"] == 422 and body["error"] == "UnknownCountryError", url
        assert body["problems"][0]["location"] == param
    body = web_client.get("/api/index?a=USA&b=JPN&weights=/etc/passwd").json()
    assert body["status"] == 422 and "weights" in body["message"]


PAGES = {
    "/index?a=USA&b=JPN": ("composite reciprocity index", "Channels and weights"),
    "/capabilities?country=JPN": ("capabilities by technology area", "By area"),
    "/opportunities?a=USA&b=JPN": ("Opportunities: what United States needs", "Areas, ranked"),
    "/dependence?country=JPN": ("Dependence of Japan on its suppliers",
                                "supplier concentration (HHI)"),
    "/alerts": ("rules tripped", "Every rule"),
}


@pytest.mark.parametrize("url", list(PAGES))
def test_assessment_pages(web_client: TestClient, url: str) -> None:
    resp = web_client.get(url)
    assert resp.status_code == 200, resp.text[:500]
    page = html_mod.unescape(resp.text)
    for needle in PAGES[url]:
        assert needle in page, needle
    json_href = re.search(r'id="json-link">([^<]+)<', resp.text).group(1)
    assert web_client.get(html_mod.unescape(json_href)).status_code == 200
    assert 'aria-current="page"' in resp.text


def test_index_page_shows_the_figures_of_its_json(web_client: TestClient) -> None:
    data = web_client.get("/api/index?a=USA&b=JPN").json()
    page = html_mod.unescape(web_client.get("/index?a=USA&b=JPN").text)
    assert f"{data['value']:.3f}" in page
    assert f"{data['ci_low']:.3f} – {data['ci_high']:.3f}" in page
    for channel, ch in data["channels"].items():
        assert channel.replace("_", " ") in page
        assert f"{ch['weight']:.2f}".rstrip("0").rstrip(".") in page or ch["weight"] == 0


def test_unknown_country_page_is_422(web_client: TestClient) -> None:
    assert web_client.get("/index?a=USA&b=Atlantis").status_code == 422
    assert web_client.get("/dependence?country=Atlantis").status_code == 422


def _sentence(resp_text: str) -> str:
    match = re.search(r'id="headline-sentence">(.*?)</p>', resp_text, re.S)
    assert match, "no headline sentence"
    return html_mod.unescape(" ".join(match.group(1).split()))


def test_pair_page_opens_with_the_briefing_headline(web_client: TestClient,
                                                    web_store_path: Path) -> None:
    with Reciprocity(web_store_path, read_only=True) as r:
        composite = r.composite_index("USA", "JPN").answer().model_dump(mode="json")
        expected = headline.sentence(r.dyad("USA", "JPN").to_dict(), composite)
        from reciprocity.report.builder import render_html

        briefing = render_html(r, "USA", "JPN")
    page = web_client.get("/pair?a=USA&b=JPN").text
    assert _sentence(page) == expected
    assert _sentence(briefing) == expected
    assert page.index('id="headline-sentence"') < page.index('id="summary"')


def test_single_value_channels_show_as_cards(web_client: TestClient,
                                             web_store_path: Path) -> None:
    with Reciprocity(web_store_path, read_only=True) as r:
        one_year = r.dyad("USA", "JPN", since=1991, until=1991).to_dict()
        many = r.dyad("USA", "JPN").to_dict()
    page = web_client.get("/pair?a=USA&b=JPN&since=1991&until=1991").text
    assert one_year["channels"]
    for key, ch in one_year["channels"].items():
        assert f'data-card="{key}"' in page
        assert f"{ch['flow_ab']:,.0f}" in page
    assert 'class="chart ' not in page  # no chart holding one dot
    full = web_client.get("/pair?a=USA&b=JPN").text
    for key, ch in many["channels"].items():
        if len(ch["years_with_data"]) > 1:
            assert f'data-card="{key}"' not in full
    assert 'class="chart ' in full
