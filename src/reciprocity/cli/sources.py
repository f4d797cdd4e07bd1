"""``sources`` and ``diff``: what is in the store and what changed between vintages."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated

import typer

from reciprocity.cli.common import FormatOpt, WideOpt, session
from reciprocity.cli.render import (
    Format,
    View,
    console,
    emit,
    emit_csv,
    emit_json,
    table,
)
from reciprocity.labels import fmt, label, word

if TYPE_CHECKING:
    import pandas as pd

    from reciprocity.queries.diff import Diff
else:  # imported when a command runs (reciprocity.cli.lazy)
    from reciprocity.cli.lazy import pandas as pd

SOURCE_COLUMNS = ["vintage_id", "layout", "generated_at", "ingested_at", "is_complete",
                  "is_default", "held_back", "rows_read", "flows_loaded", "sha256", "file_name"]
"""Columns of the table view with ``--wide`` (the vintage id starts with its dataset; dates
without times); JSON and CSV have every column. ``held_back``: why a vintage is not the
default although newer (``ingest --force`` overrides); absent from stores made before it."""
SOURCE_DEFAULT = ["vintage_id", "generated_at", "status", "rows_read", "flows_loaded",
                  "sha256"]
"""Columns of the table view for a 100-column terminal: ``status`` is default, kept or held
back, and partial when the vintage is an extract."""


def register(app: typer.Typer) -> None:
    register_channels(app)

    @app.command("sources")
    def sources(ctx: typer.Context, fmt: FormatOpt = Format.table,
                wide: WideOpt = False) -> None:
        """Datasets and vintages in the store: dates, checksums, row counts, credit lines."""
        with session(ctx, read_only=True) as r:
            frame = r.sources()
        views = None if frame.empty else [View(
            frame.assign(
                # the id breaks after its dataset; several files of one vintage, one a line
                vintage_id=frame["vintage_id"].str.replace("/", "/\n", n=1, regex=False),
                status=[_status(row) for row in frame.to_dict("records")],
                sha256=frame["sha256"] if wide else frame["sha256"].str[:12] + "…",
                file_name=frame["file_name"].str.replace(" + ", "\n+ ", regex=False)),
            title="Datasets and vintages", caption=" · ".join(sorted(set(frame["credit"]))),
            columns=SOURCE_DEFAULT,
            wide_columns=[c for c in SOURCE_COLUMNS if c in frame.columns],
            labels={"status": "Status"})]
        emit(frame, fmt, views=views, empty_csv=True, wide=wide,
             empty="The store is empty: run `reciprocity ingest sipri FILE`.")

    @app.command("diff")
    def diff(
        ctx: typer.Context,
        source: Annotated[str, typer.Argument(help="Source or dataset, e.g. sipri.")],
        from_vintage: Annotated[str | None, typer.Option(
            "--from", help="Older vintage (default: the one before --to).")] = None,
        to_vintage: Annotated[str | None, typer.Option(
            "--to", help="Newer vintage (default: the newest).")] = None,
        pair: Annotated[tuple[str, str] | None, typer.Option(
            "--pair", help="Only the records between A and B (either way), and what the "
            "revision did to A→B and B→A.")] = None,
        country: Annotated[str | None, typer.Option(
            "--country", help="Only the records where C is supplier or recipient, and what "
            "the revision did to C's totals.")] = None,
        limit: Annotated[int, typer.Option(
            "--limit", "-n", min=0, help="Changes listed, largest effect first (0: all); "
            "the summary counts them all.")] = 50,
        fmt: FormatOpt = Format.table,
        wide: WideOpt = False,
    ) -> None:
        """What a revision changed: a summary first (counts by kind, changed fields, what it
        did to each supplier's, recipient's and a pair's totals), then the records added,
        removed and changed, largest effect first."""
        with session(ctx, read_only=True) as r:
            result = r.diff_summary(source, from_vintage=from_vintage, to_vintage=to_vintage,
                                    pair=pair, country=country, limit=limit)
        data = result.to_dict()
        if fmt is Format.json:
            emit_json(data)
            return
        listed = result.changes.assign(credit=" · ".join(result.credits))
        if fmt is Format.csv:
            emit_csv(listed)
            return
        _diff_table(result, wide=wide)

CHANNEL_COLUMNS = ["channel", "directed", "units", "sources"]
"""``channels`` in a 100-column terminal; ``--wide`` adds each channel's description."""


def register_channels(app: typer.Typer) -> None:
    @app.command("channels")
    def channels(fmt: FormatOpt = Format.table, wide: WideOpt = False) -> None:
        """The channels technology moves through: direction, units and sources."""
        from reciprocity.channels import CHANNELS, UNIT_DECLARATIONS, UNITS

        rows = [{"channel": c.name, "directed": c.directed, "units": ", ".join(c.units),
                 "sources": ", ".join(c.sources), "description": c.description}
                for c in CHANNELS.values()]
        frame = pd.DataFrame(rows)
        # the units by their labels, one a line (a label may hold a comma)
        shown = frame.assign(units=["\n".join(label(u) for u in c.units)
                                    for c in CHANNELS.values()])
        emit(frame, fmt, wide=wide,
             views=[View(shown, title="Channels", columns=CHANNEL_COLUMNS,
                         notes=[] if wide else ["[dim]What each channel measures: --wide.[/]"])],
             json_data={"channels": rows, "units": UNITS,
                        "aggregation": {n: u.aggregation for n, u in UNIT_DECLARATIONS.items()}},
             notes=[f"[bold]{label(unit)}[/] ({UNIT_DECLARATIONS[unit].aggregation}): {meaning}"
                    for unit, meaning in UNITS.items()])


def _status(row: dict) -> str:
    """A vintage's status in a word or two: default, held back or kept; partial when an
    extract."""
    held = row.get("held_back")
    state = ("default" if row["is_default"] else
             "held back" if isinstance(held, str) and held else "kept")
    return state + ("" if row["is_complete"] else ", partial")


DIFF_HIDDEN = ("unit", "changed_fields", "record_id_from", "record_id_to")
"""Columns of the changes that no table shows (the unit is in its title)."""
DIFF_NARROW = ("change", "flow", "order_year", "designation", "flow_change", "what_changed")
"""The changes table without ``--wide``: who to whom in one column, the fields that changed
(not their values), so that it fits a 100-column terminal."""


def _diff_table(result: Diff, *, wide: bool = False) -> None:
    """The table form of ``diff``: the summary, then the listed changes, then the credit."""
    sel = []
    if result.pair:
        sel.append(f"pair {result.pair[0]}–{result.pair[1]}")
    if result.country:
        sel.append(f"country {result.country}")
    console.print(f"[bold]{result.dataset}: {result.from_vintage.split('/')[-1]} → "
                  f"{result.to_vintage.split('/')[-1]}[/]"
                  + (f" ({', '.join(sel)})" if sel else ""))
    c = result.counts
    console.print(", ".join(f"{c[k]:,} {k}" for k in ("added", "removed", "changed"))
                  + f" ({result.total:,} records)")
    if c["changed"]:
        kinds = "; ".join(f"{'TIV' if k == 'tiv' else k.replace('_', ' ')} {n:,}"
                          for k, n in result.groups.items() if n)
        fields = ", ".join(f"{word(k)} {n:,}" for k, n in result.fields.items())
        console.print(f"What changed in the {c['changed']:,} changed records: {kinds} "
                      f"[dim](by column: {fields})[/]")
    for t in result.totals:
        w = t["total"]
        console.print(f"\n[bold]Totals, {word(t['channel'])}, in {t['unit_label']}[/]: "
                      f"{fmt(w['before'], t['unit'])} → {fmt(w['after'], t['unit'])} "
                      f"({_signed(w['change'], t['unit'])})")
        units = dict.fromkeys(("before", "after", "change"), t["unit"])
        for name in ("suppliers", "recipients"):
            if t[name]:
                table(pd.DataFrame(t[name]), units=units,
                      title=f"{name.capitalize()}, largest change first "
                            f"({len(t[name])} of {t[name + '_changed']} that changed; "
                            f"{label(t['unit'])})")
        rows = []
        if "pair" in t:
            p = t["pair"]
            rows += [{"flow": f"{p['a']}→{p['b']}", **p["a_to_b"]},
                     {"flow": f"{p['b']}→{p['a']}", **p["b_to_a"]}]
        if "country" in t:
            k = t["country"]
            rows += [{"flow": f"{k['code']} as supplier", **k["as_supplier"]},
                     {"flow": f"{k['code']} as recipient", **k["as_recipient"]}]
        if rows:
            table(pd.DataFrame(rows), units=units, title=f"Selection ({label(t['unit'])})")
    if result.changes.empty:
        console.print("\nNo records differ" + (" for this selection." if sel else "."))
    else:
        changes, cols = _changes_shown(result, wide)
        unit = result.changes["unit"].dropna()
        table(changes, columns=cols,
              title=f"Changes, largest effect on the flows first ({len(result.changes):,} of "
                    f"{result.total:,}" + (f"; flows in {label(unit.iloc[0])}" if len(unit)
                                           else "") + ")")
        if result.more:
            console.print(f"… {result.more:,} more (--limit 0 lists all; --wide shows the "
                          "values that changed; --format json or csv every column).")
        elif not wide:
            console.print("[dim](--wide shows the values that changed.)[/]")
    console.print(f"[dim]Matching: {result.matching}.[/]")
    for credit in result.credits:
        console.print(credit)


def _changes_shown(result: Diff, wide: bool) -> tuple[pd.DataFrame, list[str]]:
    """The listed changes as the table shows them, and its columns: with ``wide``, every
    column, the changed values under their labels; else who to whom in one column
    (``USA→JPN``) and the changed fields by their labels, to fit 100 columns."""
    out = result.changes.copy()
    if wide:
        # 'tiv_delivered: 5.0 → 7.5; comments: …' → 'TIV delivered: 5.0 → 7.5; Comments: …'
        pattern = re.compile(r"(^|; )(" + "|".join(map(re.escape, result.fields)) + r"): ")
        if result.fields:
            out["changes"] = [pattern.sub(lambda m: f"{m[1]}{label(m[2])}: ", str(v))
                              for v in out["changes"].fillna("")]
        return out, [c for c in out.columns if c not in DIFF_HIDDEN]
    ends = next((p for p in (("supplier_code", "recipient_code"), ("origin", "destination"))
                 if set(p) <= set(out.columns)), None)
    if ends is not None:
        out["flow"] = out[ends[0]].astype(str) + "→" + out[ends[1]].astype(str)
    out["what_changed"] = [", ".join(word(f) for f in str(v).split(", ") if f)
                           for v in out["changed_fields"].fillna("")]
    return out, [c for c in DIFF_NARROW if c in out.columns]


def _signed(x: float, unit: str) -> str:
    return ("+" if x > 0 else "") + fmt(x, unit)
