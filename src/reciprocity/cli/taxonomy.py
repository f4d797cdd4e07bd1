"""``reciprocity taxonomy``: the technology areas, their crosswalks, and what is unmapped."""

from __future__ import annotations

from pathlib import Path

import typer

from reciprocity.cli.common import ReportFormatOpt, VintageOpt, lock_wait, store_path
from reciprocity.cli.render import ReportFormat, console, emit_json, table
from reciprocity.errors import NotFoundError


def register(app: typer.Typer) -> None:
    @app.command("taxonomy")
    def taxonomy(ctx: typer.Context, vintage: VintageOpt = None,
                 fmt: ReportFormatOpt = ReportFormat.table) -> None:
        """Technology areas, the critical-technology list, crosswalks and unmapped items."""
        import pandas as pd

        from reciprocity.api import Reciprocity
        from reciprocity.queries import taxonomy as report

        data = report.describe()
        db: Path = store_path(ctx)
        store = None
        if Path(db).exists():
            try:
                with Reciprocity(db, read_only=True, wait=lock_wait()) as r:
                    store = report.coverage(r.store, vintage)
            except NotFoundError:
                store = None
        data["store"] = store
        if fmt is ReportFormat.json:
            emit_json(data)
            return
        areas = pd.DataFrame([{"id": a["id"], "name": a["name"],
                               "critical technologies (US CET 2024)": "; ".join(
                                   c.split(": ", 1)[1] for c in a["critical_technologies"]),
                               "named in the 1995 report": a["report"] or ""}
                              for a in data["areas"]])
        table(areas, title="Technology areas")
        console.print("Crosswalks: " + ", ".join(
            f"{k} ({v['rows']} rows)" for k, v in data["crosswalks"].items()))
        if store is None:
            console.print("[dim]No store found: ingest data to see how flows are placed.[/]")
            return
        cov = store["sipri_area_coverage"]
        if cov["flows"]:
            console.print(f"SIPRI arms flows with an area: {cov['mapped']:,} of {cov['flows']:,}"
                          f" ({100 * cov['share_mapped']:.1f}%); unmapped: {cov['unmapped']:,}")
        if store["unmapped_sipri_descriptions"]:
            table(pd.DataFrame(store["unmapped_sipri_descriptions"]),
                  title="Unmapped SIPRI weapon descriptions")
        table(pd.DataFrame(store["flows_by_area"]), title="Flows by channel, unit and area "
              "(empty area = not mapped or not applicable)")
