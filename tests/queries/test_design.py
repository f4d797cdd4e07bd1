"""Whose design a pair's flows carry, one rule for every pair."""

from __future__ import annotations

import pytest

from reciprocity.queries.design import by_design, design_summary


def test_japan_to_us_flows_split_by_design(classic_store):
    frame = by_design(classic_store, "USA", "JPN")
    back = frame[frame["direction"] == "b_to_a"].set_index("design")["value"]
    # PAC-3 MSE: "US design produced in Japan for USA", the recipient's own design going back
    assert back["recipient"] == pytest.approx(15)
    # Beechjet-400 "produced under licence in USA": Japan's design built in the USA
    assert back["supplier_licensed"] == pytest.approx(648)
    summary = design_summary(frame)
    assert summary["b_to_a"]["recipient"]["share"] == pytest.approx(15 / 663, abs=1e-4)
    out = frame[frame["direction"] == "a_to_b"].set_index("design")["value"]
    assert "recipient" not in out
    assert out["supplier_licensed"] == pytest.approx(112)   # P-3C produced under licence


def test_the_rule_is_the_same_in_every_direction(classic_store):
    # the same pair asked the other way round swaps the directions and nothing else
    ab = by_design(classic_store, "USA", "JPN").set_index(["direction", "design"])["value"]
    ba = by_design(classic_store, "JPN", "USA").set_index(["direction", "design"])["value"]
    swapped = ba.rename(index={"a_to_b": "b_to_a", "b_to_a": "a_to_b"}, level=0)
    assert ab.sort_index().to_dict() == pytest.approx(swapped.sort_index().to_dict())


def test_a_pair_without_flows_has_no_design_rows(classic_store):
    assert by_design(classic_store, "FRA", "DEU").empty


def test_dyad_json_shows_design_per_direction_for_arms_only(classic_store):
    from reciprocity.queries.dyad import dyad

    data = dyad(classic_store, "USA", "JPN").to_dict()
    arms = data["channels"]["arms"]["by_design"]
    assert arms["b_to_a"]["recipient"] == {"value": 15.0, "share": pytest.approx(0.0226, 1e-3)}
    assert arms["b_to_a"]["supplier_licensed"]["value"] == pytest.approx(648)
    # the dyad's filters apply: since 2020 only the PAC-3 MSE (2025) went back
    late = dyad(classic_store, "USA", "JPN", since=2020).to_dict()["channels"]["arms"]
    assert set(late["by_design"]["b_to_a"]) == {"recipient"}
    assert late["by_design"]["b_to_a"]["recipient"]["share"] == 1.0
    # a channel whose sources record no design has no by_design key
    assert all("by_design" not in ch for k, ch in data["channels"].items() if k != "arms")
