"""A pair's policy events on the time charts and as the briefing's timeline section.

Events are numbered by date (1, 2, …). Each time chart draws an event inside its years as
a dotted vertical line with its number at the top of the plot; the timeline table (the
chart legend) gives each number's date, kind, title and sources. Numbers, not text labels,
keep markers from overlapping however close the events fall; numbers that would touch are
staggered over rows. Where on the year axis: a year's flow is drawn at the year, so the
year spans [year − ½, year + ½); an event sits at its date's place in it (a year-precise
event in the middle, a month-precise one in the middle of its month).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from reciprocity import labels

MARK_COLOR = "#555555"
ROW_HEIGHT = 0.09
"""Height of a row of marker numbers, as a fraction of the plot's height (a 320-pixel
chart's plot is about 200 pixels high: 18 pixels a row)."""
MIN_GAP = 1 / 45
"""Markers closer than this fraction of the x range go to the next row."""


@dataclass(frozen=True)
class Marker:
    """One event on a chart: its number, its place on the year axis and its labels."""

    number: int
    x: float
    date: str
    kind: str
    label: str


def position(date: str) -> float:
    """Place of a ``YYYY[-MM[-DD]]`` date on a year axis whose year ``y`` is drawn at ``y``."""
    parts = [int(p) for p in date.split("-")]
    year = parts[0]
    length = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
    if len(parts) == 1:
        return float(year)
    first = dt.date(year, parts[1], 1)
    if len(parts) == 2:
        nxt = dt.date(year + (parts[1] == 12), parts[1] % 12 + 1, 1)
        middle = (first - dt.date(year, 1, 1)).days + (nxt - first).days / 2
    else:
        middle = (dt.date(year, parts[1], parts[2]) - dt.date(year, 1, 1)).days + 0.5
    return year - 0.5 + middle / length


def markers(events: Iterable[Any]) -> list[Marker]:
    """Markers of events (objects with ``date``, ``kind`` and ``short``), numbered by date."""
    ordered = sorted(events, key=lambda e: (position(e.date), e.id))
    return [Marker(i, position(e.date), e.date, e.kind, e.short)
            for i, e in enumerate(ordered, start=1)]


def add_markers(fig: go.Figure, marks: Sequence[Marker]) -> go.Figure:
    """Draw the markers that fall within the chart's years (from its traces' x values) as
    dotted vertical lines numbered at the plot's top (inside it, clear of the legend above),
    staggered downwards over rows where numbers would touch."""
    xs = [float(x) for trace in fig.data for x in (getattr(trace, "x", None) or ())
          if x is not None]
    if not xs or not marks:
        return fig
    lo, hi = min(xs) - 0.5, max(xs) + 0.5
    shown = [m for m in marks if lo <= m.x <= hi]
    if not shown:
        return fig
    gap = max(hi - lo, 1.0) * MIN_GAP
    last: list[float] = []  # x of the last marker in each row
    shapes, notes = [], []
    for m in shown:
        row = next((i for i, x in enumerate(last) if m.x - x >= gap), len(last))
        if row == len(last):
            last.append(m.x)
        else:
            last[row] = m.x
        shapes.append({"type": "line", "x0": m.x, "x1": m.x, "xref": "x", "y0": 0, "y1": 1,
                       "yref": "paper", "layer": "below", "name": f"event {m.number}",
                       "line": {"color": MARK_COLOR, "width": 1, "dash": "dot"}})
        notes.append({"x": m.x, "xref": "x", "y": 1 - row * ROW_HEIGHT, "yref": "paper",
                      "yanchor": "top", "text": str(m.number), "showarrow": False,
                      "borderpad": 1, "bgcolor": "rgba(255,255,255,0.9)",
                      "font": {"size": 10, "color": MARK_COLOR}, "name": f"event {m.number}",
                      "hovertext": f"{m.number}. {m.date} {labels.label(m.kind)}: {m.label}"})
    # one layout update (numbers inside the plot's top, clear of the legend above): adding
    # shapes one by one costs Plotly a validation of the whole layout each time
    fig.update_layout(shapes=[*fig.layout.shapes, *shapes],
                      annotations=[*fig.layout.annotations, *notes])
    # keep the x range of the data: a marker never widens a chart
    if fig.layout.xaxis.range is None:
        fig.update_xaxes(range=[lo, hi])
    return fig


def section(events: Sequence[Any]) -> dict[str, Any] | None:
    """The briefing's timeline section: one row per event, numbered as on the charts."""
    if not events:
        return None
    numbers = {id(e): m.number for e, m in zip(
        sorted(events, key=lambda e: (position(e.date), e.id)), markers(events), strict=True)}
    rows = []
    for e in sorted(events, key=lambda e: numbers[id(e)]):
        rows.append({"number": numbers[id(e)], "id": e.id, "date": e.date,
                     "kind": labels.label(e.kind), "title": e.title,
                     "countries": ", ".join(e.countries),
                     "summary": e.summary, "programs": list(e.programs),
                     "sources": [_cite(s) for s in e.sources]})
    return {"rows": rows, "markers": markers(events)}


def _cite(source: Any) -> dict[str, Any]:
    """A source for the page: its citation line and its address (where public)."""
    who = source.author or source.publisher
    text = ", ".join(str(p) for p in (who, source.title, source.year) if p)
    if source.author and source.publisher:
        text += f" ({source.publisher})"
    if source.page:
        text += f", p. {source.page}"
    return {"text": text, "url": source.url}
