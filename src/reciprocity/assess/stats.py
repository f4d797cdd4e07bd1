"""Small statistics the assessment shares: trend test, specialisation, concentration, intervals.

Pure functions over numbers and arrays (numpy; scipy for the BCa bootstrap). Formulas and
sources: docs/methods.md.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Sequence
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


@dataclass(frozen=True)
class Interval:
    """A bootstrap confidence interval with the replicates behind it.

    ``low``/``high`` are None when there is no sampling distribution (fewer than two
    sampling units, or every resample giving the same value); ``method`` is ``BCa`` or, where
    BCa is undefined (its bias correction is infinite when no replicate falls below the
    estimate), ``percentile``; ``se`` is the standard deviation of the replicates.
    """

    low: float | None
    high: float | None
    method: str | None
    se: float | None
    units: int
    replicates: np.ndarray
    note: str | None = None

    @property
    def usable(self) -> bool:
        """A finite interval of positive width (anything else supports no verdict)."""
        return (self.low is not None and self.high is not None
                and self.high - self.low > WIDTH_TOLERANCE)

    @property
    def variance(self) -> float | None:
        return None if self.se is None else self.se ** 2

    @classmethod
    def none(cls, units: int, replicates: int, note: str) -> Interval:
        return cls(None, None, None, None, units, np.full(replicates, np.nan), note)


WIDTH_TOLERANCE = 1e-9


def bootstrap_interval(data: Sequence[np.ndarray], statistic: Callable[..., np.ndarray], *,
                       replicates: int, level: float, rng: np.random.Generator,
                       batch: int = 250) -> Interval:
    """BCa interval of ``statistic`` over sampling units (rows of ``data``, drawn together).

    ``scipy.stats.bootstrap`` with ``paired=True`` (the arrays of ``data`` are columns of
    one unit) and ``method="BCa"`` (B. Efron, "Better bootstrap confidence intervals",
    JASA 82, 1987, pp. 171–185; T. J. DiCiccio and B. Efron, Statistical Science 11, 1996,
    pp. 189–228). ``statistic(*columns, axis)`` must be vectorised. The interval is never
    widened: a point estimate outside it is reported as it is.
    """
    from scipy import stats as sps

    n = len(data[0]) if len(data) else 0
    if n < 2:
        return Interval.none(n, replicates, "one sampling unit" if n == 1 else "no sampling unit")
    with warnings.catch_warnings():  # degenerate samples: scipy warns and returns NaN
        warnings.simplefilter("ignore")
        res = sps.bootstrap(tuple(np.asarray(d, dtype=float) for d in data), statistic,
                            n_resamples=replicates, batch=batch, vectorized=True, paired=True,
                            confidence_level=level, method="BCa", rng=rng)
    dist = np.asarray(res.bootstrap_distribution, dtype=float)
    finite = dist[np.isfinite(dist)]
    if len(finite) < 2 or float(np.ptp(finite)) <= WIDTH_TOLERANCE:
        return Interval(None, None, None, 0.0 if len(finite) else None, n, dist,
                        "every resample gives the same value")
    lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
    method = "BCa"
    # BCa is undefined (infinite bias correction) or collapses to a point (an estimate at the
    # edge of the statistic's range, e.g. a perfectly balanced pair's index 1, with nearly
    # every replicate below it) while the replicates do vary: the percentile interval
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi - lo <= WIDTH_TOLERANCE:
        lo, hi = (float(q) for q in np.quantile(finite, [(1 - level) / 2,
                                                          1 - (1 - level) / 2]))
        method = "percentile"
    return Interval(lo, hi, method, float(np.std(finite, ddof=1)), n, dist)


def percentile_interval(samples: np.ndarray, level: float) -> tuple[float, float] | None:
    """The central ``level`` interval of the finite ``samples`` (None when there are none)."""
    finite = samples[np.isfinite(samples)]
    if len(finite) == 0:
        return None
    lo, hi = np.quantile(finite, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)


def inverse_variance_weights(variances: Sequence[float]) -> np.ndarray:
    """Precision weights w_i = (1 / v_i) / Σ_j (1 / v_j), as in fixed-effect meta-analysis
    (M. Borenstein, L. V. Hedges, J. P. T. Higgins and H. R. Rothstein, *Introduction to
    Meta-Analysis*, Wiley, 2009, ch. 11). Every variance must be positive."""
    v = np.asarray(variances, dtype=float)
    if len(v) == 0 or np.any(~np.isfinite(v)) or np.any(v <= 0):
        raise ValueError("precision weights need positive, finite variances")
    p = 1.0 / v
    return p / p.sum()
