"""Settings (thresholds) and channel weights of the assessment, each checked before use.

Defaults ship as package data in ``reciprocity/data/assess/`` (``settings.yaml``,
``weights.yaml``); a user file overrides them. Every loader validates the whole file and
raises one :class:`~reciprocity.errors.InputError` listing every problem (location, what was
found, what was expected); nothing is computed or written from a bad file.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from annotated_types import Ge, Le
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model

from reciprocity import channels as channels_mod
from reciprocity import yamlsafe
from reciprocity.errors import FormatError, InputError, Problem
from reciprocity.validation import dotted, invalid, invalid_items, problems_from

DATA_PACKAGE = "reciprocity"
DATA_DIR = ("data", "assess")

SETTINGS_FORMAT = "reciprocity-assess-settings/1"
WEIGHTS_FORMAT = "reciprocity-weights/1"
WEIGHT_TOLERANCE = 1e-6


def data_text(name: str) -> str:
    """Text of a shipped file in ``reciprocity/data/assess``."""
    return resources.files(DATA_PACKAGE).joinpath(*DATA_DIR, name).read_text("utf-8")


def read_yaml(path: str | Path | None, default: str, what: str) -> tuple[Any, str]:
    """(data, name) of a YAML file, or of the shipped ``default`` when ``path`` is None."""
    if path is None:
        text, name = data_text(default), default
    else:
        p = Path(path)
        if not p.is_file():
            raise InputError(f"{p}: no such file", [Problem(str(p), "no such file", what)])
        try:
            text = p.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise FormatError(f"{p.name}: not UTF-8 text", [Problem(
                p.name, "bytes that are not UTF-8", "UTF-8 text")]) from None
        name = p.name
    data = yamlsafe.load(text, name)  # bounded: size, depth, aliases; unknown tags refused
    if not isinstance(data, Mapping):
        raise InputError(f"{name}: not {what}", [Problem(name, show(data), what)])
    return data, name


def show(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def number(value: object) -> float | None:
    """A finite float from a number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


# -- settings --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """The allowed values of one setting."""

    kind: type
    lo: float
    hi: float
    meaning: str

    def check(self, value: object) -> str | None:
        """None when ``value`` fits, else what was expected."""
        f = number(value)
        expected = (f"a whole number between {self.lo:g} and {self.hi:g}" if self.kind is int
                    else f"a number between {self.lo:g} and {self.hi:g}")
        if f is None or (self.kind is int and not float(f).is_integer()):
            return expected
        if not self.lo <= f <= self.hi:
            return expected
        return None


SPEC: dict[str, Rule] = {
    "capabilities.period_years": Rule(int, 1, 50, "years per period"),
    "capabilities.trend_years": Rule(int, 3, 100, "years tested for a trend"),
    "capabilities.trend_alpha": Rule(float, 0.0001, 0.5, "trend test significance level"),
    "capabilities.strong": Rule(float, 0.0, 1.0, "strength at which a country is strong"),
    "capabilities.rta_floor.patents": Rule(float, 0, 1e9, "RTA floor, patents"),
    "capabilities.rta_floor.patent_families": Rule(float, 0, 1e9,
                                                   "RTA floor, IP5 patent families (OECD)"),
    "capabilities.rta_floor.publications": Rule(float, 0, 1e9, "RTA floor, publications"),
    "capabilities.rta_floor.arms_exports": Rule(float, 0, 1e9, "RTA floor, arms exports"),
    "capabilities.rta_floor.licensed_production": Rule(float, 0, 1e9,
                                                       "RTA floor, licensed production"),
    "composite.replicates": Rule(int, 50, 100_000, "bootstrap replicates"),
    "composite.seed": Rule(int, 0, 2**32 - 1, "random seed"),
    "composite.level": Rule(float, 0.5, 0.999, "confidence level"),
    "dependence.window_years": Rule(int, 1, 50, "years per window"),
    "dependence.trend_windows": Rule(int, 2, 20, "windows compared for the trend"),
    "dependence.trend_tolerance": Rule(float, 0.0, 1.0, "HHI change read as stable"),
    "dependence.short_term.hhi": Rule(float, 0.0, 1.0, "short-term risk: HHI"),
    "dependence.short_term.top_share": Rule(float, 0.0, 1.0, "short-term risk: top share"),
    "dependence.long_term.hhi": Rule(float, 0.0, 1.0, "long-term risk: HHI"),
    "dependence.long_term.persistence": Rule(int, 1, 20, "long-term risk: windows"),
    "dependence.long_term.own_strength": Rule(float, 0.0, 1.0,
                                              "long-term risk: own strength below"),
    "opportunities.window_years": Rule(int, 1, 50, "years of present flow"),
    "opportunities.weakness": Rule(float, 0.0, 1.0, "need weight of a weakness"),
    "opportunities.priority.high": Rule(float, 0.0, 1.0, "need weight, high priority"),
    "opportunities.priority.medium": Rule(float, 0.0, 1.0, "need weight, medium priority"),
    "opportunities.priority.low": Rule(float, 0.0, 1.0, "need weight, low priority"),
    "opportunities.rising_bonus": Rule(float, 0.0, 1.0, "strength bonus when rising"),
    "opportunities.flow_damping": Rule(float, 0.0, 1.0, "damping by present flow"),
    "scenario.trend_years": Rule(int, 3, 100, "unused (kept so older files still load)"),
    "scenario.trend_alpha": Rule(float, 0.0001, 0.5, "unused (kept so older files still load)"),
    "scenario.index_window": Rule(int, 1, 50, "years of an alert's window"),
    "scenario.max_horizon": Rule(int, 1, 200, "most years a scenario may project"),
}
PRIORITIES = ("high", "medium", "low")


