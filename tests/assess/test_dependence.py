"""Supplier concentration: HHI with unknown suppliers in the denominator, trend and flags."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from reciprocity.assess.config import load_settings
from reciprocity.assess.dependence import concentration, dependence, windows


def intake(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["partner", "area", "year", "magnitude"])
    return frame.assign(unit="tiv_millions", dataset="test")


def test_unknown_suppliers_stay_in_the_denominator():
    c = concentration(intake([("USA", "aerospace", 2020, 50.0), ("FRA", "aerospace", 2020, 30.0),
                              ("UNK", "aerospace", 2020, 20.0)]))
    assert c["total"] == 100.0
    assert c["hhi"] == pytest.approx(0.5**2 + 0.3**2)
    assert c["top_partner"] == "USA" and c["top_share"] == pytest.approx(0.5)
    assert c["unknown_share"] == pytest.approx(0.2)
    assert [s["partner"] for s in c["suppliers"]] == ["USA", "FRA"]


def test_no_intake_is_undefined():
    c = concentration(intake([]))
    assert c["hhi"] is None and c["top_partner"] is None and c["total"] == 0.0


def test_windows_end_at_the_latest_year():
    assert windows(2025, 5, 3) == [(2011, 2015), (2016, 2020), (2021, 2025)]


def test_flags_trend_and_areas():
    settings = load_settings()
    rows = []
    for year in range(2011, 2026):
        rows.append(("USA", "aerospace", year, 90.0 if year > 2020 else 10.0))
        rows.append(("FRA", "aerospace", year, 10.0))
        if year <= 2020:  # ten equal suppliers before: HHI 0.1
            rows += [(c, "aerospace", year, 10.0) for c in
                     ("DEU", "ITA", "GBR", "ESP", "SWE", "NOR", "ISR", "KOR")]
        rows.append(("DEU", "land_systems", year, 10.0))
        rows.append(("ITA", "land_systems", year, 10.0))
        rows.append(("GBR", "land_systems", year, 10.0))
        rows.append(("ESP", "land_systems", year, 10.0))
        rows.append(("NLD", "land_systems", year, 10.0))
    dep = dependence(intake(rows), "JPN", "arms", 2025, settings,
                     own_strength={"aerospace": 0.2, "land_systems": 0.9})
    data = dep.answer().model_dump(mode="json")
    assert {"hhi", "top_partner", "top_share", "by_area"} <= set(data)
    areas = {a["area"]: a for a in data["by_area"]}
    aero = areas["aerospace"]
    assert aero["hhi"] == pytest.approx(0.9**2 + 0.1**2)
    assert aero["trend"]["direction"] == "rising"
    assert aero["flags"]["short_term_supply_risk"] is True
    # concentrated now but not in the window before (0.1): not persistent
    assert aero["flags"]["long_term_access_risk"] is False
    land = areas["land_systems"]
    assert land["hhi"] == pytest.approx(5 * 0.2**2)
    assert land["flags"] == {"short_term_supply_risk": False, "long_term_access_risk": False}
    assert dep.partner_share("USA") == pytest.approx(450 / (500 + 250))
    assert aero["trend"]["windows"][-2]["hhi"] == pytest.approx(0.1)
    assert dep.partner_share("KOR") == 0.0


def test_long_term_risk_needs_persistence_and_weak_own_capability():
    settings = load_settings()
    rows = [("USA", "aerospace", y, 100.0) for y in range(2011, 2026)]
    weak = dependence(intake(rows), "JPN", "arms", 2025, settings, {"aerospace": 0.3})
    strong = dependence(intake(rows), "JPN", "arms", 2025, settings, {"aerospace": 0.8})
    assert weak.by_area[0]["flags"]["long_term_access_risk"] is True
    assert strong.by_area[0]["flags"]["long_term_access_risk"] is False
    loose = replace(settings, values={**settings.values, "dependence.short_term.hhi": 1.0,
                                      "dependence.short_term.top_share": 1.0})
    assert dependence(intake(rows), "JPN", "arms", 2025, loose,
                      {}).overall["flags"]["short_term_supply_risk"] is True  # share = 1.0


def test_no_data_at_all():
    dep = dependence(intake([]), "JPN", "arms", None, load_settings())
    data = dep.answer().model_dump(mode="json")
    assert data["hhi"] is None and data["by_area"] == []
