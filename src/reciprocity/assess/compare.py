"""``compare A B --at YEAR``: the event study of a pair on a store (reads, then
:mod:`reciprocity.assess.event_study`)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from reciprocity import channels as channels_mod
from reciprocity.assess import answers, inputs
from reciprocity.assess import event_study as es
from reciprocity.assess.config import Settings
from reciprocity.errors import InputError, Problem
from reciprocity.queries.common import Pair, check_years, credits_for
from reciprocity.store.db import Store

#: What the interval resamples: a source's sampling units (by channel), else years.
UNITS_OF = {"arms": "SIPRI deals (each with all its delivery years)",
            "programs": "ledger transfers"}
BLOCKS = "blocks of years (moving-block bootstrap)"


def resampled(channel: str, by_units: bool) -> str:
    """What the channel's interval resamples, in words."""
    if not by_units:
        return BLOCKS
    return UNITS_OF.get(channel, "the source's records (its sampling units)")


@dataclass
class EventStudyResult:
    """A pair's event study around ``at`` over ``window`` years each side."""

    a: str
    b: str
    at: int
    window: int
    level: float
    replicates: int
    seed: int
    channels: list[es.ChannelStudy]
    credits: list[str] = field(default_factory=list)
    event: dict[str, Any] | None = None
    skipped: dict[str, str] = field(default_factory=dict)

    def answer(self) -> answers.EventStudyAnswer:
        """The answer of ``reciprocity compare A B --at YEAR``."""
        return answers.EventStudyAnswer(
            a=self.a, b=self.b, at=self.at, window=self.window,
            before_years=(self.at - self.window, self.at - 1),
            after_years=(self.at, self.at + self.window - 1), level=self.level,
            replicates=self.replicates, seed=self.seed, event=self.event,
            channels={c.channel: c.answer() for c in self.channels}, skipped=self.skipped,
            credits=self.credits)

    def frame(self) -> pd.DataFrame:
        """One row per channel and direction (machine names, raw values)."""
        rows = []
        for c in self.channels:
            for name in es.DIRECTIONS:
                side = c.sides.get(name)
                if side is None:
                    continue
                d = side.answer().model_dump()
                rows.append({"channel": c.channel, "unit": c.unit, "direction": name,
                             **{k: d[k] for k in (
                                 "before", "after", "change", "ci_low", "ci_high", "p_value",
                                 "n_years_before", "n_years_after", "verdict", "reason")},
                             "resampled": c.resampled, "credit": " · ".join(c.credits)})
        return pd.DataFrame(rows, columns=FRAME_COLUMNS)


FRAME_COLUMNS = ["channel", "unit", "direction", "before", "after", "change", "ci_low",
                 "ci_high", "p_value", "n_years_before", "n_years_after", "verdict", "reason",
                 "resampled", "credit"]


def _rng(seed: int, channel: str, direction: str) -> np.random.Generator:
    """One stream per seed, channel and direction: results do not depend on their order."""
    return np.random.default_rng([seed, zlib.crc32(channel.encode()),
                                  zlib.crc32(direction.encode())])


def _check(at: int, window: int) -> None:
    check_years(at=at)
    if not isinstance(window, int) or window < 1 or window > 50:
        raise InputError("--window must be a number of years from 1 to 50; nothing was "
                         "computed", [Problem("--window", repr(window),
                                              "an integer from 1 to 50")])


def _series(store: Store, a: str, b: str, channel: str, unit: str, at: int, window: int,
            vintage: str | None) -> pd.DataFrame:
    """The pair's yearly flows of the two windows (``year``, ``flow_ab``, ``flow_ba``), as
    ``dyad`` gives them: NaN for a year without data, 0 for a ``sum`` unit's year inside the
    source's years with nothing between A and B."""
    from reciprocity.queries.dyad import dyad

    d = dyad(store, a, b, channel=channel, since=at - window, until=at + window - 1,
             vintage=vintage)
    rows = d.by_year[d.by_year["unit"] == unit].sort_values("year")
    return rows[["year", "flow_ab", "flow_ba"]].reset_index(drop=True)


def _side(years: np.ndarray, values: np.ndarray, at: int, interval: es.Interval,
          rng: np.random.Generator) -> es.Side:
    before = values[years < at]
    after = values[years >= at]
    return es.Side(es.mean_or_none(before), es.mean_or_none(after),
                   int(np.isfinite(before).sum()), int(np.isfinite(after).sum()), interval,
                   es.segmented(years, values, at, rng=rng)).decide()


