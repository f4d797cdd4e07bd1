"""OpenAlex works: co-authorship (whole and fractional) and citation flows, unplaced works
counted, bad records refused, and the pyalex fetcher on recorded pages."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from ev_helpers import OPENALEX_FIXTURE, counts, openalex_lines, write_jsonl
from reciprocity.errors import FormatError, UnknownCountryError
from reciprocity.fetch import http_client
from reciprocity.fetch_openalex import fetch_openalex
from reciprocity.queries.dyad import dyad
from reciprocity.sources import openalex
from reciprocity.store.db import Store


@pytest.fixture(scope="module")
def ev_parsed():
    return openalex.SOURCE.read(OPENALEX_FIXTURE)


def _sum(flows, unit: str, origin: str, destination: str) -> float:
    sel = flows[(flows["unit"] == unit) & (flows["origin"] == origin)
                & (flows["destination"] == destination)]
    return float(sel["magnitude"].sum())


def test_coauthorship_whole_and_fractional(ev_parsed) -> None:
    f = ev_parsed.flows
    co = f[f["channel"] == "coauthorship"]
    assert (co["origin"] < co["destination"]).all()
    assert _sum(f, "works_whole", "JPN", "USA") == 3  # W1001, W1002, W1006
    assert _sum(f, "works_fractional", "JPN", "USA") == pytest.approx(1 + 1 / 3 + 1)
    # a three-country work shares its 1 among its three pairs
    w2 = co[(co["record_id"] == 2) & (co["unit"] == "works_fractional")]
    assert w2["magnitude"].sum() == pytest.approx(1.0) and set(w2["area"]) == {"aerospace"}


def test_citations_run_from_cited_to_citing(ev_parsed) -> None:
    f = ev_parsed.flows
    assert _sum(f, "citations", "USA", "JPN") == 2  # W1001→W1004 (2021), W1002→W1001 (2022)
    assert _sum(f, "citations", "JPN", "USA") == 3
    assert _sum(f, "citations", "KOR", "USA") == 1  # W1006 cites the referenced-only W1007
    kor = f[(f["origin"] == "KOR")]
    assert set(kor["area"]) == {"communications_networks"}  # the cited work's area
    assert set(f.loc[f["channel"] == "citation", "year"]) == {2021, 2022, 2023}


def test_unplaced_and_outside_are_counted(ev_parsed) -> None:
    n = ev_parsed.notes
    assert n["works"] == 6 and n["works_referenced_only"] == 1
    assert n["works_without_country"] == 1  # W1005: counted, not guessed
    assert n["references_outside_file"] == 1 and n["references_in_file"] == 5
    rec = ev_parsed.records["openalex_works"].set_index("work_id")
    assert not rec.loc["W1005", "placed"] and rec.loc["W1006", "countries"] == "JPN;USA"
    assert rec.loc["W1007", "role"] == "referenced"
    # the referenced-only work is a citation target, never a co-author pair
    co = ev_parsed.flows[ev_parsed.flows["channel"] == "coauthorship"]
    assert "KOR" not in set(co["origin"]) | set(co["destination"])


def test_dyad_through_the_store(tmp_path: Path) -> None:
    gz = tmp_path / "works.jsonl.gz"
    gz.write_bytes(gzip.compress(OPENALEX_FIXTURE.read_bytes()))
    with Store(tmp_path / "s.duckdb") as store:
        result = store.ingest("openalex", gz)
        assert result.dataset == "openalex:works" and result.notes["works_without_country"] == 1
        # only OpenAlex units here, so the first of them is each channel's primary key
        co = dyad(store, "USA", "JPN", channel="coauthorship").to_dict()["channels"]
        assert co["coauthorship"]["unit"] == "works_whole"
        assert co["coauthorship"]["flow_ab"] == co["coauthorship"]["flow_ba"] == 3
        assert co["coauthorship:works_fractional"]["flow_ab"] == pytest.approx(7 / 3)
        ci = dyad(store, "USA", "JPN", channel="citation").to_dict()["channels"]
        assert ci["citation"]["unit"] == "citations"
        assert (ci["citation"]["flow_ab"], ci["citation"]["flow_ba"]) == (2, 3)
        area = dyad(store, "USA", "JPN", channel="citation", area="advanced_materials")
        assert area.to_dict()["channels"]["citation"]["flow_ba"] == 2


@pytest.mark.parametrize("change,error,needles", [
    (lambda w: w.pop("authorships"), FormatError, ("without authorships", "line 2")),
    (lambda w: w["authorships"][0]["institutions"][0].update(country_code="ZZ"),
     UnknownCountryError, ("'ZZ'", "line 2, authorships[0].institutions[0].country_code")),
])
def test_bad_records_are_refused(tmp_path: Path, change, error, needles) -> None:
    works = openalex_lines()
    change(works[1])
    path = write_jsonl(tmp_path / "bad.jsonl", works)
    with Store(tmp_path / "s.duckdb") as store:
        before = counts(store)
        with pytest.raises(error) as exc:
            store.ingest("openalex", path)
        assert counts(store) == before
    for needle in needles:
        assert needle in str(exc.value)


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(OPENALEX_FIXTURE.read_text("utf-8") + '{"id": "https://openalex.org/W9",\n',
                    encoding="utf-8")
    with pytest.raises(FormatError, match=r"broken.jsonl, line 8"):
        openalex.SOURCE.read(path)


# -- fetch (offline: OpenAlex pages composed to the documented list response) ---------------
def _page(works: list[dict], cursor: str | None) -> dict:
    return {"meta": {"count": 3, "db_response_time_ms": 5, "page": None, "per_page": 200,
                     "next_cursor": cursor, "groups_count": None},
            "results": works, "group_by": []}


def test_fetch_openalex_cursor_pages_retry_and_references(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECIPROCITY_CACHE", str(tmp_path / "cache"))
    works = {w["id"].rsplit("/", 1)[-1]: w for w in openalex_lines()}
    pair = [works["W1001"], works["W1002"], works["W1006"]]
    refs = {k: {kk: v for kk, v in w.items() if kk != "_reciprocity_role"}
            for k, w in works.items()}
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        url = unquote(str(request.url))
        seen.append(url)
        assert request.url.host == "api.openalex.org" and request.url.path == "/works"
        if "cursor=*" in url:
            if sum("cursor=*" in u for u in seen) == 1:
                return httpx.Response(429, headers={"Retry-After": "0"})
            return httpx.Response(200, json=_page(pair[:2], "c2"))
        if "cursor=c2" in url:
            return httpx.Response(200, json=_page(pair[2:], None))
        if "openalex_id:" in url:
            ids = url.split("openalex_id:", 1)[1].split("&", 1)[0].split("|")
            found = [refs[i] for i in ids if i in refs]
            return httpx.Response(200, json=_page(found, None))
        raise AssertionError(url)

    client = http_client(httpx.MockTransport(handler), sleep=lambda s: None)
    try:
        path = fetch_openalex("United States", "JPN", 2020, tmp_path, client=client)
    finally:
        client.close()
    first = seen[0]
    assert "filter=institutions.country_code:us+jp,from_publication_date:2020-01-01" in first
    assert "per-page=200" in first
    assert sum("cursor=*" in u for u in seen) == 2  # the 429 was retried
    assert path.name == "openalex-JPN-USA-since-2020.jsonl"
    lines = [json.loads(x) for x in path.read_text("utf-8").splitlines()]
    roles = {x["id"].rsplit("/", 1)[-1]: x.get("_reciprocity_role") for x in lines}
    assert roles["W1001"] is None and roles["W1003"] == "referenced"
    parsed = openalex.SOURCE.read(path)
    assert parsed.notes["works"] == 3
    assert _sum(parsed.flows, "works_whole", "JPN", "USA") == 3
    assert _sum(parsed.flows, "citations", "JPN", "USA") == 3
