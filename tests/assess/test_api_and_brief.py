"""The Python API carries the assessment, and the demo's brief prints the point-8 items."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from reciprocity.api import Reciprocity
from reciprocity.assess.brief import brief, summary


@pytest.fixture(scope="module")
def assess_brief(assess_db):
    with Reciprocity(assess_db, read_only=True) as r:
        return brief(r, "USA", "JPN")


def test_api_methods(assess_db):
    with Reciprocity(assess_db, read_only=True) as r:
        assert r.capabilities("JPN").country == "JPN"
        assert [n.area for n in r.needs(country="USA")]
        assert r.needs(country="JPN") == []
        assert isinstance(r.opportunities("USA", "JPN").rows, list)
        assert r.dependence("JPN").answer().model_dump(mode="json")["top_partner"] == "USA"
        idx = r.composite_index("USA", "JPN", replicates=100)
        assert idx.ci_low < idx.ci_high and idx.weighting == "precision"
        assert idx.window is not None and idx.window.name
        assert r.alerts().results


def test_brief_figures(assess_brief):
    s = summary(assess_brief)
    assert s["index"]["ci_low"] < s["index"]["ci_high"]
    assert s["index"]["expected"] is not None
    assert s["index"]["weighting"] == "precision" and s["index"]["window"]["name"]
    # licence-built U.S. aircraft are Japan's production base, never its leading area
    assert "aerospace" not in s["leading_areas"]
    base = assess_brief.capabilities.production_base
    assert ("licensed_production", "aerospace") in set(zip(base["measure"], base["area"],
                                                           strict=True))
    assert s["opportunities"]
    assert s["dependence"]["top_partner"] == "USA"
    assert s["dependence"]["share_of_a"] == pytest.approx(s["dependence"]["top_share"])
    # the CSV lists what `assess opportunities` lists: every declared need, with evidence or
    # "no evidence loaded"
    opps = assess_brief.frames()["usa_jpn_opportunities.csv"]
    assert {"microelectronics", "computing_ai", "advanced_materials",
            "advanced_manufacturing"} <= set(opps["area"])
    assert opps["best_evidence"].str.startswith(
        "no evidence loaded for Semiconductors and microelectronics").any()
    names = set(assess_brief.frames())
    assert names == {"usa_jpn_composite_index.csv", "jpn_capabilities.csv",
                     "usa_jpn_opportunities.csv", "jpn_arms_dependence.csv"}


def test_brief_prints_the_point_8_items(assess_brief, monkeypatch):
    from reciprocity.cli import assess as cli_assess

    out = io.StringIO()
    monkeypatch.setattr(cli_assess, "console", Console(file=out, width=200))
    monkeypatch.setattr("reciprocity.cli.render.console", Console(file=out, width=200))
    cli_assess.print_brief(assess_brief)
    text = out.getvalue()
    assert "composite reciprocity index" in text and "95% interval" in text
    assert "the null expects" in text and "Weights (precision): arms" in text
    assert "Japan's leading areas" in text  # not aerospace: licence-built U.S. aircraft
    assert "Opportunities: Japan's contributions to United States' needs" in text
    assert "of Japan's arms imports" in text and "United States supplied" in text
