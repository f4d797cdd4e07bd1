"""Country-level indicators: series from the newest vintage of each indicator, aggregates kept
apart, and the technology-payments coverage ratio receipts / payments."""

from __future__ import annotations

from pathlib import Path

import pytest

from ev_helpers import BM_NAME, BX_NAME, raw_file, wdi_api, wdi_plain
from reciprocity.errors import UnknownCountryError
from reciprocity.queries.indicators import indicators
from reciprocity.sources import registry
from reciprocity.store.db import Store

RD = "Research and development expenditure (% of GDP)"


@pytest.fixture
def ev_store(tmp_path: Path) -> Store:
    bm = tmp_path / "BM.GSR.ROYL.CD_WDI.csv"
    bm.write_text(wdi_plain([("Japan", "JPN", {2011: 100.0, 2012: 200.0}),
                             ("World", "WLD", {2012: 1000.0})], "BM.GSR.ROYL.CD", BM_NAME))
    bx = tmp_path / "BX.GSR.ROYL.CD_WDI.csv"
    bx.write_text(wdi_plain([("Japan", "JPN", {2010: 50.0, 2011: 150.0, 2012: 320.0}),
                             ("World", "WLD", {2012: 990.0})], "BX.GSR.ROYL.CD", BX_NAME))
    old = tmp_path / "GB.XPD.RSDV.GD.ZS_WDI.csv"
    old.write_text(wdi_plain([("Japan", "JPN", {2011: 3.0})], "GB.XPD.RSDV.GD.ZS", RD))
    new = tmp_path / "API_GB.XPD.RSDV.GD.ZS_DS2.csv"
    new.write_bytes(wdi_api([("Japan", "JPN", {2011: 3.21, 2023: 3.44})],
                            "GB.XPD.RSDV.GD.ZS", RD))
    store = Store(tmp_path / "s.duckdb")
    for path in (bm, bx, new, old):
        store.ingest(registry.get("wdi"), path)
    yield store
    store.close()


def test_coverage_ratio_is_receipts_over_payments(ev_store: Store) -> None:
    result = indicators(ev_store, "Japan")
    cov = result.coverage_ratio
    assert cov["year"].tolist() == [2011, 2012]  # only years with both
    assert cov["value"].tolist() == [pytest.approx(1.5), pytest.approx(1.6)]
    assert result.latest_coverage() == (2012, pytest.approx(1.6))
    data = result.answer().model_dump(mode="json")
    assert {"indicator", "year", "value"} <= set(data["series"][0])
    assert set(data["coverage_ratio"][0]) == {"year", "value", "receipts", "payments"}
    assert data["credits"] == ["World Bank, World Development Indicators (CC BY 4.0)"]


def test_newest_vintage_per_indicator(ev_store: Store) -> None:
    rd = indicators(ev_store, "JPN", indicator="GB.XPD.RSDV.GD.ZS").series
    assert dict(zip(rd["year"], rd["value"], strict=True)) == {2011: 3.21, 2023: 3.44}
    assert rd["vintage_id"].unique().tolist() == ["world_bank_wdi:GB.XPD.RSDV.GD.ZS/2026-07-13"]
    both = indicators(ev_store, "JPN", indicator=["BM.GSR.ROYL.CD", "BX.GSR.ROYL.CD"],
                      since=2012)
    assert sorted(both.series["indicator"]) == ["BM.GSR.ROYL.CD", "BX.GSR.ROYL.CD"]


def test_latest_value_of_each_indicator_with_its_units_aggregation(ev_store: Store) -> None:
    data = indicators(ev_store, "JPN").answer().model_dump(mode="json")
    # the published keys of ``indicators --format json``, in their order
    assert list(data) == ["country", "country_name", "is_aggregate", "series", "latest",
                          "coverage_ratio", "coverage_ratio_definition", "vintages", "credits"]
    assert list(data["series"][0]) == ["indicator", "name", "year", "value", "unit",
                                       "vintage_id"]
    latest = {r["indicator"]: r for r in data["latest"]}
    rd = latest["GB.XPD.RSDV.GD.ZS"]
    assert (rd["unit"], rd["aggregation"], rd["year"], rd["value"]) == (
        "percent_of_gdp", "index", 2023, 3.44)  # a ratio: the latest year, never 3.21 + 3.44
    bx = latest["BX.GSR.ROYL.CD"]
    assert (bx["aggregation"], bx["year"], bx["value"]) == ("sum", 2012, 320.0)


def test_aggregates_are_kept_apart(ev_store: Store) -> None:
    world = indicators(ev_store, "World")
    assert world.is_aggregate and world.code == "WLD"
    assert world.coverage_ratio["value"].tolist() == [pytest.approx(0.99)]
    with pytest.raises(UnknownCountryError):
        indicators(ev_store, "Atlantis")
    # Japan's rows never include the aggregate's
    assert 1000.0 not in indicators(ev_store, "JPN").series["value"].tolist()


@pytest.mark.requires_shared
def test_real_coverage_ratios(tmp_path: Path) -> None:
    with Store(tmp_path / "r.duckdb") as store:
        for rel in ("wdi_2013_ronnywang/BM.GSR.ROYL.CD_WDI.csv",
                    "wdi_2013_ronnywang/BX.GSR.ROYL.CD_WDI.csv"):
            store.ingest(registry.get("wdi"), raw_file(rel))
        jpn = indicators(store, "JPN").latest_coverage()
        usa = indicators(store, "USA").latest_coverage()
    assert jpn == (2012, pytest.approx(31892291571.9474 / 19897558092.8026))
    assert usa == (2012, pytest.approx(124182000000.0 / 39889000000.0))
