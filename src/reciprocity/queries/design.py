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

import math
from typing import TYPE_CHECKING

from reciprocity.queries.common import Pair, span_filter
from reciprocity.rowset import RowSet
from reciprocity.store.db import Store

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ("channel", "unit", "direction", "design", "value", "share")

CLASSES = ("recipient", "supplier_licensed", "supplier_stated", "third_country", "not_stated")

DESIGN_CHANNELS = ("arms",)
"""Channels whose sources record the design's country (SIPRI's comments); other channels have
no design to report."""

DESIGN_SQL = """CASE
    WHEN design_origin = destination THEN 'recipient'
    WHEN mode = 'licensed_production' AND (design_origin IS NULL OR design_origin = origin)
        THEN 'supplier_licensed'
    WHEN design_origin = origin THEN 'supplier_stated'
    WHEN design_origin IS NOT NULL THEN 'third_country'
    ELSE 'not_stated' END"""


def by_design(store: Store, a: str, b: str, *, channel: str | None = None,
              mode: str | None = None, area: str | None = None, since: int | None = None,
              until: int | None = None, vintage: str | None = None) -> pd.DataFrame:
    """Flow per channel, unit, direction (``a_to_b``, ``b_to_a``) and design class, with its
    share of the direction's total; only :data:`DESIGN_CHANNELS` (all of them by default).
    Empty when the pair has no such flows."""
    return design_rows(store, a, b, channel=channel, mode=mode, area=area, since=since,
                       until=until, vintage=vintage).to_frame()


def design_rows(store: Store, a: str, b: str, *, channel: str | None = None,
                mode: str | None = None, area: str | None = None, since: int | None = None,
                until: int | None = None, vintage: str | None = None) -> RowSet:
    """:func:`by_design` as plain rows (no pandas)."""
    pair = Pair.of(a, b)
    wanted = [c for c in DESIGN_CHANNELS if channel in (None, c)]
    kinds = ("str", "str", "str", "str", "float", "float")
    if not wanted:
        return RowSet(COLUMNS, kinds)
    where, params = span_filter(since, until, None, mode, area)
    marks = ", ".join("?" for _ in wanted)
    sql = store.active_flows_sql(vintage) + f"""
        SELECT channel, unit, CASE WHEN origin = ? THEN 'a_to_b' ELSE 'b_to_a' END AS direction,
               {DESIGN_SQL} AS design, sum(magnitude) AS value
        FROM af WHERE channel IN ({marks})
              AND ((origin = ? AND destination = ?) OR (origin = ? AND destination = ?))
              {where}
        GROUP BY ALL ORDER BY channel, unit, direction, design"""
    a_, b_ = pair.a.code, pair.b.code
    rows = store.run(sql, [a_, *wanted, a_, b_, b_, a_, *params]).fetchall()
    totals: dict[tuple, list[float]] = {}
    for r in rows:
        totals.setdefault(r[:3], []).append(r[4])
    sums = {k: math.fsum(v) for k, v in totals.items()}
    return RowSet(COLUMNS, kinds, [
        (*r, r[4] / sums[r[:3]] if sums[r[:3]] > 0 else math.nan) for r in rows])


def design_summary(rows: RowSet | pd.DataFrame
                   ) -> dict[str, dict[str, dict[str, float | None]]]:
    """``{direction: {design class: {value, share}}}`` for JSON, of one channel and unit."""
    records = rows.records() if isinstance(rows, RowSet) else rows.to_dict("records")
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    for row in records:
        share = row["share"]
        share = None if share is None or math.isnan(share) else round(float(share), 4)
        out.setdefault(row["direction"], {})[row["design"]] = {
            "value": round(float(row["value"]), 6), "share": share}
    return out
