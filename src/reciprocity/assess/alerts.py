"""Alerts: thresholds per pair or country in a config file, and what trips them.

Rule kinds (``format: reciprocity-alerts/1``, ``alerts:`` list; docs/assessment.md):

* ``index_below``: a pair's two-way index (the composite, or one ``channel``'s) over each
  of the latest ``years`` windows of ``window`` years stays under ``threshold``; each value
  is what ``reciprocity index A B --since S --until U`` reports for that window (the same
  function, :func:`reciprocity.assess.service.combine`), with its interval; the result is
  ``firm`` when every window's upper bound is under the threshold too;
* ``share_over``: one supplier's (``partner``, default the top one) share of a country's
  intake in a ``channel`` over the latest window is above ``threshold``;
* ``hhi_over``: a country's supplier concentration (HHI) in a ``channel`` (optionally one
  ``area``) over the latest window is above ``threshold``.

Every rule is an :class:`AlertRule` (pydantic), validated before anything is evaluated;
thresholds outside [0, 1], unknown countries, channels or kinds are reported together.
Evaluation is pure given the series.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from reciprocity import channels as channels_mod
from reciprocity import countries, taxonomy
from reciprocity.assess.config import number, read_yaml, show
from reciprocity.errors import InputError, Problem
from reciprocity.ledger.fields import Model
from reciprocity.validation import dotted, invalid, problems_from

ALERTS_FORMAT = "reciprocity-alerts/1"
KINDS = ("index_below", "share_over", "hhi_over")
_KEYS = {
    "index_below": ("id", "kind", "pair", "channel", "threshold", "years", "window",
                    "description"),
    "share_over": ("id", "kind", "country", "partner", "channel", "threshold", "window",
                   "description"),
    "hhi_over": ("id", "kind", "country", "channel", "area", "threshold", "window",
                 "description"),
}


def _whole(value: object, lo: int, hi: int) -> int | None:
    f = number(value)
    if f is None or not float(f).is_integer() or not lo <= f <= hi:
        return None
    return int(f)


def _threshold(value: object) -> float:
    f = number(value)
    if f is None or not 0.0 <= f <= 1.0:
        raise invalid(show(value), "a number between 0 and 1 (an index, share or HHI)")
    return float(f)


def _known(value: object) -> str:
    found = countries.lookup(str(value or ""))
    if found is None:
        raise invalid(show(value), "a known country")
    return found.code


def _area(value: object) -> str:
    if value not in taxonomy.areas():
        raise invalid(show(value), "a technology area id")
    return str(value)


def _text(value: object) -> str | None:
    return " ".join(str(value).split()) if value else None


class AlertRule(Model):
    """One validated rule (the keys each kind takes: ``_KEYS``)."""

    KEEP: ClassVar[tuple[str, ...]] = ()
    id: str
    kind: Literal[KINDS]  # type: ignore[valid-type]
    threshold: Annotated[float, BeforeValidator(_threshold)]
    pair: tuple[Annotated[str, BeforeValidator(_known)], ...] | None = Field(
        None, validate_default=True)
    country: str | None = Field(None, validate_default=True)
    partner: Annotated[str | None, BeforeValidator(
        lambda v: None if v is None else _known(v))] = None
    channel: str | None = Field(None, validate_default=True)
    area: Annotated[str | None, BeforeValidator(lambda v: None if v is None else _area(v))
                    ] = None
    years: int | None = Field(None, validate_default=True)
    window: Annotated[int | None, BeforeValidator(lambda v: _whole_or_fail(v, 1, 50))] = None
    description: Annotated[str | None, BeforeValidator(_text)] = None

    @field_validator("pair", mode="before")
    @classmethod
    def _two(cls, value: object, info: ValidationInfo) -> object:
        if info.data.get("kind") != "index_below":
            return None
        if not isinstance(value, list) or len(value) != 2:
            raise invalid(show(value), "two countries, e.g. [USA, JPN]")
        return value

    @field_validator("pair")
    @classmethod
    def _different(cls, pair: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if pair and pair[0] == pair[1]:
            raise invalid(f"{pair[0]} twice", "two different countries")
        return pair

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: object, info: ValidationInfo) -> object:
        return None if info.data.get("kind") == "index_below" else _known(value)

    @field_validator("channel", mode="before")
    @classmethod
    def _channel(cls, value: object, info: ValidationInfo) -> object:
        if value is None and info.data.get("kind") == "index_below":
            return None
        ch = channels_mod.CHANNELS.get(str(value))
        if ch is None:
            raise invalid(show(value), "one of " + ", ".join(sorted(channels_mod.CHANNELS)))
        if not ch.directed:
            raise invalid(f"{ch.name} (undirected)", "a directed channel")
        return str(value)

    @field_validator("years", mode="before")
    @classmethod
    def _years(cls, value: object, info: ValidationInfo) -> object:
        if info.data.get("kind") != "index_below":
            return None
        return _whole_or_fail(value, 1, 200)

    @property
    def subject(self) -> str:
        if self.pair:
            return "–".join(self.pair) + (f" {self.channel}" if self.channel else " composite")
        return f"{self.country} {self.channel}" + (f" {self.area}" if self.area else "") + (
            f" from {self.partner}" if self.partner else "")


def _whole_or_fail(value: object, lo: int, hi: int) -> int | None:
    if value is None and hi == 50:
        return None  # no window: the default
    whole = _whole(value, lo, hi)
    if whole is None:
        raise invalid(show(value), f"a whole number from {lo} to {hi}")
    return whole


def parse_alerts(data: Mapping[str, Any], name: str) -> list[AlertRule]:
    """Validate an alerts mapping; InputError listing every problem."""
    problems: list[Problem] = []

    def bad(where: str, found: str, expected: str) -> None:
        problems.append(Problem(f"{name} {where}", found, expected))

    if data.get("format") not in (None, ALERTS_FORMAT):
        bad("format", repr(data.get("format")), repr(ALERTS_FORMAT))
    for key in data:
        if key not in ("format", "alerts"):
            bad(str(key), "an unknown key", "format, alerts")
    raw = data.get("alerts")
    if not isinstance(raw, list) or not raw:
        bad("alerts", show(raw), "a list of alert rules")
        raw = []
    rules: list[AlertRule] = []
    ids: set[str] = set()
    for i, item in enumerate(raw):
        where = f"alerts[{i}]"
        if not isinstance(item, Mapping):
            bad(where, show(item), "a mapping")
            continue
        rid = str(item.get("id") or f"alert-{i + 1}")
        if rid in ids:
            bad(f"{where}.id", repr(rid), "an id used once")
        ids.add(rid)
        kind = item.get("kind")
        if kind not in KINDS:
            bad(f"{where}.kind", show(kind), "one of " + ", ".join(KINDS))
            continue
        unknown = [key for key in item if key not in _KEYS[kind]]
        for key in unknown:
            bad(f"{where}.{key}", "an unknown key", ", ".join(_KEYS[kind]))
        try:
            rule = AlertRule.model_validate(
                {**{k: v for k, v in item.items() if k not in unknown}, "id": rid})
        except ValidationError as error:
            problems += problems_from(error, lambda loc: f"{name} {dotted(loc)}",
                                      ("alerts", i), AlertRule)
            continue
        if not unknown:
            rules.append(rule)
    if problems:
        raise InputError(f"{name}: {len(problems)} problem(s) in the alert rules; nothing was "
                         "evaluated", problems)
    return rules


def load_alerts(path: str | Path | None = None) -> tuple[list[AlertRule], str]:
    """The rules of ``path``, or the shipped defaults; and the file's name."""
    data, name = read_yaml(path, "alerts.yaml",
                           "alert rules (format: reciprocity-alerts/1, alerts: …)")
    return parse_alerts(data, name), (str(path) if path is not None else
                                      "alerts.yaml (default)")


