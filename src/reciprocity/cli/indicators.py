"""``reciprocity indicators A``: a country's indicator series and technology-payments coverage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from reciprocity.cli.common import FormatOpt, SinceOpt, UntilOpt, VintageOpt, WideOpt, session
from reciprocity.cli.render import Format, View, emit, with_credit
from reciprocity.labels import fmt as shown
from reciprocity.labels import label

LATEST_COLUMNS = ["indicator", "name", "unit", "year", "value"]
"""The table's columns: each indicator's latest value, in its unit (``--wide``: every year)."""

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
        wide: WideOpt = False,
    ) -> None:
        """Country-level indicators (WDI, NCSES totals) and the coverage ratio receipts/payments.

        The table lists each indicator's latest value; --wide shows every year."""
        with session(ctx, read_only=True) as r:
            result = r.indicators(a, indicator=indicator, since=since, until=until,
                                  vintage=vintage)
            credits = None
            if fmt is Format.csv:
                from reciprocity.queries.common import credit_map

                credits = credit_map(r.store)
        latest = result.latest_coverage()
        coverage = (f"Technology-payments coverage ratio (IP receipts / payments), "
                    f"{latest[0]}: [bold]{shown(latest[1], 'index')}[/]" if latest else
                    "No coverage ratio: the store lacks BX.GSR.ROYL.CD and/or "
                    "BM.GSR.ROYL.CD for this country.")
        rows = result.latest()
        units = [f"  {row['indicator']}: {row['name'] or ''} ({label(row['unit'])}, "
                 f"{row['aggregation']}); latest {row['year']}: {shown(row['value'], row['unit'])}"
                 for row in rows]
        title = f"{result.name} ({result.code}): indicators"
        view = View(pd.DataFrame(rows, columns=LATEST_COLUMNS), title=title + ", latest year",
                    caption=" · ".join(result.credits), columns=LATEST_COLUMNS,
                    labels={"year": "Latest year", "value": "Latest value"})
        if wide:  # every year, one column per indicator, each in its unit
            by_year = _by_year(result)
            unit_of = {row["indicator"]: row["unit"] for row in rows}
            view = View(by_year, title=title + " by year", caption=" · ".join(result.credits),
                        units={**unit_of, "coverage_ratio": "index"},
                        labels={k: k for k in unit_of})  # the codes; their units are below
        emit(result.series, fmt, json_data=result.answer().model_dump(mode="json"), wide=wide,
             csv_frame=None if credits is None else with_credit(result.series, credits),
             empty=f"No indicators for {result.name} ({result.code}) in the store "
                   "(reciprocity ingest wdi FILE).",
             views=[view], notes=[*(units if wide else []), coverage])


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
