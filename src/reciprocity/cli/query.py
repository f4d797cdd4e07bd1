"""``dyad``, ``partners`` and ``explain``: how reciprocal flows are, and why."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any

import typer

from reciprocity.cli.common import (
    ChannelOpt,
    FormatOpt,
    SinceOpt,
    UntilOpt,
    VintageOpt,
    WideOpt,
    session,
)
from reciprocity.cli.render import Format, View, emit, with_credit
from reciprocity.jsonout import records
from reciprocity.labels import fmt, label

if TYPE_CHECKING:  # the queries (pandas, DuckDB) are imported when a command runs

    from reciprocity.queries.dyad import Dyad
    from reciprocity.rowset import RowSet

CountryArg = Annotated[str, typer.Argument(help="Country: ISO3 code or name (JPN, Japan).")]


def register(app: typer.Typer) -> None:
    @app.command("dyad")
    def dyad(
        ctx: typer.Context,
        a: CountryArg,
        b: CountryArg,
        channel: ChannelOpt = None,
        mode: Annotated[str | None, typer.Option(
            "--mode", "-m", help="Mode: new, second_hand, second_hand_modernized, "
            "licensed_production.")] = None,
        area: Annotated[str | None, typer.Option("--area", help="Technology area.")] = None,
        since: SinceOpt = None,
        until: UntilOpt = None,
        window: Annotated[int | None, typer.Option(
            "--window", "-w", help="Rolling window in years: adds each year's sums over the "
            "window ending there, and their two-way index, to the table and CSV (JSON: "
            "by_window, 5 years unless given).")] = None,
        vintage: VintageOpt = None,
        fmt: FormatOpt = Format.table,
        wide: WideOpt = False,
    ) -> None:
        """Flows A→B and B→A per channel, mode and year, with the two-way index."""
        with session(ctx, read_only=True) as r:
            result = r.dyad(a, b, channel=channel, mode=mode, area=area, since=since,
                            until=until, window=5 if window is None else window,
                            vintage=vintage)
            frame = result.by_year_rows if window is None else with_rolling(result)
            credits = None
            if fmt is Format.csv:
                from reciprocity.queries.common import credit_map

                credits = credit_map(r.store, "channel,unit", result.vintages)
        data = result.to_dict()
        pair = result.pair
        emit(frame, fmt, json_data=data, wide=wide,
             views=_dyad_views(result, data, frame, window),
             csv_frame=None if credits is None else with_credit(
                 frame, credits, ["channel", "unit"]),
             empty=f"No flows between {pair.a.name} and {pair.b.name} in the store for these "
                   "filters.",
             notes=_alliance_note(data, pair) + ([f"[dim]{credit}[/]" for credit in data["credits"]]
                                          if data["channels"] else []))

    @app.command("partners")
    def partners(
        ctx: typer.Context,
        a: CountryArg,
        channel: Annotated[str, typer.Option("--channel", "-c", help="Channel.")] = "arms",
        since: SinceOpt = None,
        until: UntilOpt = None,
        vintage: VintageOpt = None,
        sort: Annotated[str, typer.Option(
            "--sort", help="Rank by gl_index (then volume) or by volume.")] = "gl_index",
        area: Annotated[str | None, typer.Option(
            "--area", help="Technology area (see reciprocity taxonomy).")] = None,
        unit: Annotated[str | None, typer.Option(
            "--unit", help="Unit (default: the channel's first unit in the data).")] = None,
        allies_only: Annotated[bool, typer.Option(
            "--allies-only", help="Only partners allied with A (ATOP, any obligation) in "
            "--until, else ATOP's latest year.")] = False,
        fmt: FormatOpt = Format.table,
        wide: WideOpt = False,
    ) -> None:
        """All of A's partners in a channel, ranked by two-way index and volume."""
        from reciprocity.queries.common import channel_credits

        with session(ctx, read_only=True) as r:
            frame = r.partners(a, channel=channel, since=since, until=until, vintage=vintage,
                               sort=sort, area=area, unit=unit, allies_only=allies_only)
            units = sorted(frame["unit"].dropna().unique()) if "unit" in frame.columns else []
            credits = channel_credits(r.store, channel, units or None)
            if allies_only:  # the alliance data used to choose the partners
                from reciprocity.sources.atop import SOURCE as ATOP
                credits = [*credits, ATOP.info.credit]
        cols = ["rank", "partner", "partner_name", "flow_ab", "flow_ba", "unit",
                *(["year"] if "year" in frame.columns else []), "gl_index", "balance",
                "coverage_ratio"]
        shown = frame[cols] if len(frame) else frame
        from reciprocity.countries import resolve

        code = resolve(a).code
        emit(shown, fmt, wide=wide, csv_frame=with_credit(shown, " · ".join(credits)),
             views=[View(shown, title=f"Partners of {a} · {label(channel)}"
                         + (f" · {label(units[0])}" if len(units) == 1 else ""),
                         caption=" · ".join(credits),
                         columns=["rank", "partner_name", "flow_ab", "flow_ba",
                                  *(["year"] if "year" in frame.columns else []),
                                  "gl_index", "balance"],
                         labels={"flow_ab": f"{code}→partner", "flow_ba": f"partner→{code}",
                                 "balance": "Balance"})])

    @app.command("explain")
    def explain(
        ctx: typer.Context,
        a: CountryArg,
        b: CountryArg,
        channel: Annotated[str, typer.Option("--channel", "-c", help="Channel.")] = "arms",
        year: Annotated[int | None, typer.Option("--year", "-y", help="Year.")] = None,
        mode: Annotated[str | None, typer.Option("--mode", "-m", help="Mode.")] = None,
        vintage: VintageOpt = None,
        fmt: FormatOpt = Format.table,
        wide: WideOpt = False,
    ) -> None:
        """The source records behind a pair's figure, with vintage and source row ids."""
        from reciprocity.queries import present
        from reciprocity.queries.common import channel_credits

        with session(ctx, read_only=True) as r:
            frame = r.explain(a, b, channel=channel, year=year, mode=mode, vintage=vintage)
            credits = channel_credits(r.store, channel)
            if fmt is Format.csv:
                from reciprocity.queries.common import credit_map

                frame_csv = with_credit(frame, credit_map(r.store))
            in_parts = bool(len(frame)) and present.any_read_in_parts(
                r.store, frame["vintage_id"].unique())
        from reciprocity.countries import resolve

        cols = [c for c in ("direction", "year", "magnitude", "mode", "is_estimated",
                            "supplier", "recipient", "designation", "description",
                            "order_year", "delivery_years", "tiv_delivered", "comments",
                            "vintage_id", "record_id") if c in frame.columns]
        if in_parts and "line" in frame.columns:
            # an export read in parts: its record ids run on across the files; say which line
            cols[-1:-1] = ["source_file", "line"]
        from reciprocity.queries.explain import totals, totals_text

        ca, cb = resolve(a).code, resolve(b).code
        units = sorted(frame["unit"].dropna().unique()) if len(frame) else []
        # an export read in parts: which file and line instead of the record id (which runs on
        # across the files) and the mode's evidence, for room
        where = (["source_file", "line"] if in_parts and "line" in frame.columns
                 else ["mode_evidence", "record_id"])
        default = [c for c in ("direction", "year", "magnitude",
                               *(["unit"] if len(units) > 1 else []), "mode", "designation",
                               *where) if c in frame.columns]
        shown = frame.assign(direction=frame["direction"].map(
            {"a_to_b": f"{ca}→{cb}", "b_to_a": f"{cb}→{ca}"})) if len(frame) else frame
        emit(frame, fmt, wide=wide, csv_frame=frame_csv if fmt is Format.csv else None,
             views=[View(shown, title=f"Records behind {a}–{b} · {label(channel)}"
                         + (f" · {year}" if year else ""), caption=" · ".join(credits),
                         columns=default,  # --wide: the record's columns first, then all
                         wide_columns=[*cols, *(c for c in frame.columns if c not in cols)],
                         units={"tiv_delivered": "tiv_millions"},
                         labels={"magnitude": label(units[0])} if len(units) == 1 else None)],
             json_data={"a": ca, "b": cb, "channel": channel,
                        "year": year, "credits": credits, "records": records(frame)},
             notes=[f"{len(frame)} flow row(s); "
                    + "; ".join(totals_text(t, ca, cb) for t in totals(frame))])


