"""The taxonomy: areas cover the report and the critical-technology list; every crosswalk
names known areas; SIPRI, OpenAlex and CPC lookups; every SIPRI flow placed or counted."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ev_helpers import raw_file
from reciprocity import taxonomy
from reciprocity.sources import sipri
from reciprocity.store.db import Store

REPORT_AREAS = ("microelectronics", "advanced_materials", "advanced_manufacturing",
                "aerospace", "space", "naval_shipbuilding", "missiles_propulsion",
                "sensors_radar")


def test_areas_cover_the_report_and_the_cet_list() -> None:
    areas = taxonomy.areas()
    for area in REPORT_AREAS:
        assert area in areas and areas[area].report, area
    (cet,) = taxonomy.critical_technology_lists()
    assert len(cet["entries"]) == 18 and cet["date"] == "2024-02"
    for entry in cet["entries"]:
        assert entry["areas"] and set(entry["areas"]) <= set(areas), entry
    assert areas["microelectronics"].critical_technologies == (
        "us_cet_2024: Semiconductors and Microelectronics",)


def test_every_crosswalk_names_known_areas() -> None:
    tables = taxonomy.crosswalk_tables()  # loading checks every area id
    for name in ("sipri_descriptions", "openalex_fields", "wipo_fields", "cpc_areas"):
        used = {a for a in tables[name]["area"] if a}
        assert used <= set(taxonomy.areas()), name
    wipo = tables["wipo_fields"]
    assert sorted(wipo["field"].astype(int)) == list(range(1, 36))
    cpc = tables["cpc_to_wipo"]
    assert cpc["prefix"].is_unique
    assert set(cpc["field"].astype(int)) == set(range(1, 36))


@pytest.mark.parametrize("description,area", [
    ("fighter/ground-attack aircraft", "aerospace"),
    ("maritime patrol aircraft radar", "sensors_radar"),
    ("anti-radar missile", "missiles_propulsion"),
    ("anti-ship/land-attack missile", "missiles_propulsion"),
    ("tank destroyer", "land_systems"),
    ("armoured engineer vehicle", "land_systems"),
    ("torpedo boat", "naval_shipbuilding"),
    ("turbofan", "missiles_propulsion"),
    ("reconnaissance drone", "uncrewed_systems"),
    ("surveillance satellite", "space"),
    ("self-propelled gun", "guns_artillery"),
    ("  Air-Search  Radar ", "sensors_radar"),
    ("widget", None),
    (None, None),
])
def test_sipri_descriptions(description: str | None, area: str | None) -> None:
    got = taxonomy.area_for_sipri(pd.Series([description], dtype=object))
    assert got.tolist() == [area]


@pytest.mark.requires_shared
def test_every_distinct_sipri_description_is_placed() -> None:
    seen = set()
    for rel in ("sipri_trade_register/trade-register.csv",
                "sipri_register_new_format_sample/trade-register.csv"):
        parsed = sipri.SOURCE.read(raw_file(rel))
        seen |= set(parsed.records["sipri_transfers"]["description"].drop_null().to_pylist())
    areas = taxonomy.area_for_sipri(pd.Series(sorted(seen), dtype=object))
    unplaced = sorted(d for d, a in zip(sorted(seen), areas, strict=True) if a is None)
    assert not unplaced, unplaced


def test_every_sipri_flow_has_an_area_or_is_counted(full_store: Store) -> None:
    flows = full_store.query("SELECT vintage_id, count(*) AS n, count(area) AS mapped "
                             "FROM flows WHERE channel = 'arms' GROUP BY vintage_id")
    notes = dict(full_store.con.execute(
        "SELECT vintage_id, notes FROM vintages").fetchall())
    for row in flows.itertuples(index=False):
        counted = int(re.search(r"flows_unmapped_area: (\d+)", notes[row.vintage_id]).group(1))
        assert row.mapped + counted == row.n
        assert row.mapped / row.n == 1.0  # the crosswalk places every description seen


def test_openalex_fields() -> None:
    assert taxonomy.area_for_openalex("https://openalex.org/fields/22",
                                      "https://openalex.org/subfields/2202") == "aerospace"
    assert taxonomy.area_for_openalex(25, 2599) == "advanced_materials"  # field fallback
    assert taxonomy.area_for_openalex("22") is None  # too broad on its own
    assert taxonomy.area_for_openalex(None, None) is None


@pytest.mark.parametrize("symbol,field,area", [
    ("H01L 21/02", 8, "microelectronics"),
    ("G01N 33/53", 11, "biotechnology"),
    ("G01N 21/00", 10, "sensors_radar"),
    ("H04N 21/234", 4, "communications_networks"),
    ("H04N 1/00", 3, "communications_networks"),
    ("H04N 5/00", 2, "human_machine_interfaces"),
    ("B01D 53/34", 24, None),
    ("B01D 3/00", 23, None),
    ("B64G 1/00", 32, "space"),
    ("F42B 15/01", 29, "missiles_propulsion"),
    ("F41A 1/00", 29, "guns_artillery"),
    ("G06N 10/00", 6, "quantum"),
    ("A23L 2/00", 18, None),
    ("Y02E 10/50", None, None),
])
def test_cpc_through_the_wipo_concordance(symbol: str, field: int | None,
                                          area: str | None) -> None:
    assert taxonomy.wipo_field_for_cpc(symbol) == field
    assert taxonomy.area_for_cpc(symbol) == area
    assert taxonomy.area_for_cpc([symbol]).tolist() == [area]


def test_store_coverage_never_adds_index_or_snapshot_units(ncses_db, run_main) -> None:
    """``reciprocity taxonomy`` sums magnitudes of ``sum`` units only: a relative index or a
    survey count over two years is no total."""
    import json

    from reciprocity.queries import taxonomy as report

    with Store(ncses_db, read_only=True) as store:
        rows = {r["unit"]: r for r in report.coverage(store)["flows_by_area"]}
    assert set(rows) == {"articles_whole", "coauthorship_index"}
    assert rows["coauthorship_index"]["aggregation"] == "index"
    assert rows["coauthorship_index"]["magnitude"] is None
    assert rows["articles_whole"]["aggregation"] == "snapshot"
    assert rows["articles_whole"]["magnitude"] is None
    assert (rows["articles_whole"]["first_year"], rows["articles_whole"]["last_year"],
            rows["articles_whole"]["years"]) == (2003, 2022, 2)
    out = run_main("--db", ncses_db, "taxonomy", "--format", "json")
    assert out.exit_code == 0, out.output
    cli = {r["unit"]: r for r in json.loads(out.stdout)["store"]["flows_by_area"]}
    assert cli["coauthorship_index"]["magnitude"] is None
