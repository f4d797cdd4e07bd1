"""The source records behind one figure: which rows of which vintage make a pair's year."""

from __future__ import annotations

import pandas as pd

from reciprocity import channels as channels_mod
from reciprocity.queries import catalog
from reciprocity.queries.common import Pair, check_mode, check_years
from reciprocity.store.db import Store

FLOW_COLUMNS = ["direction", "origin", "destination", "year", "magnitude", "unit", "mode",
                "is_estimated", "is_uncertain", "dataset", "vintage_id", "record_id"]


def explain(store: Store, a: str, b: str, *, channel: str, year: int | None = None,
            mode: str | None = None, vintage: str | None = None) -> pd.DataFrame:
    """Flows A→B and B→A in ``channel`` (in ``year`` if given) joined to their source records.

    ``direction`` is ``a_to_b`` or ``b_to_a``; the record columns depend on the source.
    """
    pair = Pair.of(a, b)
    channels_mod.get(channel)
    check_mode(mode)
    check_years(year=year)
    sql = store.active_flows_sql(vintage) + """
        SELECT CASE WHEN origin = ? THEN 'a_to_b' ELSE 'b_to_a' END AS direction, *
        FROM af WHERE channel = ? AND ((origin = ? AND destination = ?)
                                       OR (origin = ? AND destination = ?))"""
    a_, b_ = pair.a.code, pair.b.code
    params: list = [a_, channel, a_, b_, b_, a_]
    if year is not None:
        sql += " AND year = ?"
        params.append(year)
    if mode is not None:
        sql += " AND mode = ?"
        params.append(mode)
    flows = store.query(sql + " ORDER BY year, direction, record_id", params)
    flows = flows.loc[:, FLOW_COLUMNS]
    parts = []
    for dataset, group in flows.groupby("dataset", sort=True):
        source = catalog.for_dataset(dataset)
        table = source.record_table
        # a store made before a column was added (and opened read-only) lacks it
        stored = {r[0] for r in store.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
            [table.name]).fetchall()}
        record_cols = [c for c in source.explain_columns()
                       if c not in ("vintage_id", "record_id") and c in stored]
        keys = group[["vintage_id", "record_id"]].drop_duplicates()
        store.con.register("_keys", keys)
        try:
            records = store.query(
                f"SELECT r.vintage_id, r.record_id, {', '.join('r.' + c for c in record_cols)} "
                f"FROM {table.name} r JOIN _keys k USING (vintage_id, record_id)")
        finally:
            store.con.unregister("_keys")
        parts.append(group.merge(records, on=["vintage_id", "record_id"], how="left",
                                 suffixes=("", "_record")))
    if not parts:
        return flows
    return pd.concat(parts, ignore_index=True).sort_values(
        ["year", "direction", "record_id"], kind="stable").reset_index(drop=True)


def totals(frame: pd.DataFrame) -> list[dict[str, object]]:
    """What the records of :func:`explain` add up to, per direction and unit: the total of a
    ``sum`` unit, or the latest year and its value for ``snapshot`` and ``index`` units
    (never added up over years; within the year, snapshot parts add up, indices average)."""
    out: list[dict[str, object]] = []
    if frame.empty:
        return out
    for (direction, unit), group in frame.groupby(["direction", "unit"], sort=True):
        how = channels_mod.aggregation(str(unit))
        row: dict[str, object] = {"direction": direction, "unit": unit, "aggregation": how,
                                  "total": None, "latest_year": None, "latest": None}
        if how == "sum":
            row["total"] = float(group["magnitude"].sum())
        else:
            year = int(group["year"].max())
            last = group.loc[group["year"] == year, "magnitude"]
            row["latest_year"] = year
            row["latest"] = float(last.sum() if how == "snapshot" else last.mean())
        out.append(row)
    return out


def totals_text(row: dict[str, object], a: str, b: str) -> str:
    """One row of :func:`totals` in words (``USA→JPN 15.0 TIV, millions``)."""
    from reciprocity.labels import fmt, label

    arrow = f"{a}→{b}" if row["direction"] == "a_to_b" else f"{b}→{a}"
    unit = str(row["unit"])
    if row["aggregation"] == "sum":
        return f"{arrow} {fmt(row['total'], unit)} {label(unit)}"
    return (f"{arrow} {fmt(row['latest'], unit)} {label(unit)} in {row['latest_year']} "
            f"(latest year; {row['aggregation']} values are not added up)")

