"""Two-way (intra-pair) reciprocity measures for one pair of countries A and B.

For flows AB (A→B) and BA (B→A) in one unit:

- balance = AB − BA
- share_b = BA / (AB + BA), B's share of the two-way total
- gl_index = 1 − |AB − BA| / (AB + BA), the Grubel–Lloyd index (1 balanced, 0 one-way)
- coverage_ratio = BA / AB, how much of what A sends comes back

When both flows are zero the indices are undefined and returned as ``None`` (NaN in
frames); ``coverage_ratio`` is also undefined when AB is zero. See docs/methods.md.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

INDEX_KEYS = ("balance", "share_b", "gl_index", "coverage_ratio")


def gl_index(ab: float, ba: float) -> float | None:
    """Grubel–Lloyd two-way index in [0, 1]; None when both flows are zero."""
    total = ab + ba
    if total <= 0:
        return None
    return 1.0 - abs(ab - ba) / total


def indices(ab: float, ba: float) -> dict[str, float | None]:
    """All two-way measures for one pair of flow totals."""
    total = ab + ba
    return {
        "balance": ab - ba,
        "share_b": ba / total if total > 0 else None,
        "gl_index": gl_index(ab, ba),
        "coverage_ratio": ba / ab if ab > 0 else None,
    }


def add_indices(frame: pd.DataFrame, ab: str = "flow_ab", ba: str = "flow_ba") -> pd.DataFrame:
    """``frame`` with the four measures added as columns (vectorised; NaN where undefined)."""
    x = frame[ab].astype(float)
    y = frame[ba].astype(float)
    total = x + y
    with np.errstate(divide="ignore", invalid="ignore"):
        positive = total > 0
        out = frame.assign(
            balance=x - y,
            share_b=np.where(positive, y / total.where(positive, 1.0), np.nan),
            gl_index=np.where(positive, 1.0 - (x - y).abs() / total.where(positive, 1.0),
                              np.nan),
            coverage_ratio=np.where(x > 0, y / x.where(x > 0, 1.0), np.nan),
        )
    return out


def clean(value: object) -> object:
    """A JSON-safe scalar: NaN and missing become None, numpy types become Python's."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return None if math.isnan(f) else f
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value
