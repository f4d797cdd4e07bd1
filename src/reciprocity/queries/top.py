"""SIPRI's rankings: the top exporters or importers of a channel over a window of years.

SIPRI publishes these each March (the fact sheet *Trends in international arms transfers*):
the largest suppliers and recipients of major arms over the last five years, with their share
of the world total and the change from the five years before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
from pydantic import BaseModel, ConfigDict

from reciprocity import channels as channels_mod
from reciprocity import countries
from reciprocity.errors import InputError, unknown_name
from reciprocity.metrics.twoway import clean
from reciprocity.queries.common import check_years, credits_for
from reciprocity.store.db import Store

KINDS = ("exporters", "importers")
#: Years in the default window (SIPRI's fact sheets compare five-year periods).
DEFAULT_YEARS = 5
DEFAULT_LIMIT = 25
ROW_KEYS = ("rank", "country", "name", "value", "share", "previous_value", "change_pct")
#: How SIPRI's tables name the unknown party on each side.
UNKNOWN_NAMES = {"exporters": "unknown supplier(s)", "importers": "unknown recipient(s)"}


Number = int | float | None


class TopRow(BaseModel):
    """One ranked supplier or recipient: value, share of the world total and change."""

    model_config = ConfigDict(extra="forbid")
    rank: int
    country: str
    name: str | None
    value: Number
    share: Number
    previous_value: Number
    change_pct: Number


class TopAnswer(BaseModel):
    """``reciprocity top KIND`` (and ``/api/top``): the ranking and its window."""

    model_config = ConfigDict(extra="forbid")
    channel: str
    unit: str | None
    since: int | None
    until: int | None
    vintage: str | None
    world_total: Number
    rows: list[TopRow]
    credits: list[str]
    partial_scope: str | None


@dataclass
class Top:
    """A ranking: one row per supplier (exporters) or recipient (importers) with flows in the
    window, largest first. ``previous_since``/``previous_until`` is the window of the same
    length just before; ``world_total`` counts every flow of the window, unknown parties
    included."""

    kind: str
    channel: str
    unit: str | None
    since: int | None
    until: int | None
    previous_since: int | None
    previous_until: int | None
    vintage: str | None
    world_total: float | None
    rows: pd.DataFrame
    credits: list[str] = field(default_factory=list)
    countries_total: int = 0  # rows before the limit
    partial_scope: str | None = None
    """The publisher's stated scope when a vintage ranked is a partial extract (one recipient,
    a span of years): its "world" total is the extract's, not the world's."""

    def answer(self) -> TopAnswer:
        """The answer of ``reciprocity top … --format json`` (and of ``/api/top``)."""
        return TopAnswer(
            channel=self.channel, unit=self.unit, since=self.since, until=self.until,
            vintage=self.vintage, world_total=clean(self.world_total),
            rows=[{k: clean(v) for k, v in zip(ROW_KEYS, values, strict=True)}
                  for values in zip(*(self.rows[k].tolist() for k in ROW_KEYS), strict=True)],
            credits=self.credits, partial_scope=self.partial_scope)


def top(store: Store, kind: str, *, channel: str = "arms", since: int | None = None,
        until: int | None = None, vintage: str | None = None, limit: int = DEFAULT_LIMIT,
        unit: str | None = None) -> Top:
    """The top ``limit`` exporters or importers (``limit=0``: all) of ``channel``.

    Default window: the last :data:`DEFAULT_YEARS` complete years of data (the last year is
    the latest year with flows, but never the year the data were generated in); with only
    one end given, the window has that length from it. A country's ``previous_value`` is 0
    when it had no flows in the previous window and null when the store has no flows at all
    in that window (a year without data is unknown, not 0). ``change_pct`` is null when the
    previous value is null or 0.
    """
    if kind not in KINDS:
        raise unknown_name("ranking", kind, KINDS)
    chan = channels_mod.get(channel)
    if not chan.directed:
        raise InputError(
            f"channel {channel!r} is undirected (each pair is stored once, with no sender or "
            "receiver), so it has no exporters or importers; rank a directed channel: "
            f"{sorted(c.name for c in channels_mod.CHANNELS.values() if c.directed)}")
    if limit < 0:
        raise InputError(f"--limit must be 0 (all) or a positive number; found {limit}")
    check_years(since=since, until=until)
    if since is not None and until is not None and since > until:
        raise InputError(f"--since {since} is after --until {until}")
    if unit is not None:
        _check_additive(channel, unit)
    head = store.active_flows_sql(vintage)
    spans = store.con.execute(head + """
        SELECT unit, min(year), max(year), list(DISTINCT vintage_id ORDER BY vintage_id)
        FROM af WHERE channel = ? GROUP BY unit""", [channel]).fetchall()
    present = {u: (lo, hi, vids) for u, lo, hi, vids in spans}
    if unit is None:
        unit = _default_unit(chan, present)
    since, until = _window(store, since, until, present.get(unit))
    side = "origin" if kind == "exporters" else "destination"
    empty = _empty(kind, channel, unit, since, until, vintage, store)
    if unit is None or since is None or until is None:
        return empty
    length = until - since + 1
    p_since, p_until = since - length, since - 1
    rows = store.con.execute(head + f"""
        SELECT {side} AS country,
               sum(magnitude) FILTER (WHERE year >= ?) AS value,
               sum(magnitude) FILTER (WHERE year < ?) AS previous_value,
               list(DISTINCT vintage_id) AS vintages, list(DISTINCT dataset) AS datasets
        FROM af WHERE channel = ? AND unit = ? AND year BETWEEN ? AND ?
        GROUP BY 1""", [since, since, channel, unit, p_since, until]).fetchall()
    frame = pd.DataFrame([r[:3] for r in rows],
                         columns=["country", "value", "previous_value"], dtype=object)
    vintages = sorted({v for r in rows for v in r[3]})
    datasets = sorted({d for r in rows for d in r[4]})
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    frame["previous_value"] = pd.to_numeric(frame["previous_value"],
                                            errors="coerce").astype("float64")
    previous_known = bool(frame["previous_value"].notna().any())
    frame = frame[frame["value"].notna()].copy()
    if previous_known:
        frame["previous_value"] = frame["previous_value"].fillna(0.0)
    world = float(frame["value"].sum()) if len(frame) else None
    frame["share"] = frame["value"] / world * 100 if world else math.nan
    frame["change_pct"] = [
        (v - p) / p * 100 if p == p and p != 0 else math.nan
        for v, p in zip(frame["value"], frame["previous_value"], strict=True)]
    frame["name"] = [UNKNOWN_NAMES[kind] if c == "UNK" else countries.name_of(c)
                     for c in frame["country"]]
    # ranked on values rounded to 1e-6 so that sums equal but for float noise tie
    frame["_value"] = frame["value"].round(6)
    frame["_key"] = [name.casefold() for name in frame["name"]]
    frame = frame.sort_values(["_value", "_key"], ascending=[False, True], kind="stable")
    frame["rank"] = frame["_value"].rank(method="min", ascending=False).astype("int64")
    total = len(frame)
    if limit:
        frame = frame.head(limit)
    return Top(kind, channel, unit, since, until, p_since, p_until,
               ", ".join(vintages) if vintages else empty.vintage, world,
               frame.loc[:, list(ROW_KEYS)].reset_index(drop=True),
               credits_for(store, datasets), total, _partial_scope(store, vintages))


def _partial_scope(store: Store, vintages: list[str]) -> str | None:
    """The stated scope of the partial extracts among ``vintages``, if any."""
    if not vintages:
        return None
    marks = ", ".join("?" for _ in vintages)
    rows = store.con.execute(
        f"SELECT scope FROM vintages WHERE vintage_id IN ({marks}) AND NOT is_complete "
        "ORDER BY vintage_id", vintages).fetchall()
    return "; ".join(" ".join(str(r[0] or "scope not stated").split()) for r in rows) or None


def _check_additive(channel: str, unit: str) -> None:
    if not channels_mod.is_additive(unit):
        raise InputError(
            f"unit {unit!r} of channel {channel!r} is an index or a snapshot, not an amount "
            "per year: its values do not add up over years or countries, so they cannot be "
            "ranked as totals or shares")


def _default_unit(chan: channels_mod.Channel,
                  present: dict[str, tuple[int, int, list[str]]]) -> str | None:
    """The channel's first additive unit with flows (or its first additive unit at all)."""
    additive = [u for u in chan.units if channels_mod.is_additive(u)]
    found = [u for u in additive if u in present]
    found += sorted(u for u in present if u not in chan.units and channels_mod.is_additive(u))
    if found:
        return found[0]
    if present:  # only index units in the store
        _check_additive(chan.name, next(u for u in chan.units if u in present)
                        if any(u in present for u in chan.units) else min(present))
    if not additive:
        raise InputError(f"channel {chan.name!r} has only index or snapshot units "
                         f"{list(chan.units)}: they cannot be ranked as totals or shares")
    return additive[0]


