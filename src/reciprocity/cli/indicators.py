"""``reciprocity indicators A``: a country's indicator series and technology-payments coverage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from reciprocity.cli.common import FormatOpt, SinceOpt, UntilOpt, VintageOpt, session
from reciprocity.cli.render import Format, View, emit, fmt_value

if TYPE_CHECKING:
    import pandas as pd

    from reciprocity.queries.indicators import Indicators
else:  # imported when a command runs (reciprocity.cli.lazy)
    from reciprocity.cli.lazy import pandas as pd


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
        latest = result.latest_coverage()
        coverage = (f"Technology-payments coverage ratio (IP receipts / payments), "
                    f"{latest[0]}: [bold]{latest[1]:.2f}[/]" if latest else
                    "No coverage ratio: the store lacks BX.GSR.ROYL.CD and/or "
                    "BM.GSR.ROYL.CD for this country.")
        units = [f"  {row['indicator']}: {row['name'] or ''} ({row['unit']}, "
                 f"{row['aggregation']}); latest {row['year']}: {fmt_value(row['value'])}"
                 for row in result.latest()]
        emit(result.series, fmt, json_data=result.to_dict(),
             empty=f"No indicators for {result.name} ({result.code}) in the store "
                   "(reciprocity ingest wdi FILE).",
             views=[View(_by_year(result), title=f"{result.name} ({result.code}): "
                         "indicators by year", caption=" · ".join(result.credits))],
             notes=[*units, coverage])


def _by_year(result: Indicators) -> pd.DataFrame:
    """One row a year, one column per indicator, and the coverage ratio (for the table)."""
    if result.series.empty:
        return result.series
    wide = result.series.pivot_table(index="year", columns="indicator", values="value",
                                     aggfunc="first").reset_index()
    wide.columns.name = None
    if len(result.coverage_ratio):
        wide = wide.merge(result.coverage_ratio[["year", "value"]].rename(
            columns={"value": "coverage_ratio"}), on="year", how="left")
    return wide.astype({"year": int})