def _field(rule: Rule) -> Any:
    """A pydantic field for one setting: its bounds as constraints, its meaning as the
    description, and the message of :meth:`Rule.check` for a value that does not fit."""
    def check(value: object) -> object:
        expected = rule.check(value)
        if expected is not None:
            raise invalid(show(value), f"{expected} ({rule.meaning})")
        return int(value) if rule.kind is int else float(value)  # type: ignore[arg-type]
    bounded = Annotated[rule.kind, Ge(rule.lo), Le(rule.hi)]  # type: ignore[name-defined]
    return Annotated[bounded | None, BeforeValidator(check),
                     Field(None, description=rule.meaning)]


def _model(name: str, keys: dict[str, Rule]) -> type[BaseModel]:
    """The model of the settings under ``name`` (each section a nested model), from SPEC."""
    fields: dict[str, Any] = {}
    sections: dict[str, dict[str, Rule]] = {}
    for key, rule in keys.items():
        head, _, rest = key.partition(".")
        if rest:
            sections.setdefault(head, {})[rest] = rule
        else:
            fields[head] = (_field(rule), None)
    for head, sub_keys in sections.items():
        fields[head] = (_model(f"{name}_{head}", sub_keys) | None, None)
    return create_model(name, __config__=ConfigDict(extra="forbid", frozen=True), **fields)


AssessSettings = create_model(
    "AssessSettings", __base__=_model("AssessSettingsBody", SPEC),
    format=(Literal[SETTINGS_FORMAT] | None, None))  # type: ignore[valid-type]
"""A settings file as a pydantic model, derived from :data:`SPEC` (every key optional: a file
overrides any subset of the shipped settings)."""


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, path + ".")
        else:
            yield path, value


@dataclass(frozen=True)
class Settings:
    """Validated settings by dotted key, e.g. ``settings["dependence.short_term.hhi"]``."""

    values: Mapping[str, Any]
    source: str = "settings.yaml (default)"

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def section(self, name: str) -> dict[str, Any]:
        """The settings under ``name`` as a flat dict without the prefix."""
        prefix = name + "."
        return {k[len(prefix):]: v for k, v in self.values.items() if k.startswith(prefix)}


def _parse_settings(data: Mapping[str, Any], name: str) -> tuple[dict[str, Any],
                                                                list[Problem]]:
    try:
        model = AssessSettings.model_validate(data)
    except ValidationError as error:
        return {}, problems_from(error, lambda loc: f"{name} {dotted(loc)}",
                                 model=AssessSettings)
    dumped = model.model_dump(exclude_none=True)
    dumped.pop("format", None)
    return dict(_flatten(dumped)), []


