"""Build a pair briefing: gather everything from the Python API, render one HTML file.

The page is self-contained: Plotly's JavaScript (from the installed ``plotly`` package), the
styles and the drawing script are inline, fonts are the reader's own, and nothing refers to
an outside address. Sections whose data or API does not exist yet (technology areas, the
ledger, the assessment: composite index, dependence, opportunities) are left out, so the
briefing grows as the store and the package do.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, partial
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from reciprocity import __version__, labels
from reciprocity import channels as channels_mod
from reciprocity.api import Reciprocity
from reciprocity.errors import InputError, ReciprocityError
from reciprocity.queries import present
from reciprocity.queries.dyad import Dyad, years_text
from reciprocity.report import alliance_text, figures, headline, timeline
from reciprocity.sources.base import load_info

SIPRI_CREDIT = load_info("sipri").credit
RECORD_COLUMNS = ("designation", "technology", "description", "transfer_id", "program_id",
                  "order_year", "mode", "comments")

FORMULAS = (
    ("balance", "AB − BA", "any; positive when A sends more"),
    ("share_b", "BA / (AB + BA)", "[0, 1]; B's share of the two-way total"),
    ("gl_index", "1 − |AB − BA| / (AB + BA)",
     "[0, 1]; the two-way (Grubel–Lloyd) index: 1 balanced, 0 one-way"),
    ("coverage_ratio", "BA / AB", "≥ 0; how much of what A sends comes back"),
)


@dataclass
class Figure:
    """One chart: an id for the page, its Plotly JSON and a caption."""

    id: str
    json: str
    caption: str = ""


@dataclass
class ChannelView:
    """One channel (and unit) of the pair: totals, charts and the largest records."""

    key: str
    channel: str
    unit: str
    unit_label: str
    directed: bool
    additive: bool
    total: dict[str, Any]
    description: str
    flows: Figure | None
    index: Figure | None
    modes: list[dict[str, Any]]
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    record_columns: list[str] = field(default_factory=list)
    aggregation: str = "sum"
    coverage: str = ""
    latest: dict[str, Any] | None = None
    label: str = ""
    """The channel and unit for people (``Citations: relative citation index, physics``)."""
    card: dict[str, Any] | None = None
    """A channel with a single value: shown as a value card, not as a chart of one dot."""
    mode_chart: Figure | None = None
    record_notes: dict[str, str] = field(default_factory=dict)
    """Per direction, what every listed record has in common (columns left out as equal)."""
    ledger_records: bool = False
    few_values: list[dict[str, Any]] = field(default_factory=list)
    """A snapshot or index unit with two years of data: those years' rows, shown as a small
    table instead of a chart of two points."""

    @property
    def figures(self) -> list[Figure]:
        return [f for f in (self.flows, self.index, self.mode_chart) if f is not None]


@dataclass
class Section:
    """An optional section from a part of the package that may not exist yet."""

    title: str
    tables: list[tuple[str, list[str], list[dict[str, Any]]]] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


#: The templates' number filters: every one is :func:`reciprocity.labels.figure` (the
#: numbers by their unit), ``num`` with the value's unit or column as its argument.
NUMBER_FILTERS = {"num": labels.figure, "index": partial(labels.figure, unit="index"),
                  "pct": partial(labels.figure, unit="proportion")}


def fmt_cell(value: Any) -> str:
    """Any table cell as text (numbers formatted, missing values empty)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return labels.fmt(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt_cell(v) for v in value)
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.strftime("%Y-%m-%d")
    return str(value)