def _two_way(series: pd.DataFrame, at: int, interval: es.Interval,
             rng: np.random.Generator) -> es.Side:
    """The two-way index of each window's flows; the regression runs on the yearly index
    (left out in years with no flow either way, where it is undefined)."""
    years = series["year"].to_numpy(dtype=int)
    ab = series["flow_ab"].to_numpy(dtype=float)
    ba = series["flow_ba"].to_numpy(dtype=float)
    yearly = es.gl(ab, ba)
    bef, aft = years < at, years >= at
    side = es.Side(es.window_index(ab[bef], ba[bef]), es.window_index(ab[aft], ba[aft]),
                   int(np.isfinite(yearly[bef]).sum()), int(np.isfinite(yearly[aft]).sum()),
                   interval, es.segmented(years, yearly, at, rng=rng))
    return side.decide()


def channel_study(store: Store, a: str, b: str, channel: str, unit: str,
                  records: pd.DataFrame, at: int, window: int, cfg: Settings,
                  vintage: str | None, credits: list[str] | None = None) -> es.ChannelStudy:
    """One channel's study: window means, change, interval, regression, per direction."""
    directed = channels_mod.is_directed(channel)
    additive = channels_mod.is_additive(unit)
    series = _series(store, a, b, channel, unit, at, window, vintage)
    rows = records[(records["channel"] == channel) & (records["unit"] == unit)]
    has_units = additive and len(rows) > 0 and rows["unit_id"].notna().all()
    study = es.ChannelStudy(channel, unit, channels_mod.aggregation(unit), directed,
                            resampled(channel, has_units),
                            credits=credits if credits is not None
                            else inputs.credits(store, set(rows["dataset"])),
                            years=series["year"].tolist())
    years = series["year"].to_numpy(dtype=int)
    reps, level, seed = cfg["composite.replicates"], cfg["composite.level"], cfg["composite.seed"]
    cols = (es.unit_windows(rows["unit_id"].to_numpy(dtype=object),
                            (rows["direction"] == "ab").to_numpy(dtype=bool),
                            rows["magnitude"].to_numpy(dtype=float),
                            rows["year"].to_numpy(dtype=np.int64), at, window)
            if has_units and directed else None)
    names = ("a_to_b", "b_to_a", "two_way") if directed else ("a_to_b", "b_to_a")
    for name in names:
        rng = _rng(seed, channel, name)
        n_b = int(series.loc[years < at, "flow_ab"].notna().sum())
        n_a = int(series.loc[years >= at, "flow_ab"].notna().sum())
        column = "flow_ba" if name == "b_to_a" else "flow_ab"
        if cols is not None and min(n_b, n_a) > 0:
            interval = es.unit_interval(cols, name, n_b, n_a, replicates=reps, level=level,
                                        rng=rng)
        elif has_units and not directed and min(n_b, n_a) > 0:
            joint = es.unit_windows(rows["unit_id"].to_numpy(dtype=object),
                                    np.ones(len(rows), dtype=bool),
                                    rows["magnitude"].to_numpy(dtype=float),
                                    rows["year"].to_numpy(dtype=np.int64), at, window)
            interval = es.unit_interval(joint, "a_to_b", n_b, n_a, replicates=reps,
                                        level=level, rng=rng)
        else:
            interval = _block(series, years, at, name, additive, reps, level, rng)
        if name == "two_way":
            study.sides[name] = _two_way(series, at, interval, rng)
        else:
            study.sides[name] = _side(years, series[column].to_numpy(dtype=float), at,
                                      interval, rng)
    if not directed:
        study.sides["two_way"] = None
    return study


def _block(series: pd.DataFrame, years: np.ndarray, at: int, name: str, additive: bool,
           reps: int, level: float, rng: np.random.Generator) -> es.Interval:
    """The moving-block interval of one direction (mean over years) or of the two-way index
    (of the window's sums, or means for index units: the same ratio)."""
    ab = series["flow_ab"].to_numpy(dtype=float)
    ba = series["flow_ba"].to_numpy(dtype=float)
    ok = np.isfinite(ab) & np.isfinite(ba)
    parts = []
    for sel in (years < at, years >= at):
        keep = sel & ok
        parts.append((ab[keep], ba[keep]))
    if name == "two_way":
        def stat(x: np.ndarray, y: np.ndarray) -> float:
            return float(es.gl(x.sum(), y.sum()))
        return es.block_interval(parts[0], parts[1], stat, replicates=reps, level=level,
                                 rng=rng)
    i = 1 if name == "b_to_a" else 0
    return es.block_interval((parts[0][i],), (parts[1][i],), lambda x: float(x.mean()),
                             replicates=reps, level=level, rng=rng)


def _data_span(store: Store, rows: pd.DataFrame, vintage: str | None) -> tuple[int, int]:
    """First and last year with data: for a ``sum`` unit the years its sources measure
    (where a year without a record for the pair is 0), else the pair's own years."""
    spans = [(int(rows["year"].min()), int(rows["year"].max()))]
    for (channel, unit), sub in rows.groupby(["channel", "unit"], sort=True):
        if channels_mod.is_additive(str(unit)):
            found = inputs.year_span(store, str(channel), str(unit),
                                     sorted(set(sub["dataset"])), vintage)
            spans += [found] if found else []
    return min(s[0] for s in spans), max(s[1] for s in spans)


