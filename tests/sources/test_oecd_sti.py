"""OECD STI Scoreboard patent files: the real SDMX-ML files, fixtures in their layout, and
every way a bad file is refused (with what, where and what was expected; nothing stored)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ev_helpers import counts
from oecd_helpers import document, series, write_field
from reciprocity.errors import FormatError, InputError, UnknownCountryError
from reciprocity.sources import oecd_sti, registry
from reciprocity.store.db import Store
from sipri_helpers import SHARED_RAW, shared_path

BY_TECH = SHARED_RAW / "oecd_sti_patents_by_tech"
TOTALS = SHARED_RAW / "oecd_sti_scoreboard"


def shared(rel: str) -> Path:
    return shared_path(rel)


def value(parsed, country: str, year: int) -> float:
    ind = parsed.indicators
    got = ind[(ind["country"] == country) & (ind["year"] == year)]["value"].tolist()
    assert len(got) == 1, got
    return got[0]


# -- the real files --------------------------------------------------------------------------
# SOURCE.md of oecd_sti_patents_by_tech ("Example values") and of oecd_sti_scoreboard.
@pytest.mark.parametrize("rel,tech,figures", [
    ("oecd_sti_patents_by_tech/IP5ICT_NB_V8.txt", "ICT",
     {("JPN", 2010): 25090.9, ("JPN", 2020): 18186.1, ("USA", 2010): 13003.3,
      ("USA", 2020): 16992.9}),
    ("oecd_sti_patents_by_tech/IP5AI_NB_V8.txt", "AI",
     {("JPN", 2010): 903.1, ("JPN", 2020): 1826.0, ("USA", 2010): 582.6,
      ("USA", 2020): 3295.7}),
    ("oecd_sti_patents_by_tech/IP5BIOT_NB_V8.txt", "BIOTECH",
     {("JPN", 2010): 1226.3, ("USA", 2020): 4275.2}),
    ("oecd_sti_patents_by_tech/IP5NANO_NB_V8.txt", "NANOTECH",
     {("JPN", 2010): 808.6, ("JPN", 2020): 131.8, ("USA", 2020): 341.0}),
    ("oecd_sti_patents_by_tech/IP5MEDT_NB_V8.txt", "MEDICAL",
     {("JPN", 2020): 2779.8, ("USA", 2010): 4367.4}),
    ("oecd_sti_patents_by_tech/IP5ENV_NB_V8.txt", "ENV_TECH",
     {("JPN", 2010): 8258.4, ("USA", 2020): 5504.8}),
    ("oecd_sti_scoreboard/IP5_NB_V8.txt", "_T",
     {("JPN", 2020): 56407.9, ("USA", 2020): 45643.3}),
])
@pytest.mark.requires_shared
def test_real_files_match_source_md(rel: str, tech: str, figures: dict) -> None:
    parsed = oecd_sti.SOURCE.read(shared(rel))
    assert parsed.layout == "sdmx_structure_specific"
    assert parsed.dataset_part == f"IP5.{tech}"
    assert parsed.generated_at.date().isoformat() == "2025-04-09"
    ind = parsed.indicators
    assert set(ind["indicator"]) == {f"oecd.ip5_families.{tech}"}
    assert set(ind["unit"]) == {"patent_families_fractional"}
    for (country, year), expected in figures.items():
        assert value(parsed, country, year) == pytest.approx(expected, abs=0.05)
    # 3,744 observations, 104 areas (100 countries + W, OECD, EU27_2020, YUG_F), 1985–2020
    assert parsed.rows_read == len(ind) == 3744
    assert ind["country"].nunique() == 104
    assert set(ind.loc[ind["is_aggregate"], "country"]) == {"W", "OECD", "EU27_2020", "YUG_F"}
    assert (int(ind["year"].min()), int(ind["year"].max())) == (1985, 2020)
    # every <Obs> of the file is kept, counted independently with ElementTree
    n_obs = sum(1 for e in ET.parse(shared(rel)).getroot().iter() if e.tag.endswith("}Obs"))
    assert n_obs == len(parsed.records["oecd_sti_observations"])


@pytest.mark.requires_shared
def test_ict_share_2020_as_source_md_states() -> None:
    ict = oecd_sti.SOURCE.read(shared("oecd_sti_patents_by_tech/IP5ICT_NB_V8.txt"))
    total = oecd_sti.SOURCE.read(shared("oecd_sti_scoreboard/IP5_NB_V8.txt"))
    for country, share in (("JPN", 0.322), ("USA", 0.372)):
        assert value(ict, country, 2020) / value(total, country, 2020) == pytest.approx(
            share, abs=0.0005)


@pytest.mark.requires_shared
def test_japan_split_over_several_series_is_merged() -> None:
    """SOURCE.md: one area can span several <Series> (JPN in the AI file)."""
    parsed = oecd_sti.SOURCE.read(shared("oecd_sti_patents_by_tech/IP5AI_NB_V8.txt"))
    rec = parsed.records["oecd_sti_observations"]
    jpn = rec[rec["code"] == "JPN"]
    assert jpn["series_index"].nunique() > 1
    assert sorted(jpn["year"]) == list(range(1985, 2021))


@pytest.mark.requires_shared
def test_co_invention_file_is_refused_with_what_it_is() -> None:
    path = shared("oecd_sti_scoreboard/COPAT_NB_V8.txt")
    with pytest.raises(FormatError) as exc:
        oecd_sti.SOURCE.read(path)
    text = str(exc.value)
    assert "MEASURE='AP'" in text and "COOPERATION_TYPE='CO'" in text
    assert "<Series> #1" in text and "more series" in text


# -- fixtures in the real layout -------------------------------------------------------------
@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write_field(tmp_path, "AI", {"JPN": {2019: 1500.5, 2020: 1826.0},
                                        "USA": {2020: 3295.7}, "W": {2020: 9000.0},
                                        "EU27_2020": {2020: 800.0}})


def test_fixture_reads_values_and_keeps_aggregates_apart(small: Path) -> None:
    parsed = oecd_sti.SOURCE.read(small)
    assert oecd_sti.SOURCE.sniff(small.read_text()[:4096]) == "sdmx_structure_specific"
    ind = parsed.indicators.set_index(["country", "year"])
    assert ind.at[("JPN", 2019), "value"] == pytest.approx(1500.5)
    assert not ind.at[("JPN", 2019), "is_aggregate"] and ind.at[("W", 2020), "is_aggregate"]
    assert list(parsed.indicators["record_id"]) == [1, 2, 3, 4, 5]
    assert parsed.notes["countries"] == 2 and parsed.notes["aggregates"] == 2
    assert len(parsed.flows) == 0


def test_ingest_is_idempotent_one_dataset_per_field(tmp_path: Path, small: Path) -> None:
    total = write_field(tmp_path / "t", "_T", {"JPN": {2020: 56407.9}})
    with Store(tmp_path / "s.duckdb") as store:
        first = store.ingest(registry.get("oecd_sti"), small)
        again = store.ingest(registry.get("oecd_sti"), small)
        other = store.ingest(registry.get("oecd_sti"), total)
        assert first.added and not again.added
        assert first.dataset == "oecd_sti_patents:IP5.AI"
        assert other.dataset == "oecd_sti_patents:IP5._T"
        datasets = store.datasets().set_index("dataset")
        assert datasets.at["oecd_sti_patents:IP5.AI", "credit"].startswith(
            "OECD, STI Micro-data Lab: Intellectual Property Database")
        assert store.query("SELECT count(*) AS n FROM indicators")["n"][0] == 6
    assert "oecd_sti" in registry.names()


def test_cli_ingest_and_sources(tmp_path: Path, small: Path, run_main) -> None:
    db = tmp_path / "cli.duckdb"
    result = run_main("--db", db, "ingest", "oecd_sti", small)
    assert result.exit_code == 0, result.output
    listed = json.loads(run_main("--db", db, "sources", "--format", "json").stdout)
    (row,) = listed
    assert row["dataset"] == "oecd_sti_patents:IP5.AI" and row["source"] == "oecd_sti"
    assert "STI Micro-data Lab" in row["credit"]
    shown = json.loads(run_main("--db", db, "indicators", "JPN", "--format", "json").stdout)
    names = {r["indicator"]: r["name"] for r in shown["series"]}
    assert names["oecd.ip5_families.AI"].startswith("IP5 patent families, Artificial")


def _fails(tmp_path: Path, text: str, error: type[Exception], *needles: str) -> str:
    path = tmp_path / "IP5AI_NB_V8.txt"
    path.write_text(text, encoding="utf-8")
    with Store(tmp_path / "bad.duckdb") as store:
        before = counts(store)
        with pytest.raises(error) as exc:
            store.ingest(registry.get("oecd_sti"), path)
        assert counts(store) == before  # nothing written
    message = str(exc.value)
    for needle in needles:
        assert needle in message, message
    return message


def test_broken_xml_names_line_and_column(tmp_path: Path, small: Path) -> None:
    text = small.read_text()
    _fails(tmp_path, text[: len(text) - 40], FormatError, "broken XML", "line 1, column",
           "well-formed SDMX-ML")


def test_unknown_field_is_refused(tmp_path: Path) -> None:
    _fails(tmp_path, document([series("JPN", "QUANTUM", {2020: 1.0})]), FormatError,
           "OECD_TECHNOLOGY_PATENT='QUANTUM'", "<Series> #1 (REF_AREA=JPN)", "one of")


def test_missing_country_is_refused(tmp_path: Path) -> None:
    _fails(tmp_path, document([series(None, "AI", {2020: 1.0})]), FormatError,
           "no REF_AREA attribute", "<Series> #1")


def test_unknown_country_names_its_series(tmp_path: Path) -> None:
    _fails(tmp_path, document([series("JPN", "AI", {2020: 1.0}),
                               series("XQZ", "AI", {2020: 2.0})]), UnknownCountryError,
           "'XQZ'", "<Series> #2 (REF_AREA=XQZ)")


def test_other_series_and_values_are_refused(tmp_path: Path) -> None:
    message = _fails(tmp_path, document([
        series("JPN", "AI", {2020: 1.0}, AGENT_ROLE="APPLICANT"),
        series("USA", "AI", {2020: "n/a", 20201: 3.0})]), FormatError,
        "AGENT_ROLE='APPLICANT'", "OBS_VALUE='n/a'", "TIME_PERIOD='20201'")
    assert "counted by inventor's country" in message


def test_two_fields_and_duplicates_are_refused(tmp_path: Path) -> None:
    _fails(tmp_path, document([series("JPN", "AI", {2020: 1.0}),
                               series("USA", "ICT", {2020: 2.0})]), FormatError,
           "2 technology fields", "OECD_TECHNOLOGY_PATENT='ICT'")
    _fails(tmp_path, document([series("JPN", "AI", {2020: 1.0}),
                               series("JPN", "AI", {2020: 2.0})]), FormatError,
           "two values for one year", "REF_AREA=JPN TIME_PERIOD=2020")


def test_not_sdmx_and_entities_are_refused(tmp_path: Path) -> None:
    _fails(tmp_path, "REF_AREA,TIME_PERIOD,OBS_VALUE\nJPN,2020,1\n", FormatError,
           "not an SDMX-ML (XML) file", "line 1")
    _fails(tmp_path, '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
           FormatError, "DTD or entity declarations")
    _fails(tmp_path, document([series("JPN", "AI", {2020: 1.0})], dataset="DSD_SBRD"),
           FormatError, "DataSetID", "'DSD_SBRD'")
    generic = document([]).replace("StructureSpecificData", "GenericData")
    _fails(tmp_path, generic, FormatError, "<GenericData>", "structure-specific")


def test_input_error_is_the_base(tmp_path: Path) -> None:
    assert issubclass(FormatError, InputError)
    _fails(tmp_path, "", InputError, "empty file")
