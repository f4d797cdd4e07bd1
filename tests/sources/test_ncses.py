"""NCSES SEI tables: documented label order applied and checked, undirected co-authorship,
directed citation (cited → citing), index units never summed, bad files refused."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from ev_helpers import counts, ncses_cell, ncses_labels, ncses_matrix, raw_file
from reciprocity.errors import FormatError, UnknownCountryError
from reciprocity.queries.dyad import dyad
from reciprocity.sources import ncses, registry
from reciprocity.store.db import Store


@pytest.fixture
def ev_matrix(tmp_path: Path) -> Path:
    path = tmp_path / "10003_data.csv"
    path.write_text(ncses_matrix("10003"), encoding="utf-8")
    return path


def _fails(tmp_path: Path, path: Path, error: type[Exception], *needles: str) -> str:
    with Store(tmp_path / "bad.duckdb") as store:
        before = counts(store)
        with pytest.raises(error) as exc:
            store.ingest(registry.get("ncses"), path)
        assert counts(store) == before  # nothing written
    text = str(exc.value)
    for needle in needles:
        assert needle in text, text
    return text


def test_composed_matrix_gets_documented_labels(ev_matrix: Path) -> None:
    parsed = ncses.SOURCE.read(ev_matrix)
    labels = ncses_labels("10003")
    usa, jpn = labels.index("United States"), labels.index("Japan")
    flows = parsed.flows
    assert (flows["origin"] < flows["destination"]).all()  # undirected: once per pair
    row = flows[(flows["origin"] == "JPN") & (flows["destination"] == "USA")
                & (flows["year"] == 2022)]
    assert row["magnitude"].tolist() == [(min(usa, jpn) + 1) * 100 + max(usa, jpn) + 22]
    n = len(labels) - 1  # countries
    assert len(flows) == n * (n - 1) // 2 * 2
    # the World row becomes country totals in the indicators table, not pair flows
    ind = parsed.indicators
    assert set(ind["indicator"]) == {"ncses.intl_coauthored_articles"}
    assert ind[ind["is_aggregate"]]["country"].unique().tolist() == ["WLD"]
    assert "WLD" not in set(flows["origin"]) | set(flows["destination"])


@pytest.mark.requires_shared
def test_real_coauthorship_cell_equals_flow() -> None:
    path = raw_file("ncses_sei/10003_data.csv")
    cell = ncses_cell(path, "United States", "Japan", 2022)
    assert cell == 12828  # as SOURCE.md reads it
    assert ncses_cell(path, "Japan", "United States", 2022) == cell
    parsed = ncses.SOURCE.read(path)
    f = parsed.flows
    got = f[(f["origin"] == "JPN") & (f["destination"] == "USA")].set_index("year")
    assert got.loc[2022, "magnitude"] == cell and got.loc[2003, "magnitude"] == 8596
    assert parsed.dataset_part == "SPBS-35"


@pytest.mark.requires_shared
def test_real_index_and_citation_directions() -> None:
    index = ncses.SOURCE.read(raw_file("ncses_sei/10006_data.csv")).flows
    jp_us = index[(index["origin"] == "JPN") & (index["destination"] == "USA")]
    assert dict(zip(jp_us["year"], jp_us["magnitude"], strict=True)) == {2003: 0.92, 2022: 0.97}
    assert set(index["unit"]) == {"coauthorship_index"}
    path = raw_file("ncses_sei/10007_data.csv")
    rows = {r["citing_region_country_or_economy"]: r
            for r in csv.DictReader(path.open(encoding="utf-8"))}
    cites = ncses.SOURCE.read(path).flows.set_index(["origin", "destination"])["magnitude"]
    # the United States (citing row) citing Japan (cited column): knowledge flows JPN → USA
    assert cites[("JPN", "USA")] == float(rows["United States"]["japan"]) == 0.52
    assert cites[("USA", "JPN")] == float(rows["Japan"]["united_states"]) == 1.13


@pytest.mark.requires_shared
def test_field_tables_have_units_and_areas() -> None:
    materials = ncses.SOURCE.read(raw_file("ncses_sei/10016_data.csv"))
    assert set(materials.flows["unit"]) == {"relative_citation_index_materials_science"}
    assert set(materials.flows["area"]) == {"advanced_materials"}
    physics = ncses.SOURCE.read(raw_file("ncses_sei/10019_data.csv"))
    assert physics.flows["area"].isna().all()
    assert physics.notes["flows_unmapped_area"] == len(physics.flows)  # counted, kept


@pytest.mark.requires_shared
def test_dyad_reads_the_2022_cell_and_never_sums_indices(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest(registry.get("ncses"), raw_file("ncses_sei/10003_data.csv"))
        store.ingest(registry.get("ncses"), raw_file("ncses_sei/10006_data.csv"))
        one = dyad(store, "USA", "JPN", channel="coauthorship", since=2022, until=2022)
        data = one.to_dict()["channels"]
        latest = data["coauthorship"]["latest"]
        assert latest["year"] == 2022 and latest["flow_ab"] == latest["flow_ba"] == 12828
        assert latest["gl_index"] is None and not data["coauthorship"]["directed"]
        both = dyad(store, "USA", "JPN", channel="coauthorship").to_dict()["channels"]
        art = both["coauthorship"]
        assert art["aggregation"] == "snapshot" and art["flow_ab"] is None  # not 8596 + 12828
        assert art["latest"]["year"] == 2022 and art["latest"]["flow_ab"] == 12828
        assert art["years_with_data"] == [2003, 2022]
        idx = both["coauthorship:coauthorship_index"]
        assert idx["aggregation"] == "index" and idx["flow_ab"] is None  # no mean either
        assert idx["latest"]["flow_ab"] == 0.97
        years = {r["year"]: r["flow_ab"] for r in idx["by_year"]}
        assert years[2003] == 0.92 and years[2022] == 0.97 and years[2010] is None


def test_swapped_rows_do_not_fit(tmp_path: Path) -> None:
    labels = ncses_labels("10003")
    swapped = labels.copy()
    swapped[3], swapped[4] = swapped[4], swapped[3]
    path = tmp_path / "10003_data.csv"
    path.write_text(ncses_matrix("10003", labels=swapped), encoding="utf-8")
    _fails(tmp_path, path, FormatError, "does not fit", "row label 'Brazil' as row 4",
           "'United States'")


def test_short_row_and_asymmetry_do_not_fit(tmp_path: Path, ev_matrix: Path) -> None:
    lines = ev_matrix.read_text(encoding="utf-8").splitlines()
    short = tmp_path / "short.csv"
    short.write_text("\n".join(lines[:10] + lines[11:]) + "\n", encoding="utf-8")
    _fails(tmp_path, short, FormatError, "does not fit", "46 records")

    def shifted(i: int, j: int, year: int) -> str:  # a column order off by one
        return "na" if i == j + 1 else str(1000 + i * 47 + j)

    path = tmp_path / "asym.csv"
    path.write_text(ncses_matrix("10003", value=shifted), encoding="utf-8")
    _fails(tmp_path, path, FormatError, "does not fit", "diagonal cell", "symmetric")


def test_unknown_table_hierarchical_layout_and_unknown_country(tmp_path: Path) -> None:
    other = tmp_path / "99999_data.csv"
    other.write_text(ncses_matrix("10003").replace("\n10003,", "\n99999,"), encoding="utf-8")
    _fails(tmp_path, other, FormatError, "no documented layout", "'99999'")
    hier = tmp_path / "1979_data.csv"
    hier.write_text("table_id,row_id,region_country_or_economy_full_path,field_2002\n"
                    "1979,r001,World,1\n", encoding="utf-8")
    _fails(tmp_path, hier, FormatError, "row-hierarchical")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["table_id", "row_id", "citing_region_country_or_economy", "japan", "atlantis"])
    w.writerow(["10007", "r001", "Japan", "5.1", "0.4"])
    w.writerow(["10007", "r002", "Atlantis", "0.3", "9.9"])
    bad = tmp_path / "10007_data.csv"
    bad.write_text(out.getvalue(), encoding="utf-8")
    _fails(tmp_path, bad, UnknownCountryError, "atlantis", "10007_data.csv, line 2")
    junk = tmp_path / "junk.csv"
    junk.write_text("hello,world\n1,2\n", encoding="utf-8")
    _fails(tmp_path, junk, FormatError, "not an NCSES SEI table", "junk.csv, line 1")