def event_study(store: Store, a: str, b: str, at: int, *, window: int = 5,
                channel: str | None = None, cfg: Settings, vintage: str | None = None,
                event: dict[str, Any] | None = None) -> EventStudyResult:
    """The event study of A and B at ``at``: every channel with flows for the pair (or
    ``channel``), in its primary unit."""
    from reciprocity.assess.service import primary_unit

    pair = Pair.of(a, b)
    _check(at, window)
    if channel is not None:
        channels_mod.get(channel)
    a_, b_ = pair.a.code, pair.b.code
    every = inputs.pair_records(store, a_, b_, vintage=vintage)
    if channel is not None:
        every = every[every["channel"] == channel]
    if every.empty:
        raise InputError(f"no flows between {a_} and {b_}"
                         + (f" in {channel}" if channel else "")
                         + "; nothing to compare", [Problem(
                             "--channel" if channel else "A B", channel or f"{a_} {b_}",
                             "a channel with flows between the two (reciprocity dyad A B)")])
    first, last = _data_span(store, every, vintage)
    if not first < at <= last:
        raise InputError(f"--at {at} is outside the years of {a_}–{b_}'s data"
                         + (f" in {channel}" if channel else "") + f" ({first}–{last}); "
                         "nothing was computed", [Problem(
                             "--at", str(at), f"a year from {first + 1} to {last} (a year "
                             "with data before it and the year itself inside the data)")])
    records = every[(every["year"] >= at - window) & (every["year"] < at + window)]
    studies, skipped, used = [], {}, set()
    for name in sorted(set(every["channel"])):
        own = every[every["channel"] == name]
        inside = own["year"].between(at - window, at + window - 1)
        unit = primary_unit(name, own.loc[inside, "unit"])
        if unit is None:
            have = sorted(set(own["year"].astype(int)))
            shown = ", ".join(map(str, have)) if len(have) <= 4 else f"{have[0]}–{have[-1]}"
            skipped[name] = (f"no data in {at - window}–{at + window - 1} (the pair's "
                             f"years: {shown})")
            continue
        own = own[own["unit"] == unit]
        used |= set(own["dataset"])
        studies.append(channel_study(store, a_, b_, name, unit, records, at, window, cfg,
                                     vintage, inputs.credits(store, set(own["dataset"]))))
    return EventStudyResult(a_, b_, at, window, cfg["composite.level"],
                            cfg["composite.replicates"], cfg["composite.seed"], studies,
                            credits_for(store, sorted(used)), event, skipped)


def event_year(store: Store, a: str, b: str, event_id: str,
               at: int | None = None) -> tuple[int, dict[str, Any]]:
    """The year of timeline event ``event_id`` (``reciprocity events A B`` lists them) and
    what the answer says about it; refused when it concerns neither the pair nor one of
    them alone, or when ``at`` is given and differs."""
    from reciprocity.events.store import Timeline, citation

    pair = Pair.of(a, b)
    found = Timeline(store).get(event_id)
    if not found.concerns(pair.a.code, pair.b.code):
        raise InputError(f"event {event_id} concerns {', '.join(found.countries)}, not "
                         f"{pair.a.code} and {pair.b.code}", [Problem(
                             "--event", event_id, f"an event of reciprocity events "
                             f"{pair.a.code} {pair.b.code}")])
    if at is not None and at != found.year:
        raise InputError(f"--at {at} and --event {event_id} ({found.date}) disagree; give "
                         "one of them", [Problem("--at", str(at), f"{found.year} or no --at")])
    return found.year, {"id": found.id, "date": found.date, "kind": found.kind,
                        "title": found.title,
                        "sources": [citation(s) for s in found.sources]}


def compare(store: Store, a: str, b: str, at: int | None = None, *, window: int = 5,
            channel: str | None = None, replicates: int | None = None,
            seed: int | None = None, settings: Any = None, vintage: str | None = None,
            event: str | None = None) -> EventStudyResult:
    """:func:`event_study` with the assessment's settings (``composite.replicates``,
    ``.seed``, ``.level``), ``replicates``/``seed`` applied and checked; the year is ``at``
    or that of the timeline event ``event``."""
    from reciprocity.assess import service

    cfg = service._bootstrap_settings(service._settings(settings), replicates, seed)
    found = None
    if event is not None:
        at, found = event_year(store, a, b, event, at)
    if at is None:
        raise InputError("compare needs the event year: --at YEAR or --event ID",
                         [Problem("--at", "nothing", "a year, or --event with an event id "
                                  "(reciprocity events A B lists them)")])
    return event_study(store, a, b, at, window=window, channel=channel, cfg=cfg,
                       vintage=vintage, event=found)
