"""Opportunities (complementarity): "A needs, B provides".

Areas where B is strong (strength ≥ the ``strong`` setting, i.e. RTA or relative citation
index ≥ 1) or rising (a significant upward trend of its world share), and where A has a
declared need or a weakness, ranked by

    score = need × min(1, strength_B + rising_bonus · rising_B) × (1 − damping · present)

where ``need`` is the declared priority's weight (or, for an undeclared weakness,
``weakness × (1 − strength_A)``) and ``present`` is B's share of A's intake in the area in
the latest window (the largest over the channels that record areas), so that strong
partner capability with little present flow ranks first. Pure; docs/methods.md.

Given the store's technology evidence per area (``covered``, from
:func:`reciprocity.assess.capabilities.evidence_coverage`), A's declared needs are always
listed: ranked with B's evidence when the store holds technology evidence for the area
(``qualifies`` false when B is neither strong nor rising), and otherwise as "no evidence
loaded for <area>: ingest …" (``evidence_status`` ``none_loaded``), never as B's weakness.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reciprocity import channels as channels_mod
from reciprocity import labels, taxonomy
from reciprocity.assess.capabilities import Capabilities, _json, no_evidence
from reciprocity.assess.config import Settings
from reciprocity.assess.needs import Need

EVIDENCE_KEYS = ("measure", "field", "period", "value", "unit", "share", "rank", "n_ranked",
                 "rta", "previous_rta", "strength", "trend", "trend_p", "previous_period",
                 "share_change")


@dataclass
class Opportunities:
    """Ranked rows for "A needs, B provides"."""

    a: str
    b: str
    rows: list[dict[str, Any]]
    window: str | None = None
    needs_source: str | None = None
    credits: list[str] = field(default_factory=list)

    @property
    def qualifying(self) -> list[dict[str, Any]]:
        """The rows where B is strong or rising and A has a need or a weakness."""
        return [r for r in self.rows if r.get("qualifies", True)]

    def frame(self) -> pd.DataFrame:
        """One line per area for tables (areas without evidence last, unranked)."""
        cols = ["rank", "area", "score", "qualifies", "need", "b_strength", "b_rising",
                "a_strength", "present_share", "best_evidence"]
        out = []
        for i, r in enumerate(self.rows, 1):
            best = r["evidence"][0] if r["evidence"] else {}
            loaded = r.get("evidence_status", "loaded") == "loaded"
            out.append({"rank": i if loaded else None, "area": r["area"], "score": r["score"],
                        "qualifies": r.get("qualifies", True),
                        "need": r["need"]["kind"] + (f" ({r['need']['priority']})"
                                                     if r["need"].get("priority") else ""),
                        "b_strength": r["b_strength"], "b_rising": r["b_rising"],
                        "a_strength": r["a_strength"], "present_share": r["present_share"],
                        "best_evidence": _evidence_text(r, best, loaded)})
        frame = pd.DataFrame(out, columns=cols)
        frame["rank"] = frame["rank"].astype("Int64")
        return frame

    def to_list(self) -> list[dict[str, Any]]:
        return [{k: _json(v) if not isinstance(v, dict | list) else v for k, v in r.items()}
                for r in self.rows]


def _evidence_text(row: dict[str, Any], best: dict[str, Any], loaded: bool) -> str:
    """B's best evidence; for an area without technology evidence, the message first."""
    text = _describe(best) if best else ""
    if not loaded:
        return row["message"] + (f" (arms output: {text})" if text else "")
    return text or (row.get("message") or "")


