"""Options and helpers shared by the command modules."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reciprocity.cli.render import Format, ReportFormat, err_console

if TYPE_CHECKING:
    from reciprocity.api import Reciprocity

# The command line imports nothing heavy (pandas, DuckDB, the queries) before a command runs,
# so that --help and completion answer at once: heavy imports live inside the commands.

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
ReportFormatOpt = Annotated[ReportFormat, typer.Option(
    "--format", "-f", help="Output format (a report: table or json).")]
SinceOpt = Annotated[int | None, typer.Option("--since", help="First year (inclusive).")]
UntilOpt = Annotated[int | None, typer.Option("--until", help="Last year (inclusive).")]
VintageOpt = Annotated[str | None, typer.Option(
    "--vintage", help="Vintage id or generation date (default: the newest complete one).")]
ChannelOpt = Annotated[str | None, typer.Option(
    "--channel", "-c", help="Channel, e.g. arms (default: all).")]
WideOpt = Annotated[bool, typer.Option(
    "--wide", help="Show every column in the table (default: the columns that fit a "
    "100-column terminal; JSON and CSV always have every column).")]


STORE_FILE = Path("reciprocity.duckdb")
DEMO_STORE = Path("demo") / "reciprocity.duckdb"
"""What ``make demo`` builds (``reciprocity --db demo/reciprocity.duckdb demo``)."""
LOCK_WAIT = 3.0
"""Seconds a command retries while another process holds the store's lock
(``$RECIPROCITY_LOCK_WAIT`` overrides)."""


def default_store() -> tuple[Path, str | None]:
    """The store used without --db or $RECIPROCITY_DB, and why when it is not the obvious one.

    ``./reciprocity.duckdb`` when it exists; else ``./demo/reciprocity.duckdb`` when that
    exists (the store ``make demo`` builds, so that the README's commands work right after
    it); else ``./reciprocity.duckdb`` (created by the first ingest).
    """
    if not STORE_FILE.exists() and DEMO_STORE.exists():
        return DEMO_STORE, (f"store: {DEMO_STORE} (the demo's; there is no ./{STORE_FILE} "
                            "here; --db or RECIPROCITY_DB chooses another)")
    return STORE_FILE, None


def store_path(ctx: typer.Context) -> Path:
    """The store a command uses: --db, else $RECIPROCITY_DB, else :func:`default_store`
    (saying so on stderr when it is the demo's)."""
    obj = ctx.find_root().obj or {}
    db: Path | None = obj.get("db")
    if db is not None:
        return db
    path, note = default_store()
    if note and not obj.get("noted"):
        err_console.print(f"[dim]{note}[/]", highlight=False, soft_wrap=True)
        obj["noted"] = True
    return path


def lock_wait() -> float:
    """Seconds to retry a locked store: ``$RECIPROCITY_LOCK_WAIT``, else :data:`LOCK_WAIT`."""
    from reciprocity import settings

    return settings.current().lock_wait


def session(ctx: typer.Context, read_only: bool = False) -> Reciprocity:
    """Open the store (:func:`store_path`): read-only for commands that only read, so that
    several processes can read one store at once. While another process holds its lock the
    opening is retried for :func:`lock_wait` seconds, then fails with exit code 2 naming the
    process (:class:`reciprocity.errors.StoreBusyError`). The wait is read only then: a free
    store opens without loading the settings (pydantic-settings; benchmarks/settings_startup.py)."""
    from reciprocity.api import Reciprocity
    from reciprocity.errors import StoreBusyError

    path = store_path(ctx)
    try:
        return Reciprocity(path, read_only=read_only)
    except StoreBusyError:
        return Reciprocity(path, read_only=read_only, wait=lock_wait())
