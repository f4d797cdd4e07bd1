"""``reciprocity ledger …``: programs and transfers with an audit trail, and their checks."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from reciprocity.cli.common import FormatOpt, ReportFormatOpt, WideOpt, session
from reciprocity.cli.render import (
    Format,
    ReportFormat,
    View,
    console,
    emit,
    emit_csv,
    emit_json,
    table,
)
from reciprocity.jsonout import records
from reciprocity.labels import label, word

if TYPE_CHECKING:
    import pandas as pd
    import yaml

    from reciprocity import countries
    from reciprocity.ledger import model
    from reciprocity.ledger.checks import CheckResult
else:  # imported when a command runs (reciprocity.cli.lazy)
    from reciprocity.cli.lazy import LazyModule
    from reciprocity.cli.lazy import pandas as pd

    countries = LazyModule("reciprocity.countries")
    model = LazyModule("reciprocity.ledger.model")
    yaml = LazyModule("yaml")

DEFAULT_YEARS = 5
"""Years of the check's window: :data:`reciprocity.ledger.checks.DEFAULT_YEARS` (a test
keeps them equal)."""

ledger_app = typer.Typer(
    help="Cooperation ledger: programs and directional transfers, with an audit trail "
         "(docs/ledger.md).", no_args_is_help=True)


class ExportFormat(StrEnum):
    yaml = "yaml"
    csv = "csv"


class Kind(StrEnum):
    programs = "programs"
    transfers = "transfers"


ByOpt = Annotated[str | None, typer.Option(
    "--by", help="Who makes the change, for the audit trail (default: $USER).")]
IdArg = Annotated[str, typer.Argument(help="Id of a program or transfer.")]

LIST_COLUMNS = {
    "programs": (["id", "name", "form", "years", "status", "transfers"],
                 ["id", "name", "form", "partners", "start_year", "end_year", "status",
                  "transfers", "version", "changed_at"]),
    "transfers": (["id", "from", "to", "technology", "kind", "status", "status_date"],
                  ["id", "from", "to", "program", "technology", "kind", "significance",
                   "status", "status_date", "version", "changed_at"]),
}
"""``ledger list``'s tables: the columns that fit a 100-column terminal, and with ``--wide``
(a program's years in one column, ``1960–1968``; a transfer's program is in the program's own
table and in ``ledger show``)."""


def _years(start: object, end: object) -> str:
    """A program's years in one cell: ``1960–1968``, ``1984–`` (running), or empty."""
    def year(v: object) -> str:
        return "" if pd.isna(v) else str(int(v))  # type: ignore[call-overload]

    return "" if not year(start) and not year(end) else f"{year(start)}–{year(end)}"


