"""OECD IP5 patent families in the assessment: RTA the way OECD computes it (each field against
the all-technology totals and the world, a count floor), licensed production of foreign
designs as a production base, and "no evidence loaded" instead of calling a partner weak."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from oecd_helpers import write_field
from reciprocity import labels
from reciprocity.api import Reciprocity
from reciprocity.assess import capabilities as cap
from reciprocity.assess import inputs
from reciprocity.assess.config import load_settings
from reciprocity.sources import registry
from reciprocity.store.db import Store
from sipri_helpers import SHARED_RAW, shared_path

# Hand-worked example. Priority year 2020 (period 2016–2020) and 2015 (2011–2015).
TOTAL = {"JPN": {2015: 1000.0, 2020: 1000.0}, "USA": {2015: 3000.0, 2020: 3000.0},
         "KOR": {2020: 400.0}, "W": {2015: 10000.0, 2020: 10000.0}}
AI = {"JPN": {2015: 100.0, 2020: 300.0}, "USA": {2015: 100.0, 2020: 100.0},
      "KOR": {2020: 100.0}, "W": {2015: 300.0, 2020: 600.0}}   # W holds other countries too
ICT = {"JPN": {2020: 600.0}, "USA": {2020: 900.0}, "W": {2020: 4000.0}}  # no KOR row: 0
# RTA_JPN,AI = (300 / 1000) / (600 / 10000) = 5; USA (100 / 3000) / 0.06 = 0.5556;
# KOR: 400 families in all technologies, not more than OECD's 500: withheld.
# JPN, ICT: (600 / 1000) / (4000 / 10000) = 1.5 (not (600 / 900), the sum of the fields).
# JPN 2011–2015: (100 / 1000) / (300 / 10000) = 3.3333.
FLOWS = [
    # U.S. designs built under licence in Japan: Japan's production base, the U.S.'s exports
    {"channel": "arms", "origin": "USA", "destination": "JPN", "year": 2019,
     "magnitude": 900.0, "area": "aerospace", "mode": "licensed_production"},
    # a U.S. design built in Japan and delivered to the U.S.: Japan's production base too
    {"channel": "arms", "origin": "JPN", "destination": "USA", "year": 2019,
     "magnitude": 40.0, "area": "missiles_propulsion", "mode": "new", "design_origin": "USA"},
    {"channel": "arms", "origin": "JPN", "destination": "AUS", "year": 2019,
     "magnitude": 1.0, "area": "naval_shipbuilding", "mode": "new"},
    {"channel": "arms", "origin": "FRA", "destination": "AUS", "year": 2019,
     "magnitude": 500.0, "area": "naval_shipbuilding", "mode": "new"},
]


@pytest.fixture
def families_db(tmp_path: Path, assess_make_store) -> Path:
    db = assess_make_store(FLOWS, name="families")
    folder = tmp_path / "oecd"
    with Store(db) as store:
        for tech, data in (("_T", TOTAL), ("AI", AI), ("ICT", ICT)):
            store.ingest(registry.get("oecd_sti"), write_field(folder, tech, data))
    return db


def measure(result: cap.Capabilities, name: str, area: str):
    m = result.measures
    rows = m[(m["measure"] == name) & (m["area"] == area)]
    assert len(rows) == 1, m
    return rows.iloc[0]


def test_rta_hand_worked_against_all_technology_totals(families_db: Path) -> None:
    with Reciprocity(families_db, read_only=True) as r:
        jpn = r.capabilities("JPN")
        usa = r.capabilities("USA")
    ai = measure(jpn, "patent_families", "computing_ai")
    assert ai["field"] == "AI" and ai["period"] == "2016–2020"
    assert ai["value"] == pytest.approx(300.0)
    assert ai["world"] == pytest.approx(600.0)      # OECD's W, not the 500 of the countries
    assert ai["share"] == pytest.approx(0.5)
    assert ai["rta"] == pytest.approx(5.0)
    assert ai["previous_rta"] == pytest.approx(100 / 1000 / (300 / 10000))
    assert ai["strength"] == pytest.approx(5.0 / 6.0) and ai["rank"] == 1
    ict = measure(jpn, "patent_families", "communications_networks")
    assert ict["field"] == "ICT" and ict["rta"] == pytest.approx(1.5)
    assert measure(usa, "patent_families", "computing_ai")["rta"] == pytest.approx(
        (100 / 3000) / (600 / 10000))
    assert "computing_ai" in set(jpn.leading()["area"])


def test_count_floor_withholds_rta_below_oecd_500(families_db: Path) -> None:
    with Reciprocity(families_db, read_only=True) as r:
        kor = r.capabilities("KOR")
        s = load_settings()
        low = replace(s, values={**s.values, "capabilities.rta_floor.patent_families": 300.0})
        kor_low = r.capabilities("KOR", settings=low)
    ai = measure(kor, "patent_families", "computing_ai")
    assert ai["below_floor"] and math.isnan(ai["rta"]) and pd.isna(ai["strength"])
    assert ai["share"] == pytest.approx(100 / 600)   # value and share are still reported
    ict = measure(kor, "patent_families", "communications_networks")
    assert ict["value"] == 0.0                       # a total but no ICT row: 0, not missing
    assert measure(kor_low, "patent_families", "computing_ai")["rta"] == pytest.approx(
        (100 / 400) / (600 / 10000))
    assert load_settings()["capabilities.rta_floor.patent_families"] == 500


def test_licensed_production_is_a_production_base_not_a_strength(families_db: Path) -> None:
    with Reciprocity(families_db, read_only=True) as r:
        jpn = r.capabilities("JPN")
        usa = r.capabilities("USA")
    assert "licensed_production" not in set(jpn.measures["measure"])
    assert "aerospace" not in set(jpn.areas["area"])
    assert "aerospace" not in set(jpn.leading()["area"])
    base = jpn.production_base.set_index(["measure", "area"])
    assert base.at[("licensed_production", "aerospace"), "value"] == pytest.approx(900.0)
    assert base.at[("foreign_design_exports", "missiles_propulsion"), "value"] == 40.0
    assert base["strength"].isna().all()
    assert "missiles_propulsion" not in set(jpn.areas["area"])
    assert any("Production base, not a technological strength: licensed production in "
               "Aerospace (aircraft), " in n and "TIV, millions" in n for n in jpn.notes())
    assert not any("_" in n.split(": ingest")[0] for n in jpn.notes())  # names, not ids
    # the design's country keeps the export
    assert measure(usa, "arms_exports", "aerospace")["value"] == pytest.approx(900.0)
    data = jpn.answer().model_dump(mode="json")
    assert {m["measure"] for m in data["production_base"]} == {"licensed_production",
                                                               "foreign_design_exports"}


def test_panel_reference_columns_use_the_world_row(families_db: Path) -> None:
    with Store(families_db, read_only=True) as store:
        panel = inputs.capability_panel(store)
    fam = panel[panel["measure"] == "patent_families"].set_index(["country", "field", "year"])
    assert fam.at[("JPN", "AI", 2020), "ref_world"] == 600.0
    assert fam.at[("JPN", "AI", 2020), "ref_total"] == 1000.0
    assert fam.at[("JPN", "AI", 2020), "ref_world_total"] == 10000.0
    assert fam.at[("KOR", "ICT", 2020), "value"] == 0.0
    assert "W" not in set(fam.index.get_level_values("country"))


def test_no_evidence_loaded_instead_of_a_weak_partner(families_db: Path) -> None:
    with Reciprocity(families_db, read_only=True) as r:
        jpn = r.capabilities("JPN")
        opps = r.opportunities("USA", "JPN")
        everything = r.opportunities("USA", "JPN", include_all=True)
    missing = {e["area"]: e for e in jpn.no_evidence}
    assert "computing_ai" not in missing and "communications_networks" not in missing
    assert missing["microelectronics"]["message"].startswith(
        "no evidence loaded for Semiconductors and microelectronics: ingest patentsview")
    assert missing["naval_shipbuilding"]["message"].startswith(
        "no evidence loaded for Naval shipbuilding: ingest patentsview (CPC B63)")
    rows = {r_["area"]: r_ for r_ in opps.rows}
    # the declared needs of the 1995 example: computing_ai ranked on patent evidence ...
    ai = rows["computing_ai"]
    assert ai["qualifies"] and ai["evidence_status"] == "loaded"
    assert ai["evidence"][0]["measure"] == "patent_families"
    assert ai["evidence"][0]["rta"] == pytest.approx(5.0)
    assert opps.rows[0]["area"] == "computing_ai"
    # ... the others said to have no evidence loaded, never ranked as Japan's weakness
    for area in ("microelectronics", "advanced_manufacturing", "advanced_materials"):
        assert rows[area]["evidence_status"] == "none_loaded"
        assert rows[area]["message"].startswith(
            f"no evidence loaded for {labels.area(area)}: ingest")
        assert not rows[area]["qualifies"] and rows[area]["score"] == 0.0
    # Japan's tiny naval exports are not a weakness where no technology evidence is loaded
    assert "naval_shipbuilding" not in rows
    naval = {r_["area"]: r_ for r_ in everything.rows}["naval_shipbuilding"]
    assert naval["evidence_status"] == "none_loaded"
    table = opps.frame()
    assert table["rank"].isna().sum() == 3
    assert ("no evidence loaded for Semiconductors and microelectronics"
            in " ".join(table["best_evidence"]))


# -- the real files ----------------------------------------------------------------------------
FILES = ["oecd_sti_scoreboard/IP5_NB_V8.txt",
         *(f"oecd_sti_patents_by_tech/IP5{f}_NB_V8.txt"
           for f in ("ICT", "AI", "BIOT", "NANO", "MEDT", "ENV"))]


@pytest.fixture(scope="module")
def real_db(tmp_path_factory: pytest.TempPathFactory, shared_raw: Path) -> Path:
    # shared_raw: the tests using this store are marked requires_shared
    paths = [shared_path(f) for f in FILES]
    db = tmp_path_factory.mktemp("oecd") / "oecd.duckdb"
    with Store(db) as store:
        for path in paths:
            store.ingest(registry.get("oecd_sti"), path)
    return db


def independent_rta(tech_file: str, country: str, years: range) -> float:
    """(P_cf / P_c) / (P_wf / P_w) over ``years``, read with ElementTree alone."""
    def sums(rel: str) -> dict[str, float]:
        out: dict[str, float] = {}
        for s in ET.parse(SHARED_RAW / rel).getroot().iter():
            if s.tag.endswith("}Series") and s.get("REF_AREA") in (country, "W"):
                for o in s:
                    if int(o.get("TIME_PERIOD")) in years:
                        out[s.get("REF_AREA")] = out.get(s.get("REF_AREA"), 0.0) + float(
                            o.get("OBS_VALUE"))
        return out
    field, total = sums(tech_file), sums("oecd_sti_scoreboard/IP5_NB_V8.txt")
    return (field[country] / total[country]) / (field["W"] / total["W"])


@pytest.mark.parametrize("country,area,tech_file", [
    ("JPN", "computing_ai", "oecd_sti_patents_by_tech/IP5AI_NB_V8.txt"),
    ("JPN", "advanced_materials", "oecd_sti_patents_by_tech/IP5NANO_NB_V8.txt"),
    ("USA", "biotechnology", "oecd_sti_patents_by_tech/IP5BIOT_NB_V8.txt"),
    ("USA", "computing_ai", "oecd_sti_patents_by_tech/IP5AI_NB_V8.txt"),
])
def test_real_rta_matches_an_independent_computation(real_db: Path, country: str, area: str,
                                                     tech_file: str) -> None:
    with Reciprocity(real_db, read_only=True) as r:
        m = measure(r.capabilities(country), "patent_families", area)
    assert m["period"] == "2016–2020" and m["previous_period"] == "2011–2015"
    assert m["rta"] == pytest.approx(independent_rta(tech_file, country, range(2016, 2021)))
    assert m["previous_rta"] == pytest.approx(
        independent_rta(tech_file, country, range(2011, 2016)))


def test_real_usa_jpn_opportunities_rank_patent_evidence(real_db: Path) -> None:
    with Reciprocity(real_db, read_only=True) as r:
        opps = r.opportunities("USA", "JPN")
    rows = {r_["area"]: r_ for r_ in opps.rows}
    for area, fld in (("computing_ai", "AI"), ("advanced_materials", "NANOTECH")):
        assert rows[area]["evidence_status"] == "loaded"
        assert rows[area]["evidence"][0]["measure"] == "patent_families"
        assert rows[area]["evidence"][0]["field"] == fld
    for area in ("microelectronics", "advanced_manufacturing"):
        assert rows[area]["evidence_status"] == "none_loaded"
    ranked = [r_["area"] for r_ in opps.rows if r_["evidence_status"] == "loaded"]
    assert {"computing_ai", "advanced_materials"} <= set(ranked)
