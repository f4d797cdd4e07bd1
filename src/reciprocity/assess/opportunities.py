"""Opportunities (complementarity): "A needs, B provides".

Areas where B is strong (strength ≥ the ``strong`` setting, i.e. RTA or relative citation
index ≥ 1) or rising (a significant upward trend of its world share), and where A has a
declared need or a weakness, ranked by

    score = need × min(1, strength_B + rising_bonus · rising_B) × (1 − damping · present)

where ``need`` is the declared priority's weight (or, for an undeclared weakness,
``weakness × (1 − strength_A)``) and ``present`` is B's share of A's intake in the area in
the latest window (the largest over the channels that record areas), so that strong
partner capability with little present flow ranks first. Pure; docs/methods.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reciprocity import channels as channels_mod
from reciprocity import taxonomy
from reciprocity.assess.capabilities import Capabilities, _json
from reciprocity.assess.config import Settings
from reciprocity.assess.needs import Need

EVIDENCE_KEYS = ("measure", "period", "value", "unit", "share", "rank", "n_ranked", "rta",
                 "strength", "trend", "trend_p", "previous_period", "share_change")


@dataclass
class Opportunities:
    """Ranked rows for "A needs, B provides"."""

    a: str
    b: str
    rows: list[dict[str, Any]]
    window: str | None = None
    needs_source: str | None = None
    credits: list[str] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        """One line per area for tables."""
        cols = ["rank", "area", "score", "need", "b_strength", "b_rising", "a_strength",
                "present_share", "best_evidence"]
        out = []
        for i, r in enumerate(self.rows, 1):
            best = r["evidence"][0] if r["evidence"] else {}
            out.append({"rank": i, "area": r["area"], "score": r["score"],
                        "need": r["need"]["kind"] + (f" ({r['need']['priority']})"
                                                     if r["need"].get("priority") else ""),
                        "b_strength": r["b_strength"], "b_rising": r["b_rising"],
                        "a_strength": r["a_strength"], "present_share": r["present_share"],
                        "best_evidence": _describe(best)})
        return pd.DataFrame(out, columns=cols)

    def to_list(self) -> list[dict[str, Any]]:
        return [{k: _json(v) if not isinstance(v, dict | list) else v for k, v in r.items()}
                for r in self.rows]


def _describe(ev: dict[str, Any]) -> str:
    if not ev:
        return ""
    parts = [ev["measure"], str(ev.get("period") or "")]
    if ev.get("rta") is not None:
        parts.append(f"RTA {ev['rta']:.2f}")
    elif ev["measure"] == "citation_impact" and ev.get("value") is not None:
        parts.append(f"RCI {ev['value']:.2f}")
    if ev.get("rank") is not None:
        parts.append(f"rank {ev['rank']:.0f}")
    if ev.get("trend") == "rising":
        parts.append("rising")
    return " ".join(p for p in parts if p)


def _num(v: Any) -> float | None:
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) else f


def present_flows(intake: pd.DataFrame, b: str, area: str) -> tuple[list[dict[str, Any]],
                                                                      float]:
    """B→A flows in the area per channel and unit, and B's largest share of A's intake."""
    sub = intake[intake["area"] == area]
    rows: list[dict[str, Any]] = []
    present = 0.0
    for (channel, unit), group in sub.groupby(["channel", "unit"], sort=True):
        from_b = float(group.loc[group["partner"] == b, "magnitude"].sum())
        additive = channels_mod.is_additive(str(unit))
        total = float(group["magnitude"].sum()) if additive else None
        share = from_b / total if additive and total else None
        if share is not None:
            present = max(present, share)
        rows.append({"channel": channel, "unit": unit, "value": from_b,
                     "a_intake": total, "share_of_a_intake": share,
                     "aggregation": "sum" if additive else "mean"})
    return rows, present


def opportunities(cap_a: Capabilities, cap_b: Capabilities, needs_a: dict[str, Need],
                  intake_a: pd.DataFrame, settings: Settings, *,
                  include_all: bool = False) -> Opportunities:
    """Ranked opportunities for A from B (``intake_a``: A's inflows by channel, area and
    partner over the latest window).

    ``include_all`` also lists the areas that do not qualify (B neither strong nor rising,
    or A neither in need nor weak) and the declared needs where B has no recorded output,
    each with ``qualifies`` False, so an empty answer can be explained.
    """
    strong = settings["capabilities.strong"]
    bonus = settings["opportunities.rising_bonus"]
    damping = settings["opportunities.flow_damping"]
    weakness = settings["opportunities.weakness"]
    names = {k: v.name for k, v in taxonomy.areas().items()}
    a_areas = cap_a.areas.set_index("area") if len(cap_a.areas) else None
    rows = []
    for _, b_area in cap_b.areas.iterrows():
        area = b_area["area"]
        b_strength = _num(b_area["strength"])
        b_rising = bool(b_area["rising"])
        b_strong = b_strength is not None and b_strength >= strong
        if not (b_strong or b_rising) and not include_all:
            continue
        a_strength = None
        if a_areas is not None and area in a_areas.index:
            a_strength = _num(a_areas.at[area, "strength"])
        declared = needs_a.get(area)
        if declared is not None:
            need_weight = settings[f"opportunities.priority.{declared.priority}"]
            need = {"kind": "declared", "priority": declared.priority,
                    "rationale": declared.rationale, "source": dict(declared.source)}
        elif a_strength is None or a_strength < strong:
            need_weight = weakness * (1.0 - (a_strength or 0.0))
            need = {"kind": "weakness",
                    "rationale": ("no recorded output in the area" if a_strength is None else
                                  f"strength {a_strength:.2f} below {strong:g} (RTA < 1)")}
        else:
            if not include_all:
                continue
            need_weight, need = 0.0, {"kind": "none"}
        flows, present = present_flows(intake_a, cap_b.country, area)
        b_part = min(1.0, (b_strength or 0.0) + (bonus if b_rising else 0.0))
        score = need_weight * b_part * (1.0 - damping * present)
        evidence = cap_b.measures[cap_b.measures["area"] == area].sort_values(
            "strength", ascending=False, na_position="last")
        rows.append({
            "area": area, "area_name": names.get(area, area), "score": score,
            "qualifies": (b_strong or b_rising) and need["kind"] != "none",
            "need": need, "b_strength": b_strength, "b_strong": b_strong,
            "b_rising": b_rising, "a_strength": a_strength, "present_share": present,
            "evidence": [{k: _json(r[k]) for k in EVIDENCE_KEYS}
                         for r in evidence.to_dict("records")],
            "current_flow_ba": flows,
        })
    if include_all:  # declared needs where B has no recorded output at all
        listed = {r["area"] for r in rows}
        for area, declared in sorted(needs_a.items()):
            if area in listed:
                continue
            flows, present = present_flows(intake_a, cap_b.country, area)
            rows.append({
                "area": area, "area_name": names.get(area, area), "score": 0.0,
                "qualifies": False,
                "need": {"kind": "declared", "priority": declared.priority,
                         "rationale": declared.rationale, "source": dict(declared.source)},
                "b_strength": None, "b_strong": False, "b_rising": False,
                "a_strength": (_num(a_areas.at[area, "strength"]) if a_areas is not None
                               and area in a_areas.index else None),
                "present_share": present, "evidence": [], "current_flow_ba": flows})
    rows.sort(key=lambda r: (-r["score"], r["area"]))
    return Opportunities(cap_a.country, cap_b.country, rows)
