"""Scenarios: what a proposed program's records would do to the pair's composite index.

A scenario file (``format: reciprocity-scenario/1``) names a pair, a horizon in years, an
optional first year (default: next year) and the flows the program is expected to add per
year, in any directed channel and one of its additive units; ``program:`` may name a ledger
program, whose transfers not yet executed (proposed or approved) are then expected in
``program_year`` (default: the first year). Each planned flow and year, and each pending
transfer, becomes one record and one sampling unit (:func:`planned_records`).

The composite is the one ``reciprocity index`` computes (:func:`reciprocity.assess.service.
combine`), over one named window: from the first of the ``index_window`` years ending at the
pair's latest year with data to the scenario's last year. *Before* is the store's records in
that window (what ``reciprocity index A B --since S --until U`` reports); *after* adds the
program's records (:func:`with_records`). Nothing else is forecast: the years after the
store's last year hold only the program's records. A change is claimed only when the before
and after intervals are disjoint (:func:`compare`). Validation rejects unknown countries, flows
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
from reciprocity.assess.composite import ChannelData, Composite
from reciprocity.assess.config import Settings, number, read_yaml, show
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


# -- before and after: the composite with the program's records -------------------------------

RECORD_COLUMNS = ["channel", "unit", "direction", "origin", "destination", "year", "magnitude",
                  "unit_id", "note"]
CHANGES = ("higher", "lower", "undetermined", "undefined")


def planned_records(scenario: Scenario, pending: list[dict[str, Any]] | None = None
                    ) -> pd.DataFrame:
    """The records a program would add, each its own sampling unit: one per planned flow and
    year (``scenario|flows[i]|year``) and one per pending ledger transfer of the named
    program (``ledger|pending|id``, 1 transfer in ``program_year``)."""
    rows = []
    for i, f in enumerate(scenario.flows):
        for year, amount in sorted(f.by_year.items()):
            if amount > 0:
                rows.append({"channel": f.channel, "unit": f.unit,
                             "direction": "ab" if f.origin == scenario.a else "ba",
                             "origin": f.origin, "destination": f.destination, "year": year,
                             "magnitude": float(amount),
                             "unit_id": f"scenario|flows[{i}]|{year}", "note": f.note})
    for t in pending or []:
        rows.append({"channel": "programs", "unit": "transfers",
                     "direction": "ab" if t["from"] == scenario.a else "ba",
                     "origin": t["from"], "destination": t["to"],
                     "year": int(scenario.program_year or scenario.start_year),
                     "magnitude": 1.0, "unit_id": f"ledger|pending|{t['id']}",
                     "note": f"ledger transfer {t['id']} ({t.get('status')})"})
    return pd.DataFrame(rows, columns=RECORD_COLUMNS)


def with_records(channels: list[ChannelData], added: pd.DataFrame,
                 networks: Mapping[str, pd.DataFrame], source: str = "scenario"
                 ) -> list[ChannelData]:
    """``channels`` with the ``added`` records appended (to the pair's records and to the
    channel's network, so the null's expected flows see them too). A channel the pair has
    no records in gets one (its network from ``networks``); flows must be in the unit the
    pair's records of the channel are in."""
    by_name = {ch.channel: ch for ch in channels}
    out = dict(by_name)
    for name, rows in added.groupby("channel", sort=True):
        name = str(name)
        units = sorted(set(rows["unit"]))
        ch = by_name.get(name)
        have = ch.unit if ch is not None and ch.n_records else None
        if len(units) > 1 or (have is not None and units[0] != have):
            expected = have or units[0]
            raise InputError(f"{source}: flows in {name} must be in {expected}, the unit the "
                             "pair's records of it are in", [Problem(
                                 f"{source} flows ({name})", ", ".join(units), expected)])
        unit = units[0]
        net = networks.get(name)
        if net is None and ch is not None and ch.unit == unit:
            net = ch.network
        if net is None:
            net = pd.DataFrame(columns=["origin", "destination", "magnitude"])
        network = pd.concat([net[["origin", "destination", "magnitude"]],
                             rows[["origin", "destination", "magnitude"]]], ignore_index=True)
        new = ChannelData.from_records(name, unit, channels_mod.is_additive(unit),
                                       rows.reset_index(drop=True), network)
        if ch is not None and have is not None:
            new = ChannelData(name, unit, ch.additive,
                              np.concatenate([ch.directions, new.directions]),
                              np.concatenate([ch.magnitudes, new.magnitudes]),
                              np.concatenate([ch.years, new.years]), network,
                              None if ch.units is None else
                              np.concatenate([ch.units, new.units]))  # type: ignore[arg-type]
        out[name] = new
    return [out[k] for k in sorted(out)]


