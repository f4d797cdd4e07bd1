"""Plotly figures of a pair's flows, shared by the briefing and the web app.

Each function takes frames from the Python API (a :class:`~reciprocity.queries.dyad.Dyad`
or a plain frame) and returns a ``plotly.graph_objects.Figure``; :func:`to_json` turns one
into the JSON that ``Plotly.newPlot`` draws. Colours are fixed per direction so every chart
reads the same way: A→B blue, B→A orange.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Iterable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from reciprocity import channels as channels_mod
from reciprocity import labels
from reciprocity.queries.dyad import Dyad

A_COLOR = "#1f5fa8"
B_COLOR = "#d9822b"
JOINT_COLOR = "#6a4c93"
INDEX_COLOR = "#2f7d4f"
FONT = "DejaVu Sans, Segoe UI, Helvetica, Arial, sans-serif"

UNIT_LABELS = {
    "tiv_millions": "million TIV",
    "articles_whole": "co-authored articles",
    "works_whole": "co-authored works",
    "works_fractional": "co-authored works (fractional)",
    "citations": "citations",
    "coauthorship_index": "co-authorship index",
    "relative_citation_index": "relative citation index",
}

PLOT_CONFIG: dict[str, Any] = {"displaylogo": False, "responsive": True,
                               "displayModeBar": False, "showLink": False,
                               "showSendToCloud": False, "showEditInChartStudio": False}
"""``Plotly.newPlot`` config: no logo, no links to outside addresses, no mode bar."""


def unit_label(unit: str) -> str:
    """Short human label of a unit (``tiv_millions`` → ``million TIV``)."""
    if unit in UNIT_LABELS:
        return UNIT_LABELS[unit]
    if unit.startswith("relative_citation_index_"):
        return "relative citation index, " + unit.removeprefix(
            "relative_citation_index_").replace("_", " ")
    return unit.replace("_", " ")


TITLE_WIDTH = 88
"""Characters of a chart title's line (a printed A4 page holds about 90 at 14 px)."""


def _layout(title: str | None, *, height: int = 320, y_title: str | None = None,
            x_title: str | None = "year", **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "template": "none",
        "height": height,
        "margin": {"l": 64, "r": 16, "t": 70 if title else 30, "b": 44},
        "font": {"family": FONT, "size": 12, "color": "#222"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "x unified",
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom",
                   "xanchor": "left"},
        "xaxis": {"title": {"text": x_title} if x_title else None, "tickformat": "d",
                  "gridcolor": "#e5e5e5", "zeroline": False, "automargin": True},
        "yaxis": {"title": {"text": y_title} if y_title else None, "gridcolor": "#e5e5e5",
                  "zeroline": True, "zerolinecolor": "#bbbbbb", "rangemode": "tozero",
                  "automargin": True},
    }
    if title:
        # Plotly does not wrap a title: a long one is broken into lines that fit a printed
        # page's width, the top margin growing by a line each
        lines = textwrap.wrap(title, TITLE_WIDTH, break_on_hyphens=False) or [title]
        layout["margin"]["t"] += 18 * (len(lines) - 1)
        layout["title"] = {"text": "<br>".join(lines), "x": 0, "xanchor": "left",
                           "font": {"size": 14}, "y": 1, "yref": "container",
                           "yanchor": "top", "pad": {"t": 8 + 18 * (len(lines) - 1)}}
    layout.update(extra)
    return layout


def _select(frame: pd.DataFrame, channel: str, unit: str) -> pd.DataFrame:
    return frame[(frame["channel"] == channel) & (frame["unit"] == unit)]


def _num(values: Iterable[Any]) -> list[float | None]:
    out: list[float | None] = []
    for v in values:
        f = None if v is None else float(v)
        out.append(None if f is None or math.isnan(f) else f)
    return out


def _year_ticks(fig: go.Figure, years: list[int]) -> go.Figure:
    """Whole years only: a short span gets one tick per year (no repeated labels)."""
    if years and max(years) - min(years) < 8:
        fig.update_xaxes(dtick=1, range=[min(years) - 0.5, max(years) + 0.5])
    return fig


