"""Policy events on the time charts (numbered dotted lines, staggered when close) and the
briefing's timeline section."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import plotly.graph_objects as go
import pytest

from reciprocity.api import Reciprocity
from reciprocity.report import builder, timeline


def _event(eid: str, date: str, kind: str = "agreement", label: str = "x") -> SimpleNamespace:
    return SimpleNamespace(id=eid, date=date, kind=kind, short=label)


def test_position_on_the_year_axis() -> None:
    assert timeline.position("1983") == 1983.0  # a year-precise event: the year's middle
    assert timeline.position("1983-01") == pytest.approx(1982.5 + 15.5 / 365)
    assert timeline.position("1983-12-31") == pytest.approx(1983.5 - 0.5 / 365)
    assert timeline.position("1988-11") < timeline.position("1989-01-15")


def test_markers_numbered_by_date_drawn_in_range_and_staggered() -> None:
    fig = go.Figure(go.Scatter(x=list(range(1980, 2021)), y=[1.0] * 41))
    marks = timeline.markers([_event("late", "2014-04-01"), _event("out", "1967"),
                              _event("a", "1988-11"), _event("b", "1989-01-15")])
    assert [(m.number, m.date) for m in marks] == [
        (1, "1967"), (2, "1988-11"), (3, "1989-01-15"), (4, "2014-04-01")]
    timeline.add_markers(fig, marks)
    shapes = {s.name: s for s in fig.layout.shapes}
    notes = {a.name: a for a in fig.layout.annotations}
    assert sorted(shapes) == ["event 2", "event 3", "event 4"]  # 1967 is outside 1980–2020
    assert [notes[k].text for k in sorted(notes)] == ["2", "3", "4"]
    assert shapes["event 2"].line.dash == "dot" and shapes["event 2"].yref == "paper"
    assert shapes["event 4"].x0 == pytest.approx(timeline.position("2014-04-01"))
    # two months apart on a 41-year chart: the second number goes one row down
    assert notes["event 3"].y < notes["event 2"].y == notes["event 4"].y == 1
    assert notes["event 3"].hovertext.startswith("3. 1989-01-15 agreement")
    assert list(fig.layout.xaxis.range) == [1979.5, 2020.5]  # markers never widen a chart


def test_no_markers_no_change() -> None:
    fig = go.Figure(go.Scatter(x=[2000, 2001], y=[1, 2]))
    timeline.add_markers(fig, [])
    assert not fig.layout.shapes and not fig.layout.annotations


@pytest.fixture(scope="module")
def context(web_report_store):
    with Reciprocity(web_report_store, read_only=True) as r:
        return builder.build_context(r, "USA", "JPN")


def test_briefing_charts_carry_the_pair_events(context) -> None:
    arms = next(v for v in context["views"] if v.channel == "arms")
    for fig in (arms.flows, arms.index):
        data = json.loads(fig.json)
        names = sorted(s["name"] for s in data["layout"]["shapes"])
        assert names == ["event 2", "event 3", "event 4"], fig.id
        texts = sorted(a["text"] for a in data["layout"]["annotations"])
        assert texts == ["2", "3", "4"]


def test_briefing_timeline_section(web_report_store) -> None:
    with Reciprocity(web_report_store, read_only=True) as r:
        html = builder.render_html(r, "USA", "JPN")
    section = re.search(r'<section id="timeline">(.*?)</section>', html, re.S)
    assert section, "no timeline section"
    body = section.group(1)
    rows = re.findall(r'<tr id="event-(\d+)"><td class="num">\d+</td><td>([^<]*)</td>'
                      r'<td>([^<]*)</td>', body)
    assert rows == [("1", "1967", "export control"), ("2", "1988-11", "agreement"),
                    ("3", "1989-01-15", "dispute"), ("4", "2014-04-01", "export control")]
    assert "Japan and the United Kingdom" not in body
    assert "Test agreement source" in body and "https://example.org/agreement" in body
    assert 'href="#timeline"' in html
    assert "Numbered dotted lines: policy events" in html


def test_briefing_timeline_follows_the_span(web_report_store) -> None:
    with Reciprocity(web_report_store, read_only=True) as r:
        ctx = builder.build_context(r, "USA", "JPN", since=1990, until=2020)
    assert [row["date"] for row in ctx["timeline"]["rows"]] == ["2014-04-01"]
