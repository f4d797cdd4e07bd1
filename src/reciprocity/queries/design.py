"""Whose design a pair's flows carry, per direction: technology coming in or hardware going back.

One rule for every pair and channel whose source records a design origin (SIPRI's comments):

* ``recipient``: the recipient's own design, built by the supplier and delivered back ("US
  design produced in Japan for USA", "French design produced under licence in India for
  France"): hardware going back, not technology coming in;
* ``supplier_licensed``: licensed or local production in the recipient of a design it did not
  state as its own (Beechjet-400 built as the T-1A in the USA from Japan's design; F-15J);
* ``supplier_stated``: the comment names the supplier's design;
* ``third_country``: the comment names a third country's design;
* ``not_stated``: the source says nothing about the design (most new and second-hand items:
  normally the supplier's own, but not recorded as such).
"""

from __future__ import annotations

import pandas as pd

from reciprocity.queries.common import Pair, span_filter
from reciprocity.store.db import Store

CLASSES = ("recipient", "supplier_licensed", "supplier_stated", "third_country", "not_stated")

DESIGN_SQL = """CASE
    WHEN design_origin = destination THEN 'recipient'
    WHEN mode = 'licensed_production' AND (design_origin IS NULL OR design_origin = origin)
        THEN 'supplier_licensed'
    WHEN design_origin = origin THEN 'supplier_stated'
    WHEN design_origin IS NOT NULL THEN 'third_country'
    ELSE 'not_stated' END"""


def by_design(store: Store, a: str, b: str, *, channel: str = "arms", since: int | None = None,
              until: int | None = None, vintage: str | None = None) -> pd.DataFrame:
    """Flow per direction (``a_to_b``, ``b_to_a``), unit and design class, with its share of
    the direction's total. Empty when the pair has no flows in the channel."""
    pair = Pair.of(a, b)
    where, params = span_filter(since, until, channel)
    sql = store.active_flows_sql(vintage) + f"""
        SELECT CASE WHEN origin = ? THEN 'a_to_b' ELSE 'b_to_a' END AS direction, unit,
               {DESIGN_SQL} AS design, sum(magnitude) AS value
        FROM af WHERE ((origin = ? AND destination = ?) OR (origin = ? AND destination = ?))
              {where}
        GROUP BY ALL ORDER BY direction, unit, design"""
    a_, b_ = pair.a.code, pair.b.code
    frame = store.query(sql, [a_, a_, b_, b_, a_, *params])
    totals = frame.groupby(["direction", "unit"])["value"].transform("sum")
    return frame.assign(share=(frame["value"] / totals).where(totals > 0))


def design_summary(frame: pd.DataFrame) -> dict[str, dict[str, dict[str, float | None]]]:
    """``{direction: {design class: {value, share}}}`` for JSON (one unit per channel)."""
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    for row in frame.itertuples(index=False):
        share = None if pd.isna(row.share) else round(float(row.share), 4)
        out.setdefault(row.direction, {})[row.design] = {"value": float(row.value),
                                                         "share": share}
    return out
