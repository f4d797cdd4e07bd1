"""``reciprocity events …``: the timeline of policy events, edited like the ledger.

``reciprocity events A B`` lists a pair's events; it is ``events list A B`` spelt short
(:class:`_PairOrCommand` sends a first argument that is not a subcommand to ``list``).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from reciprocity.cli.common import FormatOpt, ReportFormatOpt, WideOpt, session
from reciprocity.cli.render import Format, ReportFormat, View, console, emit, emit_json
from reciprocity.labels import label

if TYPE_CHECKING:
    import yaml

    from reciprocity import countries
    from reciprocity.events import store as events_store
else:  # imported when a command runs (reciprocity.cli.lazy)
    from reciprocity.cli.lazy import LazyModule

    countries = LazyModule("reciprocity.countries")
    events_store = LazyModule("reciprocity.events.store")
    yaml = LazyModule("yaml")


class _PairOrCommand(TyperGroup):
    """A group whose first argument is either a subcommand or, for ``events A B``, the
    first country of ``list``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["list", *args]
        return super().parse_args(ctx, args)


events_app = typer.Typer(
    cls=_PairOrCommand,
    help="Timeline of policy events (treaties, agreements, export controls, program "
         "milestones, disputes, reports), each cited; `events A B` lists a pair's "
         "(docs/events.md).", no_args_is_help=True)


class Kind(StrEnum):
    treaty = "treaty"
    agreement = "agreement"
    export_control = "export_control"
    program_milestone = "program_milestone"
    dispute = "dispute"
    report = "report"


ByOpt = Annotated[str | None, typer.Option(
    "--by", help="Who makes the change, for the audit trail (default: $USER).")]

LIST_COLUMNS = ["date", "kind", "countries", "title"]
"""``events A B``'s table in a 100-column terminal: the ids and the sources (long citations)
are behind ``--wide``, and in ``events show ID``."""
LIST_WIDE = ["date", "kind", "countries", "title", "id", "programs", "sources"]


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="events")


@events_app.command("list")
def list_(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="Country A (e.g. USA).")],
    b: Annotated[str, typer.Argument(help="Country B (e.g. JPN).")],
    kind: Annotated[Kind | None, typer.Option("--kind", "-k", help="Only this kind.")] = None,
    since: Annotated[int | None, typer.Option("--since", help="First year.")] = None,
    until: Annotated[int | None, typer.Option("--until", help="Last year.")] = None,
    joint_only: Annotated[bool, typer.Option(
        "--joint-only", help="Only events of both countries (leave out each one's own "
        "policies, such as Japan's export principles).")] = False,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """A pair's events by date, with their sources (same as `reciprocity events A B`)."""
    with session(ctx, read_only=True) as r:
        found = r.events(a, b, kind=kind.value if kind else None, since=since, until=until,
                         joint_only=joint_only)
    a, b = countries.resolve(a).code, countries.resolve(b).code
    frame = events_store.frame(found)
    shown = frame.assign(kind=frame["kind"].map(label)) if len(frame) else frame
    emit(frame, fmt, wide=wide,
         json_data={"a": a, "b": b, "events": [e.model_dump(mode="json") for e in found]},
         views=[View(shown, title=f"Policy events: {a} ⇄ {b} ({len(found)})",
                     columns=LIST_COLUMNS, wide_columns=LIST_WIDE,
                     labels={"programs": "Programs"},  # the column, not the channel
                     notes=[] if wide else ["[dim]Each event's id and sources: --wide "
                                            "(or reciprocity events show ID).[/]"])],
         empty="No events for this pair in the timeline (import some with: reciprocity "
               "events import FILE).")


@events_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Events YAML file.")],
    by: ByOpt = None,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="Why (default: 'import FILE').")] = None,
    fmt: ReportFormatOpt = ReportFormat.table,
) -> None:
    """Validate a file and add a version of every new or changed event (all or nothing)."""
    with session(ctx) as r:
        result = r.events_import(file, by=by, reason=reason)
    if fmt is ReportFormat.json:
        emit_json(result.model_dump(mode="json"))
        return
    console.print(f"{file.name}: {len(result.added)} added, {len(result.changed)} changed, "
                  f"{len(result.unchanged)} unchanged.")


@events_app.command("export")
def export(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write "
                                             "(default: standard output).")] = None,
) -> None:
    """Write the current timeline in the interchange format (YAML)."""
    with session(ctx, read_only=True) as r:
        text = r.events_export()
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")


@events_app.command("show")
def show(ctx: typer.Context,
         event_id: Annotated[str, typer.Argument(help="Id of the event.")],
         fmt: ReportFormatOpt = ReportFormat.table) -> None:
    """One event with its sources and its audit trail."""
    with session(ctx, read_only=True) as r:
        event = r.event(event_id)
        versions = r.event_history(event_id)
    if fmt is ReportFormat.json:
        emit_json({"event": event.model_dump(mode="json"),
                   "versions": [ver.model_dump(mode="json", exclude={"record"})
                                for ver in versions]})
        return
    console.rule(f"[bold]event {event.id}")
    console.print(yaml.safe_dump(event.model_dump(mode="json"), sort_keys=False, allow_unicode=True,
                                 width=100).rstrip(), highlight=False, markup=False)
    for v in versions:
        console.print(f"version {v.version}: {v.changed_at:%Y-%m-%d %H:%M} by {v.changed_by} "
                      f"({v.reason}){': ' + ', '.join(v.changes) if v.changes else ''}",
                      highlight=False, markup=False)


@events_app.command("delete")
def delete(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(help="Id of the event.")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why it is deleted.")],
    by: ByOpt = None,
) -> None:
    """Delete an event with a trace (a version marked deleted; its history stays)."""
    with session(ctx) as r:
        r.timeline.delete(event_id, reason, by=by)
    console.print(f"{event_id}: deleted (a version marked deleted; the earlier versions "
                  "stay in the store).")