ROLLING = ("rolling_start", "rolling_ab", "rolling_ba", "rolling_gl_index")
"""The columns ``--window`` adds to the dyad's rows (table and CSV)."""


def with_rolling(result: Dyad) -> RowSet:
    """The dyad's rows by year with the rolling sums over ``result.window`` years ending at
    each year (``sum`` units; null for the others, never added up) and their two-way index."""
    from reciprocity.rowset import RowSet

    windows = {r[:3]: r[3:] for r in result.by_window_rows.select(
        ["channel", "unit", "end", "start", "flow_ab", "flow_ba", "gl_index"])}
    none = (None, math.nan, math.nan, math.nan)  # a year, empty for units never added up
    years = result.by_year_rows
    return RowSet((*years.columns, *ROLLING), (*years.kinds, "year", "float", "float", "float"),
                  [(*r, *windows.get(k, none)) for r, k in zip(
                      years.rows, years.select(["channel", "unit", "year"]), strict=True)])


def _key_label(key: str) -> str:
    """A channel key (``arms``, ``coauthorship:works_whole``) in words."""
    channel, _, unit = key.partition(":")
    return label(channel) + (f", {label(unit)}" if unit else "")


def _dyad_line(key: str, ch: dict[str, Any], a: str, b: str) -> str:
    """A channel's figure in words: the total over the span (``sum`` units) or the latest
    value with its year (``snapshot`` and ``index`` units, never added up)."""
    name, unit = _key_label(key), ch["unit"]
    if ch["aggregation"] == "sum":
        head, row = f"[bold]{name}[/] total", ch
    elif ch["latest"] is not None:
        head = (f"[bold]{name}[/] ({ch['aggregation']}: no total over years) latest, "
                f"{ch['latest']['year']}")
        row = ch["latest"]
    else:
        return f"[bold]{name}[/]: no year with data"
    if row["flow_ab"] is None:
        return f"{head}: no data"
    if not ch["directed"]:
        return (f"{head}: {fmt(row['flow_ab'], unit)} {label(unit)} (undirected: both "
                "directions hold the joint count; no two-way index)")
    gl = row["gl_index"]
    return (f"{head}: {a}→{b} {fmt(row['flow_ab'], unit)}, {b}→{a} "
            f"{fmt(row['flow_ba'], unit)} {label(unit)}; two-way index "
            + (fmt(gl, "index") if gl is not None else "undefined (no flows)"))