def _describe(ev: dict[str, Any]) -> str:
    """B's best evidence for people: ``IP5 patent families, Environment-related technologies,
    2016–2020: RTA 0.97 (was 1.00), rank 1``; measure and field by their names (labels.py)."""
    if not ev:
        return ""
    what = labels.label(ev["measure"]) + (f", {labels.field(ev['field'])}"
                                          if ev.get("field") else "")
    head = ", ".join(p for p in (what, str(ev.get("period") or "")) if p)
    parts = []
    if ev.get("rta") is not None:
        parts.append(f"RTA {ev['rta']:.2f}")
        if ev.get("previous_rta") is not None:
            parts[-1] += f" (was {ev['previous_rta']:.2f})"
    elif ev["measure"] == "citation_impact" and ev.get("value") is not None:
        parts.append(f"RCI {ev['value']:.2f}")
    if ev.get("rank") is not None:
        parts.append(f"rank {ev['rank']:.0f}")
    if ev.get("trend") == "rising":
        parts.append("rising")
    return head + (": " + ", ".join(parts) if parts else "")


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
                  include_all: bool = False,
                  covered: Mapping[str, Sequence[str]] | None = None) -> Opportunities:
    """Ranked opportunities for A from B (``intake_a``: A's inflows by channel, area and
    partner over the latest window).

    ``include_all`` also lists the areas that do not qualify (B neither strong nor rising,
    or A neither in need nor weak) and the declared needs where B has no recorded output,
    each with ``qualifies`` False, so an empty answer can be explained.

    ``covered`` (area → the technology measures the store holds for any country) turns on
    the evidence check: every declared need is listed, with B's evidence where the store has
    technology evidence for the area, else as ``evidence_status`` ``none_loaded`` with the
    message "no evidence loaded for <area>: ingest …"; B's missing or weak arms output in
    such an area does not make it a weakness of B.
    """
    strong = settings["capabilities.strong"]
    bonus = settings["opportunities.rising_bonus"]
    damping = settings["opportunities.flow_damping"]
    weakness = settings["opportunities.weakness"]
    names = {k: v.name for k, v in taxonomy.areas().items()}
    a_areas = cap_a.areas.set_index("area") if len(cap_a.areas) else None
    rows = []
    missing: list[dict[str, Any]] = []
    unloaded = ({e["area"]: e for e in no_evidence(covered, list(names))}
                if covered is not None else {})
    for _, b_area in cap_b.areas.iterrows():
        area = b_area["area"]
        b_strength = _num(b_area["strength"])
        b_rising = bool(b_area["rising"])
        b_strong = b_strength is not None and b_strength >= strong
        declared_here = area in needs_a
        # no technology evidence for the area in the store: B's missing or weak arms output
        # there is not B's weakness; such an area is listed as none_loaded (declared or --all)
        none_loaded = area in unloaded and not (b_strong or b_rising)
        if none_loaded and not (include_all or declared_here):
            continue
        if not (b_strong or b_rising) and not include_all and not (
                covered is not None and declared_here):
            continue
        a_strength = None
        if a_areas is not None and area in a_areas.index:
            a_strength = _num(a_areas.at[area, "strength"])
        declared = needs_a.get(area)
        if declared is not None:
            need_weight = settings[f"opportunities.priority.{declared.priority}"]
            need = {"kind": "declared", "priority": declared.priority,
                    "rationale": declared.rationale,
                    "source": declared.source.model_dump(mode="json")}
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
        row = {
            "area": area, "area_name": names.get(area, area), "score": score,
            "qualifies": (b_strong or b_rising) and need["kind"] != "none",
            "need": need, "b_strength": b_strength, "b_strong": b_strong,
            "b_rising": b_rising, "a_strength": a_strength, "present_share": present,
            "evidence": [{k: _json(r.get(k)) for k in EVIDENCE_KEYS}
                         for r in evidence.to_dict("records")],
            "current_flow_ba": flows,
            "evidence_status": "loaded", "message": None,
        }
        if none_loaded:
            row.update(score=0.0, evidence_status="none_loaded",
                       message=unloaded[area]["message"], sources=unloaded[area]["sources"])
            missing.append(row)
        else:
            rows.append(row)
    if include_all or covered is not None:  # declared needs where B has no recorded output
        listed = {r["area"] for r in rows + missing}
        for area, declared in sorted(needs_a.items()):
            if area in listed:
                continue
            flows, present = present_flows(intake_a, cap_b.country, area)
            row = {
                "area": area, "area_name": names.get(area, area), "score": 0.0,
                "qualifies": False,
                "need": {"kind": "declared", "priority": declared.priority,
                         "rationale": declared.rationale,
                         "source": declared.source.model_dump(mode="json")},
                "b_strength": None, "b_strong": False, "b_rising": False,
                "a_strength": (_num(a_areas.at[area, "strength"]) if a_areas is not None
                               and area in a_areas.index else None),
                "present_share": present, "evidence": [], "current_flow_ba": flows,
                "evidence_status": "loaded",
                "message": (f"no recorded output of {cap_b.country} in {area} (the store "
                            f"holds {', '.join(covered[area])} for it)"
                            if covered is not None and area in covered else None)}
            if area in unloaded:
                row.update(evidence_status="none_loaded", message=unloaded[area]["message"],
                           sources=unloaded[area]["sources"])
                missing.append(row)
            else:
                rows.append(row)
    rows.sort(key=lambda r: (not r["qualifies"], -r["score"], r["area"]))
    missing.sort(key=lambda r: (r["need"]["kind"] != "declared", r["area"]))
    return Opportunities(cap_a.country, cap_b.country, rows + missing)
