"""OpenAlex works: co-authorship (whole and fractional) and citation flows, unplaced works
counted, bad records refused. The fetcher is tested in tests/fetch/test_fetch_openalex.py."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from ev_helpers import OPENALEX_FIXTURE, counts, openalex_lines, write_jsonl
from reciprocity.errors import FormatError, UnknownCountryError
from reciprocity.queries.dyad import dyad
from reciprocity.sources import openalex, registry
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
        result = store.ingest(registry.get("openalex"), gz)
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
            store.ingest(registry.get("openalex"), path)
        assert counts(store) == before
    for needle in needles:
        assert needle in str(exc.value)


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(OPENALEX_FIXTURE.read_text("utf-8") + '{"id": "https://openalex.org/W9",\n',
                    encoding="utf-8")
    with pytest.raises(FormatError, match=r"broken.jsonl, line 8"):
        openalex.SOURCE.read(path)