def _design_lines(key: str, ch: dict[str, Any], a: str, b: str) -> list[str]:
    """Per direction, how much carried the recipient's own design (hardware going back) and
    how much was licensed or local production of the supplier's."""
    lines = []
    unit = ch["unit"]
    for direction, (src, dst) in (("a_to_b", (a, b)), ("b_to_a", (b, a))):
        classes = ch.get("by_design", {}).get(direction)
        if not classes:
            continue
        parts = [f"{name} {fmt(classes[cls]['value'], unit)} "
                 f"({100 * classes[cls]['share']:.1f}%)"
                 for cls, name in (("recipient", f"{dst}'s own design"),
                                   ("supplier_licensed", f"licensed or made in {dst}"))
                 if cls in classes and classes[cls]["share"] is not None]
        lines.append(f"[bold]{_key_label(key)}[/] {src}→{dst} by design: "
                     + ("; ".join(parts) if parts else f"none of {dst}'s design or made in "
                        f"{dst}") + f" ({label(unit)})")
    return lines


def _dyad_views(result: Dyad, data: dict[str, Any], frame: RowSet,
                window: int | None) -> list[View]:
    """Per channel and unit: the table by year (with the rolling sums when ``--window`` is
    given), then (``sum`` units) by mode, with the total or the latest value in words and
    the years with data. Headings name the pair (``USA→JPN``); the unit is in the title."""
    from reciprocity.queries.dyad import ROW_KEYS, years_text

    a, b = result.pair.a, result.pair.b
    ab, ba = f"{a.code}→{b.code}", f"{b.code}→{a.code}"
    names = {"flow_ab": ab, "flow_ba": ba, "balance": f"Balance {a.code}−{b.code}",
             "share_b": f"{b.code}'s share"}
    measures = [k for k in ROW_KEYS if k != "unit"]
    rolling: list[str] = []
    if window is not None:
        names.update({"rolling_ab": f"{ab} {window}y", "rolling_ba": f"{ba} {window}y",
                      "rolling_gl_index": f"Two-way index {window}y",
                      "rolling_start": "Window from"})
        rolling = ["rolling_ab", "rolling_ba", "rolling_gl_index"]
    views = []
    for key, ch in data["channels"].items():
        sel = frame.where(channel=ch["channel"], unit=ch["unit"])
        notes = [_dyad_line(key, ch, a.code, b.code),
                 *_design_lines(key, ch, a.code, b.code),
                 f"[dim]{_key_label(key)}: {years_text(ch['years_with_data'])}[/]"]
        title = (f"{a.name} ({a.code}) ⇄ {b.name} ({b.code}) · {label(ch['channel'])} · "
                 f"{label(ch['unit'])} · by year")
        additive = ch["aggregation"] == "sum"
        year_cols = ["year", "flow_ab", "flow_ba", "gl_index",
                     *(["share_b"] if not rolling else rolling if additive else [])]
        wide_cols = ["year", *ROW_KEYS, *(["rolling_start", *rolling] if rolling else [])]
        heads = names
        if not ch["directed"]:  # one joint count, no two-way measures
            heads = {**names, "flow_ab": f"{a.code}–{b.code}, joint",
                     "rolling_ab": f"{a.code}–{b.code}, joint {window}y"}
            year_cols = ["year", "flow_ab", *(["rolling_ab"] if rolling and additive else [])]
        by_year = View(sel, title=title, columns=year_cols, wide_columns=wide_cols,
                       labels=heads)
        if not additive:  # no totals by mode: values are never added up
            views.append(replace(by_year, notes=notes))
            continue
        views.append(by_year)
        modes = result.by_mode_rows.where(channel=ch["channel"], unit=ch["unit"])
        views.append(View(modes, title=f"{_key_label(key)} by mode ({label(ch['unit'])})",
                          columns=["mode", *measures] if ch["directed"] else
                          ["mode", "flow_ab"], wide_columns=["mode", *ROW_KEYS],
                          labels=heads, notes=notes))
    return views


def _alliance_note(data: dict, pair: Any) -> list[str]:
    """The briefing's alliance sentence under the dyad's tables (none without ATOP data)."""
    if data.get("alliance") is None:
        return []
    from reciprocity.report.alliance_text import sentence

    return [sentence(data["alliance"], pair.a.code, pair.a.name, pair.b.code, pair.b.name)]