# -- evaluation ------------------------------------------------------------------------------

class AlertResult(BaseModel):
    """One rule checked: whether it trips, what was observed and the evidence (its dump is
    the JSON of ``reciprocity alerts``; the rule's id, kind, subject, threshold and
    description are repeated first, for readers of the JSON)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    kind: str
    subject: str
    threshold: float
    tripped: bool
    firm: bool | None = None
    """``index_below`` only: tripped and every window's interval lies under the threshold
    (a tripped rule that is not firm has an interval reaching the threshold, or none)."""
    observed: float | None = None
    description: str | None = None
    rule: AlertRule
    evidence: dict[str, Any] = {}
    note: str | None = None

    @classmethod
    def of(cls, rule: AlertRule, tripped: bool, observed: float | None,
           evidence: dict[str, Any], note: str | None = None,
           firm: bool | None = None) -> AlertResult:
        return cls(id=rule.id, kind=rule.kind, subject=rule.subject, threshold=rule.threshold,
                   tripped=tripped, firm=firm, observed=observed, description=rule.description,
                   rule=rule, evidence=evidence, note=note)


def _window(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in ("year", "index", "ci_low", "ci_high", "verdict", "window",
                                    "weights", "excluded", "interval_note", "command")
            if k in row}


def index_below(rule: AlertRule, series: list[dict[str, Any]]) -> AlertResult:
    """Trips when the latest ``rule.years`` values of ``series`` (rows with ``year`` and
    ``index``, oldest first; ``ci_low``/``ci_high`` when known) are all under the threshold;
    ``firm`` when their upper bounds are too. A window without a value (no composite: no
    channel with an interval) breaks the run."""
    run: list[dict[str, Any]] = []
    for row in reversed(series):
        if row["index"] is None or row["index"] >= rule.threshold:
            break
        run.append(row)
    run.reverse()
    latest = series[-1] if series else None
    tripped = len(run) >= rule.years
    firm = tripped and all(r.get("ci_high") is not None and r["ci_high"] < rule.threshold
                           for r in run[-rule.years:])
    evidence = {"run_years": len(run), "run": [_window(r) for r in run],
                "latest": latest and _window(latest),
                "last_years": [_window(r) for r in series[-max(rule.years, 5):]]}
    note = None
    missing = [r["year"] for r in series[-rule.years:] if r["index"] is None]
    if not series:
        note = "no flows between the pair" + (" in this channel" if rule.channel else "")
    elif missing:
        what = "no index" if rule.channel else "no composite (no channel with an interval)"
        note = (f"{what} for the windows ending in {', '.join(map(str, missing))}: the run "
                "cannot be decided there")
    elif tripped and not firm:
        note = "tripped by the values, but an interval reaches the threshold or is missing"
    return AlertResult.of(rule, tripped, latest["index"] if latest else None, evidence, note,
                          firm if tripped else None)


def share_over(rule: AlertRule, dependence: dict[str, Any],
               partner_share: float | None) -> AlertResult:
    """Trips when the partner's (or the top supplier's) share is above the threshold."""
    share = partner_share if rule.partner else dependence.get("top_share")
    partner = rule.partner or dependence.get("top_partner")
    evidence = {"partner": partner, "share": share, "window": dependence.get("window"),
                "total": dependence.get("total"), "unit": dependence.get("unit"),
                "top_partner": dependence.get("top_partner"),
                "top_share": dependence.get("top_share"),
                "unknown_share": dependence.get("unknown_share")}
    note = None if dependence.get("total") else "no intake in this channel and window"
    return AlertResult.of(rule, share is not None and share > rule.threshold, share, evidence,
                          note)


def hhi_over(rule: AlertRule, profile: dict[str, Any]) -> AlertResult:
    """Trips when the HHI of the latest window is above the threshold."""
    value = profile.get("hhi")
    evidence = {"hhi": value, "window": profile.get("window"), "total": profile.get("total"),
                "top_partner": profile.get("top_partner"),
                "top_share": profile.get("top_share"),
                "unknown_share": profile.get("unknown_share"),
                "trend": (profile.get("trend") or {}).get("direction")}
    note = None if profile.get("total") else "no intake in this channel and window"
    return AlertResult.of(rule, value is not None and value > rule.threshold, value, evidence,
                          note)
