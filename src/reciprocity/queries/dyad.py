"""Flows between two countries, per channel, mode and year, with two-way measures."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from reciprocity import channels as channels_mod
from reciprocity.metrics.twoway import INDEX_KEYS, clean, row_measures
from reciprocity.queries.alliance import alliance
from reciprocity.queries.common import Pair, credits_for, span_filter
from reciprocity.queries.design import DESIGN_CHANNELS, design_rows, design_summary
from reciprocity.rowset import Kind, RowSet
from reciprocity.store.db import Store

if TYPE_CHECKING:  # the answer is computed without pandas; its frames are built on request
    import pandas as pd

ROW_KEYS = ("flow_ab", "flow_ba", "unit", *INDEX_KEYS)


def _frame_of(rows: str) -> cached_property:
    """A property giving the RowSet field ``rows`` as a pandas DataFrame (None for None),
    built on first use."""
    def frame(self: Dyad) -> pd.DataFrame | None:
        held = getattr(self, rows)
        return None if held is None else held.to_frame()
    return cached_property(frame)


@dataclass
class Dyad:
    """The answer to "how reciprocal are flows between A and B": tables plus JSON.

    Each unit declares how it aggregates (``channels.aggregation``). ``totals``: one row per
    channel (and unit) over the span, null for ``snapshot`` and ``index`` units (never added
    up); ``by_mode``: the same per mode; ``by_year``: per channel and year, every year of the
    span, null where there is no data (for ``sum`` units a year inside the source's years
    without a record is 0); ``by_window``: rolling sums over ``window`` years ending at each
    year, ``sum`` units only (null when the window has no data at all). Each is held as a
    :class:`~reciprocity.rowset.RowSet` (``*_rows``, what the command line prints) and given
    as a pandas DataFrame by the property of its name.
    """

    pair: Pair
    since: int | None
    until: int | None
    window: int
    totals_rows: RowSet
    by_mode_rows: RowSet
    by_year_rows: RowSet
    by_window_rows: RowSet
    by_mode_year_rows: RowSet
    vintages: list[str]
    credits: list[str] = field(default_factory=list)
    design_rows: RowSet | None = None
    """Per channel, unit and direction, whose design the flow carries
    (:mod:`reciprocity.queries.design`); channels whose sources record a design only."""
    alliance: dict[str, Any] | None = None
    """The pair's ATOP alliances (:func:`reciprocity.queries.alliance.alliance`): None when
    the store holds no ATOP vintage."""

    totals = _frame_of("totals_rows")
    by_mode = _frame_of("by_mode_rows")
    by_year = _frame_of("by_year_rows")
    by_window = _frame_of("by_window_rows")
    by_mode_year = _frame_of("by_mode_year_rows")
    by_design = _frame_of("design_rows")

    def channel_keys(self) -> list[tuple[str, str, str]]:
        """(key, channel, unit) for each channel/unit present; extra units get ``ch:unit``."""
        units_of: dict[str, list[str]] = {}
        for channel, unit in sorted(self.totals_rows.select(["channel", "unit"]),
                                    key=lambda r: r[0]):
            units_of.setdefault(channel, []).append(unit)
        keys = []
        for channel, units in units_of.items():
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
            "alliance": self.alliance,
        }
        # Rows grouped once by (channel, unit): no per-channel filtering.
        totals = _grouped(self.totals_rows, ())
        modes = _grouped(self.by_mode_rows, ("mode",))
        mode_years = _grouped(self.by_mode_year_rows, ("mode", "year"))
        years = _grouped(self.by_year_rows, ("year",))
        windows = _grouped(self.by_window_rows, ("start", "end"))
        for key, channel, unit in self.channel_keys():
            cu = (channel, unit)
            by_mode = {}
            for mode_row in modes.get(cu, []):
                mode = mode_row.pop("mode")
                mode_row["by_year"] = [{k: v for k, v in r.items() if k != "mode"}
                                       for r in mode_years.get(cu, []) if r["mode"] == mode]
                by_mode[mode] = mode_row
            by_year = years.get(cu, [])
            with_data = [r for r in by_year if r["flow_ab"] is not None]
            out["channels"][key] = {
                "channel": channel,
                "directed": channels_mod.is_directed(channel),
                "aggregation": channels_mod.aggregation(unit),
                **totals[cu][0],
                "latest": with_data[-1] if with_data else None,
                "years_with_data": [r["year"] for r in with_data],
                "by_mode": by_mode,
                "by_year": by_year,
                "by_window": windows.get(cu, []),
            }
            if self.design_rows is not None and channel in DESIGN_CHANNELS:
                design = self.design_rows.where(channel=channel, unit=unit)
                out["channels"][key]["by_design"] = design_summary(design)
        return out

    def _with_data(self, channel: str, unit: str) -> list[dict[str, Any]]:
        """The rows by year of ``channel`` in ``unit`` that have a value."""
        sel = self.by_year_rows.where(channel=channel, unit=unit)
        return [r for r in sel.records() if not math.isnan(r["flow_ab"])]

    def years_with_data(self, channel: str, unit: str) -> list[int]:
        """The years of ``channel`` in ``unit`` that have a value (null years left out)."""
        return [int(r["year"]) for r in self._with_data(channel, unit)]

    def latest(self, channel: str, unit: str) -> dict[str, Any] | None:
        """The row (year, flows, measures) of the latest year with data, or None."""
        rows = self._with_data(channel, unit)
        if not rows:
            return None
        return {"year": int(rows[-1]["year"]), **{k: clean(rows[-1][k]) for k in ROW_KEYS}}

    def summary(self) -> pd.DataFrame:
        """One row per channel: totals and measures (for tables)."""
        return self.totals.loc[:, ["channel", *ROW_KEYS]]


def years_text(years: list[int]) -> str:
    """The coverage of a series in words: ``2 years with data: 2003, 2022``; runs of three
    or more consecutive years are written as ranges (``40 years with data: 1986–2025``)."""
    if not years:
        return "no year with data"
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    parts = [f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(str(y) for y in r) for r in runs]
    n = len(years)
    return f"{n} year{'s' if n != 1 else ''} with data: {', '.join(parts)}"


def _grouped(rows: RowSet, extra: tuple[str, ...]) -> dict[tuple, list[dict]]:
    """JSON-safe rows (``extra`` + ROW_KEYS) grouped by (channel, unit)."""
    keys = (*extra, *ROW_KEYS)
    out: dict[tuple, list[dict]] = {}
    for values in rows.select(("channel", "unit", *keys)):
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
    rows = store.run(sql, [a_, b_, b_, a_, a_, b_, b_, a_, *params]).fetchall()
    # Provenance: only the vintages (and credit lines) that contribute to these figures.
    used = sorted({(r[6], r[7]) for r in rows})
    # The aggregates are small (channels × modes × years): plain Python from here on, with
    # the measures from metrics.twoway so every front end shows the same numbers.
    raw = [_joint(r[:6]) for r in rows]
    measured = _source_years(store, rows, since, until)
    by_year = _fill(raw, 2, since, until, measured)
    by_mode_year = _fill(raw, 3, since, until, measured)
    totals = _sum(by_year, 2)
    by_mode = _sum(by_mode_year, 3)
    by_window = _rolling(by_year, window)
    allied = alliance(store, a, b, year=until, vintage=vintage)
    credits = credits_for(store, sorted({d for _, d in used}))
    if allied is not None and allied.get("credit") not in (None, *credits):
        credits.append(allied["credit"])   # ATOP's data appear in the answer too
    return Dyad(
        pair, since, until, window,
        _measured(totals, ["channel", "unit"]),
        _measured(by_mode, ["channel", "unit", "mode"]),
        _measured(by_year, ["channel", "unit", "year"]),
        _measured(by_window, ["channel", "unit", "start", "end"]),
        _measured(by_mode_year, ["channel", "unit", "mode", "year"]),
        [v for v, _ in used],
        credits,
        design_rows(store, a, b, channel=channel, mode=mode, area=area, since=since,
                    until=until, vintage=vintage),
        allied,
    )


Row = tuple  # (key parts…, flow_ab, flow_ba)


def _joint(row: tuple) -> tuple:
    """Undirected channels store each pair once: both directions hold the joint count."""
    channel, unit, mode, year, ab, ba = row
    if not channels_mod.is_directed(channel):
        ab = ba = ab + ba
    return channel, unit, mode, year, float(ab), float(ba)


def _source_years(store: Store, rows: list[tuple], since: int | None,
                  until: int | None) -> dict[tuple[str, str], tuple[int, int]]:
    """(first, last) year of each ``sum`` (channel, unit) in the vintages behind the pair's
    rows: the years its sources measure, where a year without a record for the pair is 0.
    Asked only for the keys whose ``since``/``until`` reach beyond the pair's own years
    (which lie inside the sources' years)."""
    first: dict[tuple[str, str], int] = {}
    last: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r[0], r[1])
        first[key] = min(first.get(key, r[3]), r[3])
        last[key] = max(last.get(key, r[3]), r[3])
    wanted = {k for k in first if channels_mod.is_additive(k[1])
              and ((since is not None and since < first[k])
                   or (until is not None and until > last[k]))}
    if not wanted:
        return {}
    vintages = {r[6] for r in rows if (r[0], r[1]) in wanted}
    channels = sorted({k[0] for k in wanted})
    found = store.run(
        "SELECT channel, unit, min(year), max(year) FROM flows "
        f"WHERE vintage_id IN ({', '.join('?' for _ in vintages)}) "
        f"AND channel IN ({', '.join('?' for _ in channels)}) GROUP BY ALL",
        [*sorted(vintages), *channels]).fetchall()
    return {(c, u): (int(lo), int(hi)) for c, u, lo, hi in found if (c, u) in wanted}


