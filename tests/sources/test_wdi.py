"""World Bank WDI: both CSV layouts, aggregates kept apart, bad files refused.

The fetcher is tested in tests/fetch/test_fetch_wdi.py."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ev_helpers import BM_NAME, BX_NAME, counts, raw_file, wdi_api, wdi_plain
from reciprocity import countries
from reciprocity.errors import FormatError, InputError, UnknownCountryError
from reciprocity.sources import registry, wdi
from reciprocity.store.db import Store

ROWS = [("Japan", "JPN", {2011: 19172720512.13, 2012: 19897558092.8026}),
        ("United States", "USA", {2012: 39889000000.0}),
        ("World", "WLD", {2012: 143295652741.41}),
        ("High income", "HIC", {2012: 124208983572.679})]


@pytest.fixture
def ev_plain(tmp_path: Path) -> Path:
    path = tmp_path / "BM.GSR.ROYL.CD_WDI.csv"
    path.write_text(wdi_plain(ROWS, "BM.GSR.ROYL.CD", BM_NAME), encoding="utf-8")
    return path


def test_plain_layout_reads_values_and_keeps_aggregates_apart(ev_plain: Path) -> None:
    parsed = wdi.SOURCE.read(ev_plain)
    assert parsed.layout == "wide_plain" and parsed.generated_at is None
    assert parsed.dataset_part == "BM.GSR.ROYL.CD"
    ind = parsed.indicators
    jpn = ind[(ind["country"] == "JPN") & (ind["year"] == 2012)].iloc[0]
    assert jpn["value"] == pytest.approx(19897558092.8026) and not jpn["is_aggregate"]
    assert jpn["unit"] == "usd_current" and jpn["record_id"] == 2
    aggs = ind[ind["is_aggregate"]]
    assert set(aggs["country"]) == {"WLD", "HIC"}
    assert len(parsed.flows) == 0
    assert parsed.notes["aggregates"] == 2 and parsed.notes["countries"] == 2


def test_api_layout_with_preamble_and_trailing_comma(tmp_path: Path) -> None:
    path = tmp_path / "API_GB.XPD.RSDV.GD.ZS_DS2_en_csv_v2_1.csv"
    path.write_bytes(wdi_api([("Japan", "JPN", {2023: 3.44125}), ("World", "WLD", {2022: 2.6})],
                             "GB.XPD.RSDV.GD.ZS", "Research and development expenditure "
                             "(% of GDP)"))
    parsed = wdi.SOURCE.read(path)
    assert parsed.layout == "api_download"
    assert parsed.generated_at.isoformat() == "2026-07-13T00:00:00"
    row = parsed.indicators.set_index("country").loc["JPN"]
    assert row["value"] == pytest.approx(3.44125) and row["unit"] == "percent_of_gdp"
    assert row["record_id"] == 6  # line 5 is the header


@pytest.mark.parametrize("rel,code,year,expected", [
    ("wdi_2013_ronnywang/BM.GSR.ROYL.CD_WDI.csv", "JPN", 2012, 19897558092.8026),
    ("wdi_2013_ronnywang/BX.GSR.ROYL.CD_WDI.csv", "USA", 2012, 124182000000.0),
    ("wdi_2026_rd/API_SP.POP.SCIE.RD.P6_DS2_en_csv_v2_37695.csv", "USA", 2022, 4937.49441),
    ("wdi_2026_rd/API_GB.XPD.RSDV.GD.ZS_DS2_en_csv_v2_232.csv", "JPN", 2023, 3.44125),
])
@pytest.mark.requires_shared
def test_real_files(rel: str, code: str, year: int, expected: float) -> None:
    path = raw_file(rel)
    parsed = wdi.SOURCE.read(path)
    ind = parsed.indicators
    got = ind[(ind["country"] == code) & (ind["year"] == year)]["value"]
    assert got.tolist() == [pytest.approx(expected)]
    # every aggregate is one of the listed codes, and none resolves as a country
    aggs = set(ind.loc[ind["is_aggregate"], "country"])
    assert "WLD" in aggs and aggs <= set(wdi.aggregate_codes())
    assert all(countries.lookup(c) is None for c in aggs if c != "EUU")
    # every economy row of the file is kept (read independently)
    with path.open(encoding="utf-8-sig") as fh:
        lines = fh.read().splitlines()
    start = 4 if parsed.layout == "api_download" else 0
    n_rows = sum(1 for r in csv.reader(lines[start + 1:]) if r)
    assert parsed.rows_read == n_rows == len(parsed.records["wdi_rows"])


def test_ingest_is_idempotent_and_per_indicator(tmp_path: Path, ev_plain: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        first = store.ingest(registry.get("wdi"), ev_plain)
        again = store.ingest(registry.get("wdi"), ev_plain)
        assert first.added and not again.added and again.vintage_id == first.vintage_id
        assert first.dataset == "world_bank_wdi:BM.GSR.ROYL.CD"
        assert store.query("SELECT count(*) AS n FROM indicators")["n"][0] == 5


def _fails(tmp_path: Path, path: Path, error: type[Exception], *needles: str) -> None:
    with Store(tmp_path / "bad.duckdb") as store:
        before = counts(store)
        with pytest.raises(error) as exc:
            store.ingest(registry.get("wdi"), path)
        assert counts(store) == before  # nothing written
    text = str(exc.value)
    for needle in needles:
        assert needle in text, text


def test_databank_layout_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "Data_Extract_From_World_Development_Indicators.csv"
    path.write_text("Country Name,Country Code,Series Name,Series Code,2012 [YR2012]\n"
                    f"Japan,JPN,{BM_NAME},BM.GSR.ROYL.CD,1\n", encoding="utf-8")
    _fails(tmp_path, path, FormatError, "DataBank", "line 1")


def test_other_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    _fails(tmp_path, path, FormatError, "not a World Bank WDI indicator CSV", "x.csv, line 1")


def test_unknown_economy_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "u.csv"
    path.write_text(wdi_plain([*ROWS, ("Atlantis", "ATL", {2012: 1.0})], "BM.GSR.ROYL.CD",
                              BM_NAME), encoding="utf-8")
    _fails(tmp_path, path, UnknownCountryError, "Atlantis (ATL)", "u.csv, line 6")


def test_bad_value_and_two_indicators(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text(wdi_plain([("Japan", "JPN", {2012: "12,3x"})], "BM.GSR.ROYL.CD", BM_NAME),
                    encoding="utf-8")
    _fails(tmp_path, path, InputError, "v.csv, line 2, 2012", "12,3x")
    two = tmp_path / "two.csv"
    two.write_text(wdi_plain(ROWS[:1], "BM.GSR.ROYL.CD", BM_NAME)
                   + wdi_plain(ROWS[1:2], "BX.GSR.ROYL.CD", BX_NAME).split("\n", 1)[1],
                   encoding="utf-8")
    _fails(tmp_path, two, FormatError, "2 indicators", "two.csv, line 3")
