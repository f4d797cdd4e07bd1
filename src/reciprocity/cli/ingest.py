"""``reciprocity ingest SOURCE FILE``: read a file into the store as a new vintage."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from reciprocity.cli.common import session
from reciprocity.cli.render import console, err_console
from reciprocity.countries import load_aliases
from reciprocity.sources import registry


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest(
        ctx: typer.Context,
        source: Annotated[str, typer.Argument(help="Source name: " + ", ".join(
            registry.names()) + ".")],
        file: Annotated[Path, typer.Argument(help="File as downloaded from the publisher.")],
        aliases: Annotated[Path | None, typer.Option(
            "--aliases", help="CSV with columns name,code mapping extra country names.")] = None,
    ) -> None:
        """Ingest a downloaded file as a new vintage (atomic; the same file twice adds nothing)."""
        src = registry.get(source)
        alias_map = load_aliases(aliases) if aliases else None
        with session(ctx) as r, Progress(
            TextColumn("[bold]reading[/] {task.description}"), BarColumn(),
            TaskProgressColumn(), TimeElapsedColumn(), console=err_console, transient=True,
        ) as bar:
            task = bar.add_task(file.name, total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            result = r.ingest(src.info.name, file, aliases=alias_map, progress=progress)
        if not result.added:
            console.print(f"Already ingested as [bold]{result.vintage_id}[/] "
                          f"(sha256 {result.sha256[:12]}…): nothing added.")
            return
        console.print(f"Ingested [bold]{file.name}[/] as vintage [bold]{result.vintage_id}[/]: "
                      f"{result.rows_read:,} rows read, {result.records_loaded:,} records, "
                      f"{result.flows_loaded:,} flows.")
        for key, value in sorted(result.notes.items()):
            console.print(f"  {key.replace('_', ' ')}: {value:,}")
        console.print(f"[dim]{src.info.credit}[/]")
