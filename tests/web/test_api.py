"""The JSON API: the same answers as the CLI, and one error shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

ERROR_KEYS = {"error", "status", "message", "problems"}


def cli_json(run_app: Callable[..., object], db: Path, *args: object) -> object:
    result = run_app("--db", db, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_health(web_client: TestClient) -> None:
    resp = web_client.get("/api/health")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok"}


@pytest.mark.parametrize("query, args", [
    ("a=USA&b=JPN", ["USA", "JPN"]),
    ("a=United%20States&b=Japan&channel=arms", ["United States", "Japan", "--channel", "arms"]),
    ("a=USA&b=JPN&since=1990&until=2005", ["USA", "JPN", "--since", "1990", "--until", "2005"]),
    ("a=JPN&b=USA&mode=licensed_production&window=3",
     ["JPN", "USA", "--mode", "licensed_production", "--window", "3"]),
    ("a=USA&b=JPN&vintage=2025-03-10", ["USA", "JPN", "--vintage", "2025-03-10"]),
    ("a=ISL&b=NPL", ["ISL", "NPL"]),
])
def test_dyad_equals_cli_json(web_client: TestClient, web_store_path: Path, run_app,
                              query: str, args: list[str]) -> None:
    resp = web_client.get(f"/api/dyad?{query}")
    assert resp.status_code == 200, resp.text
    assert resp.json() == cli_json(run_app, web_store_path, "dyad", *args)


def test_dyad_answers_twice_the_same(web_client: TestClient) -> None:
    first = web_client.get("/api/dyad?a=USA&b=JPN").content
    assert web_client.get("/api/dyad?a=USA&b=JPN").content == first  # from the cache
    data = json.loads(first)
    assert data["channels"]["arms"]["flow_ab"] > data["channels"]["arms"]["flow_ba"] > 0
    assert "Information from the SIPRI Arms Transfers Database" in data["credits"]


def test_explain_partners_sources_diff_equal_cli(web_client: TestClient, web_store_path: Path,
                                                 run_app) -> None:
    explain = web_client.get("/api/explain?a=USA&b=JPN&channel=arms&year=1991").json()
    assert explain == cli_json(run_app, web_store_path, "explain", "USA", "JPN", "--channel",
                               "arms", "--year", "1991")
    assert {r["direction"] for r in explain["records"]} == {"a_to_b", "b_to_a"}
    sources = web_client.get("/api/sources").json()
    assert sources == cli_json(run_app, web_store_path, "sources")
    diff = web_client.get("/api/diff?dataset=sipri").json()
    assert diff == cli_json(run_app, web_store_path, "diff", "sipri")
    assert diff["summary"]["counts"] == {"added": 1, "removed": 1, "changed": 1}
    partners = web_client.get("/api/partners?a=JPN").json()
    assert [p["partner"] for p in partners["partners"]][:1] == ["USA"]
    cli_rows = cli_json(run_app, web_store_path, "partners", "JPN")
    assert [{k: p[k] for k in row} for p, row in zip(partners["partners"], cli_rows,
                                                      strict=True)] == cli_rows


def assert_error(resp, status: int, kind: str) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == ERROR_KEYS
    assert body["status"] == status and body["error"] == kind
    assert isinstance(body["message"], str) and body["message"]
    for p in body["problems"]:
        assert set(p) == {"location", "found", "expected"}
    return body


def test_unknown_country_is_422_at_its_parameter(web_client: TestClient) -> None:
    body = assert_error(web_client.get("/api/dyad?a=USA&b=Atlantis"), 422, "UnknownCountryError")
    assert body["problems"][0]["location"] == "query.b"
    assert "Atlantis" in body["problems"][0]["found"]
    both = assert_error(web_client.get("/api/dyad?a=Xx&b=Yy"), 422, "UnknownCountryError")
    assert [p["location"] for p in both["problems"]] == ["query.a", "query.b"]
    assert_error(web_client.get("/api/partners?a=Atlantis"), 422, "UnknownCountryError")
    assert_error(web_client.get("/api/explain?a=USA&b=Atlantis"), 422, "UnknownCountryError")


def test_unknown_channel_is_404(web_client: TestClient) -> None:
    body = assert_error(web_client.get("/api/dyad?a=USA&b=JPN&channel=telepathy"), 404,
                        "NotFoundError")
    assert "telepathy" in body["message"]
    assert_error(web_client.get("/api/explain?a=USA&b=JPN&channel=telepathy"), 404,
                 "NotFoundError")


def test_bad_values_are_422(web_client: TestClient) -> None:
    body = assert_error(web_client.get("/api/dyad?a=USA&b=JPN&since=soon"), 422, "InputError")
    assert body["problems"][0]["location"] == "query.since"
    missing = assert_error(web_client.get("/api/dyad?a=USA"), 422, "InputError")
    assert missing["problems"][0]["location"] == "query.b"
    assert_error(web_client.get("/api/dyad?a=USA&b=JPN&since=2000&until=1990"), 422,
                 "InputError")
    assert_error(web_client.get("/api/dyad?a=USA&b=USA"), 422, "InputError")
    assert_error(web_client.get("/api/dyad?a=USA&b=JPN&vintage=1999-01-01"), 404,
                 "NotFoundError")


def test_unknown_path_and_method(web_client: TestClient) -> None:
    assert_error(web_client.get("/api/nothing-here"), 404, "NotFoundError")
    assert_error(web_client.post("/api/health"), 405, "MethodNotAllowed")


def test_openapi_and_docs_are_served_locally(web_client: TestClient) -> None:
    spec = web_client.get("/openapi.json").json()
    for path in ("/api/health", "/api/dyad", "/api/ledger/transfers",
                 "/api/ledger/records/{record_id}"):
        assert path in spec["paths"], path
    docs = web_client.get("/docs")
    assert docs.status_code == 200
    assert "cdn." not in docs.text and "https://" not in docs.text
    js = web_client.get("/static/docs/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 100_000


def test_channels_and_countries(web_client: TestClient) -> None:
    names = {c["name"] for c in web_client.get("/api/channels").json()}
    assert "arms" in names
    codes = {c["code"] for c in web_client.get("/api/countries").json()}
    assert {"USA", "JPN", "GBR"} <= codes


def test_ledger_reads(web_client: TestClient) -> None:
    transfers = web_client.get("/api/ledger/transfers").json()
    assert {t["id"] for t in transfers} == {"web-t-licence", "web-t-flowback"}
    found = web_client.get("/api/ledger/transfers?q=composite").json()
    assert [t["id"] for t in found] == ["web-t-flowback"]
    assert web_client.get("/api/ledger/transfers?status=executed").json()[0]["id"] == (
        "web-t-licence")
    rec = web_client.get("/api/ledger/records/web-test-program").json()
    assert rec["kind"] == "programs" and rec["record"]["partners"] == ["USA", "JPN"]
    hist = web_client.get("/api/ledger/records/web-t-licence/history").json()
    assert hist[0]["changes"] == ["created"] and hist[0]["changed_by"] == "tests"
    check = web_client.get("/api/ledger/check?a=USA&b=JPN").json()
    assert check["tested"] == 1 and len(check["unmatched"]) == 1
    assert_error(web_client.get("/api/ledger/records/nope"), 404, "NotFoundError")


def test_a_bug_still_answers_in_the_error_shape(web_store_path) -> None:
    from fastapi.testclient import TestClient

    from reciprocity.web.app import create_app

    app = create_app(web_store_path, read_only=True)

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        assert_error(client.get("/api/boom"), 500, "InternalError")
