"""Root of the command line: global options, command groups, and the one exit path."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from reciprocity import __version__
from reciprocity.cli import (
    assess,
    compare,
    demo,
    events,
    fetch,
    indicators,
    ingest,
    ledger,
    query,
    report,
    serve,
    sources,
    taxonomy,
    top,
    users,
)
from reciprocity.cli.render import err_console
from reciprocity.errors import InputError, ReciprocityError

app = typer.Typer(
    name="reciprocity",
    help="Measure the reciprocity of technology flows between two countries, from public data.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reciprocity {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[Path | None, typer.Option(
        "--db", envvar="RECIPROCITY_DB",
        help="Store file (DuckDB). Default: $RECIPROCITY_DB, else ./reciprocity.duckdb when "
        "it exists, else ./demo/reciprocity.duckdb (made by make demo) when that exists, else "
        "./reciprocity.duckdb.")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Reciprocity: measure, manage and plan technology flows between allies."""
    ctx.obj = {"db": db}


ingest.register(app)
query.register(app)
top.register(app)
sources.register(app)
fetch.register(app)
demo.register(app)
ledger.register(app)
events.register(app)
indicators.register(app)
taxonomy.register(app)
report.register(app)
serve.register(app)
users.register(app)
assess.register(app)
compare.register(app)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: every expected error leaves through here."""
    try:
        app(args=argv, prog_name="reciprocity")
    except ReciprocityError as exc:
        bad_input = isinstance(exc, InputError) or getattr(exc, "bad_input", False)
        label = "Input error" if bad_input else "Error"
        err_console.print(f"[bold red]{label}:[/] {escape(str(exc))}", markup=True, highlight=False,
                          soft_wrap=True)
        sys.exit(exc.exit_code)
