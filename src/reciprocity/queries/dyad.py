"""Flows between two countries, per channel, mode and year, with two-way measures."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from reciprocity import channels as channels_mod
from reciprocity.metrics.twoway import INDEX_KEYS, add_indices, clean, measures
from reciprocity.queries.common import Pair, credits_for, span_filter
from reciprocity.store.db import Store

ROW_KEYS = ("flow_ab", "flow_ba", "unit", *INDEX_KEYS)


@dataclass
class Dyad:
    """The answer to "how reciprocal are flows between A and B": frames plus JSON.

    ``totals``: one row per channel (and unit) over the span; ``by_mode``: per channel and
    mode; ``by_year``: per channel and year (zeros filled between first and last year);
    ``by_window``: rolling sums over ``window`` years ending at each year.
    """

    pair: Pair
    since: int | None
    until: int | None
    window: int
    totals: pd.DataFrame
    by_mode: pd.DataFrame
    by_year: pd.DataFrame
    by_window: pd.DataFrame
    by_mode_year: pd.DataFrame
    vintages: list[str]
    credits: list[str] = field(default_factory=list)

    def channel_keys(self) -> list[tuple[str, str, str]]:
        """(key, channel, unit) for each channel/unit present; extra units get ``ch:unit``."""
        keys = []
        for channel, group in self.totals.groupby("channel", sort=True):
            units = list(group["unit"])
            primary = [u for u in channels_mod.CHANNELS.get(channel, channels_mod.Channel(
                channel, "", True, tuple(units), ())).units if u in units] or units
            for unit in units:
                key = channel if unit == primary[0] else f"{channel}:{unit}"
                keys.append((key, channel, unit))
        return keys

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``reciprocity dyad --format json``."""
        out: dict[str, Any] = {
            "a": self.pair.a.code, "a_name": self.pair.a.name,
            "b": self.pair.b.code, "b_name": self.pair.b.name,
            "since": self.since, "until": self.until, "window": self.window,
            "vintages": self.vintages, "credits": self.credits, "channels": {},
        }
        # Frames → plain rows once, grouped by (channel, unit): no per-channel pandas filtering.
        totals = _grouped(self.totals, ())
        modes = _grouped(self.by_mode, ("mode",))
        mode_years = _grouped(self.by_mode_year, ("mode", "year"))
        years = _grouped(self.by_year, ("year",))
        windows = _grouped(self.by_window, ("start", "end"))
        for key, channel, unit in self.channel_keys():
            cu = (channel, unit)
            by_mode = {}
            for mode_row in modes.get(cu, []):
                mode = mode_row.pop("mode")
                mode_row["by_year"] = [{k: v for k, v in r.items() if k != "mode"}
                                       for r in mode_years.get(cu, []) if r["mode"] == mode]
                by_mode[mode] = mode_row
            out["channels"][key] = {
                "channel": channel,
                "directed": channels_mod.is_directed(channel),
                "aggregation": "sum" if channels_mod.is_additive(unit) else "mean",
                **totals[cu][0],
                "by_mode": by_mode,
                "by_year": years.get(cu, []),
                "by_window": windows.get(cu, []),
            }
        return out

    def summary(self) -> pd.DataFrame:
        """One row per channel: totals and measures (for tables)."""
        return self.totals.loc[:, ["channel", *ROW_KEYS]]


def _grouped(frame: pd.DataFrame, extra: tuple[str, ...]) -> dict[tuple, list[dict]]:
    """JSON-safe rows of ``frame`` (``extra`` + ROW_KEYS) grouped by (channel, unit)."""
    keys = (*extra, *ROW_KEYS)
    columns = [frame[k].tolist() for k in ("channel", "unit", *keys)]
    out: dict[tuple, list[dict]] = {}
    for values in zip(*columns, strict=True):
        out.setdefault(values[:2], []).append(
            {k: clean(v) for k, v in zip(keys, values[2:], strict=True)})
    return out


def dyad(store: Store, a: str, b: str, *, channel: str | None = None, mode: str | None = None,
         area: str | None = None, since: int | None = None, until: int | None = None,
         window: int = 5, vintage: str | None = None) -> Dyad:
    """Flows A→B and B→A with two-way measures, from the active vintages of each dataset."""
    pair = Pair.of(a, b)
    if channel is not None:
        channels_mod.get(channel)
    if window < 1:
        from reciprocity.errors import InputError
        raise InputError(f"--window must be a positive number of years; found {window}")
    where, params = span_filter(since, until, channel, mode, area)
    sql = store.active_flows_sql(vintage) + f"""
        SELECT channel, unit, mode, year,
               sum(CASE WHEN origin = ? AND destination = ? THEN magnitude ELSE 0 END) AS ab,
               sum(CASE WHEN origin = ? AND destination = ? THEN magnitude ELSE 0 END) AS ba,
               vintage_id, dataset
        FROM af
        WHERE ((origin = ? AND destination = ?) OR (origin = ? AND destination = ?)) {where}
        GROUP BY ALL ORDER BY channel, unit, mode, year"""
    a_, b_ = pair.a.code, pair.b.code
    rows = store.con.execute(sql, [a_, b_, b_, a_, a_, b_, b_, a_, *params]).fetchall()
    # Provenance: only the vintages (and credit lines) that contribute to these figures.
    used = sorted({(r[6], r[7]) for r in rows})
    # The aggregates are small (channels × modes × years): plain Python from here on, with
    # the measures from metrics.twoway so every front end shows the same numbers.
    raw = [_joint(r[:6]) for r in rows]
    totals = _sum(raw, 2)
    by_mode = _sum(raw, 3)
    by_year = _fill(raw, 2, since, until)
    by_mode_year = _fill(raw, 3, since, until)
    by_window = _rolling(by_year, window)
    return Dyad(
        pair, since, until, window,
        _frame(totals, ["channel", "unit"]),
        _frame(by_mode, ["channel", "unit", "mode"]),
        _frame(by_year, ["channel", "unit", "year"]),
        _frame(by_window, ["channel", "unit", "start", "end"]),
        _frame(by_mode_year, ["channel", "unit", "mode", "year"]),
        [v for v, _ in used],
        credits_for(store, sorted({d for _, d in used})),
    )


