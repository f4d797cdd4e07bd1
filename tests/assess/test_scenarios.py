"""Scenarios: validation (countries, pair, channels, units, years) and the projection."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from reciprocity.assess.config import Weights, load_settings
from reciprocity.assess.scenarios import load_scenario, parse_scenario, project
from reciprocity.errors import InputError

SETTINGS = load_settings()
TODAY = dt.date(2026, 6, 1)


def parse(data: dict) -> object:
    return parse_scenario(data, "s.yaml", SETTINGS, TODAY)


def base(**extra) -> dict:
    return {"a": "USA", "b": "Japan", "years": 5,
            "flows": [{"channel": "programs", "from": "JPN", "to": "USA", "per_year": 2}],
            **extra}


def test_a_valid_scenario():
    s = parse(base(start_year=2027))
    assert (s.a, s.b, s.start_year, s.years) == ("USA", "JPN", 2027, 5)
    (flow,) = s.flows
    assert flow.unit == "transfers" and flow.by_year == {y: 2.0 for y in range(2027, 2032)}
    assert parse(base()).start_year == 2027  # default: next year


def test_the_shipped_example_is_valid():
    from importlib import resources

    with resources.as_file(resources.files("reciprocity").joinpath(
            "data", "assess", "scenario_example.yaml")) as path:
        s = load_scenario(path, SETTINGS, TODAY)
    assert (s.a, s.b) == ("USA", "JPN") and len(s.flows) == 3


@pytest.mark.parametrize(("change", "where"), [
    ({"a": "Atlantis"}, "s.yaml a"),
    ({"b": "USA"}, "s.yaml b"),
    ({"start_year": 2020}, "s.yaml start_year"),
    ({"years": 0}, "s.yaml years"),
    ({"years": 500}, "s.yaml years"),
    ({"colour": "red"}, "s.yaml colour"),
    ({"flows": [{"channel": "telepathy", "from": "JPN", "to": "USA", "per_year": 1}]},
     "s.yaml flows[0].channel"),
    ({"flows": [{"channel": "coauthorship", "from": "JPN", "to": "USA", "per_year": 1}]},
     "s.yaml flows[0].channel"),
    ({"flows": [{"channel": "arms", "from": "JPN", "to": "Narnia", "per_year": 1}]},
     "s.yaml flows[0].to"),
    ({"flows": [{"channel": "arms", "from": "JPN", "to": "FRA", "per_year": 1}]},
     "s.yaml flows[0].to"),
    ({"flows": [{"channel": "citation", "from": "JPN", "to": "USA", "per_year": 1,
                 "unit": "relative_citation_index"}]}, "s.yaml flows[0].unit"),
    ({"flows": [{"channel": "arms", "from": "JPN", "to": "USA", "per_year": 1,
                 "from_year": 2019}]}, "s.yaml flows[0].from_year"),
    ({"flows": [{"channel": "arms", "from": "JPN", "to": "USA", "by_year": {2001: 5}}]},
     "s.yaml flows[0].by_year.2001"),
    ({"flows": [{"channel": "arms", "from": "JPN", "to": "USA", "per_year": -1}]},
     "s.yaml flows[0].per_year"),
    ({"flows": []}, "s.yaml flows"),
])
def test_bad_scenarios_are_refused(change, where):
    with pytest.raises(InputError) as exc:
        parse(base(**change))
    assert where in {p.location for p in exc.value.problems}, exc.value.problems
    assert "nothing was computed" in str(exc.value)


def yearly(ab: float, ba: float, years=range(2016, 2026)) -> pd.DataFrame:
    return pd.DataFrame([{"channel": "programs", "unit": "transfers", "year": y, "ab": ab,
                          "ba": ba} for y in years])


def test_projection_baseline_and_scenario():
    s = parse(base(start_year=2027, flows=[{"channel": "programs", "from": "JPN",
                                            "to": "USA", "per_year": 3}]))
    w = Weights({"programs": 1.0})
    result = project(s, yearly(4.0, 1.0), {"programs": 2025}, w, SETTINGS)
    data = result.to_dict()
    assert [r["year"] for r in data["baseline"]] == list(range(2027, 2032))
    # no trend: the mean carries on; 5-year sums 20 and 5
    assert data["baseline"][0]["index"] == pytest.approx(1 - 15 / 25)
    # 2027: 2023–2026 baseline plus 2027 with 1 + 3 from Japan → 20 vs 8
    assert data["scenario"][0]["index"] == pytest.approx(1 - 12 / 28)
    assert data["scenario"][-1]["index"] == pytest.approx(1.0)  # 4 vs 4 a year
    assert data["fitted"]["programs"]["ab"]["baseline"] == "mean"


def test_a_clear_trend_is_extended_and_never_below_zero():
    s = parse(base(start_year=2027, years=10))
    frame = pd.DataFrame([{"channel": "programs", "unit": "transfers", "year": y,
                           "ab": float(2025 - y), "ba": 1.0} for y in range(2016, 2026)])
    result = project(s, frame, {"programs": 2025}, Weights({"programs": 1.0}), SETTINGS)
    assert result.fitted["programs"]["ab"]["baseline"] == "trend"
    assert result.baseline[-1]["index"] == pytest.approx(0.0)  # US→JPN ran out: one-way


def test_flows_must_use_the_baseline_unit():
    s = parse(base(start_year=2027, flows=[{"channel": "programs", "from": "JPN", "to": "USA",
                                            "per_year": 1, "unit": "value_usd_millions"}]))
    with pytest.raises(InputError, match="transfers"):
        project(s, yearly(1.0, 1.0), {"programs": 2025}, Weights({"programs": 1.0}), SETTINGS)
