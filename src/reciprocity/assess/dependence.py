"""Dependence: how concentrated a country's suppliers are, per channel and area.

Over a window of years (default 5, ending at the channel's latest year): each supplier's share
of the country's intake, s_p = flow_p / total, where the total keeps unknown suppliers
(SIPRI's "unknown supplier(s)") in the denominator; the Herfindahl–Hirschman index
HHI = Σ_p s_p² over the known suppliers (a lower bound: unknown intake may come from one
supplier or many); the top supplier and its share; and the trend of the HHI over the
preceding windows. Two flags, with thresholds in the settings (docs/assessment.md):

* short-term supply risk (surge and mobilization; NRC 1995, App. C): HHI ≥ ``short_term.hhi``
  or top share ≥ ``short_term.top_share`` in the latest window;
* long-term access risk (access to foreign technology while developing new systems):
  HHI ≥ ``long_term.hhi`` in each of the latest ``long_term.persistence`` windows while the
  country's own strength in the area is below ``long_term.own_strength``.

Pure functions of the inflows frame; docs/methods.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reciprocity import countries
from reciprocity.assess import answers
from reciprocity.assess.config import Settings
from reciprocity.assess.stats import hhi
from reciprocity.metrics.twoway import clean

UNKNOWN_CODES = frozenset({"UNK", "NSA-UNKNOWN"})


def is_unknown(code: str) -> bool:
    """An unknown supplier: SIPRI's unknown supplier(s) or unknown rebel group."""
    if code in UNKNOWN_CODES:
        return True
    found = countries.lookup(code)
    return found is not None and found.kind == "unknown"


def concentration(frame: pd.DataFrame) -> dict[str, Any]:
    """Shares, HHI and top supplier of one intake (rows: ``partner``, ``magnitude``)."""
    by = frame.groupby("partner")["magnitude"].sum()
    by = by[by > 0]
    total = float(by.sum())
    if total <= 0:
        return {"total": 0.0, "hhi": None, "top_partner": None, "top_partner_name": None,
                "top_share": None, "unknown_share": None, "n_suppliers": 0, "suppliers": []}
    unknown = [p for p in by.index if is_unknown(str(p))]
    known = by.drop(index=unknown).sort_values(ascending=False)
    shares = known / total
    top = str(shares.index[0]) if len(shares) else None
    return {
        "total": total,
        "hhi": hhi(shares.to_numpy()),
        "top_partner": top,
        "top_partner_name": countries.name_of(top) if top else None,
        "top_share": float(shares.iloc[0]) if len(shares) else None,
        "unknown_share": float(by[unknown].sum() / total) if unknown else 0.0,
        "n_suppliers": len(known),
        "suppliers": [{"partner": str(p), "name": countries.name_of(str(p)),
                       "value": float(known[p]), "share": float(shares[p])}
                      for p in shares.index],
    }


def windows(last: int, years: int, n: int) -> list[tuple[int, int]]:
    """The latest ``n`` windows of ``years`` years ending at ``last``, oldest first."""
    return [(last - (k + 1) * years + 1, last - k * years) for k in reversed(range(n))]


def _profile(frame: pd.DataFrame, spans: list[tuple[int, int]], settings: Settings,
             own_strength: float | None, check_own: bool) -> dict[str, Any]:
    per = []
    for lo, hi in spans:
        c = concentration(frame[(frame["year"] >= lo) & (frame["year"] <= hi)])
        per.append({"period": f"{lo}–{hi}", **c})
    latest = per[-1]
    previous = per[-2] if len(per) > 1 else None
    tol = settings["dependence.trend_tolerance"]
    change = None
    direction = "unknown"
    if latest["hhi"] is not None and previous is not None and previous["hhi"] is not None:
        change = latest["hhi"] - previous["hhi"]
        direction = "rising" if change > tol else "falling" if change < -tol else "stable"
    short = bool(latest["hhi"] is not None and (
        latest["hhi"] >= settings["dependence.short_term.hhi"]
        or (latest["top_share"] or 0.0) >= settings["dependence.short_term.top_share"]))
    k = settings["dependence.long_term.persistence"]
    recent = per[-k:]
    persistent = len(recent) == k and all(
        p["hhi"] is not None and p["hhi"] >= settings["dependence.long_term.hhi"]
        for p in recent)
    weak_own = (not check_own) or (own_strength or 0.0) < settings[
        "dependence.long_term.own_strength"]
    out = {key: latest[key] for key in ("hhi", "top_partner", "top_partner_name", "top_share",
                                        "unknown_share", "total", "n_suppliers")}
    out.update({
        "window": latest["period"], "suppliers": latest["suppliers"][:10],
        "trend": {"direction": direction, "hhi_change": change,
                  "windows": [{k_: p[k_] for k_ in ("period", "hhi", "top_partner",
                                                    "top_share", "total")} for p in per]},
        "own_strength": own_strength if check_own else None,
        "flags": {"short_term_supply_risk": short,
                  "long_term_access_risk": bool(persistent and weak_own)},
    })
    return out


