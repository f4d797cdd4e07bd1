"""``reciprocity ingest SOURCE FILE...``: read a file (or the parts of one export) into the
store as a new vintage."""

from __future__ import annotations

import inspect
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from reciprocity.cli.common import session
from reciprocity.cli.render import console, err_console
from reciprocity.errors import InputError
from reciprocity.queries import catalog


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest(
        ctx: typer.Context,
        source: Annotated[str, typer.Argument(help="Source name: " + ", ".join(
            catalog.names()) + ".")],
        file: Annotated[list[Path], typer.Argument(
            help="File as downloaded from the publisher (for patentsview: "
            "the directory of its tables). For sipri also several files, or a folder holding "
            "them, that are the parts of one export (same layout, adjoining year ranges): they "
            "become one vintage.")],
        aliases: Annotated[Path | None, typer.Option(
            "--aliases", help="CSV with columns name,code mapping extra country names.")] = None,
        engine: Annotated[str | None, typer.Option(
            "--engine", help="Compute engine for large inputs (patentsview): duckdb (default) "
            "or spark.")] = None,
        spark_master: Annotated[str | None, typer.Option(
            "--spark-master", help="Spark master URL for --engine spark: spark://host:port "
            "(a standalone cluster) or local[N] (default $RECIPROCITY_SPARK_MASTER or "
            "local[2]).")] = None,
        spark_driver_host: Annotated[str | None, typer.Option(
            "--spark-driver-host", help="Address of this machine that the Spark workers "
            "connect back to, bound by the driver (default $RECIPROCITY_SPARK_DRIVER_HOST; "
            "127.0.0.1 for a master on 127.0.0.1).")] = None,
        spark_python: Annotated[str | None, typer.Option(
            "--spark-python", help="Python the Spark workers run (default "
            "$RECIPROCITY_SPARK_PYTHON or $PYSPARK_PYTHON; this Python for a master on "
            "127.0.0.1).")] = None,
        unpack_dir: Annotated[Path | None, typer.Option(
            "--unpack-dir", help="Where zipped tables are unpacked; on a Spark cluster a "
            "folder every worker reads under the same path (default $RECIPROCITY_UNPACK_DIR "
            "or the temp folder).")] = None,
        memory_limit: Annotated[str | None, typer.Option(
            "--memory-limit", help="Engine memory limit, e.g. 4GB (default 4GB or "
            "$RECIPROCITY_MEMORY_LIMIT); larger inputs spill to disk.")] = None,
        temp_dir: Annotated[Path | None, typer.Option(
            "--temp-dir", help="Where the engine unzips and spills (default "
            "$RECIPROCITY_TEMP_DIR or the system's temp folder).")] = None,
        force: Annotated[bool, typer.Option(
            "--force", help="Make the new vintage its dataset's default even when it is much "
            "smaller than the newest one of its layout and scope (under 90 % of its records), "
            "dated in the future, or undated; without it such a vintage is kept but held "
            "back, and the message says why.")] = False,
    ) -> None:
        """Ingest a downloaded file as a new vintage (atomic; the same file twice adds nothing)."""
        files = file
        name = " + ".join(f.name for f in files)
        src = catalog.get(source)
        options = {k: v for k, v in (("engine", engine), ("spark_master", spark_master),
                                     ("memory_limit", memory_limit), ("temp_dir", temp_dir),
                                     ("spark_driver_host", spark_driver_host),
                                     ("spark_python", spark_python), ("unpack_dir", unpack_dir))
                   if v is not None}
        if options and "options" not in inspect.signature(src.read).parameters:
            raise InputError(f"--engine, --spark-*, --memory-limit, --temp-dir and --unpack-dir "
                             f"apply to sources with a compute engine (patentsview), not "
                             f"{source}")
        from reciprocity.countries import load_aliases

        alias_map = load_aliases(aliases) if aliases else None
        with session(ctx) as r, Progress(
            TextColumn("[bold]reading[/] {task.description}"), BarColumn(),
            TaskProgressColumn(), TimeElapsedColumn(), console=err_console, transient=True,
        ) as bar:
            task = bar.add_task(name, total=None)

            current: list = []  # [stage, started] of the stage under way

            def progress(done: int, total: int, stage: str | None = None) -> None:
                if stage is not None:
                    now = time.perf_counter()
                    if current:
                        err_console.print(f"  {current[0]} [dim]({now - current[1]:.1f} s)[/]")
                    current[:] = [stage, now]
                    bar.update(task, description=f"{name}: {stage}")
                bar.update(task, completed=done, total=total)

            result = r.store.ingest(src, files[0] if len(files) == 1 else files,
                                    aliases=alias_map, progress=progress,
                                    options=options or None, force=force)
            if current:
                err_console.print(f"  {current[0]} [dim]({time.perf_counter() - current[1]:.1f}"
                                  " s)[/]")
        if not result.added:
            console.print(f"Already ingested as [bold]{result.vintage_id}[/] "
                          f"(sha256 {result.sha256[:12]}…): nothing added.")
            _held_back(result, force)
            return
        console.print(f"Ingested [bold]{name}[/] as vintage [bold]{result.vintage_id}[/]: "
                      f"{result.rows_read:,} rows read, {result.records_loaded:,} records, "
                      f"{result.flows_loaded:,} flows.")
        if result.notes.get("parts"):
            console.print(f"  one export in {result.notes['parts']} parts; the vintage is dated by "
                          "the latest part's generation date")
        for key, value in sorted(result.notes.items()):
            console.print(f"  {key.replace('_', ' ')}: {value:,}")
        console.print(f"[dim]{src.info.credit}[/]")
        _held_back(result, force)


def _held_back(result: object, force: bool) -> None:
    """Say why a vintage is held back (or that --force made it the default)."""
    reason = getattr(result, "held_back", None)
    if reason:
        err_console.print(f"[bold yellow]Held back:[/] {result.vintage_id} is not the default "
                          f"of its dataset: {reason}. Queries use it only with --vintage; "
                          "ingest it again with --force to make it the default.")
    elif force and not getattr(result, "added", True):
        console.print(f"{result.vintage_id} is no longer held back (--force).")