def fmt_plain(value: Any) -> str:
    """Years and ids: no thousands separator, whole numbers without decimals."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)


def cell_for(column: str, value: Any) -> str:
    """A cell of ``column``: years and ids plain; a column with a number format of its own
    (:data:`reciprocity.labels.COLUMN_KINDS`: indices to 3 decimals, counts as integers,
    shares as percentages) by :func:`reciprocity.labels.fmt`; everything else
    :func:`fmt_cell`."""
    if column == "year" or column.endswith(("_year", "_id", "_from", "_to")):
        return fmt_plain(value)
    if column in ("measure", "mode") and isinstance(value, str):
        return labels.label(value)
    how = SHARE_KIND if column == "share" else labels.kind(column)
    if how is not None and not isinstance(value, str | list | tuple):
        return labels.fmt(value, how)
    return fmt_cell(value)


SHARE_KIND = "proportion"
"""The assessment's and the briefing's ``share`` columns hold fractions of 1 (a world share,
a share of intake), shown as percentages."""


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the briefing templates (autoescaped)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reciprocity.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters.update(**NUMBER_FILTERS, cell=fmt_cell, plain=fmt_plain,
                       unit=figures.unit_label, label=labels.label)
    env.globals["cell_for"] = cell_for
    env.globals["heading"] = heading
    return env


HEADINGS = {
    "observed_ab": "{a} → {b}", "observed_ba": "{b} → {a}", "index": "two-way index",
    "ci_low": "95% interval, low", "ci_high": "95% interval, high",
    "expected": "expected by chance", "null_low": "chance band, low",
    "null_high": "chance band, high", "hhi": "concentration (HHI)",
    "a_strength": "{a}'s strength", "b_strength": "{b}'s strength", "b_rising": "{b} rising",
    "best_evidence": "best evidence", "counterpart_id": "counterpart",
    "transfer_id": "transfer", "status_date": "status date",
    "z": "z-score", "excluded": "left out because", "present_share": "{b}'s present share",
    "best_measure": "best measure", "n_suppliers": "suppliers", "top_share": "top share",
    "share": "share", "declared_weight": "declared weight", "in_composite": "in the composite",
    "rta": "RTA", "previous_rta": "previous RTA", "top_partner": "top supplier",
    "country": "country",
}
"""Table headings of the assessment and ledger sections where the column's name is not
words (``observed_ab``, ``ci_low``); ``{a}`` and ``{b}`` stand for the pair's codes."""


def heading(column: str, a: str = "A", b: str = "B") -> str:
    """A table column's heading in words, with the pair's codes (``JPN's strength``): from
    :data:`HEADINGS`, else :func:`reciprocity.labels.label`; lower case first, as the
    briefing's headings are, but for codes and acronyms (``USA → JPN``, ``RTA``)."""
    text = HEADINGS[column].format(a=a, b=b) if column in HEADINGS else labels.label(column)
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


@cache
def plotly_js() -> str:
    """Plotly's minified JavaScript from the installed ``plotly`` package."""
    return resources.files("plotly").joinpath("package_data", "plotly.min.js").read_text(
        encoding="utf-8")


def _asset(name: str) -> str:
    return resources.files("reciprocity.report").joinpath("templates", name).read_text(
        encoding="utf-8")


# -- sections ------------------------------------------------------------------------------

