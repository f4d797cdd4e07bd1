"""Opportunities: B strong or rising where A needs or is weak, damped by the present flow."""

from __future__ import annotations

import pandas as pd
import pytest

from reciprocity.assess.capabilities import MEASURE_COLUMNS, Capabilities, summarise
from reciprocity.assess.config import load_settings
from reciprocity.assess.needs import Need
from reciprocity.assess.opportunities import opportunities, present_flows

SETTINGS = load_settings()


def caps(country: str, rows: list[tuple[str, str, float, str]]) -> Capabilities:
    """(measure, area, strength, trend) rows."""
    frame = pd.DataFrame([{c: None for c in MEASURE_COLUMNS} | {
        "measure": m, "area": a, "area_name": a, "strength": s, "trend": t, "share": 0.1,
        "rank": 1.0, "period": "2021–2025", "value": 1.0, "unit": "x"}
        for m, a, s, t in rows], columns=MEASURE_COLUMNS)
    frame["strength"] = frame["strength"].astype(float)
    return Capabilities(country, country, frame, summarise(frame, SETTINGS))


def intake(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["channel", "area", "partner", "magnitude"]).assign(
        unit="tiv_millions")


NEED = Need(country="USA", area="microelectronics", priority="high", rationale="p. 57",
            source={"title": "NRC", "publisher": "NAP"})


def test_ranking_needs_weakness_and_damping():
    a = caps("USA", [("patents", "microelectronics", 0.7, "none"),
                     ("patents", "space", 0.3, "none"),
                     ("patents", "aerospace", 0.8, "none")])
    b = caps("JPN", [("patents", "microelectronics", 0.8, "none"),
                     ("patents", "space", 0.6, "none"),
                     ("patents", "aerospace", 0.9, "none"),
                     ("patents", "quantum", 0.3, "rising"),
                     ("patents", "energy", 0.2, "none")])
    flows = intake([("arms", "space", "JPN", 50.0), ("arms", "space", "FRA", 50.0)])
    result = opportunities(a, b, {"microelectronics": NEED}, flows, SETTINGS)
    rows = {r["area"]: r for r in result.rows}
    assert set(rows) == {"microelectronics", "space", "quantum"}  # aerospace: A strong
    assert rows["microelectronics"]["score"] == pytest.approx(1.0 * 0.8)
    assert rows["microelectronics"]["need"]["kind"] == "declared"
    # weakness: 0.5 × (1 − 0.3) = 0.35; B 0.6; half of A's intake from B: × (1 − 0.5 × 0.5)
    assert rows["space"]["score"] == pytest.approx(0.35 * 0.6 * 0.75)
    assert rows["space"]["current_flow_ba"][0]["share_of_a_intake"] == pytest.approx(0.5)
    # rising: strength + bonus; A has no output there: need 0.5
    assert rows["quantum"]["score"] == pytest.approx(0.5 * (0.3 + 0.25))
    assert [r["area"] for r in result.rows] == ["microelectronics", "quantum", "space"]
    row = result.to_list()[0]
    assert {"area", "score", "evidence", "current_flow_ba"} <= set(row)
    assert row["evidence"][0]["measure"] == "patents"


def test_include_all_explains_an_empty_answer():
    a = caps("USA", [("patents", "aerospace", 0.8, "none")])
    b = caps("JPN", [("patents", "aerospace", 0.2, "none")])
    assert opportunities(a, b, {"microelectronics": NEED}, intake([]), SETTINGS).rows == []
    everything = opportunities(a, b, {"microelectronics": NEED}, intake([]), SETTINGS,
                               include_all=True)
    assert {r["area"] for r in everything.rows} == {"aerospace", "microelectronics"}
    assert not any(r["qualifies"] for r in everything.rows)


def test_present_flows_per_channel():
    rows, present = present_flows(intake([("arms", "space", "JPN", 1.0),
                                          ("arms", "space", "FRA", 3.0),
                                          ("arms", "energy", "JPN", 9.0)]), "JPN", "space")
    assert present == pytest.approx(0.25)
    assert rows == [{"channel": "arms", "unit": "tiv_millions", "value": 1.0,
                     "a_intake": 4.0, "share_of_a_intake": 0.25, "aggregation": "sum"}]