def flows_over_time(dyad: Dyad, channel: str, unit: str, *, title: str | None = None
                    ) -> go.Figure:
    """Flows A→B and B→A by year (one joint line for undirected channels).

    A year without data is a gap (``None``, lines not joined across it), never a dip to 0.
    Every point carries ``customdata`` = (channel, year) so a click can ask for its records.
    """
    a, b = dyad.pair.a.code, dyad.pair.b.code
    sel = _select(dyad.by_year, channel, unit)
    years = [int(y) for y in sel["year"]]
    custom = [[channel, y] for y in years]
    label = unit_label(unit)
    fig = go.Figure(layout=_layout(title, y_title=label))
    if channels_mod.is_directed(channel):
        for name, column, color in ((f"{a} → {b}", "flow_ab", A_COLOR),
                                    (f"{b} → {a}", "flow_ba", B_COLOR)):
            fig.add_trace(go.Scatter(
                x=years, y=_num(sel[column]), name=name, mode="lines+markers",
                line={"color": color, "width": 2}, marker={"size": 5}, customdata=custom,
                connectgaps=False,
                hovertemplate="%{y:,.2f} " + label + "<extra>" + name + "</extra>"))
    else:
        fig.add_trace(go.Scatter(
            x=years, y=_num(sel["flow_ab"]), name=f"{a} ⇄ {b} (joint)", mode="lines+markers",
            line={"color": JOINT_COLOR, "width": 2}, marker={"size": 5}, customdata=custom,
            connectgaps=False,
            hovertemplate="%{y:,.2f} " + label + "<extra>joint</extra>"))
    return _year_ticks(fig, years)


def index_trend(dyad: Dyad, channel: str, unit: str, *, title: str | None = None) -> go.Figure:
    """Two-way (Grubel–Lloyd) index over rolling windows, with each year's index as dots."""
    window = dyad.window
    rolled = _select(dyad.by_window, channel, unit)
    yearly = _select(dyad.by_year, channel, unit)
    fig = go.Figure(layout=_layout(
        title, y_title="two-way index (0 one-way, 1 balanced)",
        yaxis={"range": [0, 1.05], "gridcolor": "#e5e5e5", "zeroline": False,
               "title": {"text": "two-way index"}, "automargin": True}))
    fig.add_trace(go.Scatter(
        x=[int(y) for y in rolled["end"]], y=_num(rolled["gl_index"]),
        name=f"{window}-year rolling", mode="lines", line={"color": INDEX_COLOR, "width": 2.5},
        connectgaps=False, customdata=[[channel, int(y)] for y in rolled["end"]],
        hovertemplate="%{y:.3f}<extra>" + f"{window}-year window</extra>"))
    fig.add_trace(go.Scatter(
        x=[int(y) for y in yearly["year"]], y=_num(yearly["gl_index"]), name="single year",
        mode="markers", marker={"color": INDEX_COLOR, "size": 5, "opacity": 0.45},
        customdata=[[channel, int(y)] for y in yearly["year"]],
        hovertemplate="%{y:.3f}<extra>year</extra>"))
    return _year_ticks(fig, [int(y) for y in yearly["year"]])


def mode_bars(dyad: Dyad, channel: str, unit: str, *, title: str | None = None) -> go.Figure:
    """Totals over the span by mode, both directions side by side."""
    a, b = dyad.pair.a.code, dyad.pair.b.code
    sel = _select(dyad.by_mode, channel, unit).sort_values("mode")
    modes = [labels.label(str(m)) for m in sel["mode"]]
    label = unit_label(unit)
    fig = go.Figure(layout=_layout(title, y_title=None, x_title=label, barmode="group",
                                   height=max(180, 70 + 46 * len(modes)), hovermode="closest",
                                   yaxis={"automargin": True, "gridcolor": "#ffffff"},
                                   xaxis={"title": {"text": label}, "gridcolor": "#e5e5e5",
                                          "automargin": True}))
    if channels_mod.is_directed(channel):
        pairs = ((f"{a} → {b}", "flow_ab", A_COLOR), (f"{b} → {a}", "flow_ba", B_COLOR))
    else:
        pairs = ((f"{a} ⇄ {b} (joint)", "flow_ab", JOINT_COLOR),)
    for name, column, color in pairs:
        fig.add_trace(go.Bar(y=modes, x=_num(sel[column]), name=name, orientation="h",
                             marker={"color": color},
                             hovertemplate="%{x:,.2f} " + label + "<extra>" + name
                             + "</extra>"))
    return fig


