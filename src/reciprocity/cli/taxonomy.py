"""``reciprocity taxonomy``: the technology areas, their crosswalks, and what is unmapped."""

from __future__ import annotations

from pathlib import Path

import typer

from reciprocity.cli.common import ReportFormatOpt, VintageOpt, WideOpt, lock_wait, store_path
from reciprocity.cli.render import ReportFormat, console, emit_json, table
from reciprocity.errors import NotFoundError

CET = "critical technologies (US CET 2024)"
REPORT = "named in the 1995 report"
AREA_COLUMNS = ["name", CET]
"""The areas' table in a 100-column terminal; ``--wide`` adds each area's id (what
``--area`` takes) and where the 1995 report names it."""
AREA_WIDE = ["id", "name", CET, REPORT]
FLOW_COLUMNS = ["channel", "unit", "area", "flows", "magnitude", "first_year", "last_year",
                "years"]
"""The flows by area in a 100-column terminal (``--wide`` adds how each unit aggregates)."""
FLOW_WIDE = ["channel", "unit", "area", "aggregation", "flows", "magnitude", "first_year",
             "last_year", "years"]


def register(app: typer.Typer) -> None:
    @app.command("taxonomy")
    def taxonomy(ctx: typer.Context, vintage: VintageOpt = None,
                 fmt: ReportFormatOpt = ReportFormat.table, wide: WideOpt = False) -> None:
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
        from reciprocity.labels import area

        areas = pd.DataFrame([{"id": a["id"], "name": a["name"],
                               CET: "; ".join(
                                   c.split(": ", 1)[1] for c in a["critical_technologies"]),
                               REPORT: a["report"] or ""}
                              for a in data["areas"]])
        table(areas, title="Technology areas", columns=AREA_WIDE if wide else AREA_COLUMNS,
              labels={"id": "ID (--area)", CET: "Critical technologies (US CET 2024)",
                      REPORT: "Named in the 1995 report"})
        if not wide:
            console.print("[dim]Each area's id (for --area) and where the 1995 report names "
                          "it: --wide.[/]")
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
        flows = pd.DataFrame(store["flows_by_area"])
        if len(flows):
            flows["area"] = [None if a is None or a != a else area(a) for a in flows["area"]]
        table(flows, title="Flows by channel, unit and area "
              "(empty area = not mapped or not applicable)",
              columns=(FLOW_WIDE if wide else FLOW_COLUMNS) if len(flows) else None)
