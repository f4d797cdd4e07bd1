"""The evidence commands end to end: ingest wdi|ncses|openalex, dyad over undirected and
directed channels with --area, partners --area, indicators, taxonomy; bad input exits 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ev_helpers import (
    BM_NAME,
    BX_NAME,
    OPENALEX_FIXTURE,
    counts,
    ncses_cell,
    raw_file,
    wdi_plain,
)
from reciprocity.sources import registry
from reciprocity.store.db import Store


def _ok(result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def ev_db(tmp_path_factory: pytest.TempPathFactory, shared_raw: Path) -> Path:
    """A store holding NCSES 10003/10016 (from ``../shared``, hence ``shared_raw``: the tests
    using it are marked ``requires_shared``), two composed WDI files and the OpenAlex fixture."""
    tmp_path = tmp_path_factory.mktemp("ev")
    db = tmp_path / "ev.duckdb"
    bm = tmp_path / "BM.GSR.ROYL.CD_WDI.csv"
    bm.write_text(wdi_plain([("Japan", "JPN", {2012: 200.0}), ("United States", "USA",
                                                                {2012: 40.0})],
                            "BM.GSR.ROYL.CD", BM_NAME))
    bx = tmp_path / "BX.GSR.ROYL.CD_WDI.csv"
    bx.write_text(wdi_plain([("Japan", "JPN", {2012: 320.0}), ("United States", "USA",
                                                                {2012: 124.0})],
                            "BX.GSR.ROYL.CD", BX_NAME))
    with Store(db) as store:
        for source, path in (("ncses", raw_file("ncses_sei/10003_data.csv")),
                             ("ncses", raw_file("ncses_sei/10016_data.csv")),
                             ("wdi", bm), ("wdi", bx), ("openalex", OPENALEX_FIXTURE)):
            store.ingest(registry.get(source), path)
    return db


@pytest.mark.requires_shared
def test_ingest_commands(tmp_path: Path, run_main) -> None:
    db = tmp_path / "cli.duckdb"
    bm = tmp_path / "BM.GSR.ROYL.CD_WDI.csv"
    bm.write_text(wdi_plain([("Japan", "JPN", {2012: 200.0})], "BM.GSR.ROYL.CD", BM_NAME))
    for source, path, needle in (("wdi", bm, "world_bank_wdi:BM.GSR.ROYL.CD/"),
                                 ("openalex", OPENALEX_FIXTURE, "works without country: 1"),
                                 ("ncses", raw_file("ncses_sei/10007_data.csv"),
                                  "ncses_sei:SPBS-39/")):
        result = run_main("--db", db, "ingest", source, path)
        assert result.exit_code == 0 and needle in result.stdout, result.output


def test_dyad_coauthorship_2022_equals_the_ncses_cell(ev_db: Path, run_main) -> None:
    cell = ncses_cell(raw_file("ncses_sei/10003_data.csv"), "United States", "Japan", 2022)
    data = _ok(run_main("--db", ev_db, "dyad", "USA", "JPN", "--channel", "coauthorship",
                        "--since", "2022", "--until", "2022", "--format", "json"))
    co = data["channels"]["coauthorship"]
    assert co["aggregation"] == "snapshot" and co["flow_ab"] is None  # no total over years
    assert co["latest"]["year"] == 2022 and co["years_with_data"] == [2022]
    assert co["latest"]["flow_ab"] == co["latest"]["flow_ba"] == cell == 12828
    assert co["latest"]["gl_index"] is None and co["directed"] is False
    assert co["unit"] == "articles_whole"
    assert {"a", "b", "since", "until", "window", "vintages", "credits", "channels"} <= set(data)
    assert data["channels"]["coauthorship:works_whole"]["flow_ab"] == 1  # OpenAlex, apart


def test_dyad_citation_with_area(ev_db: Path, run_main) -> None:
    data = _ok(run_main("--db", ev_db, "dyad", "USA", "JPN", "--channel", "citation",
                        "--area", "advanced_materials", "--format", "json"))
    keys = set(data["channels"])
    assert keys == {"citation", "citation:citations"}
    rci = data["channels"]["citation"]
    assert rci["unit"] == "relative_citation_index_materials_science"
    assert rci["aggregation"] == "index" and rci["flow_ab"] is None  # never summed
    assert (rci["latest"]["flow_ab"], rci["latest"]["flow_ba"]) == (1.46, 0.58)
    assert rci["directed"] and rci["latest"]["year"] == rci["years_with_data"][-1]
    text = run_main("--db", ev_db, "dyad", "USA", "JPN", "--channel", "coauthorship")
    assert text.exit_code == 0 and "undirected" in text.stdout


def test_partners_with_area_and_unit(ev_db: Path, run_main) -> None:
    rows = _ok(run_main("--db", ev_db, "partners", "JPN", "--channel", "coauthorship",
                        "--format", "json"))
    assert rows[0]["partner"] == "USA" and {r["unit"] for r in rows} == {"articles_whole"}
    assert rows[0]["gl_index"] is None
    rows = _ok(run_main("--db", ev_db, "partners", "JPN", "--channel", "citation", "--area",
                        "advanced_materials", "--unit", "citations", "--format", "json"))
    assert {r["partner"] for r in rows} == {"USA"}
    bad = run_main("--db", ev_db, "partners", "JPN", "--area", "warp_drives")
    assert bad.exit_code == 2 and "unknown technology area 'warp_drives'" in bad.stderr


def test_indicators_json(ev_db: Path, run_main) -> None:
    data = _ok(run_main("--db", ev_db, "indicators", "JPN", "--format", "json"))
    assert [(r["indicator"], r["year"], r["value"]) for r in data["series"]
            if r["indicator"].startswith("B")] == [("BM.GSR.ROYL.CD", 2012, 200.0),
                                                   ("BX.GSR.ROYL.CD", 2012, 320.0)]
    assert data["coverage_ratio"] == [{"year": 2012, "value": 1.6, "receipts": 320.0,
                                       "payments": 200.0}]
    one = _ok(run_main("--db", ev_db, "indicators", "USA", "--indicator", "BX.GSR.ROYL.CD",
                       "--format", "json"))
    assert {r["indicator"] for r in one["series"]} == {"BX.GSR.ROYL.CD"}
    assert one["coverage_ratio"][0]["value"] == pytest.approx(3.1)
    text = run_main("--db", ev_db, "indicators", "JPN")
    assert text.exit_code == 0 and "coverage ratio" in text.stdout
    assert run_main("--db", ev_db, "indicators", "Atlantis").exit_code == 2


def test_taxonomy_reports_unmapped_sipri(tmp_path: Path, run_main, classic_file: Path) -> None:
    text = classic_file.read_bytes().decode("latin-1")
    assert ",transport aircraft," in text
    mystery = tmp_path / "mystery.csv"
    mystery.write_bytes(text.replace(",transport aircraft,", ",mystery device,", 1)
                        .encode("latin-1"))
    db = tmp_path / "tax.duckdb"
    assert run_main("--db", db, "ingest", "sipri", mystery).exit_code == 0
    data = _ok(run_main("--db", db, "taxonomy", "--format", "json"))
    assert {a["id"] for a in data["areas"]} >= {"microelectronics", "naval_shipbuilding"}
    unmapped = data["store"]["unmapped_sipri_descriptions"]
    assert [u["description"] for u in unmapped] == ["mystery device"]
    cov = data["store"]["sipri_area_coverage"]
    assert cov["unmapped"] == unmapped[0]["flows"] > 0
    assert cov["mapped"] + cov["unmapped"] == cov["flows"]
    plain = run_main("--db", tmp_path / "none.duckdb", "taxonomy", "--format", "json")
    assert _ok(plain)["store"] is None


def test_bad_files_exit_2_and_write_nothing(ncses_db: Path, tmp_path: Path, run_main) -> None:
    """On a small store of composed NCSES tables (no real data needed)."""
    ev_db = tmp_path / "ev.duckdb"
    shutil.copyfile(ncses_db, ev_db)
    with Store(ev_db, read_only=True) as store:
        before = counts(store)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "https://openalex.org/W1", "publication_year": 2020}\n')
    result = run_main("--db", ev_db, "ingest", "openalex", bad)
    assert result.exit_code == 2 and "bad.jsonl, line 1" in result.stderr
    other = tmp_path / "other.csv"
    other.write_text("table_id,row_id,time_period,value\n10003,r001,World -> 2003,1\n")
    result = run_main("--db", ev_db, "ingest", "ncses", other)
    assert result.exit_code == 2 and "does not fit" in result.stderr
    with Store(ev_db, read_only=True) as store:
        assert counts(store) == before
