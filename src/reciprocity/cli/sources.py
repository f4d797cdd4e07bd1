"""``sources`` and ``diff``: what is in the store and what changed between vintages."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer

from reciprocity.cli.common import FormatOpt, session
from reciprocity.cli.render import Format, View, emit, records

SOURCE_COLUMNS = ["vintage_id", "layout", "generated_at", "ingested_at", "is_complete",
                  "is_default", "rows_read", "flows_loaded", "sha256", "file_name"]
"""Columns of the table view (the vintage id starts with its dataset; dates without times);
JSON and CSV have every column."""


def register(app: typer.Typer) -> None:
    register_channels(app)

    @app.command("sources")
    def sources(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
        """Datasets and vintages in the store: dates, checksums, row counts, credit lines."""
        with session(ctx, read_only=True) as r:
            frame = r.sources()
        views = None if frame.empty else [View(
            frame[SOURCE_COLUMNS].assign(
                sha256=frame["sha256"].str[:12] + "…",
                generated_at=frame["generated_at"].dt.strftime("%Y-%m-%d").fillna(""),
                ingested_at=frame["ingested_at"].dt.strftime("%Y-%m-%d").fillna(""),
                file_name=frame["file_name"].str.replace(" + ", "\n+ ", regex=False)),
            title="Datasets and vintages", caption=" · ".join(sorted(set(frame["credit"]))))]
        emit(frame, fmt, views=views, empty_csv=True,
             empty="The store is empty: run `reciprocity ingest sipri FILE`.")

    @app.command("diff")
    def diff(
        ctx: typer.Context,
        source: Annotated[str, typer.Argument(help="Source or dataset, e.g. sipri.")],
        from_vintage: Annotated[str | None, typer.Option(
            "--from", help="Older vintage (default: the one before --to).")] = None,
        to_vintage: Annotated[str | None, typer.Option(
            "--to", help="Newer vintage (default: the newest).")] = None,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """Records added, removed and changed between two vintages of a source."""
        with session(ctx, read_only=True) as r:
            frame = r.diff(source, from_vintage=from_vintage, to_vintage=to_vintage)
        counts = frame["change"].value_counts().to_dict()
        summary = {k: int(counts.get(k, 0)) for k in ("added", "removed", "changed")}
        emit(frame, fmt, title=f"{frame.attrs['from']} → {frame.attrs['to']}",
             json_data={"dataset": frame.attrs["dataset"], "from": frame.attrs["from"],
                        "to": frame.attrs["to"], "summary": summary,
                        "changes": records(frame)},
             notes=[", ".join(f"{v:,} {k}" for k, v in summary.items())])

def register_channels(app: typer.Typer) -> None:
    @app.command("channels")
    def channels(fmt: FormatOpt = Format.table) -> None:
        """The channels technology moves through: direction, units and sources."""
        from reciprocity.channels import CHANNELS, UNIT_DECLARATIONS, UNITS

        rows = [{"channel": c.name, "directed": c.directed, "units": ", ".join(c.units),
                 "sources": ", ".join(c.sources), "description": c.description}
                for c in CHANNELS.values()]
        frame = pd.DataFrame(rows)
        emit(frame, fmt, title="Channels",
             json_data={"channels": rows, "units": UNITS,
                        "aggregation": {n: u.aggregation for n, u in UNIT_DECLARATIONS.items()}},
             notes=[f"[bold]{unit}[/] ({UNIT_DECLARATIONS[unit].aggregation}): {meaning}"
                    for unit, meaning in UNITS.items()])