def _fill(raw: list[tuple], depth: int, since: int | None, until: int | None,
          measured: dict[tuple[str, str], tuple[int, int]]) -> list[Row]:
    """Values per key and year for every year of the span (first to last year with a value,
    or ``since``/``until``). A year without data is NaN; for ``sum`` units a year inside the
    sources' years (``measured``; the pair's own years when not given) without a record is 0.
    Within one year, ``sum`` and ``snapshot`` rows add up (parts of the year's count); index
    rows are averaged."""
    acc: dict[tuple, dict[int, list[float]]] = {}
    for r in raw:
        cell = acc.setdefault(r[:depth], {}).setdefault(r[3], [0.0, 0.0, 0])
        cell[0] += r[4]
        cell[1] += r[5]
        cell[2] += 1
    rows: list[Row] = []
    for key, years in acc.items():
        how = channels_mod.aggregation(key[1])
        lo = since if since is not None else min(years)
        hi = until if until is not None else max(years)
        first, last = measured.get((key[0], key[1]), (min(years), max(years)))
        for year in range(lo, hi + 1):
            cell = years.get(year)
            if cell is not None:
                n = cell[2] if how == "index" else 1
                rows.append((*key, year, cell[0] / n, cell[1] / n))
            elif how == "sum" and first <= year <= last:
                rows.append((*key, year, 0.0, 0.0))
            else:
                rows.append((*key, year, math.nan, math.nan))
    return rows


