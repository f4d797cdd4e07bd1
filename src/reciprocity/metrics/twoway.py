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
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # NumPy and pandas load for frames only: a few rows need neither
    import numpy as np
    import pandas as pd
    from numpy.typing import ArrayLike

INDEX_KEYS = ("balance", "share_b", "gl_index", "coverage_ratio")


def measures(ab: ArrayLike, ba: ArrayLike) -> dict[str, np.ndarray]:
    """The four measures for flow totals AB and BA (arrays or scalars); NaN where undefined.

    The formulas of :func:`row_measures`, vectorised: :func:`add_indices` applies them to the
    columns of a frame (a test holds the two to the same numbers).
    """
    import numpy as np

    x = np.asarray(ab, dtype="float64")
    y = np.asarray(ba, dtype="float64")
    total = x + y
    positive = total > 0
    sends = x > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "balance": x - y,
            "share_b": np.where(positive, y / np.where(positive, total, 1.0), np.nan),
            "gl_index": gl(x, y),
            "coverage_ratio": np.where(sends, y / np.where(sends, x, 1.0), np.nan),
        }


def gl(ab: ArrayLike, ba: ArrayLike) -> np.ndarray:
    """Grubel–Lloyd 1 − |ab − ba| / (ab + ba), elementwise; NaN where both are zero.

    The one vectorised definition: :func:`measures`, the assessment's bootstraps and null
    draws all use it (:func:`row_measures` is the same formula for one pair, without NumPy).
    """
    import numpy as np

    x = np.asarray(ab, dtype="float64")
    y = np.asarray(ba, dtype="float64")
    total = x + y
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, 1.0 - np.abs(x - y) / np.where(total > 0, total, 1.0),
                        np.nan)


def row_measures(ab: float, ba: float) -> tuple[float, float, float, float]:
    """The four measures (:data:`INDEX_KEYS` order) for one pair of flow totals, in plain
    Python (NaN where undefined): for answers of a few rows, which need no NumPy."""
    total = ab + ba
    return (ab - ba,
            ba / total if total > 0 else math.nan,
            1.0 - abs(ab - ba) / total if total > 0 else math.nan,
            ba / ab if ab > 0 else math.nan)


def indices(ab: float, ba: float) -> dict[str, float | None]:
    """All two-way measures for one pair of flow totals (None where undefined)."""
    return {k: clean(v) for k, v in zip(INDEX_KEYS, row_measures(float(ab), float(ba)),
                                        strict=True)}


def gl_index(ab: float, ba: float) -> float | None:
    """Grubel–Lloyd two-way index in [0, 1]; None when both flows are zero."""
    return indices(ab, ba)["gl_index"]


def add_indices(frame: pd.DataFrame, ab: str = "flow_ab", ba: str = "flow_ba") -> pd.DataFrame:
    """``frame`` with the four measures added as columns (vectorised; NaN where undefined)."""
    return frame.assign(**measures(frame[ab].astype(float), frame[ba].astype(float)))


def clean(value: object) -> object:
    """A JSON-safe scalar: NaN, NA and NaT become None, numpy types become Python's."""
    if value is None:
        return None
    if type(value) is float:
        return None if math.isnan(value) else value
    pd = sys.modules.get("pandas")
    if pd is not None and (value is pd.NA or value is pd.NaT):
        return None
    np = sys.modules.get("numpy")
    if np is None:  # then the value is no NumPy scalar
        return value
    if isinstance(value, np.floating):
        f = float(value)
        return None if math.isnan(f) else f
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value
