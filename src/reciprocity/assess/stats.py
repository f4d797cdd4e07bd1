"""Small statistics the assessment shares: trend test, specialisation, concentration, intervals.

Pure functions over numbers and arrays (numpy only). Formulas and sources: docs/methods.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Trend:
    """Mann–Kendall trend test of a series with Sen's slope."""

    n: int
    tau: float | None
    p_value: float | None
    slope: float | None
    direction: str  # rising | falling | none | too_short

    def to_dict(self) -> dict[str, object]:
        return {"n": self.n, "tau": self.tau, "p_value": self.p_value, "slope": self.slope,
                "direction": self.direction}


def mann_kendall(values: Sequence[float], alpha: float = 0.05, min_n: int = 4) -> Trend:
    """Two-sided Mann–Kendall test (normal approximation with tie correction).

    S = Σ_{i<j} sign(x_j − x_i); Var S = [n(n−1)(2n+5) − Σ_t t(t−1)(2t+5)] / 18;
    Z = (S − sign S) / √Var S; p = erfc(|Z| / √2). Kendall's tau = S / (n(n−1)/2); the slope
    is Sen's median of pairwise slopes per step. NaNs are dropped.
    """
    x = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    n = len(x)
    if n < min_n:
        return Trend(n, None, None, None, "too_short")
    i, j = np.triu_indices(n, k=1)
    diff = x[j] - x[i]
    s = float(np.sign(diff).sum())
    _, counts = np.unique(x, return_counts=True)
    ties = float(sum(t * (t - 1) * (2 * t + 5) for t in counts if t > 1))
    var = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    if var <= 0:
        return Trend(n, 0.0, 1.0, 0.0, "none")
    z = (s - math.copysign(1.0, s)) / math.sqrt(var) if s != 0 else 0.0
    p = math.erfc(abs(z) / math.sqrt(2.0))
    tau = s / (n * (n - 1) / 2)
    slope = float(np.median(diff / (j - i)))
    direction = "none"
    if p < alpha:
        direction = "rising" if s > 0 else "falling"
    return Trend(n, tau, p, slope, direction)


def ols_line(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """(intercept, slope) of the least-squares line; a flat line at the mean for one point."""
    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    if len(x) == 0:
        return 0.0, 0.0
    if len(x) == 1 or np.ptp(x) == 0:
        return float(y.mean()), 0.0
    slope, intercept = np.polyfit(x, y, 1)
    return float(intercept), float(slope)


def rta(value: float, country_total: float, area_total: float, world_total: float) -> float | None:
    """Balassa's revealed advantage (P_ca / P_c) / (P_a / P); None when undefined."""
    if country_total <= 0 or area_total <= 0 or world_total <= 0:
        return None
    return (value / country_total) / (area_total / world_total)


def strength(ratio: float | None) -> float | None:
    """A revealed-advantage ratio (1 = as the world) mapped to [0, 1): r / (1 + r).

    This is (RSCA + 1) / 2 with Laursen's symmetric RSCA = (r − 1) / (r + 1); 0.5 at r = 1.
    """
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)) or ratio < 0:
        return None
    return ratio / (1.0 + ratio)


def hhi(shares: Iterable[float]) -> float:
    """Herfindahl–Hirschman index Σ s² of shares (fractions, not percent)."""
    return float(sum(s * s for s in shares))


def gl(ab: np.ndarray | float, ba: np.ndarray | float) -> np.ndarray:
    """Grubel–Lloyd 1 − |ab − ba| / (ab + ba), elementwise; NaN where both are zero."""
    x = np.asarray(ab, dtype=float)
    y = np.asarray(ba, dtype=float)
    total = x + y
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, 1.0 - np.abs(x - y) / np.where(total > 0, total, 1.0),
                        np.nan)


def percentile_interval(samples: np.ndarray, point: float, level: float) -> tuple[float, float]:
    """Percentile bootstrap interval, widened where needed so that it holds ``point``.

    The percentile interval of a bounded, skewed statistic (an index at 1) can miss its own
    estimate; the reported interval is [min(q_lo, point), max(q_hi, point)].
    """
    finite = samples[np.isfinite(samples)]
    if len(finite) == 0:
        return point, point
    lo, hi = np.quantile(finite, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(min(lo, point)), float(max(hi, point))