def _sum(by_year: list[Row], depth: int) -> list[Row]:
    """Totals over the span, keyed by the first ``depth`` of (channel, unit, mode): the sum of
    the years with data for ``sum`` units (NaN when none); NaN for ``snapshot`` and ``index``
    units, which are never added up (see the latest value and the years instead)."""
    acc: dict[tuple, list[float]] = {}
    for r in by_year:
        cell = acc.setdefault(r[:depth], [0.0, 0.0, 0])
        if not math.isnan(r[-2]):
            cell[0] += r[-2]
            cell[1] += r[-1]
            cell[2] += 1
    return [(*k, ab, ba) if channels_mod.is_additive(k[1]) and n else (*k, math.nan, math.nan)
            for k, (ab, ba, n) in acc.items()]


def _rolling(by_year: list[Row], window: int) -> list[Row]:
    """Sums over ``window`` years ending at each year (SIPRI reports 5-year trends), for
    ``sum`` units only; a window without data in any of its years is NaN."""
    series: dict[tuple, list[Row]] = {}
    for r in by_year:
        if channels_mod.is_additive(r[1]):
            series.setdefault(r[:2], []).append(r)
    rows: list[Row] = []
    for (channel, unit), years in series.items():
        first = years[0][2]
        for i, (_, _, year, _, _) in enumerate(years):
            span = [r for r in years[max(0, i - window + 1): i + 1] if not math.isnan(r[3])]
            ab = sum(r[3] for r in span) if span else math.nan
            ba = sum(r[4] for r in span) if span else math.nan
            rows.append((channel, unit, max(first, year - window + 1), year, ab, ba))
    return rows


KEY_KINDS: dict[str, Kind] = {"channel": "str", "unit": "str", "mode": "str", "year": "int",
                              "start": "int", "end": "int"}


def _measured(rows: list[Row], keys: list[str]) -> RowSet:
    """Rows with the two-way measures (NaN for undirected channels and where undefined)."""
    nan4 = (math.nan,) * len(INDEX_KEYS)
    out = [(*r, *(row_measures(r[-2], r[-1]) if channels_mod.is_directed(r[0]) else nan4))
           for r in rows]
    return RowSet((*keys, "flow_ab", "flow_ba", *INDEX_KEYS),
                  (*(KEY_KINDS[k] for k in keys), *("float",) * (2 + len(INDEX_KEYS))), out)


def by_period(by_year: pd.DataFrame, step: int = 10) -> pd.DataFrame:
    """Sums over fixed periods (decades by default) with two-way measures: ``sum`` units only
    (a period without data is null); ``snapshot`` and ``index`` units are never added up,
    so their periods are null."""
    import pandas as pd

    from reciprocity.metrics.twoway import add_indices

    if by_year.empty:
        return add_indices(pd.DataFrame(columns=["channel", "unit", "period", "flow_ab",
                                                 "flow_ba"]))
    start = (by_year["year"] // step) * step
    frame = by_year.assign(period=start.astype(str) + "–" + (start + step - 1).astype(str),
                           _start=start)
    grouped = frame.groupby(["channel", "unit", "_start", "period"], as_index=False)[
        ["flow_ab", "flow_ba"]].sum(min_count=1).sort_values(["channel", "_start"])
    not_summed = ~grouped["unit"].map(channels_mod.is_additive).astype(bool)
    grouped.loc[not_summed, ["flow_ab", "flow_ba"]] = math.nan
    return add_indices(grouped.drop(columns="_start")).reset_index(drop=True)
