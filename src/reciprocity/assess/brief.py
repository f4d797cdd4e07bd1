"""The assessment part of the demo: a pair's composite index, B's leading areas, the top
opportunities for B's contributions to A's needs and B's dependence on A."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from reciprocity.assess.capabilities import Capabilities
from reciprocity.assess.composite import Composite
from reciprocity.assess.dependence import Dependence
from reciprocity.assess.opportunities import Opportunities


class Assessor(Protocol):
    """What :func:`brief` asks of a session (``api.Reciprocity`` is one)."""

    def composite_index(self, a: str, b: str) -> Composite: ...

    def capabilities(self, a: str) -> Capabilities: ...

    def opportunities(self, a: str, b: str, *, include_all: bool = False) -> Opportunities: ...

    def dependence(self, a: str, *, channel: str = "arms") -> Dependence: ...


@dataclass
class Brief:
    """What the demo prints about A and B (by default the United States and Japan)."""

    a: str
    b: str
    index: Composite
    capabilities: Capabilities
    opportunities: Opportunities
    candidates: Opportunities
    dependence: Dependence
    channel: str = "arms"
    listing: Opportunities | None = None
    """Everything ``assess opportunities A B`` lists: the qualifying rows, then A's declared
    needs with B's evidence or "no evidence loaded"."""

    @property
    def dependence_on_a(self) -> float | None:
        """B's share of its intake (in ``channel``) that comes from A, latest window."""
        return self.dependence.partner_share(self.a)

    def frames(self) -> dict[str, pd.DataFrame]:
        """CSV name → frame, for the demo's output folder."""
        a, b = self.a.lower(), self.b.lower()
        index = self.index.frame()
        idx = self.index
        null = idx.null.interval if idx.null else None
        composite = pd.DataFrame([{"channel": "composite", "unit": idx.weighting,
                                   "weight": 1.0, "index": idx.value,
                                   "ci_low": idx.ci_low, "ci_high": idx.ci_high,
                                   "expected": idx.expected,
                                   "null_low": null[0] if null else None,
                                   "null_high": null[1] if null else None,
                                   "z": idx.null.z(idx.value) if idx.null else None,
                                   "verdict": idx.verdict,
                                   "excluded": "",
                                   "window": idx.window.name if idx.window else ""}])
        opps = self.listing if self.listing is not None and self.listing.rows else (
            self.opportunities if self.opportunities.rows else self.candidates)
        return {
            f"{a}_{b}_composite_index.csv": pd.concat([composite, index], ignore_index=True),
            f"{b}_capabilities.csv": self.capabilities.measures,
            f"{a}_{b}_opportunities.csv": opps.frame(),
            f"{b}_{self.channel}_dependence.csv": self.dependence.frame(),
        }


def brief(r: Assessor, a: str = "USA", b: str = "JPN", channel: str = "arms") -> Brief:
    """Compute the brief on the session's store (default settings, weights and needs)."""
    index = r.composite_index(a, b)
    caps = r.capabilities(b)
    listed = r.opportunities(a, b)  # qualifying rows, then declared needs with their evidence
    opps = Opportunities(listed.a, listed.b, listed.qualifying, listed.window,
                         listed.needs_source, listed.credits)
    candidates = opps
    if not opps.rows:  # explain an empty answer: the declared needs against B's evidence
        everything = r.opportunities(a, b, include_all=True)
        rows = [x for x in everything.rows if x["need"]["kind"] == "declared"]
        candidates = Opportunities(everything.a, everything.b, rows, everything.window,
                                   everything.needs_source, everything.credits)
    dep = r.dependence(b, channel=channel)
    return Brief(index.a, index.b, index, caps, opps, candidates, dep, channel, listed)


def summary(brief_: Brief) -> dict[str, Any]:
    """The brief's headline figures as plain data."""
    idx = brief_.index.answer().model_dump(mode="json")
    dep = brief_.dependence.answer().model_dump(mode="json")
    return {
        "index": {k: idx[k] for k in ("value", "ci_low", "ci_high", "expected", "verdict",
                                      "weighting", "window")},
        "leading_areas": [r["area"] for r in brief_.capabilities.leading().to_dict("records")],
        "opportunities": [{"area": o["area"], "score": o["score"]}
                          for o in (brief_.opportunities.rows or brief_.candidates.rows)[:5]],
        "dependence": {"hhi": dep["hhi"], "top_partner": dep["top_partner"],
                       "top_share": dep["top_share"], "share_of_a": brief_.dependence_on_a,
                       "window": dep.get("window")},
    }