def load_settings(path: str | Path | None = None) -> Settings:
    """The shipped settings, overridden by ``path`` (any subset of keys) when given."""
    data, name = read_yaml(None, "settings.yaml", "a settings mapping")
    defaults, problems = _parse_settings(data, name)
    if problems:  # the shipped file is wrong: a bug
        raise InputError("the shipped settings.yaml is invalid (a bug)", problems)
    missing = [k for k in SPEC if k not in defaults]
    if missing:
        raise InputError("the shipped settings.yaml is incomplete (a bug)",
                         [Problem("settings.yaml", f"no {k}", "a value") for k in missing])
    if path is None:
        return Settings(defaults)
    data, name = read_yaml(path, "settings.yaml", "a settings mapping (see docs/assessment.md)")
    values, problems = _parse_settings(data, name)
    for level in PRIORITIES[:-1]:
        merged = {**defaults, **values}
        lower = PRIORITIES[PRIORITIES.index(level) + 1]
        if merged[f"opportunities.priority.{level}"] < merged[f"opportunities.priority.{lower}"]:
            problems.append(Problem(f"{name} opportunities.priority.{level}",
                                    f"{merged[f'opportunities.priority.{level}']:g}",
                                    f"at least the {lower} priority's weight"))
    if problems:
        raise InputError(f"{name}: {len(problems)} problem(s) in the settings; nothing was "
                         "computed", problems)
    return Settings({**defaults, **values}, source=str(path))


# -- weights ---------------------------------------------------------------------------------

class Weights(BaseModel):
    """Channel weights of the composite index: shares summing to 1 (its dump is the
    ``weights`` part of ``reciprocity index --format json``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    weights: dict[str, float]
    source: str = "weights.yaml (default)"
    rationale: str | None = None
    notes: tuple[str, ...] = Field((), exclude=True)

    def of(self, channel: str) -> float:
        return float(self.weights.get(channel, 0.0))


def _channel_weights(raw: object) -> dict[str, float]:
    """Each weight a directed channel's share in [0, 1]; together summing to 1."""
    if not isinstance(raw, Mapping) or not raw:
        raise invalid(show(raw), "a mapping of channel: weight (e.g. arms: 0.5)")
    problems: list[tuple[tuple[str, ...], str, str]] = []
    weights: dict[str, float] = {}
    for channel, value in raw.items():
        where = (str(channel),)
        ch = channels_mod.CHANNELS.get(str(channel))
        f = number(value)
        if ch is None:
            problems.append((where, f"unknown channel {channel!r}",
                             "one of " + ", ".join(sorted(channels_mod.CHANNELS))))
        elif f is None or not 0.0 <= f <= 1.0:
            problems.append((where, show(value), "a weight between 0 and 1"))
        elif not ch.directed and f > 0:
            problems.append((where, f"{f:g} for an undirected channel",
                             "0: an undirected channel has no direction, so it cannot enter "
                             "a two-way index"))
        else:
            weights[str(channel)] = f
    total = sum(weights.values())
    if not problems and abs(total - 1.0) > WEIGHT_TOLERANCE:
        problems.append(((), f"weights summing to {total:g}", "weights summing to 1"))
    if problems:
        raise invalid_items(problems)
    return weights


class WeightsFile(BaseModel):
    """A weights file (``format: reciprocity-weights/1``): channel shares and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    format: Literal[WEIGHTS_FORMAT] | None = None  # type: ignore[valid-type]
    weights: Annotated[dict[str, float], BeforeValidator(_channel_weights)] = Field(
        None, validate_default=True)  # type: ignore[assignment]
    rationale: Annotated[str | None, BeforeValidator(
        lambda v: " ".join(str(v).split()) if v else None)] = None


def parse_weights(data: Mapping[str, Any], name: str) -> Weights:
    """Validate a weights mapping (``{"weights": {channel: share}}``); InputError if bad."""
    try:
        model = WeightsFile.model_validate(data)
    except ValidationError as error:
        problems = problems_from(error, lambda loc: f"{name} {dotted(loc)}", model=WeightsFile)
        raise InputError(f"{name}: {len(problems)} problem(s) in the weights; nothing was "
                         "computed", problems) from None
    return Weights(weights=model.weights, rationale=model.rationale, source=name)


def load_weights(path: str | Path | None = None) -> Weights:
    """The shipped default weights, or those of ``path``."""
    data, name = read_yaml(path, "weights.yaml",
                           "a weights mapping (format, weights: {channel: share})")
    weights = parse_weights(data, name)
    if path is None:
        return weights.model_copy(update={"source": "weights.yaml (default)"})
    return weights.model_copy(update={"source": str(path)})
