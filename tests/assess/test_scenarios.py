"""Scenarios: validation (countries, pair, channels, units, years), the program's records and
the before/after comparison."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from reciprocity.assess.composite import ChannelData, composite
from reciprocity.assess.config import Weights, load_settings
from reciprocity.assess.scenarios import (
    compare,
    load_scenario,
    parse_scenario,
    planned_records,
    with_records,
)
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


def channel(ab: list[float], ba: list[float]) -> ChannelData:
    rows = pd.DataFrame([{"direction": "ab", "magnitude": m, "year": 2024, "unit_id": f"x{i}"}
                         for i, m in enumerate(ab)]
                        + [{"direction": "ba", "magnitude": m, "year": 2024, "unit_id": f"y{i}"}
                           for i, m in enumerate(ba)])
    net = pd.DataFrame([("USA", "JPN", sum(ab)), ("JPN", "USA", sum(ba))],
                       columns=["origin", "destination", "magnitude"])
    return ChannelData.from_records("programs", "transfers", True, rows, net)


def test_each_planned_flow_and_year_and_each_pending_transfer_is_one_record():
    s = parse(base(start_year=2027, years=3, program="p1",
                   flows=[{"channel": "programs", "from": "JPN", "to": "USA", "per_year": 2}]))
    rows = planned_records(s, [{"id": "t9", "from": "USA", "to": "JPN", "status": "approved"}])
    assert list(rows["unit_id"]) == ["scenario|flows[0]|2027", "scenario|flows[0]|2028",
                                     "scenario|flows[0]|2029", "ledger|pending|t9"]
    assert list(rows["direction"]) == ["ba", "ba", "ba", "ab"]
    assert list(rows["magnitude"]) == [2.0, 2.0, 2.0, 1.0]
    assert rows["year"].iloc[-1] == 2027  # program_year defaults to the first year


def test_records_are_added_to_the_pair_and_to_the_network():
    s = parse(base(start_year=2027, years=2))
    before = channel([1.0, 1.0, 1.0], [1.0])
    (after,) = with_records([before], planned_records(s), {})
    assert after.n_records == 4 + 2
    assert after.magnitudes[~after.directions].sum() == pytest.approx(1.0 + 4.0)
    net = after.network.groupby(["origin", "destination"])["magnitude"].sum()
    assert net[("JPN", "USA")] == pytest.approx(5.0)
    assert len(set(after.units)) == 6  # every planned year its own sampling unit


def test_flows_must_use_the_unit_of_the_pairs_records():
    s = parse(base(start_year=2027, flows=[{"channel": "programs", "from": "JPN", "to": "USA",
                                            "per_year": 1, "unit": "value_usd_millions"}]))
    with pytest.raises(InputError, match="transfers"):
        with_records([channel([1.0, 2.0], [1.0])], planned_records(s), {}, "s.yaml")


def test_a_change_is_claimed_only_when_the_intervals_are_disjoint():
    w = Weights(weights={"programs": 1.0})
    small = composite("USA", "JPN", [channel([1.0] * 20, [1.0] * 2)], w, replicates=300)
    big = composite("USA", "JPN", [channel([1.0] * 20, [1.0] * 20)], w, replicates=300)
    near = composite("USA", "JPN", [channel([1.0] * 20, [1.0] * 3)], w, replicates=300)
    assert compare(small, big)["verdict"] == "higher"
    assert compare(big, small)["verdict"] == "lower"
    assert compare(small, near)["verdict"] == "undetermined"
    assert compare(small, near)["value"] > 0  # a point change, not claimed
