"""Charts of a pair: a year without data is a gap (None, lines not joined), never a dip to 0."""

from __future__ import annotations

import json

from reciprocity.api import Reciprocity
from reciprocity.report import figures


def test_flows_chart_has_gaps_for_years_without_data(ncses_db) -> None:
    with Reciprocity(ncses_db, read_only=True) as r:
        d = r.dyad("USA", "JPN", channel="coauthorship")
    fig = figures.to_dict(figures.flows_over_time(d, "coauthorship", "articles_whole"))
    (trace,) = fig["data"]
    assert trace["x"] == list(range(2003, 2023))
    y = dict(zip(trace["x"], trace["y"], strict=True))
    assert y[2003] > 0 and y[2022] > 0
    assert all(y[year] is None for year in range(2004, 2022))  # gaps, not 0
    assert trace["connectgaps"] is False
    assert figures.sankey(d, "articles_whole") is None  # snapshot units are never summed


def test_flows_chart_json_for_the_page_keeps_the_gaps(ncses_db) -> None:
    with Reciprocity(ncses_db, read_only=True) as r:
        d = r.dyad("USA", "JPN", channel="coauthorship")
    spec = json.loads(figures.to_json(figures.flows_over_time(d, "coauthorship",
                                                              "coauthorship_index")))
    assert spec["data"][0]["y"].count(None) == 18
    assert 0 not in spec["data"][0]["y"]
