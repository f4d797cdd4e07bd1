"""A pair seen through every evidence channel at once, with both countries' coverage ratios.

Used by the demo: arms (SIPRI), co-authorship and citation (NCSES, OpenAlex), and the
technology-payments coverage ratio (WDI) of each country, with each source's credit line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from reciprocity.errors import ReciprocityError
from reciprocity.queries.dyad import dyad
from reciprocity.queries.indicators import indicators
from reciprocity.store.db import Store

CHANNELS = ("arms", "coauthorship", "citation")


@dataclass
class Picture:
    """``channels``: one row per channel and unit; ``coverage``: ratios per country and year."""

    a: str
    b: str
    channels: pd.DataFrame
    coverage: pd.DataFrame
    credits: dict[str, str] = field(default_factory=dict)

    def latest_coverage(self) -> dict[str, tuple[int, float]]:
        """Country → (year, ratio) of its latest coverage ratio."""
        out = {}
        for country, group in self.coverage.groupby("country", sort=False):
            last = group.sort_values("year").iloc[-1]
            out[str(country)] = (int(last["year"]), float(last["value"]))
        return out

    def frames(self) -> dict[str, pd.DataFrame]:
        """CSV name → frame, for the demo's output folder."""
        stem = f"{self.a.lower()}_{self.b.lower()}"
        return {f"{stem}_channels.csv": self.channels,
                f"{stem}_coverage_ratio.csv": self.coverage}


def picture(store: Store, a: str = "USA", b: str = "JPN") -> Picture:
    """Every channel's figures for A and B, and both countries' coverage ratios."""
    rows = []
    for channel in CHANNELS:
        result = dyad(store, a, b, channel=channel)
        data = result.to_dict()
        for key, ch in data["channels"].items():
            years = result.by_year[(result.by_year["channel"] == channel)
                                   & (result.by_year["unit"] == ch["unit"])]
            present = years[years["flow_ab"].notna() & ((years["flow_ab"] != 0)
                                                         | (years["flow_ba"] != 0))]
            last = present.iloc[-1] if len(present) else None
            rows.append({
                "key": key, "channel": channel, "unit": ch["unit"],
                "directed": ch["directed"], "aggregation": ch["aggregation"],
                "years": ", ".join(str(int(y)) for y in present["year"])
                if len(present) <= 3 else
                f"{int(present['year'].min())}–{int(present['year'].max())}",
                "flow_ab": ch["flow_ab"], "flow_ba": ch["flow_ba"], "gl_index": ch["gl_index"],
                "latest_year": int(last["year"]) if last is not None else None,
                "latest_ab": float(last["flow_ab"]) if last is not None else math.nan,
                "latest_ba": float(last["flow_ba"]) if last is not None else math.nan,
            })
    coverage = []
    for country in (a, b):
        try:
            ind = indicators(store, country)
        except ReciprocityError:
            continue
        coverage.append(ind.coverage_ratio.assign(country=ind.code))
    cov = (pd.concat(coverage, ignore_index=True) if coverage
           else pd.DataFrame(columns=["year", "value", "receipts", "payments", "country"]))
    cov = cov.loc[:, ["country", "year", "value", "receipts", "payments"]]
    credits = dict(store.con.execute(
        "SELECT source, min(credit) FROM datasets GROUP BY source ORDER BY source").fetchall())
    return Picture(a, b, pd.DataFrame(rows), cov, credits)
