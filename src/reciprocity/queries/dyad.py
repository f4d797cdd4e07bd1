"""Flows between two countries, per channel, mode and year, with two-way measures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reciprocity import channels as channels_mod
from reciprocity.metrics.twoway import INDEX_KEYS, add_indices, clean
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
        for key, channel, unit in self.channel_keys():
            def rows(frame: pd.DataFrame, extra: tuple[str, ...] = (),
                     channel: str = channel, unit: str = unit) -> list[dict]:
                sel = frame[(frame["channel"] == channel) & (frame["unit"] == unit)]
                return [{k: clean(r[k]) for k in (*extra, *ROW_KEYS)}
                        for r in sel.to_dict("records")]

            total = rows(self.totals)[0]
            by_mode = {}
            for mode_row in rows(self.by_mode, ("mode",)):
                mode = mode_row.pop("mode")
                my = self.by_mode_year
                sel = my[(my["channel"] == channel) & (my["unit"] == unit) & (my["mode"] == mode)]
                mode_row["by_year"] = [{k: clean(r[k]) for k in ("year", *ROW_KEYS)}
                                       for r in sel.to_dict("records")]
                by_mode[mode] = mode_row
            out["channels"][key] = {
                "channel": channel,
                "directed": channels_mod.is_directed(channel),
                **total,
                "by_mode": by_mode,
                "by_year": rows(self.by_year, ("year",)),
                "by_window": rows(self.by_window, ("start", "end")),
            }
        return out

    def summary(self) -> pd.DataFrame:
        """One row per channel: totals and measures (for tables)."""
        return self.totals.loc[:, ["channel", *ROW_KEYS]]


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
               sum(CASE WHEN origin = ? AND destination = ? THEN magnitude ELSE 0 END) AS ba
        FROM af
        WHERE ((origin = ? AND destination = ?) OR (origin = ? AND destination = ?)) {where}
        GROUP BY ALL"""
        # Undirected channels store origin < destination: both directions match one order.
    a_, b_ = pair.a.code, pair.b.code
    raw = store.query(sql, [a_, b_, b_, a_, a_, b_, b_, a_, *params])
    raw = _undirected(raw)
    used = store.query(store.active_flows_sql(vintage) +
                       "SELECT DISTINCT vintage_id, dataset FROM active ORDER BY vintage_id")
    by_mode_year = _fill_years(raw, ["channel", "unit", "mode"], since, until)
    by_year = _fill_years(raw, ["channel", "unit"], since, until)
    totals = _sum(raw, ["channel", "unit"])
    by_mode = _sum(raw, ["channel", "unit", "mode"])
    by_window = _rolling(by_year, window)
    return Dyad(pair, since, until, window, _undirected_idx(totals), _undirected_idx(by_mode),
                _undirected_idx(by_year), _undirected_idx(by_window),
                _undirected_idx(by_mode_year), list(used["vintage_id"]),
                credits_for(store, list(used["dataset"])) if len(raw) else [])


def _undirected(raw: pd.DataFrame) -> pd.DataFrame:
    """For undirected channels both directions hold the joint count."""
    if raw.empty:
        return raw
    joint = ~raw["channel"].map(channels_mod.is_directed)
    total = raw["ab"] + raw["ba"]
    raw.loc[joint, "ab"] = total[joint]
    raw.loc[joint, "ba"] = total[joint]
    return raw


def _undirected_idx(frame: pd.DataFrame) -> pd.DataFrame:
    """Indices are undefined (null) for undirected channels."""
    if frame.empty:
        return frame
    joint = ~frame["channel"].map(channels_mod.is_directed).astype(bool)
    for key in ("balance", "share_b", "gl_index", "coverage_ratio"):
        frame.loc[joint, key] = float("nan")
    return frame


def _sum(raw: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if raw.empty:
        return add_indices(pd.DataFrame(columns=[*keys, "flow_ab", "flow_ba"]))
    grouped = raw.groupby(keys, as_index=False)[["ab", "ba"]].sum()
    return add_indices(grouped.rename(columns={"ab": "flow_ab", "ba": "flow_ba"}))


def _fill_years(raw: pd.DataFrame, keys: list[str], since: int | None,
                until: int | None) -> pd.DataFrame:
    """Sums per key and year, with zero rows for the years in between."""
    if raw.empty:
        return add_indices(pd.DataFrame(columns=[*keys, "year", "flow_ab", "flow_ba"]))
    grouped = raw.groupby([*keys, "year"], as_index=False)[["ab", "ba"]].sum()
    parts = []
    for key, group in grouped.groupby(keys):
        lo = since if since is not None else int(group["year"].min())
        hi = until if until is not None else int(group["year"].max())
        years = pd.DataFrame({"year": range(lo, hi + 1)})
        filled = years.merge(group.drop(columns=keys), on="year", how="left").fillna(
            {"ab": 0.0, "ba": 0.0})
        for k, v in zip(keys, key if isinstance(key, tuple) else (key,), strict=True):
            filled[k] = v
        parts.append(filled)
    out = pd.concat(parts, ignore_index=True)
    out = out.rename(columns={"ab": "flow_ab", "ba": "flow_ba"})
    return add_indices(out.loc[:, [*keys, "year", "flow_ab", "flow_ba"]])


def _rolling(by_year: pd.DataFrame, window: int) -> pd.DataFrame:
    """Sums over ``window`` years ending at each year (SIPRI reports 5-year trends)."""
    if by_year.empty:
        return add_indices(pd.DataFrame(columns=["channel", "unit", "start", "end", "flow_ab",
                                                 "flow_ba"]))
    parts = []
    for (channel, unit), group in by_year.groupby(["channel", "unit"]):
        group = group.sort_values("year")
        rolled = group[["flow_ab", "flow_ba"]].rolling(window, min_periods=1).sum()
        parts.append(pd.DataFrame({
            "channel": channel, "unit": unit,
            "start": (group["year"] - window + 1).clip(lower=group["year"].min()),
            "end": group["year"], "flow_ab": rolled["flow_ab"], "flow_ba": rolled["flow_ba"],
        }))
    return add_indices(pd.concat(parts, ignore_index=True))


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
    return add_indices(grouped.drop(columns="_start")).reset_index(drop=True)