def _worded(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The frame with the names in ``columns`` in words (``not_carried_out`` → ``not carried
    out``), for a table."""
    return frame.assign(**{c: frame[c].map(lambda v: label(v) if isinstance(v, str) else v)
                           for c in columns if c in frame.columns})


def register(app: typer.Typer) -> None:
    app.add_typer(ledger_app, name="ledger")


@ledger_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Ledger YAML (programs and transfers) or "
                                              "transfers CSV.")],
    by: ByOpt = None,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="Why (default: 'import FILE').")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Accept records that lose fields, list items or the end of a text "
                        "they have in the ledger (refused otherwise: a file cut short?).")
    ] = False,
    fmt: ReportFormatOpt = ReportFormat.table,
) -> None:
    """Validate a file and add a version of every new or changed record (all or nothing)."""
    with session(ctx) as r:
        result = r.ledger_import(file, by=by, reason=reason, force=force)
    if fmt is ReportFormat.json:
        emit_json(result.model_dump(mode="json"))
        return
    console.print(f"{file.name}: {len(result.added)} added, {len(result.changed)} changed, "
                  f"{len(result.unchanged)} unchanged."
                  + (f" Flows: vintage {result.vintage_id}." if result.vintage_id else ""))


@ledger_app.command("export")
def export(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option(
        "--format", "-f", help="yaml (programs and transfers) or csv (transfers).")
    ] = ExportFormat.yaml,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write "
                                             "(default: standard output).")] = None,
) -> None:
    """Write the current ledger in the interchange format."""
    with session(ctx, read_only=True) as r:
        text = r.ledger_export(fmt.value)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")


@ledger_app.command("list")
def list_(
    ctx: typer.Context,
    kind: Annotated[Kind | None, typer.Option(
        "--kind", "-k", help="programs or transfers (default: both).")] = None,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """Current programs and/or transfers."""
    kinds = [kind.value] if kind else ["programs", "transfers"]
    with session(ctx, read_only=True) as r:
        frames = {k: r.ledger_list(k) for k in kinds}
    # CSV: both lists in one table; record_kind says which (a transfer's own kind, hard or
    # soft, stays in kind)
    emit(pd.concat([f.assign(record_kind=k) for k, f in frames.items()], ignore_index=True),
         fmt,
         json_data={k: records(f) for k, f in frames.items()}, wide=wide,
         views=[_list_view(k, f) for k, f in frames.items()])


def _list_view(kind: str, frame: pd.DataFrame) -> View:
    """One table of ``ledger list``: programs or transfers, names in words."""
    shown = _worded(frame, "status")
    if kind == "programs":
        shown = shown.assign(years=[_years(s, e) for s, e in zip(
            frame["start_year"], frame["end_year"], strict=True)])
    return View(shown, title=f"Ledger {kind} ({len(frame)})", columns=LIST_COLUMNS[kind][0],
                wide_columns=LIST_COLUMNS[kind][1],
                labels={"transfers": "Transfers"})  # the column, not the unit


@ledger_app.command("show")
def show(ctx: typer.Context, record_id: IdArg,
         fmt: ReportFormatOpt = ReportFormat.table) -> None:
    """One program or transfer (a program with its transfers)."""
    with session(ctx, read_only=True) as r:
        record = r.ledger_show(record_id)
        related = ([t for t in r.ledger.current().transfers if t.program == record.id]
                   if isinstance(record, model.Program) else [])
    if fmt is ReportFormat.json:
        emit_json({"kind": record.record_kind[:-1], "record": record.model_dump(mode="json"),
                   "transfers": [t.model_dump(mode="json") for t in related]})
        return
    console.rule(f"[bold]{record.record_kind[:-1]} {record.id}")
    console.print(yaml.safe_dump(record.model_dump(mode="json"), sort_keys=False,
                                 allow_unicode=True, width=100).rstrip(),
                  highlight=False, markup=False)
    if related:
        table(_worded(pd.DataFrame([{"id": t.id, "from": t.origin, "to": t.destination,
                                     "technology": t.technology, "status": t.status,
                                     "date": t.status_date} for t in related]), "status"),
              title=f"Transfers in {record.id}")


@ledger_app.command("history")
def history(ctx: typer.Context, record_id: IdArg, fmt: FormatOpt = Format.table) -> None:
    """Every version of a record: who, when, why, and what changed."""
    with session(ctx, read_only=True) as r:
        versions = r.ledger_history(record_id)
    rows = [{"version": v.version, "changed_at": v.changed_at.isoformat(sep=" ",
                                                                        timespec="seconds"),
             "changed_by": v.changed_by, "reason": v.reason,
             "status": (v.record.status if isinstance(v.record, model.Transfer) else
                        v.record.status or ""),
             "deleted": v.is_deleted, "changes": ", ".join(v.changes)} for v in versions]
    frame = pd.DataFrame(rows)
    emit(frame, fmt, json_data={"id": record_id,
                                "versions": [v.model_dump(mode="json") for v in versions]},
         views=[View(_worded(frame, "status").assign(  # to the minute, as `events show`
                         changed_at=[v.changed_at.isoformat(sep=" ", timespec="minutes")
                                     for v in versions],
                         changes=[", ".join(word(c) for c in v.changes)
                                  for v in versions]),
                     title=f"History of {record_id} ({len(versions)} version"
                           f"{'' if len(versions) == 1 else 's'})")])


@ledger_app.command("set-status")
def set_status(
    ctx: typer.Context,
    transfer_id: Annotated[str, typer.Argument(help="Id of the transfer.")],
    status: Annotated[str, typer.Argument(
        help="proposed, approved, executed, not_carried_out or cancelled.")],
    date: Annotated[str, typer.Option("--date", "-d", help="Date: YYYY-MM-DD (or YYYY-MM, "
                                      "YYYY).")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why the status changed.")],
    by: ByOpt = None,
) -> None:
    """Move a transfer to its next status (refused, nothing written, when out of order)."""
    with session(ctx) as r:
        updated = r.ledger_set_status(transfer_id, status, date, reason, by=by)
        version = r.ledger_history(transfer_id)[-1].version
    console.print(f"{transfer_id}: {updated.status} on {updated.status_date} "
                  f"(version {version}).")


@ledger_app.command("delete")
def delete(
    ctx: typer.Context,
    record_id: IdArg,
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why it is deleted.")],
    by: ByOpt = None,
) -> None:
    """Delete a record with a trace (a version marked deleted; history keeps every version)."""
    with session(ctx) as r:
        r.ledger_delete(record_id, reason, by=by)
    console.print(f"{record_id}: deleted (see reciprocity ledger history {record_id}).")


@ledger_app.command("check")
def check(
    ctx: typer.Context,
    a: Annotated[str | None, typer.Argument(help="Country A (e.g. USA); with B.")] = None,
    b: Annotated[str | None, typer.Argument(help="Country B (e.g. JPN).")] = None,
    years: Annotated[int, typer.Option(
        "--years", "-y", help="A reverse transfer within this many years matches.")
    ] = DEFAULT_YEARS,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """Technology-for-technology (unmatched major transfers) and planned versus actual."""
    with session(ctx, read_only=True) as r:
        result = r.ledger_check(a, b, years=years)
    if fmt is Format.json:
        emit_json(result.answer().model_dump(mode="json"))
    elif fmt is Format.csv:
        emit_csv(pd.DataFrame([u.answer().model_dump() for u in result.unmatched]))
    else:
        print_tech_for_tech(result, wide=wide)
        print_variances(result)


def _pair_title(result: CheckResult) -> str:
    if result.a and result.b:
        return (f"{countries.name_of(result.a)} ({result.a}) ⇄ {countries.name_of(result.b)} "
                f"({result.b})")
    return "all pairs"


def print_tech_for_tech(result: CheckResult, out: Console | None = None, *,
                        wide: bool = False) -> None:
    """The technology-for-technology check as a summary line and a table of unmatched (the
    program, named in each reason, with ``wide``)."""
    out = out or console
    out.rule(f"[bold]Technology for technology: {_pair_title(result)}")
    by_program = sum(m.basis == "program" for m in result.matched)
    out.print(
        f"{result.tested} executed major transfer(s) tested, both directions: "
        f"{result.tested - len(result.unmatched)} have a reciprocal transfer "
        f"({len(result.matched)} pair(s): {by_program} in the same program, "
        f"{len(result.matched) - by_program} within {result.years} years); "
        f"{len(result.unmatched)} unmatched.", highlight=False)
    if result.unmatched:
        frame = pd.DataFrame([u.answer().model_dump() for u in result.unmatched])
        frame["year"] = frame["year"].astype("Int64")
        table(frame, title="Unmatched: no reciprocal transfer",
              columns=["transfer_id", "from", "to", "year", *(["program"] if wide else []),
                       "reason"])
    if result.matched:
        frame = pd.DataFrame([m.answer().model_dump() for m in result.matched])
        for c in ("year", "counterpart_year"):
            frame[c] = frame[c].astype("Int64")
        table(frame, title="Matched", columns=["transfer_id", "from", "to", "year",
                                               "counterpart_id", "counterpart_year", "basis"])


def print_variances(result: CheckResult, out: Console | None = None) -> None:
    """Planned versus actual per program and party; untracked actuals flagged."""
    out = out or console
    if not result.variances:
        out.print("No planned workshare or value recorded for these programs.")
        return
    frame = pd.DataFrame([v.answer().model_dump() for v in result.variances])
    frame["unit"] = frame["measure"]  # planned, actual and difference are in the measure's unit
    table(_worded(frame, "measure"),
          title="Planned versus actual (tracked = the ledger has the actual)",
          columns=["program", "country", "measure", "planned", "actual", "difference",
                   "tracked"], labels={"country": "Country"})
    untracked = [v for v in result.variances if not v.tracked]
    if untracked:
        out.print(f"{len(untracked)} actual(s) not tracked: " + ", ".join(
            f"{v.program} ({v.country or 'whole program'}, {label(v.measure)})"
            for v in untracked),
            highlight=False)
