"""The briefing reads as words: chart titles that fit the page, modes and channels by their
labels, assessment headings with the pair's codes."""

from __future__ import annotations

from reciprocity.api import Reciprocity
from reciprocity.report import builder, figures


def test_a_long_chart_title_is_broken_into_lines_that_fit() -> None:
    title = ("Technology transfers recorded in the cooperation ledger: transfers: two-way "
             "index, 5-year windows")
    layout = figures._layout(title)
    lines = layout["title"]["text"].split("<br>")
    assert len(lines) == 2 and all(len(line) <= figures.TITLE_WIDTH for line in lines)
    assert " ".join(lines) == title
    assert layout["margin"]["t"] == figures._layout("short")["margin"]["t"] + 18


def test_mode_bars_name_modes_by_their_labels(web_session: Reciprocity) -> None:
    dyad = web_session.dyad("USA", "JPN")
    fig = figures.mode_bars(dyad, "arms", "tiv_millions")
    shown = {m for trace in fig.data for m in trace.y}
    assert shown and not any("_" in m for m in shown)
    assert "licensed production" in shown


def test_assessment_headings_name_the_pair() -> None:
    assert builder.heading("observed_ab", "USA", "JPN") == "USA → JPN"
    assert builder.heading("b_strength", "USA", "JPN") == "JPN's strength"
    assert builder.heading("ci_low") == "95% interval, low"
    assert builder.heading("start_year") == "start year"


def test_areas_and_tables_use_channel_labels(web_session: Reciprocity) -> None:
    html = builder.render_html(web_session, "USA", "JPN")
    assert "arms: technology areas" not in html and "arms by technology area" not in html
    assert "observed ab" not in html and "ci low" not in html


def test_two_values_are_a_small_table_not_a_chart_of_two_points(ncses_db) -> None:
    with Reciprocity(ncses_db, read_only=True) as r:
        html = builder.render_html(r, "USA", "JPN")
        dyad = r.dyad("USA", "JPN").to_dict()
    assert {k: ch["years_with_data"] for k, ch in dyad["channels"].items()} == {
        "coauthorship": [2003, 2022], "coauthorship:coauthorship_index": [2003, 2022]}
    assert 'data-figure="fig-flows-' not in html
    assert html.count('<table class="few">') == 2
    assert "the 2 years with data" in html and "2003" in html and "2022" in html
    assert "count by year" not in html
    # index values to 3 decimals (0.970, not 1.0); the latest of two years is not "only"
    latest = dyad["channels"]["coauthorship:coauthorship_index"]["latest"]["flow_ab"]
    assert f"latest, 2022: {latest:.3f} (joint)" in html and "2022 only" not in html
    assert "2022, latest" in html