Row = tuple  # (key parts…, flow_ab, flow_ba)


def _joint(row: tuple) -> tuple:
    """Undirected channels store each pair once: both directions hold the joint count."""
    channel, unit, mode, year, ab, ba = row
    if not channels_mod.is_directed(channel):
        ab = ba = ab + ba
    return channel, unit, mode, year, float(ab), float(ba)


def _sum(raw: list[tuple], depth: int) -> list[Row]:
    """Sums over years, keyed by the first ``depth`` of (channel, unit, mode); for index
    units (never summed) the mean of the years' values."""
    acc: dict[tuple, list[float]] = {}
    for r in raw:
        cell = acc.setdefault(r[:depth], [0.0, 0.0, 0])
        cell[0] += r[4]
        cell[1] += r[5]
        cell[2] += 1
    return [(*k, ab, ba) if channels_mod.is_additive(k[1]) else (*k, ab / n, ba / n)
            for k, (ab, ba, n) in acc.items()]


def _fill(raw: list[tuple], depth: int, since: int | None, until: int | None) -> list[Row]:
    """Sums per key and year, with zero rows for the years between first and last."""
    acc: dict[tuple, dict[int, list[float]]] = {}
    for r in raw:
        cell = acc.setdefault(r[:depth], {}).setdefault(r[3], [0.0, 0.0])
        cell[0] += r[4]
        cell[1] += r[5]
    rows: list[Row] = []
    for key, years in acc.items():
        lo = since if since is not None else min(years)
        hi = until if until is not None else max(years)
        for year in range(lo, hi + 1):
            gap = (0.0, 0.0) if channels_mod.is_additive(key[1]) else (math.nan, math.nan)
            ab, ba = years.get(year, gap)  # an index with no value is missing, not 0
            rows.append((*key, year, ab, ba))
    return rows


def _rolling(by_year: list[Row], window: int) -> list[Row]:
    """Sums over ``window`` years ending at each year (SIPRI reports 5-year trends)."""
    series: dict[tuple, list[Row]] = {}
    for r in by_year:
        series.setdefault(r[:2], []).append(r)
    rows: list[Row] = []
    for (channel, unit), years in series.items():
        first = years[0][2]
        for i, (_, _, year, _, _) in enumerate(years):
            span = years[max(0, i - window + 1): i + 1]
            if not channels_mod.is_additive(unit):  # index units: mean of the years with a value
                span = [r for r in span if not math.isnan(r[3])] or span[-1:]
                rows.append((channel, unit, max(first, year - window + 1), year,
                             sum(r[3] for r in span) / len(span),
                             sum(r[4] for r in span) / len(span)))
                continue
            rows.append((channel, unit, max(first, year - window + 1), year,
                         sum(r[3] for r in span), sum(r[4] for r in span)))
    return rows


def _frame(rows: list[Row], keys: list[str]) -> pd.DataFrame:
    """Rows with the two-way measures (null for undirected channels), as a DataFrame."""
    data: dict[str, Any] = {k: [r[i] for r in rows] for i, k in enumerate(keys)}
    data["flow_ab"] = np.array([r[-2] for r in rows], dtype="float64")
    data["flow_ba"] = np.array([r[-1] for r in rows], dtype="float64")
    undirected = np.array([not channels_mod.is_directed(r[0]) for r in rows], dtype=bool)
    for k, values in measures(data["flow_ab"], data["flow_ba"]).items():
        values[undirected] = np.nan
        data[k] = values
    return pd.DataFrame(data)


def by_period(by_year: pd.DataFrame, step: int = 10) -> pd.DataFrame:
    """Sums over fixed periods (decades by default) with two-way measures."""
    if by_year.empty:
        return add_indices(pd.DataFrame(columns=["channel", "unit", "period", "flow_ab",
                                                 "flow_ba"]))
    start = (by_year["year"] // step) * step
    frame = by_year.assign(period=start.astype(str) + "–" + (start + step - 1).astype(str),
                           _start=start)
    grouped = frame.groupby(["channel", "unit", "_start", "period"], as_index=False)[
        ["flow_ab", "flow_ba"]].sum().sort_values(["channel", "_start"])
    index = ~grouped["unit"].map(channels_mod.is_additive).astype(bool)
    if index.any():  # index units: the mean of the period's years with a value
        means = frame.groupby(["channel", "unit", "_start", "period"], as_index=False)[
            ["flow_ab", "flow_ba"]].mean().sort_values(["channel", "_start"])
        grouped.loc[index, ["flow_ab", "flow_ba"]] = means.loc[
            index.to_numpy(), ["flow_ab", "flow_ba"]].to_numpy()
    return add_indices(grouped.drop(columns="_start")).reset_index(drop=True)