def sankey(dyad: Dyad, unit: str, *, title: str | None = None) -> go.Figure | None:
    """Flows by channel and mode in both directions, for the channels measured in ``unit``.

    Left: the sending country; middle: ``channel · mode`` per direction; right: the receiving
    country. None when there is nothing to draw (or the unit is an index, never summed).
    """
    if not channels_mod.is_additive(unit):
        return None
    a, b = dyad.pair.a, dyad.pair.b
    sel = dyad.by_mode[dyad.by_mode["unit"] == unit]
    labels: list[str] = [f"{a.name} sends", f"{b.name} sends"]
    colors: list[str] = [A_COLOR, B_COLOR]
    source: list[int] = []
    target: list[int] = []
    value: list[float] = []
    link_colors: list[str] = []
    middle: dict[tuple[str, str, str], int] = {}
    receivers = {"ab": None, "ba": None}
    for r in sel.sort_values(["channel", "mode"]).to_dict("records"):
        directed = channels_mod.is_directed(r["channel"])
        for direction, column, sender in (("ab", "flow_ab", 0), ("ba", "flow_ba", 1)):
            v = float(r[column] or 0)
            if v <= 0 or (not directed and direction == "ba"):
                continue
            key = (direction, r["channel"], r["mode"])
            if key not in middle:
                middle[key] = len(labels)
                arrow = f"{a.code}→{b.code}" if direction == "ab" else f"{b.code}→{a.code}"
                if not directed:
                    arrow = f"{a.code}⇄{b.code}"
                labels.append(f"{arrow}: {r['channel']} · {str(r['mode']).replace('_', ' ')}")
                colors.append(A_COLOR if direction == "ab" else B_COLOR)
            if receivers[direction] is None:
                receivers[direction] = len(labels)
                labels.append(f"{(b if direction == 'ab' else a).name} receives")
                colors.append(B_COLOR if direction == "ab" else A_COLOR)
            fill = "rgba(31,95,168,0.35)" if direction == "ab" else "rgba(217,130,43,0.4)"
            source += [sender, middle[key]]
            target += [middle[key], receivers[direction]]  # type: ignore[list-item]
            value += [v, v]
            link_colors += [fill, fill]
    if not value:
        return None
    label = unit_label(unit)
    fig = go.Figure(layout=_layout(title, height=max(260, 60 + 34 * len(middle)),
                                   x_title=None, hovermode="closest"))
    fig.add_trace(go.Sankey(
        arrangement="snap", valueformat=",.1f", valuesuffix=" " + label,
        node={"label": labels, "color": colors, "pad": 14, "thickness": 14,
              "line": {"color": "#ffffff", "width": 0.5}},
        link={"source": source, "target": target, "value": value, "color": link_colors}))
    return fig


def areas_chart(frame: pd.DataFrame, a: str, b: str, unit: str, *, title: str | None = None
                ) -> go.Figure:
    """Technology areas both ways: one row per area, A→B and B→A bars (columns ``area``,
    ``flow_ab``, ``flow_ba``)."""
    label = unit_label(unit)
    frame = frame.sort_values("area", ascending=False)
    areas = [str(x) for x in frame["area"]]
    fig = go.Figure(layout=_layout(title, x_title=label, barmode="group", hovermode="closest",
                                   height=max(200, 70 + 40 * len(areas)),
                                   yaxis={"automargin": True, "gridcolor": "#ffffff"},
                                   xaxis={"title": {"text": label}, "gridcolor": "#e5e5e5",
                                          "automargin": True}))
    for name, column, color in ((f"{a} → {b}", "flow_ab", A_COLOR),
                                (f"{b} → {a}", "flow_ba", B_COLOR)):
        fig.add_trace(go.Bar(y=areas, x=_num(frame[column]), name=name, orientation="h",
                             marker={"color": color},
                             hovertemplate="%{x:,.2f} " + label + "<extra>" + name
                             + "</extra>"))
    return fig


def sparkline(years: list[int], ab: list[float], ba: list[float], *, directed: bool = True
              ) -> go.Figure:
    """A small chart of one partner's flows both ways (no axes, no legend)."""
    layout = {
        "template": "none", "height": 56, "width": 220, "showlegend": False,
        "margin": {"l": 2, "r": 2, "t": 4, "b": 4}, "hovermode": "x unified",
        "font": {"family": FONT, "size": 10},
        "xaxis": {"visible": False, "tickformat": "d"},
        "yaxis": {"visible": False, "rangemode": "tozero"},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
    }
    fig = go.Figure(layout=layout)
    fig.add_trace(go.Scatter(x=years, y=ab, mode="lines", name="out",
                             line={"color": A_COLOR if directed else JOINT_COLOR, "width": 1.5},
                             hovertemplate="%{y:,.1f}<extra>out</extra>"))
    if directed:
        fig.add_trace(go.Scatter(x=years, y=ba, mode="lines", name="in",
                                 line={"color": B_COLOR, "width": 1.5},
                                 hovertemplate="%{y:,.1f}<extra>in</extra>"))
    return fig


def to_json(fig: go.Figure) -> str:
    """The figure as JSON for ``Plotly.newPlot`` (safe inside a ``<script>`` element)."""
    text = pio.to_json(fig, validate=False, engine="json")
    return text.replace("</", "<\\/")


def to_dict(fig: go.Figure) -> dict[str, Any]:
    """The figure as plain data (for JSON responses)."""
    return json.loads(pio.to_json(fig, validate=False, engine="json"))
