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
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import (
    BeforeValidator,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from reciprocity import channels as channels_mod
from reciprocity import countries
from reciprocity.assess import answers
from reciprocity.assess.composite import ChannelData, Composite
from reciprocity.assess.config import Settings, number, read_yaml, show
from reciprocity.errors import InputError, Problem
from reciprocity.ledger.fields import Model
from reciprocity.validation import dotted, invalid, invalid_items, problems_from

SCENARIO_FORMAT = "reciprocity-scenario/1"


class PlannedFlow(Model):
    """Flows a program is expected to add: magnitude per year in one channel and unit."""

    channel: str
    origin: str = Field(alias="from")
    destination: str = Field(alias="to")
    unit: str
    by_year: dict[int, float]
    note: str | None = None


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


def _future(value: object, info: ValidationInfo) -> int:
    """A whole year from this year on (the context's ``this_year``)."""
    year, this_year = _year(value), info.context["this_year"]
    if year is None or year < this_year:
        raise invalid(show(value), f"a year from {this_year} on (not in the past)")
    return year


def _in_span(year: int, info: ValidationInfo) -> int:
    start, last = info.context["start"], info.context["last"]
    if not start <= year <= last:
        raise invalid(str(year), f"a year of the scenario, {start}–{last}")
    return year


def _pair_country(value: object) -> str:
    found = countries.lookup(str(value or ""))
    if found is None:
        raise invalid(show(value), "a known country (ISO 3166 alpha-3 code or name)")
    return found.code


class ScenarioFile(Model):
    """A scenario file's top level; its flows are read by :class:`FlowEntry` once the span
    is known (context: ``this_year``, ``max_horizon``)."""

    format: Literal[SCENARIO_FORMAT] | None = None  # type: ignore[valid-type]
    name: Any = None
    a: Annotated[str, BeforeValidator(_pair_country)] = Field(None, validate_default=True)
    b: Annotated[str, BeforeValidator(_pair_country)] = Field(None, validate_default=True)
    years: int | None = Field(None, validate_default=True)
    start_year: int | None = None
    program: str | None = None
    program_year: int | None = None
    flows: list[Any] | None = Field(None, validate_default=True)
    notes: Any = None

    @field_validator("b")
    @classmethod
    def _other(cls, b: str, info: ValidationInfo) -> str:
        if b == info.data.get("a"):
            raise invalid(b, "a country other than a")
        return b

    @field_validator("years", mode="before")
    @classmethod
    def _horizon(cls, value: object, info: ValidationInfo) -> int:
        horizon, most = _year(value), info.context["max_horizon"]
        if horizon is None or not 1 <= horizon <= most:
            raise invalid(show(value), f"a whole number of years from 1 to {most}")
        return horizon

    @field_validator("start_year", mode="before")
    @classmethod
    def _start(cls, value: object, info: ValidationInfo) -> int | None:
        return None if value is None else _future(value, info)

    @field_validator("program", mode="before")
    @classmethod
    def _program(cls, value: object) -> object:
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise invalid(show(value), "the id of a ledger program")
        return value

    @field_validator("program_year", mode="before")
    @classmethod
    def _program_year(cls, value: object, info: ValidationInfo) -> int | None:
        if value is None:
            return None
        start = info.data.get("start_year") or info.context["this_year"] + 1
        last = start + (info.data.get("years") or 1) - 1
        year = _year(value)
        if year is None or not start <= year <= last:
            raise invalid(show(value), f"a year of the scenario, {start}–{last} (not in the "
                          "past)")
        return year

    @field_validator("flows", mode="before")
    @classmethod
    def _flows(cls, value: object, info: ValidationInfo) -> list[Any]:
        if value is not None and not isinstance(value, list):
            raise invalid(show(value), "a list of flows")
        if not value and info.data.get("program") is None:
            raise invalid("no flows and no program", "at least one flow or a ledger program")
        return list(value or [])


class FlowEntry(Model):
    """One planned flow as written (context: ``this_year``, ``pair``, ``start``, ``last``):
    ``per_year`` over ``from_year``–``to_year``, or ``by_year``."""

    channel: str
    origin: str = Field(alias="from")
    destination: str = Field(alias="to")
    unit: str | None = Field(None, validate_default=True)
    by_year: dict[Any, Any] | None = None
    per_year: float = Field(None, validate_default=True)  # type: ignore[assignment]
    from_year: int | None = None
    to_year: int | None = None
    note: Any = None

    @model_validator(mode="before")
    @classmethod
    def _by_year_wins(cls, data: Any) -> Any:
        """With ``by_year``, ``per_year`` and its years are not read."""
        if isinstance(data, Mapping) and data.get("by_year") is not None:
            return {**{k: v for k, v in data.items()
                       if k not in ("per_year", "from_year", "to_year")}, "per_year": 0}
        return data

    @field_validator("channel", mode="before")
    @classmethod
    def _channel(cls, value: object) -> str:
        channel = channels_mod.CHANNELS.get(str(value))
        if channel is None:
            raise invalid(show(value), "one of " + ", ".join(sorted(channels_mod.CHANNELS)))
        if not channel.directed:
            raise invalid(f"{channel.name} (undirected)",
                          "a directed channel: an undirected one has no direction to project")
        return channel.name

    @field_validator("origin", "destination", mode="before")
    @classmethod
    def _end(cls, value: object, info: ValidationInfo) -> str:
        found = countries.lookup(str(value or ""))
        pair = info.context["pair"]
        if found is None:
            raise invalid(show(value), "a known country")
        if pair and found.code not in pair:
            raise invalid(found.code, "one of the pair: " + ", ".join(sorted(pair)))
        if info.field_name == "destination" and found.code == info.data.get("origin"):
            raise invalid(found.code, "the other country of the pair")
        return found.code

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, value: object, info: ValidationInfo) -> object:
        name = info.data.get("channel")
        if name is None:
            return value
        channel = channels_mod.CHANNELS[name]
        unit = value if value is not None else channel.units[0]
        if unit not in channel.units or not channels_mod.is_additive(str(unit)):
            additive = [u for u in channel.units if channels_mod.is_additive(u)]
            raise invalid(show(unit), f"an additive unit of {name}: " + ", ".join(additive))
        return unit

    @field_validator("by_year", mode="before")
    @classmethod
    def _by_year(cls, value: object, info: ValidationInfo) -> object:
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise invalid(show(value), "a mapping year: amount")
        problems, out = [], {}
        this_year, start, last = (info.context[k] for k in ("this_year", "start", "last"))
        for y, v in value.items():
            year, amount = _year(y), number(v)
            if year is None or year < this_year:
                problems.append(((str(y),), show(y),
                                 f"a year from {this_year} on (not in the past)"))
            elif not start <= year <= last:
                problems.append(((str(y),), str(year), f"a year of the scenario, {start}–{last}"))
            elif amount is None or amount < 0:
                problems.append(((str(y),), show(v), "an amount of at least 0"))
            else:
                out[year] = amount
        if problems:
            raise invalid_items(problems)
        return out

    @field_validator("per_year", mode="before")
    @classmethod
    def _per_year(cls, value: object) -> float:
        amount = number(value)
        if amount is None or amount < 0:
            raise invalid(show(value), "an amount per year of at least 0 (or by_year: "
                          "{year: amount})")
        return amount

    @field_validator("from_year", "to_year", mode="before")
    @classmethod
    def _bound(cls, value: object, info: ValidationInfo) -> int | None:
        return None if value is None else _in_span(_future(value, info), info)

    @field_validator("to_year")
    @classmethod
    def _after_from(cls, hi: int | None, info: ValidationInfo) -> int | None:
        lo = info.data.get("from_year") or info.context["start"]
        hi_ = info.context["last"] if hi is None else hi
        if lo > hi_:
            raise invalid(str(hi_), f"a year on or after from_year {lo}")
        return hi

    def planned(self, start: int, last: int) -> PlannedFlow:
        """The flow per year of the scenario."""
        by_year = self.by_year
        if by_year is None:
            lo, hi = self.from_year or start, self.to_year or last
            by_year = {y: self.per_year for y in range(max(lo, start), min(hi, last) + 1)}
        return PlannedFlow(channel=self.channel, origin=self.origin,
                           destination=self.destination, unit=str(self.unit),
                           by_year=by_year, note=str(self.note) if self.note else None)


