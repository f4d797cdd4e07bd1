"""Root of the command line: global options, command groups, and the one exit path."""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from reciprocity import __version__
from reciprocity.cli.render import err_console
from reciprocity.errors import InputError, ReciprocityError

MODULES = ("ingest", "query", "top", "sources", "fetch", "demo", "ledger", "events",
           "indicators", "taxonomy", "report", "serve", "users", "assess", "compare")
"""The command modules (``reciprocity.cli.<name>``), in the order ``--help`` lists them."""
COMMANDS = {
    "ingest": "ingest", "dyad": "query", "partners": "query", "explain": "query", "top": "top",
    "channels": "sources", "sources": "sources", "diff": "sources", "fetch": "fetch",
    "demo": "demo", "ledger": "ledger", "events": "events", "indicators": "indicators",
    "taxonomy": "taxonomy", "report": "report", "serve": "serve", "users": "users",
    "index": "assess", "scenario": "assess", "alerts": "assess", "assess": "assess",
    "compare": "compare"}
"""Each command (or command group) and the module that registers it: a command line that
names one imports and builds only that module (a test checks this against the modules)."""
ROOT_VALUE_OPTIONS = frozenset({"--db"})
"""The root options that take a value (skipped when looking for the command's name)."""


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reciprocity {__version__}")
        raise typer.Exit()


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


@functools.cache
def build(modules: tuple[str, ...] = MODULES) -> typer.Typer:
    """The application with the commands of ``modules`` (all by default); built once each."""
    made = typer.Typer(
        name="reciprocity",
        help="Measure the reciprocity of technology flows between two countries, from public "
        "data.",
        no_args_is_help=True,
        rich_markup_mode="rich",
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    made.callback()(root)
    for name in modules:
        importlib.import_module(f"reciprocity.cli.{name}").register(made)
    return made


def modules_for(args: Sequence[str]) -> tuple[str, ...]:
    """The command modules a command line needs: the one that registers the command it names,
    else all (``--help``, no command, a command to be suggested)."""
    rest = iter(args)
    for arg in rest:
        if arg in ROOT_VALUE_OPTIONS:
            next(rest, None)
        elif not arg.startswith("-"):
            return (COMMANDS[arg],) if arg in COMMANDS else MODULES
    return MODULES


def __getattr__(name: str) -> Any:
    """``app``: the application with every command (for tests, docs and completion)."""
    if name == "app":
        return build()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: every expected error leaves through here."""
    args = sys.argv[1:] if argv is None else argv
    try:
        build(modules_for(args))(args=argv, prog_name="reciprocity")
    except ReciprocityError as exc:
        bad_input = isinstance(exc, InputError) or getattr(exc, "bad_input", False)
        label = "Input error" if bad_input else "Error"
        err_console.print(f"[bold red]{label}:[/] {escape(str(exc))}", markup=True, highlight=False,
                          soft_wrap=True)
        sys.exit(exc.exit_code)
