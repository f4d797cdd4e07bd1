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

Every rule is validated before anything is evaluated; thresholds outside [0, 1], unknown
countries, channels or kinds are reported together. Evaluation is pure given the series.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reciprocity import channels as channels_mod
from reciprocity import countries, taxonomy
from reciprocity.assess.config import number, read_yaml, show
from reciprocity.errors import InputError, Problem

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


@dataclass(frozen=True)
class AlertRule:
    """One validated rule."""

    id: str
    kind: str
    threshold: float
    pair: tuple[str, str] | None = None
    country: str | None = None
    partner: str | None = None
    channel: str | None = None
    area: str | None = None
    years: int = 1
    window: int | None = None
    description: str | None = None

    @property
    def subject(self) -> str:
        if self.pair:
            return "–".join(self.pair) + (f" {self.channel}" if self.channel else " composite")
        return f"{self.country} {self.channel}" + (f" {self.area}" if self.area else "") + (
            f" from {self.partner}" if self.partner else "")

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in {
            "id": self.id, "kind": self.kind, "threshold": self.threshold,
            "pair": list(self.pair) if self.pair else None, "country": self.country,
            "partner": self.partner, "channel": self.channel, "area": self.area,
            "years": self.years if self.kind == "index_below" else None,
            "window": self.window, "description": self.description}.items() if v is not None}


def _whole(value: object, lo: int, hi: int) -> int | None:
    f = number(value)
    if f is None or not float(f).is_integer() or not lo <= f <= hi:
        return None
    return int(f)


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
        before = len(problems)
        rid = str(item.get("id") or f"alert-{i + 1}")
        if rid in ids:
            bad(f"{where}.id", repr(rid), "an id used once")
        ids.add(rid)
        kind = item.get("kind")
        if kind not in KINDS:
            bad(f"{where}.kind", show(kind), "one of " + ", ".join(KINDS))
            continue
        for key in item:
            if key not in _KEYS[kind]:
                bad(f"{where}.{key}", "an unknown key", ", ".join(_KEYS[kind]))
        threshold = number(item.get("threshold"))
        if threshold is None or not 0.0 <= threshold <= 1.0:
            bad(f"{where}.threshold", show(item.get("threshold")),
                "a number between 0 and 1 (an index, share or HHI)")
        channel = item.get("channel")
        if channel is not None or kind != "index_below":
            ch = channels_mod.CHANNELS.get(str(channel))
            if ch is None:
                bad(f"{where}.channel", show(channel),
                    "one of " + ", ".join(sorted(channels_mod.CHANNELS)))
            elif not ch.directed:
                bad(f"{where}.channel", f"{ch.name} (undirected)", "a directed channel")
        window = None
        if item.get("window") is not None:
            window = _whole(item.get("window"), 1, 50)
            if window is None:
                bad(f"{where}.window", show(item.get("window")), "a whole number from 1 to 50")
        pair: tuple[str, str] | None = None
        country = partner = area = None
        years = 1
        if kind == "index_below":
            raw_pair = item.get("pair")
            if not isinstance(raw_pair, list) or len(raw_pair) != 2:
                bad(f"{where}.pair", show(raw_pair), "two countries, e.g. [USA, JPN]")
            else:
                codes = []
                for j, c in enumerate(raw_pair):
                    found = countries.lookup(str(c))
                    if found is None:
                        bad(f"{where}.pair[{j}]", show(c), "a known country")
                    else:
                        codes.append(found.code)
                if len(codes) == 2 and codes[0] == codes[1]:
                    bad(f"{where}.pair", f"{codes[0]} twice", "two different countries")
                elif len(codes) == 2:
                    pair = (codes[0], codes[1])
            years_ = _whole(item.get("years"), 1, 200)
            if years_ is None:
                bad(f"{where}.years", show(item.get("years")), "a whole number from 1 to 200")
            else:
                years = years_
        else:
            found = countries.lookup(str(item.get("country") or ""))
            if found is None:
                bad(f"{where}.country", show(item.get("country")), "a known country")
            else:
                country = found.code
            if item.get("partner") is not None:
                found = countries.lookup(str(item.get("partner")))
                if found is None:
                    bad(f"{where}.partner", show(item.get("partner")), "a known country")
                else:
                    partner = found.code
            if item.get("area") is not None:
                if item["area"] not in taxonomy.areas():
                    bad(f"{where}.area", show(item["area"]), "a technology area id")
                else:
                    area = str(item["area"])
        if len(problems) > before:
            continue
        desc = item.get("description")
        rules.append(AlertRule(rid, str(kind), float(threshold or 0.0), pair, country, partner,
                               str(channel) if channel is not None else None, area, years,
                               window, " ".join(str(desc).split()) if desc else None))
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

@dataclass
class AlertResult:
    """A rule, whether it trips, what was observed and the evidence."""

    rule: AlertRule
    tripped: bool
    observed: float | None
    evidence: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    firm: bool | None = None
    """``index_below`` only: tripped and every window's interval lies under the threshold
    (a tripped rule that is not firm has an interval reaching the threshold, or none)."""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.rule.id, "kind": self.rule.kind, "subject": self.rule.subject,
                "threshold": self.rule.threshold, "tripped": self.tripped, "firm": self.firm,
                "observed": self.observed, "description": self.rule.description,
                "rule": self.rule.to_dict(), "evidence": self.evidence, "note": self.note}


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
    return AlertResult(rule, tripped, latest["index"] if latest else None, evidence, note,
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
    return AlertResult(rule, share is not None and share > rule.threshold, share, evidence, note)


def hhi_over(rule: AlertRule, profile: dict[str, Any]) -> AlertResult:
    """Trips when the HHI of the latest window is above the threshold."""
    value = profile.get("hhi")
    evidence = {"hhi": value, "window": profile.get("window"), "total": profile.get("total"),
                "top_partner": profile.get("top_partner"),
                "top_share": profile.get("top_share"),
                "unknown_share": profile.get("unknown_share"),
                "trend": (profile.get("trend") or {}).get("direction")}
    note = None if profile.get("total") else "no intake in this channel and window"
    return AlertResult(rule, value is not None and value > rule.threshold, value, evidence, note)