@dataclass
class Dependence:
    """A country's supplier concentration in one channel, overall and by area."""

    country: str
    channel: str
    unit: str | None
    overall: dict[str, Any]
    by_area: list[dict[str, Any]]
    thresholds: dict[str, Any]
    credits: list[str] = field(default_factory=list)

    def partner_share(self, partner: str) -> float | None:
        """The share of ``partner`` in the latest window (0 when it supplied nothing)."""
        if not self.overall.get("total"):
            return None
        for s in self.overall["suppliers_all"]:
            if s["partner"] == partner:
                return s["share"]
        return 0.0

    def answer(self) -> answers.DependenceAnswer:
        """The answer of ``reciprocity assess dependence COUNTRY``."""
        overall = {k: v for k, v in self.overall.items() if k != "suppliers_all"}
        return answers.DependenceAnswer(**_clean({
            "country": self.country, "country_name": countries.name_of(self.country),
            "channel": self.channel, "unit": self.unit, **overall,
            "by_area": self.by_area, "thresholds": self.thresholds, "credits": self.credits,
        }))

    def frame(self) -> pd.DataFrame:
        """One line per area (and the total first) for tables."""
        rows = [{"area": "(all areas)", **self.overall}, *self.by_area]
        return pd.DataFrame([{
            "area": r["area"], "window": r["window"], "total": r["total"], "hhi": r["hhi"],
            "top_partner": r["top_partner"], "top_share": r["top_share"],
            "unknown_share": r["unknown_share"], "trend": r["trend"]["direction"],
            "short_term_risk": r["flags"]["short_term_supply_risk"],
            "long_term_risk": r["flags"]["long_term_access_risk"]} for r in rows])


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return clean(value)


def dependence(intake: pd.DataFrame, country: str, channel: str, last: int | None,
               settings: Settings, own_strength: dict[str, float | None] | None = None,
               area: str | None = None) -> Dependence:
    """Supplier concentration of ``country`` from its inflows (``partner``, ``area``,
    ``year``, ``magnitude`` in one unit) up to the channel's latest year ``last``."""
    years = settings["dependence.window_years"]
    n = max(settings["dependence.trend_windows"], settings["dependence.long_term.persistence"])
    thresholds = {**{f"short_term.{k}": v for k, v in
                     settings.section("dependence.short_term").items()},
                  **{f"long_term.{k}": v for k, v in
                     settings.section("dependence.long_term").items()},
                  "window_years": years, "trend_tolerance": settings[
                      "dependence.trend_tolerance"]}
    unit = str(intake["unit"].iloc[0]) if len(intake) else None
    if last is None:
        empty = concentration(intake.iloc[:0])
        overall = {**{k: empty[k] for k in ("hhi", "top_partner", "top_partner_name",
                                             "top_share", "unknown_share", "total",
                                             "n_suppliers")},
                   "window": None, "suppliers": [], "suppliers_all": [],
                   "trend": {"direction": "unknown", "hhi_change": None, "windows": []},
                   "own_strength": None,
                   "flags": {"short_term_supply_risk": False, "long_term_access_risk": False}}
        return Dependence(country, channel, unit, overall, [], thresholds)
    spans = windows(last, years, n)
    sub = intake if area is None else intake[intake["area"] == area]
    overall = _profile(sub, spans, settings, None, check_own=False)
    lo, hi = spans[-1]
    latest = sub[(sub["year"] >= lo) & (sub["year"] <= hi)]
    overall["suppliers_all"] = concentration(latest)["suppliers"]
    by_area = []
    strengths = own_strength or {}
    for area_id, group in sub[sub["area"].notna()].groupby("area", sort=True):
        prof = _profile(group, spans, settings, strengths.get(str(area_id)), check_own=True)
        if not prof["total"] and all(w["total"] == 0 for w in prof["trend"]["windows"]):
            continue
        by_area.append({"area": str(area_id), **prof})
    by_area.sort(key=lambda r: -(r["total"] or 0.0))
    return Dependence(country, channel, unit, overall, by_area, thresholds)
