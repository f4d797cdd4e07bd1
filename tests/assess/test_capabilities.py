"""Capability catalogue: shares, ranks, RTA with its floor, trends, leading areas."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from reciprocity.assess import capabilities as cap
from reciprocity.assess import inputs
from reciprocity.assess.config import load_settings
from reciprocity.store.db import Store

YEARS = range(2011, 2026)


def panel() -> pd.DataFrame:
    rows = []
    for y in YEARS:
        k = y - 2010
        rows += [
            ("arms_exports", "USA", "aerospace", y, 100.0),
            ("arms_exports", "USA", "naval_shipbuilding", y, 50.0),
            ("arms_exports", "JPN", "aerospace", y, 2.0 * k),       # rising
            ("arms_exports", "JPN", "naval_shipbuilding", y, 40.0),
            ("arms_exports", "DEU", "naval_shipbuilding", y, 60.0),
            ("arms_exports", "UNK", "aerospace", y, 5.0),
        ]
    rows += [("citation_impact", c, "computing_ai", 2020, v)
             for c, v in (("USA", 1.3), ("JPN", 0.4), ("DEU", 0.9))]
    frame = pd.DataFrame(rows, columns=["measure", "country", "area", "year", "value"])
    return frame.assign(period=None, unit=frame["measure"].map(
        {"arms_exports": "tiv_millions", "citation_impact": "relative_citation_index"}),
        dataset="test").loc[:, inputs.PANEL_COLUMNS]


@pytest.fixture
def settings():
    s = load_settings()
    return replace(s, values={**s.values, "capabilities.rta_floor.arms_exports": 0.0})


def test_shares_ranks_and_rta(settings):
    p = panel()
    result = cap.profile(cap.table(p, settings), p, "JPN", settings)
    m = result.measures.set_index(["measure", "area"])
    naval = m.loc[("arms_exports", "naval_shipbuilding")]
    assert naval["period"] == "2021–2025"
    assert naval["value"] == pytest.approx(200.0)
    assert naval["world"] == pytest.approx(750.0)
    assert naval["share"] == pytest.approx(200 / 750)
    assert naval["rank"] == 3 and naval["n_ranked"] == 3
    jpn_total = 200 + sum(2.0 * (y - 2010) for y in range(2021, 2026))
    world_total = 750 + 500 + sum(2.0 * (y - 2010) for y in range(2021, 2026)) + 25
    assert naval["rta"] == pytest.approx((200 / jpn_total) / (750 / world_total))
    assert naval["strength"] == pytest.approx(naval["rta"] / (1 + naval["rta"]))
    aero = m.loc[("arms_exports", "aerospace")]
    assert aero["trend"] == "rising" and aero["trend_p"] < 0.05
    assert aero["growth"] > 0 and aero["share_change"] > 0
    assert aero["previous_period"] == "2016–2020"


def test_unknown_codes_count_in_the_world_but_are_not_ranked(settings):
    p = panel()
    tab = cap.table(p, settings)
    aero = tab[(tab["measure"] == "arms_exports") & (tab["area"] == "aerospace")
               & (tab["pstart"] == 2021)]
    assert math.isnan(aero.set_index("country").at["UNK", "rank"])
    assert aero["world"].iloc[0] == pytest.approx(aero["value"].sum())


def test_the_floor_withholds_rta(settings):
    p = panel()
    high = replace(settings, values={**settings.values,
                                     "capabilities.rta_floor.arms_exports": 1e6})
    result = cap.profile(cap.table(p, high), p, "JPN", high)
    arms = result.measures[result.measures["measure"] == "arms_exports"]
    assert arms["rta"].isna().all() and arms["below_floor"].all()
    assert arms["strength"].isna().all()


def test_index_measures_and_leading_areas(settings):
    p = panel()
    tab = cap.table(p, settings)
    usa = cap.profile(tab, p, "USA", settings)
    ci = usa.measures.set_index("measure").loc["citation_impact"]
    assert ci["rank"] == 1 and ci["strength"] == pytest.approx(1.3 / 2.3)
    assert "computing_ai" in set(usa.leading()["area"])
    jpn = cap.profile(tab, p, "JPN", settings, area="aerospace")
    assert set(jpn.measures["area"]) == {"aerospace"}
    assert list(jpn.answer().model_dump(mode="json")["measures"][0]) == cap.MEASURE_COLUMNS


def test_panel_from_a_store(assess_make_store):
    rows = [{"channel": "arms", "origin": "USA", "destination": "JPN", "year": 2020,
             "magnitude": 10.0, "area": "aerospace", "mode": "licensed_production"},
            {"channel": "arms", "origin": "JPN", "destination": "USA", "year": 2021,
             "magnitude": 4.0, "area": "naval_shipbuilding", "mode": "new"}]
    with Store(assess_make_store(rows), read_only=True) as store:
        frame = inputs.capability_panel(store)
    got = {(r["measure"], r["country"], r["area"]) for r in frame.to_dict("records")}
    assert got == {("arms_exports", "USA", "aerospace"),
                   ("licensed_production", "JPN", "aerospace"),
                   ("arms_exports", "JPN", "naval_shipbuilding")}
