"""``reciprocity indicators A``: a country's indicator series and technology-payments coverage."""

from __future__ import annotations

from typing import Annotated

import typer

from reciprocity.cli.common import FormatOpt, SinceOpt, UntilOpt, VintageOpt, session
from reciprocity.cli.render import Format, console, emit_csv, emit_json, table


def register(app: typer.Typer) -> None:
    @app.command("indicators")
    def indicators(
        ctx: typer.Context,
        a: Annotated[str, typer.Argument(
            help="Country (JPN, Japan) or a WDI aggregate (WLD, World, HIC).")],
        indicator: Annotated[list[str] | None, typer.Option(
            "--indicator", "-i", help="Indicator code, e.g. BX.GSR.ROYL.CD (repeatable; "
            "default: all).")] = None,
        since: SinceOpt = None,
        until: UntilOpt = None,
        vintage: VintageOpt = None,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """Country-level indicators (WDI, NCSES totals) and the coverage ratio receipts/payments."""
        with session(ctx, read_only=True) as r:
            result = r.indicators(a, indicator=indicator, since=since, until=until,
                                  vintage=vintage)
        if fmt is Format.json:
            emit_json(result.to_dict())
            return
        if fmt is Format.csv:
            emit_csv(result.series)
            return
        if result.series.empty:
            console.print(f"No indicators for {result.name} ({result.code}) in the store "
                          "(reciprocity ingest wdi FILE).")
        else:
            wide = result.series.pivot_table(index="year", columns="indicator", values="value",
                                             aggfunc="first").reset_index()
            wide.columns.name = None
            if len(result.coverage_ratio):
                wide = wide.merge(result.coverage_ratio[["year", "value"]].rename(
                    columns={"value": "coverage_ratio"}), on="year", how="left")
            table(wide.astype({"year": int}), title=f"{result.name} ({result.code}): "
                  "indicators by year", caption=" · ".join(result.credits))
            units = result.series.drop_duplicates("indicator")
            for row in units.itertuples(index=False):
                console.print(f"  {row.indicator}: {row.name or ''} ({row.unit})")
        latest = result.latest_coverage()
        if latest:
            console.print(f"Technology-payments coverage ratio (IP receipts / payments), "
                          f"{latest[0]}: [bold]{latest[1]:.2f}[/]")
        else:
            console.print("No coverage ratio: the store lacks BX.GSR.ROYL.CD and/or "
                          "BM.GSR.ROYL.CD for this country.")