def _channel_views(r: Reciprocity, dyad: Dyad, data: dict[str, Any],
                   marks: Sequence[timeline.Marker] = ()) -> list[ChannelView]:
    views = []
    a, b = dyad.pair.a.code, dyad.pair.b.code
    for i, (key, channel, unit) in enumerate(dyad.channel_keys()):
        ch = data["channels"][key]
        directed = channels_mod.is_directed(channel)
        additive = channels_mod.is_additive(unit)
        label = figures.unit_label(unit)
        human = headline.key_label(channel, unit)
        single = headline.single_value(ch)
        few = not single and not additive and len(ch["years_with_data"]) <= 2
        flows = index = mode_chart = None
        if not (single or few):
            flows = Figure(f"fig-flows-{i}", figures.to_json(timeline.add_markers(
                figures.flows_over_time(dyad, channel, unit, title=f"{human}: by year"),
                marks)),
                f"{a} → {b} and {b} → {a} by year" if directed else
                f"joint {a}–{b} {label} by year (undirected channel)")
        if directed and additive and not single:
            index = Figure(f"fig-index-{i}", figures.to_json(timeline.add_markers(
                figures.index_trend(dyad, channel, unit, title=f"{human}: two-way index, "
                                    f"{dyad.window}-year windows"), marks)),
                "The line is the index over the window ending in each year; dots are single "
                "years (no dot: no flow either way that year).")
        modes = [{"mode": m, **v} for m, v in ch["by_mode"].items()]
        if additive and len(modes) > 1:
            mode_chart = Figure(f"fig-modes-{i}", figures.to_json(figures.mode_bars(
                dyad, channel, unit, title=f"{human}: by mode, {_span_text(dyad)}")),
                "Totals over the span by mode, both ways (the table below gives the figures).")
        view = ChannelView(key, channel, unit, label, directed, additive, ch,
                           channels_mod.CHANNELS[channel].description
                           if channel in channels_mod.CHANNELS else "", flows, index, modes,
                           aggregation=ch["aggregation"],
                           coverage=years_text(ch["years_with_data"]), latest=ch["latest"],
                           label=human, card=headline.card(key, ch) if single else None,
                           mode_chart=mode_chart)
        if few:
            view.few_values = [row for row in ch["by_year"] if row["flow_ab"] is not None]
        if directed and additive:
            _largest_records(r, dyad, view)
        views.append(view)
    return views


def _largest_records(r: Reciprocity, dyad: Dyad, view: ChannelView, limit: int = 10) -> None:
    """The largest source records each way (a record's flows summed over the span)."""
    try:
        frame = r.explain(dyad.pair.a.code, dyad.pair.b.code, channel=view.channel)
    except ReciprocityError:
        return
    if frame.empty:
        return
    frame = frame[frame["unit"] == view.unit]
    if dyad.since is not None:
        frame = frame[frame["year"] >= dyad.since]
    if dyad.until is not None:
        frame = frame[frame["year"] <= dyad.until]
    columns = [c for c in RECORD_COLUMNS if c in frame.columns]
    keys = ["direction", "dataset", "vintage_id", "record_id"]
    grouped = frame.groupby(keys, sort=False, dropna=False).agg(
        magnitude=("magnitude", "sum"), first_year=("year", "min"), last_year=("year", "max"),
        **{c: (c, "first") for c in columns}).reset_index()
    # ledger records go by their names (the transfer's id), never by the store's row hash
    view.ledger_records = bool(len(grouped)) and bool(
        (grouped["dataset"] == LEDGER_DATASET).all()) and "transfer_id" in grouped.columns
    grouped["record"] = [
        f"ledger transfer {t}" if d == LEDGER_DATASET and isinstance(t, str) and t else
        f"{v}, record {rid}" for d, v, rid, t in zip(
            grouped["dataset"], grouped["vintage_id"], grouped["record_id"],
            grouped["transfer_id"] if "transfer_id" in grouped.columns else
            [None] * len(grouped), strict=True)]
    if view.ledger_records:
        columns = [c for c in columns if c != "transfer_id"]
    view.record_columns = ["magnitude", "years", *columns, "record"]
    grouped["years"] = [f"{lo}" if lo == hi else f"{lo}–{hi}"
                        for lo, hi in zip(grouped["first_year"], grouped["last_year"],
                                          strict=True)]
    order = (["first_year", "magnitude"], [True, False]) if view.ledger_records else (
        ["magnitude"], [False])
    for direction in ("a_to_b", "b_to_a"):
        part = grouped[grouped["direction"] == direction].sort_values(
            order[0], ascending=order[1], kind="stable")
        rows = part.head(limit).to_dict("records")
        kept, same = distinct_columns(view.record_columns, rows)
        view.records[direction] = rows
        view.records[direction + "_columns"] = kept  # type: ignore[assignment]
        view.record_notes[direction] = same_text(same, view.unit_label)
        view.records[direction + "_count"] = len(part)  # type: ignore[assignment]


LEDGER_DATASET = "reciprocity_ledger"