def parse_scenario(data: Mapping[str, Any], name: str, settings: Settings,
                   today: dt.date | None = None) -> Scenario:
    """Validate a scenario mapping; InputError listing every problem (nothing computed)."""
    this_year = (today or dt.date.today()).year
    context: dict[str, Any] = {"this_year": this_year,
                               "max_horizon": settings["scenario.max_horizon"]}

    def locate(loc: tuple[str | int, ...]) -> str:
        return f"{name} {dotted(loc)}".strip()

    problems: list[Problem] = []
    try:
        head = ScenarioFile.model_validate(data, context=context)
        codes, raw = {"a": head.a, "b": head.b}, head.flows or []
        start, years, program = head.start_year or this_year + 1, head.years, head.program
    except ValidationError as error:
        problems += problems_from(error, locate, model=ScenarioFile)
        partial = _partial(data, context)
        codes, raw = partial["codes"], partial["flows"]
        start, years, program = partial["start"], partial["years"], partial["program"]
    last = start + (years or 1) - 1
    context.update(pair=set(codes.values()), start=start, last=last)
    flows = []
    for i, item in enumerate(raw):
        try:
            entry = FlowEntry.model_validate(item, context=context)
        except ValidationError as error:
            problems += problems_from(error, locate, ("flows", i), FlowEntry)
            continue
        flows.append(entry.planned(start, last))
    if problems:
        raise InputError(f"{name}: {len(problems)} problem(s) in the scenario; nothing was "
                         "computed", problems)
    title = str(data.get("name") or name)
    return Scenario(title, codes["a"], codes["b"], int(years or 1), start, tuple(flows),
                    program, head.program_year or (start if program else None), name)


def _partial(data: object, context: dict[str, Any]) -> dict[str, Any]:
    """What a top level with problems still gives for reading its flows (each value that is
    good on its own), so the flows' problems are reported in the same pass."""
    data = data if isinstance(data, Mapping) else {}
    codes = {k: found.code for k in ("a", "b")
             if (found := countries.lookup(str(data.get(k) or ""))) is not None}
    start = _year(data.get("start_year"))
    years = _year(data.get("years"))
    flows = data.get("flows")
    return {"codes": codes, "flows": flows if isinstance(flows, list) else [],
            "start": start if start is not None and start >= context["this_year"]
            else context["this_year"] + 1,
            "years": years if years is not None and 1 <= years <= context["max_horizon"]
            else None,
            "program": data.get("program")}


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

    def answer(self) -> answers.ScenarioAnswer:
        """The answer of ``reciprocity scenario FILE``."""
        s = self.scenario
        added = self.added.astype(object).where(self.added.notna(), None)
        before = self.before.answer()
        return answers.ScenarioAnswer(
            name=s.name, a=s.a, b=s.b, start_year=s.start_year, years=s.years,
            window=before.window, weighting=self.before.weighting,
            index_command=self.index_command, before=before, after=self.after.answer(),
            change=self.change, added=added.to_dict("records"), program=self.program,
            credits=self.credits)
