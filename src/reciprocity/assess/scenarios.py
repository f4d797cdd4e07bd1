"""Scenarios: a proposed program's expected flows projected against the baseline trend.

A scenario file (``format: reciprocity-scenario/1``) names a pair, a horizon in years, an
optional first year (default: next year) and the flows the program is expected to add per
year, in any directed channel and one of its additive units; ``program:`` may name a ledger
program, whose transfers not yet executed (proposed or approved) are then expected in
``program_year`` (default: the first year). The baseline extends each channel's flows in
both directions along the least-squares line of the last ``trend_years`` observed years
where a Mann–Kendall test finds a trend, and at their mean where it does not (never below
zero; index units stay at their mean). Each year's index is the
composite two-way index of the sums over the ``index_window`` years ending that year, with
the channel weights of the composite index. Validation rejects unknown countries, flows
outside the pair, unknown or undirected channels, non-additive units and years in the past.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reciprocity import channels as channels_mod
from reciprocity import countries
from reciprocity.assess.composite import weighted_index
from reciprocity.assess.config import Settings, Weights, number, read_yaml, show
from reciprocity.assess.stats import gl, mann_kendall, ols_line
from reciprocity.errors import InputError, Problem

SCENARIO_FORMAT = "reciprocity-scenario/1"
_TOP = ("format", "name", "a", "b", "years", "start_year", "program", "program_year", "flows",
        "notes")
_FLOW = ("channel", "from", "to", "unit", "per_year", "from_year", "to_year", "by_year",
         "note")


@dataclass(frozen=True)
class PlannedFlow:
    """Flows a program is expected to add: magnitude per year in one channel and unit."""

    channel: str
    origin: str
    destination: str
    unit: str
    by_year: Mapping[int, float]
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "from": self.origin, "to": self.destination,
                "unit": self.unit, "by_year": {str(k): v for k, v in self.by_year.items()},
                "note": self.note}


@dataclass(frozen=True)
class Scenario:
    """A validated scenario file."""

    name: str
    a: str
    b: str
    years: int
    start_year: int
    flows: tuple[PlannedFlow, ...]
    program: str | None = None
    program_year: int | None = None
    source: str = ""

    @property
    def span(self) -> range:
        return range(self.start_year, self.start_year + self.years)


def _year(value: object) -> int | None:
    f = number(value)
    return int(f) if f is not None and float(f).is_integer() else None


def parse_scenario(data: Mapping[str, Any], name: str, settings: Settings,
                   today: dt.date | None = None) -> Scenario:
    """Validate a scenario mapping; InputError listing every problem (nothing computed)."""
    this_year = (today or dt.date.today()).year
    problems: list[Problem] = []

    def bad(where: str, found: str, expected: str) -> None:
        problems.append(Problem(f"{name} {where}".strip(), found, expected))

    if data.get("format") not in (None, SCENARIO_FORMAT):
        bad("format", repr(data.get("format")), repr(SCENARIO_FORMAT))
    for key in data:
        if key not in _TOP:
            bad(str(key), "an unknown key", ", ".join(_TOP))
    codes: dict[str, str] = {}
    for key in ("a", "b"):
        found = countries.lookup(str(data.get(key) or ""))
        if found is None:
            bad(key, show(data.get(key)), "a known country (ISO 3166 alpha-3 code or name)")
        else:
            codes[key] = found.code
    if len(codes) == 2 and codes["a"] == codes["b"]:
        bad("b", codes["b"], "a country other than a")
    horizon = _year(data.get("years"))
    max_h = settings["scenario.max_horizon"]
    if horizon is None or not 1 <= horizon <= max_h:
        bad("years", show(data.get("years")), f"a whole number of years from 1 to {max_h}")
        horizon = None
    start = this_year + 1
    if data.get("start_year") is not None:
        start_ = _year(data.get("start_year"))
        if start_ is None or start_ < this_year:
            bad("start_year", show(data.get("start_year")),
                f"a year from {this_year} on (not in the past)")
        else:
            start = start_
    last = start + (horizon or 1) - 1
    program = data.get("program")
    if program is not None and (not isinstance(program, str) or not program.strip()):
        bad("program", show(program), "the id of a ledger program")
        program = None
    program_year = None
    if data.get("program_year") is not None:
        program_year = _year(data.get("program_year"))
        if program_year is None or not start <= program_year <= last:
            bad("program_year", show(data.get("program_year")),
                f"a year of the scenario, {start}–{last} (not in the past)")
    raw = data.get("flows")
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        bad("flows", show(raw), "a list of flows")
        raw = []
    if not raw and program is None:
        bad("flows", "no flows and no program", "at least one flow or a ledger program")
    pair = set(codes.values())
    flows = []
    for i, item in enumerate(raw):
        where = f"flows[{i}]"
        if not isinstance(item, Mapping):
            bad(where, show(item), "a mapping")
            continue
        before = len(problems)
        for key in item:
            if key not in _FLOW:
                bad(f"{where}.{key}", "an unknown key", ", ".join(_FLOW))
        channel = channels_mod.CHANNELS.get(str(item.get("channel")))
        if channel is None:
            bad(f"{where}.channel", show(item.get("channel")),
                "one of " + ", ".join(sorted(channels_mod.CHANNELS)))
        elif not channel.directed:
            bad(f"{where}.channel", f"{channel.name} (undirected)",
                "a directed channel: an undirected one has no direction to project")
        ends = {}
        for key in ("from", "to"):
            found = countries.lookup(str(item.get(key) or ""))
            if found is None:
                bad(f"{where}.{key}", show(item.get(key)), "a known country")
            elif pair and found.code not in pair:
                bad(f"{where}.{key}", found.code, "one of the pair: " + ", ".join(sorted(pair)))
            else:
                ends[key] = found.code
        if len(ends) == 2 and ends["from"] == ends["to"]:
            bad(f"{where}.to", ends["to"], "the other country of the pair")
        unit = item.get("unit")
        if channel is not None:
            unit = unit if unit is not None else channel.units[0]
            if unit not in channel.units or not channels_mod.is_additive(str(unit)):
                additive = [u for u in channel.units if channels_mod.is_additive(u)]
                bad(f"{where}.unit", show(unit),
                    f"an additive unit of {channel.name}: " + ", ".join(additive))
        by_year: dict[int, float] = {}
        if item.get("by_year") is not None:
            if not isinstance(item["by_year"], Mapping):
                bad(f"{where}.by_year", show(item["by_year"]), "a mapping year: amount")
            else:
                for y, v in item["by_year"].items():
                    year, amount = _year(y), number(v)
                    if year is None or year < this_year:
                        bad(f"{where}.by_year.{y}", show(y),
                            f"a year from {this_year} on (not in the past)")
                    elif not start <= year <= last:
                        bad(f"{where}.by_year.{y}", str(year),
                            f"a year of the scenario, {start}–{last}")
                    elif amount is None or amount < 0:
                        bad(f"{where}.by_year.{y}", show(v), "an amount of at least 0")
                    else:
                        by_year[year] = amount
        else:
            amount = number(item.get("per_year"))
            if amount is None or amount < 0:
                bad(f"{where}.per_year", show(item.get("per_year")),
                    "an amount per year of at least 0 (or by_year: {year: amount})")
            lo = _year(item["from_year"]) if item.get("from_year") is not None else start
            hi = _year(item["to_year"]) if item.get("to_year") is not None else last
            for key, y in (("from_year", lo), ("to_year", hi)):
                if item.get(key) is None:
                    continue
                if y is None or y < this_year:
                    bad(f"{where}.{key}", show(item.get(key)),
                        f"a year from {this_year} on (not in the past)")
                elif not start <= y <= last:
                    bad(f"{where}.{key}", str(y), f"a year of the scenario, {start}–{last}")
            if lo is not None and hi is not None and lo > hi:
                bad(f"{where}.to_year", str(hi), f"a year on or after from_year {lo}")
            if amount is not None and lo is not None and hi is not None:
                by_year = {y: amount for y in range(max(lo, start), min(hi, last) + 1)}
        if len(problems) > before or channel is None or len(ends) < 2:
            continue
        note = item.get("note")
        flows.append(PlannedFlow(channel.name, ends["from"], ends["to"], str(unit), by_year,
                                 str(note) if note else None))
    if problems:
        raise InputError(f"{name}: {len(problems)} problem(s) in the scenario; nothing was "
                         "computed", problems)
    title = str(data.get("name") or name)
    return Scenario(title, codes["a"], codes["b"], int(horizon or 1), start, tuple(flows),
                    program, program_year or (start if program else None), name)


def load_scenario(path: str | Path, settings: Settings,
                  today: dt.date | None = None) -> Scenario:
    """Read and validate a scenario YAML file."""
    data, name = read_yaml(path, "scenario_example.yaml",
                           "a scenario (format: reciprocity-scenario/1, a, b, years, flows)")
    return parse_scenario(data, name, settings, today)


# -- projection ------------------------------------------------------------------------------

@dataclass
class ScenarioResult:
    """Baseline and scenario index per year."""

    scenario: Scenario
    baseline: list[dict[str, Any]]
    projected: list[dict[str, Any]]
    fitted: dict[str, Any]
    added: list[dict[str, Any]] = field(default_factory=list)
    program: dict[str, Any] | None = None
    weights: Weights | None = None
    credits: list[str] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        base = {r["year"]: r["index"] for r in self.baseline}
        rows = [{"year": r["year"], "baseline": base.get(r["year"]), "scenario": r["index"],
                 "change": (None if r["index"] is None or base.get(r["year"]) is None
                            else r["index"] - base[r["year"]])} for r in self.projected]
        return pd.DataFrame(rows, columns=["year", "baseline", "scenario", "change"])

    def to_dict(self) -> dict[str, Any]:
        s = self.scenario
        return {"name": s.name, "a": s.a, "b": s.b, "start_year": s.start_year,
                "years": s.years, "baseline": self.baseline, "scenario": self.projected,
                "fitted": self.fitted, "added": self.added, "program": self.program,
                "weights": self.weights.to_dict() if self.weights else None,
                "credits": self.credits}


def _extend(years: np.ndarray, values: np.ndarray, last: int, until: int, fit_years: int,
            additive: bool, alpha: float) -> tuple[dict[int, float], dict[str, Any]]:
    """Observed values up to ``last`` and the baseline after it, by year.

    Additive units: the least-squares line of the last ``fit_years`` years (zeros included)
    where a Mann–Kendall test finds a trend at ``alpha``, otherwise their mean; never below
    zero. Index units: the mean of the years with a value.
    """
    series = dict(zip(years.tolist(), values.tolist(), strict=True))
    window = list(range(last - fit_years + 1, last + 1))
    if additive:
        ys = [series.get(y, 0.0) for y in window]
        trend = mann_kendall(ys, alpha)
        if trend.direction in ("rising", "falling"):
            intercept, slope = ols_line(window, ys)
            how = "trend"
        else:
            intercept, slope, how = float(np.mean(ys)), 0.0, "mean"
        start = min(series, default=last)
        out = {y: series.get(y, 0.0) for y in range(start, last + 1)}
        for y in range(last + 1, until + 1):
            out[y] = max(0.0, intercept + slope * y)
        level = intercept + slope * last
        return out, {"baseline": how, "slope": slope, "level_at_last": level,
                     "trend_p": trend.p_value}
    ys = [series[y] for y in window if y in series]
    level = float(np.mean(ys)) if ys else 0.0
    out = {y: v for y, v in series.items() if y <= last}
    for y in range(last + 1, until + 1):
        out[y] = level
    return out, {"baseline": "mean", "level": level}


def index_series(paths: dict[tuple[str, str], dict[str, dict[int, float]]], years: range,
                window: int, weights: Weights) -> list[dict[str, Any]]:
    rows = []
    for y in years:
        per: dict[str, float | None] = {}
        for (channel, unit), dirs in paths.items():
            span = range(y - window + 1, y + 1)
            ab = [dirs["ab"].get(t) for t in span]
            ba = [dirs["ba"].get(t) for t in span]
            if channels_mod.is_additive(unit):
                value = float(gl(sum(v or 0.0 for v in ab), sum(v or 0.0 for v in ba)))
            else:
                xs = [v for v in ab if v is not None]
                zs = [v for v in ba if v is not None]
                value = float(gl(np.mean(xs) if xs else 0.0, np.mean(zs) if zs else 0.0))
            per[channel] = None if np.isnan(value) else value
        rows.append({"year": y, "index": weighted_index(per, weights), "channels": per})
    return rows


def project(scenario: Scenario, yearly: pd.DataFrame, last_years: Mapping[str, int],
            weights: Weights, settings: Settings,
            pending: list[dict[str, Any]] | None = None) -> ScenarioResult:
    """Baseline and scenario per year from the pair's yearly flows.

    ``yearly``: ``channel, unit, year, ab, ba`` (A→B and B→A per year, the primary unit of
    each directed channel); ``last_years``: each channel's latest observed year in the store;
    ``pending``: the named program's transfers not yet executed (``from``, ``to``, ``id``).
    """
    fit_years = settings["scenario.trend_years"]
    window = settings["scenario.index_window"]
    until = scenario.start_year + scenario.years - 1
    baseline: dict[tuple[str, str], dict[str, dict[int, float]]] = {}
    fitted: dict[str, Any] = {}
    for (channel, unit), group in yearly.groupby(["channel", "unit"], sort=True):
        if weights.of(str(channel)) <= 0:
            continue
        last = int(last_years.get(str(channel), group["year"].max()))
        additive = channels_mod.is_additive(str(unit))
        dirs, fit = {}, {}
        for d in ("ab", "ba"):
            dirs[d], fit[d] = _extend(group["year"].to_numpy(), group[d].to_numpy(dtype=float),
                                      last, until, fit_years, additive,
                                      settings["scenario.trend_alpha"])
        baseline[(str(channel), str(unit))] = dirs
        fitted[str(channel)] = {"unit": unit, "last_observed_year": last, **fit}
    added: list[dict[str, Any]] = []
    plans = [*scenario.flows]
    for t in pending or []:
        plans.append(PlannedFlow("programs", t["from"], t["to"], "transfers",
                                 {int(scenario.program_year or scenario.start_year): 1.0},
                                 f"ledger transfer {t['id']} ({t.get('status')})"))
    projected = {k: {d: dict(v) for d, v in dirs.items()} for k, dirs in baseline.items()}
    units = {channel: unit for channel, unit in baseline}
    for plan in plans:
        key = (plan.channel, plan.unit)
        if units.get(plan.channel, plan.unit) != plan.unit:
            raise InputError(f"{scenario.source}: flows in {plan.channel} must be in "
                             f"{units[plan.channel]}, the unit its baseline is measured in",
                             [Problem(f"{scenario.source} flows ({plan.channel})", plan.unit,
                                      units[plan.channel])])
        units.setdefault(plan.channel, plan.unit)
        if key not in projected:
            projected[key] = {"ab": {}, "ba": {}}
        d = "ab" if plan.origin == scenario.a else "ba"
        for y, amount in plan.by_year.items():
            projected[key][d][y] = projected[key][d].get(y, 0.0) + amount
        added.append(plan.to_dict())
    span = scenario.span
    return ScenarioResult(scenario, index_series(baseline, span, window, weights),
                          index_series(projected, span, window, weights), fitted, added,
                          weights=weights)


def observed_paths(yearly: pd.DataFrame) -> dict[tuple[str, str], dict[str, dict[int, float]]]:
    """``paths`` for :func:`index_series` from observed yearly flows (no projection)."""
    out: dict[tuple[str, str], dict[str, dict[int, float]]] = {}
    for (channel, unit), group in yearly.groupby(["channel", "unit"], sort=True):
        years = group["year"].astype(int).tolist()
        out[(str(channel), str(unit))] = {
            d: dict(zip(years, group[d].astype(float).tolist(), strict=True))
            for d in ("ab", "ba")}
    return out