def _window(store: Store, since: int | None, until: int | None,
            span: tuple[int, int, list[str]] | None) -> tuple[int | None, int | None]:
    """``since``/``until`` with the defaults filled in (both None when nothing is known)."""
    if since is not None and until is not None:
        return since, until
    if until is None and since is None and span is None:
        return None, None
    if until is None and span is not None:
        until = _last_complete_year(store, span)
    if until is None:  # only --since, and no data: a window of the default length
        assert since is not None
        return since, since + DEFAULT_YEARS - 1
    if since is None:
        since = until - DEFAULT_YEARS + 1
    return since, max(since, until)


def _last_complete_year(store: Store, span: tuple[int, int, list[str]]) -> int:
    """The latest year with flows, but before the year the newest vintage was generated in
    (SIPRI's March release holds a few deliveries of the current year); never before the
    first year with flows."""
    lo, hi, vids = span
    marks = ", ".join("?" for _ in vids)
    generated = store.con.execute(
        f"SELECT max(year(generated_at)) FROM vintages WHERE vintage_id IN ({marks})",
        vids).fetchone()[0]
    return max(lo, min(hi, int(generated) - 1)) if generated is not None else hi


def _empty(kind: str, channel: str, unit: str | None, since: int | None, until: int | None,
           vintage: str | None, store: Store) -> Top:
    length = None if since is None or until is None else until - since + 1
    return Top(kind, channel, unit, since, until,
               None if length is None or since is None else since - length,
               None if since is None else since - 1,
               store.resolve_vintage(vintage) if vintage is not None else None, None,
               pd.DataFrame({k: pd.Series(dtype="float64" if k in {
                   "value", "share", "previous_value", "change_pct"} else object)
                   for k in ROW_KEYS}))
