"""Options and helpers shared by the command modules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reciprocity.api import Reciprocity
from reciprocity.cli.render import Format, ReportFormat

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
ReportFormatOpt = Annotated[ReportFormat, typer.Option(
    "--format", "-f", help="Output format (a report: table or json).")]
SinceOpt = Annotated[int | None, typer.Option("--since", help="First year (inclusive).")]
UntilOpt = Annotated[int | None, typer.Option("--until", help="Last year (inclusive).")]
VintageOpt = Annotated[str | None, typer.Option(
    "--vintage", help="Vintage id or generation date (default: the newest complete one).")]
ChannelOpt = Annotated[str | None, typer.Option(
    "--channel", "-c", help="Channel, e.g. arms (default: all).")]


def session(ctx: typer.Context, read_only: bool = False) -> Reciprocity:
    """Open the store named by the global --db option."""
    db: Path | None = (ctx.obj or {}).get("db")
    return Reciprocity(db, read_only=read_only)