def _column_label(column: str, unit_label: str = "") -> str:
    return unit_label if column == "magnitude" and unit_label else heading(column)


def _record_cell(column: str, value: Any) -> str:
    if column == "mode" and isinstance(value, str):
        return labels.label(value)
    text = cell_for(column, value)
    return text.replace("_", " ") if column in ("mode", "kind", "form") else text


def same_text(same: list[tuple[str, Any]], unit_label: str = "") -> str:
    """``mode: licensed production; transfers: 1``: what every row of a table shares."""
    parts = []
    for c, v in same:
        text = _record_cell(c, v)
        if text:
            parts.append(f"{_column_label(c, unit_label)}: {text}")
    return "; ".join(parts)


WORDED_COLUMNS = ("channel", "verdict", "need", "measure", "form", "kind", "status", "trend",
                  "best_measure", "mode", "significance")


UNIT_VALUED = ("observed_ab", "observed_ba", "value", "total", "previous_value", "world",
               "a_intake")
"""Columns whose numbers are in the row's ``unit`` (money in millions, counts as integers…)."""


def humane(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Table rows for people: area ids by their names, units by their labels, and words
    instead of snake_case ids in the columns that hold vocabulary (verdicts, needs, …)."""
    names = area_names()
    out = []
    for row in rows:
        row = dict(row)
        unit = row.get("unit")
        if isinstance(unit, str) and labels.kind(unit) is not None:
            for c in UNIT_VALUED:  # values in the row's unit: formatted by it
                if isinstance(row.get(c), int | float) and not isinstance(row[c], bool):
                    row[c] = labels.fmt(row[c], unit)
        for c, v in row.items():
            if not isinstance(v, str):
                continue
            if c == "area":
                row[c] = names.get(v, v.replace("_", " "))
            elif c == "unit":
                row[c] = figures.unit_label(v)
            elif c in ("mode", "measure", "best_measure"):
                row[c] = labels.label(v)
            elif c == "field":
                row[c] = labels.field(v)
            elif c in WORDED_COLUMNS:
                row[c] = v.replace("_", " ")
        out.append(row)
    return out


def tidy_tables(section: Section) -> Section:
    """The section with every table's all-equal columns moved into its caption."""
    tables = []
    for title, cols, rows in section.tables:
        rows = humane(rows)
        kept, same = distinct_columns(list(cols), rows)
        note = same_text(same)
        tables.append((f"{title} (every row: {note})" if note else title, kept, rows))
    section.tables = tables
    return section


def distinct_columns(columns: list[str], rows: list[dict[str, Any]]
                     ) -> tuple[list[str], list[tuple[str, Any]]]:
    """The columns whose values differ between ``rows``, and (column, value) of those where
    every row has the same value (a table of equal values says nothing; its caption can).
    With fewer than two rows every column is kept."""
    if len(rows) < 2:
        return list(columns), []
    kept, same = [], []
    for c in columns:
        values = {fmt_cell(row.get(c)) for row in rows}
        if len(values) == 1:
            same.append((c, rows[0].get(c)))
        else:
            kept.append(c)
    return kept, same


def _areas(r: Reciprocity, dyad: Dyad) -> list[dict[str, Any]]:
    """Flows by technology area both ways, per directed channel and additive unit."""
    a, b = dyad.pair.a.code, dyad.pair.b.code
    frame = present.pair_area_flows(r.store, a, b, dyad.since, dyad.until)
    names = area_names()
    out = []
    for (channel, unit), part in frame.groupby(["channel", "unit"], sort=True):
        if not channels_mod.is_directed(channel) or not channels_mod.is_additive(unit):
            continue
        part = part.assign(area=[names.get(x, x) for x in part["area"]])
        fig = figures.areas_chart(part, a, b, unit,
                                  title=f"{labels.label(channel)}: technology areas "
                                        f"({figures.unit_label(unit)})")
        out.append({"channel": channel, "unit": unit,
                    "figure": Figure(f"fig-areas-{len(out)}", figures.to_json(fig)),
                    "rows": part.to_dict("records")})
    return out


def area_names() -> dict[str, str]:
    """Technology area id → its name (the taxonomy)."""
    from reciprocity import taxonomy

    return {k: v.name for k, v in taxonomy.areas().items()}


def _rows(frame: pd.DataFrame, limit: int = 25) -> tuple[list[str], list[dict[str, Any]]]:
    head = frame.head(limit)
    return [str(c) for c in head.columns], head.astype(object).where(
        head.notna(), None).to_dict("records")


def _verdict(text: Any) -> str:
    return str(text or "").replace("_", " ")


def _assessment(r: Reciprocity, dyad: Dyad, notes: list[str]) -> dict[str, Any] | None:
    """The composite index with its interval, B's dependence on A, and opportunities.

    Each part that fails with a bad-input or data error (a pair without flows) leaves a note.
    """
    a, b = dyad.pair.a, dyad.pair.b
    out: dict[str, Any] = {"composite": None, "sections": []}
    span = {"since": dyad.since, "until": dyad.until}
    try:
        comp = r.composite_index(a.code, b.code, **span)
        d = comp.answer().model_dump(mode="json")
        section = Section("Composite reciprocity index")
        out["composite_dict"] = d
        if d.get("value") is not None:
            out["composite"] = {"value": d["value"], "low": d.get("ci_low"),
                                "high": d.get("ci_high"), "level": d.get("level"),
                                "expected": d.get("expected"),
                                "verdict": _verdict(d.get("verdict"))}
            level = d.get("level") or 0.95
            section.facts += [
                ("composite index", labels.figure(d["value"], "index")),
                (f"{100 * level:.0f} % interval",
                 f"{labels.figure(d.get('ci_low'), 'index')} – "
                 f"{labels.figure(d.get('ci_high'), 'index')}"),
                ("expected under the null model", labels.figure(d.get("expected"), "index")),
                ("verdict", _verdict(d.get("verdict"))),
                ("window", (d.get("window") or {}).get("name") or "all years"),
                (f"weights ({d.get('weighting', 'declared')})", ", ".join(
                    f"{c} {ch['weight']:.2f}" for c, ch in d["channels"].items()
                    if ch.get("in_composite", True) and ch["weight"]))]
        else:
            section.notes.append("No composite: no channel has a flow and an interval "
                                 "of positive width (the reasons are in the table).")
        cols, rows = _rows(comp.frame())
        for row in rows:
            row["verdict"] = _verdict(row.get("verdict"))
        section.tables.append(("By channel (weights as used)", cols, rows))
        section.notes.append("Method: docs/assessment.md (channel indices with BCa "
                             "bootstrap intervals over the sources' sampling units, "
                             "precision-weighted; channels without an interval are not "
                             "combined).")
        out["sections"].append(section)
    except (ReciprocityError, ValueError) as exc:
        notes.append(f"Composite index not shown: {exc}")
    # B's dependence on A (A's on B costs as much again; ``reciprocity dependence A``)
    for country, partner in ((b, a),):
        try:
            dep = r.dependence(country.code, channel="arms", **span)
        except (ReciprocityError, ValueError) as exc:
            notes.append(f"Dependence of {country.code} not shown: {exc}")
            continue
        section = Section(f"Dependence: {country.name}'s arms intake")
        share = dep.partner_share(partner.code)
        if share is not None:
            overall = dep.overall
            section.facts += [
                (f"share from {partner.name}, {overall.get('window')}",
                 labels.figure(share, "proportion")),
                ("supplier concentration (HHI)", labels.figure(overall.get("hhi"), "index")),
                ("top supplier", f"{overall.get('top_partner')} "
                                 f"({labels.figure(overall.get('top_share'), 'proportion')})")]
            cols, rows = _rows(dep.frame(), 12)
            section.tables.append(("By technology area, latest window", cols, rows))
        else:
            section.notes.append(f"{country.name} received no arms in the span.")
        out["sections"].append(section)
    try:
        opps = r.opportunities(a.code, b.code, include_all=True)
        frame = opps.frame()
        section = Section(f"Opportunities: what {a.name} needs and {b.name} provides")
        if len(frame):
            cols, rows = _rows(frame, 10)
            section.tables.append((f"Top areas ({opps.window or 'latest windows'})",
                                   cols, rows))
            if opps.needs_source:
                section.notes.append(f"Needs: {opps.needs_source}.")
        else:
            section.notes.append("No area where one side's evidence meets the other's "
                                 "needs.")
        out["sections"].append(section)
    except (ReciprocityError, ValueError) as exc:
        notes.append(f"Opportunities not shown: {exc}")
    return out if out["composite"] or out["sections"] else None


def _ledger(r: Reciprocity, dyad: Dyad, notes: list[str]) -> dict[str, Any] | None:
    """The ledger's programs and transfers between the pair, with its checks (if any)."""
    from reciprocity.report.ledger_view import ledger_for_pair

    try:
        return ledger_for_pair(r, dyad.pair.a.code, dyad.pair.b.code)
    except ReciprocityError as exc:
        notes.append(f"Ledger not shown: {exc}")
        return None


def _timeline(r: Reciprocity, dyad: Dyad, notes: list[str]) -> dict[str, Any] | None:
    """The pair's policy events within the span (docs/events.md), numbered as on the charts."""
    try:
        found = r.events(dyad.pair.a.code, dyad.pair.b.code, since=dyad.since,
                         until=dyad.until)
    except ReciprocityError as exc:
        notes.append(f"Policy events not shown: {exc}")
        return None
    return timeline.section(found)


def _provenance(r: Reciprocity, dyad: Dyad) -> dict[str, Any]:
    """Datasets and vintages that contributed to the pair's figures, with credit lines."""
    a, b = dyad.pair.a.code, dyad.pair.b.code
    used = present.pair_vintages(r.store, a, b, dyad.since, dyad.until)
    sources = r.sources()
    if sources.empty:
        return {"vintages": [], "datasets": [], "credits": [],
                "vintage_table": {"columns": [], "same": ""}}
    chosen = sources[sources["vintage_id"].isin(used)]
    vintages = chosen.sort_values(["dataset", "vintage_id"]).to_dict("records")
    datasets = (chosen.drop_duplicates("dataset").sort_values("dataset")
                .to_dict("records"))
    credits = sorted({d["credit"] for d in datasets if d.get("credit")})
    groups: dict[tuple, dict[str, Any]] = {}
    for d in datasets:  # one row per publisher and terms (NCSES publishes many tables)
        key = (d.get("publisher"), d.get("url"), d.get("licence"), d.get("credit"))
        group = groups.setdefault(key, {**d, "titles": []})
        group["titles"].append((d.get("dataset_title") or d["dataset"], d["dataset"]))
    shown = [(c, label, cls) for c, label, cls in VINTAGE_COLUMNS]
    kept, same = distinct_columns([c for c, _, _ in shown], vintages)
    labels = {c: label for c, label, _ in shown}
    table = {"columns": [x for x in shown if x[0] in kept],
             "same": "; ".join(f"{labels[c]} {fmt_cell(v)}" for c, v in same)}
    return {"vintages": vintages, "datasets": list(groups.values()), "credits": credits,
            "vintage_table": table}


VINTAGE_COLUMNS = (("vintage_id", "vintage", ""), ("generated_at", "generated", ""),
                   ("ingested_at", "ingested", ""), ("file_name", "file", ""),
                   ("rows_read", "rows", "num"), ("flows_loaded", "flows", "num"),
                   ("sha256", "SHA-256 of the raw file", "hash"))


def _headline(dyad: Dyad, views: list[ChannelView]) -> dict[str, Any] | None:
    candidates = [v for v in views if v.directed and v.additive]
    if not candidates:
        return None
    main = next((v for v in candidates if v.channel == "arms"), candidates[0])
    t = main.total
    return {"view": main, "gl_index": t["gl_index"], "flow_ab": t["flow_ab"],
            "flow_ba": t["flow_ba"], "coverage_ratio": t["coverage_ratio"],
            "share_b": t["share_b"], "others": [v for v in candidates if v is not main]}


# -- the page ------------------------------------------------------------------------------

def build_context(r: Reciprocity, a: str, b: str, *, since: int | None = None,
                  until: int | None = None, window: int = 5) -> dict[str, Any]:
    """Everything the briefing template shows, from the Python API."""
    started = time.perf_counter()
    dyad = r.dyad(a, b, since=since, until=until, window=window)
    data = dyad.to_dict()
    notes: list[str] = []
    events = _timeline(r, dyad, notes)
    views = _channel_views(r, dyad, data, events["markers"] if events else ())
    provenance = _provenance(r, dyad)
    ledger = _ledger(r, dyad, notes)
    if ledger is not None:
        tidy_tables(ledger)
    assessment = _assessment(r, dyad, notes)
    for section in (assessment or {}).get("sections", []):
        tidy_tables(section)
    composite = (assessment or {}).get("composite_dict")
    credits = list(provenance["credits"])
    if any(v.channel == "arms" for v in views) and SIPRI_CREDIT not in credits:
        credits.insert(0, SIPRI_CREDIT)
    allied = data.get("alliance")
    if allied and allied.get("credit") and allied["credit"] not in credits:
        credits.append(allied["credit"])  # the alliance sentence is ATOP's data
    span = _span_text(dyad)
    return {
        "a": dyad.pair.a, "b": dyad.pair.b, "since": since, "until": until, "span": span,
        "window": dyad.window, "data": data, "views": views, "has_data": bool(views),
        "headline": _headline(dyad, views),
        "sentence": headline.sentence(data, composite),
        "alliance": alliance_text.sentence(data.get("alliance"), data["a"],
                                           data.get("a_name") or data["a"], data["b"],
                                           data.get("b_name") or data["b"]),
        "cards": [v.card for v in views if v.card],
        "areas": _areas(r, dyad) if views else [],
        "ledger": ledger, "assessment": assessment, "timeline": events,
        "provenance": provenance, "credits": credits, "formulas": FORMULAS, "notes": notes,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": __version__, "build_seconds": time.perf_counter() - started,
        "units": {v.unit: channels_mod.UNITS.get(v.unit, "") for v in views},
    }


def _span_text(dyad: Dyad) -> str:
    years = [int(y) for y in dyad.by_year["year"]] if len(dyad.by_year) else []
    lo = dyad.since if dyad.since is not None else (min(years) if years else None)
    hi = dyad.until if dyad.until is not None else (max(years) if years else None)
    if lo is None and hi is None:
        return "all years"
    if lo is None:
        return f"up to {hi}"
    if hi is None:
        return f"from {lo}"
    return f"{lo}–{hi}"


def render_html(r: Reciprocity, a: str, b: str, *, since: int | None = None,
                until: int | None = None, window: int = 5) -> str:
    """The briefing as one self-contained HTML document."""
    context = build_context(r, a, b, since=since, until=until, window=window)
    template = environment().get_template("briefing.html.j2")
    return template.render(**context, plotly_js=plotly_js(), css=_asset("briefing.css"),
                           draw_js=_asset("briefing.js"), config=figures.PLOT_CONFIG)


def write_briefing(r: Reciprocity, a: str, b: str, out: str | Path, *,
                   since: int | None = None, until: int | None = None) -> Path:
    """Write the briefing to ``out``: ``.html`` as is, ``.pdf`` printed by headless Chromium."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise InputError(f"-o {out}: unknown kind of file {suffix or '(no suffix)'!r}; "
                         "expected a name ending in .html or .pdf")
    html = render_html(r, a, b, since=since, until=until)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".pdf":
        from reciprocity.report.pdf import html_to_pdf

        html_to_pdf(html, out)
    else:
        out.write_text(html, encoding="utf-8")
    return out