def compare(before: Composite, after: Composite) -> dict[str, Any]:
    """What the data say about the change: ``higher`` (``lower``) only when the after
    interval lies wholly above (below) the before interval; ``undetermined`` when they
    overlap or either has none; ``undefined`` without both values."""
    change = (None if before.value is None or after.value is None
              else after.value - before.value)
    if change is None:
        verdict, reason = "undefined", "no composite before or after"
    elif not (before.interval.usable and after.interval.usable):
        verdict, reason = "undetermined", "no interval before or after"
    elif after.ci_low > before.ci_high:  # type: ignore[operator]
        verdict, reason = "higher", "the after interval lies above the before interval"
    elif after.ci_high < before.ci_low:  # type: ignore[operator]
        verdict, reason = "lower", "the after interval lies below the before interval"
    else:
        verdict, reason = "undetermined", "the before and after intervals overlap"
    return {"value": change, "verdict": verdict, "reason": reason,
            "rule": "firm only when the before and after intervals are disjoint (the two "
                    "share their records, so this is conservative)"}


@dataclass
class ScenarioResult:
    """The pair's composite over the scenario's window, before and after the program."""

    scenario: Scenario
    before: Composite
    after: Composite
    added: pd.DataFrame
    program: dict[str, Any] | None = None
    index_command: str | None = None
    credits: list[str] = field(default_factory=list)

    @property
    def change(self) -> dict[str, Any]:
        return compare(self.before, self.after)

    def frame(self) -> pd.DataFrame:
        """The composite, then each directed channel: weight, index and interval, before
        and after."""
        columns = ["channel", "unit", "weight_before", "index_before", "ci_low_before",
                   "ci_high_before", "weight_after", "index_after", "ci_low_after",
                   "ci_high_after", "change", "excluded_after"]
        rows = [{"channel": "composite", "unit": self.after.weighting, "weight_before": 1.0,
                 "index_before": self.before.value, "ci_low_before": self.before.ci_low,
                 "ci_high_before": self.before.ci_high, "weight_after": 1.0,
                 "index_after": self.after.value, "ci_low_after": self.after.ci_low,
                 "ci_high_after": self.after.ci_high, "change": self.change["value"],
                 "excluded_after": ""}]
        before = {c.channel: c for c in self.before.channels}
        for c in self.after.channels:
            b = before.get(c.channel)
            rows.append({
                "channel": c.channel, "unit": c.unit,
                "weight_before": b.weight if b else 0.0, "index_before": b.index if b else None,
                "ci_low_before": b.ci_low if b else None,
                "ci_high_before": b.ci_high if b else None, "weight_after": c.weight,
                "index_after": c.index, "ci_low_after": c.ci_low, "ci_high_after": c.ci_high,
                "change": (None if c.index is None or b is None or b.index is None
                           else c.index - b.index), "excluded_after": c.excluded or ""})
        return pd.DataFrame(rows, columns=columns)

    def to_dict(self) -> dict[str, Any]:
        s = self.scenario
        added = self.added.astype(object).where(self.added.notna(), None)
        return {"name": s.name, "a": s.a, "b": s.b, "start_year": s.start_year,
                "years": s.years, "window": self.before.to_dict()["window"],
                "weighting": self.before.weighting, "index_command": self.index_command,
                "before": self.before.to_dict(), "after": self.after.to_dict(),
                "change": self.change, "added": added.to_dict("records"),
                "program": self.program, "credits": self.credits}
