"""``dyad``, ``partners`` and ``explain``: how reciprocal flows are, and why."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from reciprocity.cli.common import (
    ChannelOpt,
    FormatOpt,
    SinceOpt,
    UntilOpt,
    VintageOpt,
    session,
)
from reciprocity.cli.render import Format, View, emit, records

if TYPE_CHECKING:  # the queries (pandas, DuckDB) are imported when a command runs
    from reciprocity.api import Reciprocity
    from reciprocity.queries.dyad import Dyad

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
        window: Annotated[int, typer.Option(
            "--window", "-w", help="Rolling window in years.")] = 5,
        vintage: VintageOpt = None,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """Flows A→B and B→A per channel, mode and year, with the two-way index."""
        with session(ctx, read_only=True) as r:
            result = r.dyad(a, b, channel=channel, mode=mode, area=area, since=since,
                            until=until, window=window, vintage=vintage)
        data = result.to_dict()
        pair = result.pair
        emit(result.by_year, fmt, json_data=data, views=_dyad_views(result, data),
             empty=f"No flows between {pair.a.name} and {pair.b.name} in the store for these "
                   "filters.",
             notes=[f"[dim]{credit}[/]" for credit in data["credits"]] if data["channels"]
             else [])

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
        fmt: FormatOpt = Format.table,
    ) -> None:
        """All of A's partners in a channel, ranked by two-way index and volume."""
        with session(ctx, read_only=True) as r:
            frame = r.partners(a, channel=channel, since=since, until=until, vintage=vintage,
                               sort=sort, area=area, unit=unit)
            credits = _credits(r, channel)
        cols = ["rank", "partner", "partner_name", "flow_ab", "flow_ba", "unit",
                *(["year"] if "year" in frame.columns else []), "gl_index", "balance",
                "coverage_ratio"]
        emit(frame[cols] if len(frame) else frame, fmt,
             title=f"Partners of {a} ({channel}): flow_ab = {a}→partner",
             caption=" · ".join(credits))

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
    ) -> None:
        """The source records behind a pair's figure, with vintage and source row ids."""
        with session(ctx, read_only=True) as r:
            frame = r.explain(a, b, channel=channel, year=year, mode=mode, vintage=vintage)
            credits = _credits(r, channel)
            in_parts = bool(len(frame)) and r.store.con.execute(
                "SELECT count(*) FROM vintages WHERE sha256 IN (SELECT sha256 FROM raw_parts) "
                f"AND vintage_id IN ({', '.join('?' * frame['vintage_id'].nunique())})",
                list(frame["vintage_id"].unique())).fetchone()[0] > 0
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
        emit(frame, fmt, title=f"Records behind {a}–{b} {channel}" + (f" {year}" if year else ""),
             caption=" · ".join(credits), columns=cols,
             json_data={"a": ca, "b": cb, "channel": channel,
                        "year": year, "credits": credits, "records": records(frame)},
             notes=[f"{len(frame)} flow row(s); "
                    + "; ".join(totals_text(t, ca, cb) for t in totals(frame))])


def _credits(r: Reciprocity, channel: str) -> list[str]:
    from reciprocity.queries.common import credits_for

    """Credit lines of the datasets that feed ``channel``."""
    rows = r.store.con.execute("SELECT DISTINCT dataset FROM flows WHERE channel = ?",
                               [channel]).fetchall()
    return credits_for(r.store, sorted(d for (d,) in rows))


def _dyad_line(key: str, ch: dict[str, Any], a: str, b: str) -> str:
    """A channel's figure in words: the total over the span (``sum`` units) or the latest
    value with its year (``snapshot`` and ``index`` units, never added up)."""
    if ch["aggregation"] == "sum":
        head, row = f"[bold]{key}[/] total", ch
    elif ch["latest"] is not None:
        head = (f"[bold]{key}[/] ({ch['aggregation']}: no total over years) latest, "
                f"{ch['latest']['year']}")
        row = ch["latest"]
    else:
        return f"[bold]{key}[/]: no year with data"
    if row["flow_ab"] is None:
        return f"{head}: no data"
    if not ch["directed"]:
        return (f"{head}: {row['flow_ab']:,.2f} {ch['unit']} (undirected: both directions "
                "hold the joint count; no two-way index)")
    gl = row["gl_index"]
    return (f"{head}: {a}→{b} {row['flow_ab']:,.2f}, {b}→{a} {row['flow_ba']:,.2f} "
            f"{ch['unit']}; two-way index "
            + (f"{gl:.3f}" if gl is not None else "undefined (no flows)"))


def _design_lines(key: str, ch: dict[str, Any], a: str, b: str) -> list[str]:
    """Per direction, how much carried the recipient's own design (hardware going back) and
    how much was licensed or local production of the supplier's."""
    lines = []
    for direction, (src, dst) in (("a_to_b", (a, b)), ("b_to_a", (b, a))):
        classes = ch.get("by_design", {}).get(direction)
        if not classes:
            continue
        parts = [f"{label} {classes[cls]['value']:,.2f} ({100 * classes[cls]['share']:.1f}%)"
                 for cls, label in (("recipient", f"{dst}'s own design"),
                                    ("supplier_licensed", f"licensed or made in {dst}"))
                 if cls in classes and classes[cls]["share"] is not None]
        lines.append(f"[bold]{key}[/] {src}→{dst} by design: "
                     + ("; ".join(parts) if parts else f"none of {dst}'s design or made in "
                        f"{dst}") + f" ({ch['unit']})")
    return lines


def _dyad_views(result: Dyad, data: dict[str, Any]) -> list[View]:
    """Per channel and unit: the table by year, then (``sum`` units) by mode, with the total
    or the latest value in words and the years with data."""
    from reciprocity.queries.dyad import ROW_KEYS, years_text

    a, b = result.pair.a, result.pair.b
    views = []
    for key, ch in data["channels"].items():
        sel = result.by_year[(result.by_year["channel"] == ch["channel"])
                             & (result.by_year["unit"] == ch["unit"])]
        notes = [_dyad_line(key, ch, a.code, b.code),
                 *_design_lines(key, ch, a.code, b.code),
                 f"[dim]{key}: {years_text(ch['years_with_data'])}[/]"]
        title = (f"{a.name} ({a.code}) ⇄ {b.name} ({b.code}) · {key} · by year "
                 f"(flow_ab = {a.code}→{b.code})")
        if ch["aggregation"] != "sum":  # no totals by mode: values are never added up
            views.append(View(sel, title=title, columns=["year", *ROW_KEYS], notes=notes))
            continue
        views.append(View(sel, title=title, columns=["year", *ROW_KEYS]))
        modes = result.by_mode[(result.by_mode["channel"] == ch["channel"])
                               & (result.by_mode["unit"] == ch["unit"])]
        views.append(View(modes, title=f"{key} by mode", columns=["mode", *ROW_KEYS],
                          notes=notes))
    return views
