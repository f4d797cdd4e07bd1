"""Event studies: a pair's yearly flows before and after a year, the change with an interval
that resamples the source's sampling unit, and a segmented (interrupted time-series)
regression.

Pure functions over yearly series and sampling units; :mod:`reciprocity.assess.compare`
reads them from the store. Windows: ``before`` is YEAR−N … YEAR−1, ``after`` is YEAR … YEAR+N−1
(the event year counts as after: a policy of year Y can act on the deliveries of Y). Each
window's value is the mean over its years with data (a ``sum`` unit's years inside the
source's years count 0 when nothing moved; any other year without data is left out, never 0).
Formulas and sources: docs/event_studies.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reciprocity.assess import answers
from reciprocity.assess.stats import (
    WIDTH_TOLERANCE,
    Interval,
    bootstrap_interval,
    percentile_interval,
)
from reciprocity.metrics.twoway import gl

DIRECTIONS = ("a_to_b", "b_to_a", "two_way")
VERDICTS = ("rose", "fell", "no_clear_change", "no_verdict")
#: Fewest years with data in each window for a verdict and for the regression.
MIN_YEARS = 3


@dataclass(frozen=True)
class Segmented:
    """A segmented regression y = β0 + β1 (t − Y) + β2 D + β3 D (t − Y), D = [t ≥ Y], by OLS
    with Newey–West (HAC) standard errors, and the Wald test of β2 = β3 = 0 (no change of
    level or slope at Y).

    ``p_value`` is that test's p-value from a residual moving-block bootstrap under the null
    (:func:`segmented`); ``p_value_hac`` is the usual asymptotic one (F with n − 4 degrees of
    freedom), which in series this short rejects a true null far too often (measured in
    docs/event_studies.md) and is kept only for reference."""

    p_value: float | None
    p_value_hac: float | None
    level_change: float | None
    slope_change: float | None
    lags: int | None
    note: str | None = None

    @classmethod
    def none(cls, note: str, lags: int | None = None) -> Segmented:
        return cls(None, None, None, None, lags, note)


#: Bootstrap draws of the segmented regression's test (p-values to 1 / (draws + 1)).
TEST_DRAWS = 499
_RESTRICTIONS = np.array([[0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]])


def newey_west_lags(n: int) -> int:
    """⌊4 (n/100)^(2/9)⌋, at least 1 (Newey and West 1994's rule for the Bartlett kernel)."""
    return max(1, math.floor(4 * (n / 100) ** (2 / 9)))


def _hac_wald(y: np.ndarray, x: np.ndarray, lags: int) -> tuple[Any, float, float]:
    """OLS with Newey–West covariance: (results, Wald F of β2 = β3 = 0, its F p-value)."""
    import statsmodels.api as sm

    res = sm.OLS(y, x).fit(cov_type="HAC", use_t=True,
                           cov_kwds={"maxlags": lags, "use_correction": True})
    test = res.wald_test(_RESTRICTIONS, use_f=True, scalar=True)
    return res, float(np.squeeze(test.statistic)), float(test.pvalue)


def segmented(years: Sequence[int], values: Sequence[float], at: int, *,
              rng: np.random.Generator | None = None, draws: int = TEST_DRAWS,
              min_years: int = MIN_YEARS) -> Segmented:
    """The segmented regression of the yearly ``values`` (NaN years left out) at ``at``.

    The p-value is a bootstrap test (Davidson and MacKinnon 1999): the line without a break
    is fitted, its residuals resampled in moving blocks (``arch``'s MovingBlockBootstrap,
    block length ⌈n^(1/3)⌉) and added back to it, and the share of the ``draws`` HAC Wald
    statistics at least as large as the observed one is the p-value, (1 + #) / (draws + 1).
    """
    import statsmodels.api as sm
    from arch.bootstrap import MovingBlockBootstrap

    t = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    keep = np.isfinite(y)
    t, y = t[keep], y[keep]
    after = t >= at
    if min(int((~after).sum()), int(after.sum())) < min_years:
        return Segmented.none(f"fewer than {min_years} years with data on a side of {at}")
    if float(np.ptp(y)) <= WIDTH_TOLERANCE:
        return Segmented.none("the series is constant")
    d = after.astype(float)
    x = np.column_stack([np.ones_like(t), t - at, d, d * (t - at)])
    lags = newey_west_lags(len(y))
    res, wald, p_hac = _hac_wald(y, x, lags)
    if not math.isfinite(wald) or float(np.max(np.abs(res.resid))) <= 1e-12:
        return Segmented.none("the lines fit exactly: no residual variance to test against",
                              lags)
    line = sm.OLS(y, x[:, :2]).fit()
    bs = MovingBlockBootstrap(block_length(len(y)), np.asarray(line.resid),
                              seed=rng if rng is not None else np.random.default_rng(0))
    null = np.array([_hac_wald(line.fittedvalues + pos[0], x, lags)[1]
                     for pos, _ in bs.bootstrap(draws)])
    null = null[np.isfinite(null)]
    p = (1 + int(np.sum(null >= wald))) / (len(null) + 1) if len(null) else None
    return Segmented(p, _num(p_hac), _num(res.params[2]), _num(res.params[3]), lags)


# -- intervals -------------------------------------------------------------------------------

def unit_windows(units: np.ndarray, directions: np.ndarray, magnitudes: np.ndarray,
                 years: np.ndarray, at: int, window: int) -> dict[str, np.ndarray]:
    """Each sampling unit's flows in the two windows: ``ab_before``, ``ab_after``,
    ``ba_before``, ``ba_after`` (the pieces of a unit added, so that a deal spread over its
    delivery years is drawn whole); units with no flow in either window are left out."""
    before = (years >= at - window) & (years < at)
    after = (years >= at) & (years < at + window)
    inside = before | after
    ids, inv = np.unique(units[inside].astype(str), return_inverse=True)
    d, m = directions[inside], magnitudes[inside]
    b, a = before[inside], after[inside]
    n = len(ids)
    out = {f"{k}_{w}": np.bincount(inv, weights=np.where(sel, m, 0.0), minlength=n)
           for k, dk in (("ab", d), ("ba", ~d)) for w, sel in
           (("before", b & dk), ("after", a & dk))}
    out["ids"] = ids
    return out


def unit_interval(cols: dict[str, np.ndarray], direction: str, n_before: int, n_after: int, *,
                  replicates: int, level: float, rng: np.random.Generator) -> Interval:
    """BCa interval of the change (after − before) over sampling units, by
    :func:`reciprocity.assess.stats.bootstrap_interval` (the composite's bootstrap).

    One-way (``a_to_b``, ``b_to_a``): mean yearly flow after − before, each window's sum
    over the units divided by its years with data, from the units with a flow that way.
    ``two_way``: the index of the after window's sums − the index of the before window's,
    over every unit."""
    if direction == "two_way":
        data = [cols["ab_before"], cols["ba_before"], cols["ab_after"], cols["ba_after"]]
        keep = np.ones(len(data[0]), dtype=bool)

        def stat(abb: np.ndarray, bab: np.ndarray, aba: np.ndarray, baa: np.ndarray,
                 axis: int = -1) -> np.ndarray:
            return (gl(np.sum(aba, axis=axis), np.sum(baa, axis=axis))
                    - gl(np.sum(abb, axis=axis), np.sum(bab, axis=axis)))
    else:
        key = "ab" if direction == "a_to_b" else "ba"
        data = [cols[f"{key}_before"], cols[f"{key}_after"]]
        keep = (data[0] > 0) | (data[1] > 0)
        if not keep.any():
            return Interval.none(0, replicates, "no flow this way in either window")

        def stat(bef: np.ndarray, aft: np.ndarray, axis: int = -1) -> np.ndarray:
            return np.sum(aft, axis=axis) / n_after - np.sum(bef, axis=axis) / n_before
    return bootstrap_interval([c[keep] for c in data], stat, replicates=replicates,
                              level=level, rng=rng)


def block_length(n: int) -> int:
    """⌈n^(1/3)⌉: the order of block length that Hall, Horowitz and Jing (1995) show to be
    optimal for the moving-block bootstrap's variance and distribution estimates."""
    return max(1, math.ceil(n ** (1 / 3)))


def block_interval(before: Sequence[np.ndarray], after: Sequence[np.ndarray],
                   statistic: Callable[..., float], *, replicates: int, level: float,
                   rng: np.random.Generator) -> Interval:
    """Percentile interval of ``statistic(*after) − statistic(*before)`` by a moving-block
    bootstrap over years (Künsch 1989; ``arch.bootstrap.MovingBlockBootstrap``), each window
    resampled on its own (blocks never cross the event year). ``before``/``after`` are
    arrays over the window's years with data, drawn together (A→B and B→A of one year)."""
    from arch.bootstrap import MovingBlockBootstrap

    n_b, n_a = len(before[0]), len(after[0])
    units = n_b + n_a
    if min(n_b, n_a) < 2:
        return Interval.none(units, replicates, "fewer than two years with data in a window")
    draws = []
    for arrays in (before, after):
        bs = MovingBlockBootstrap(block_length(len(arrays[0])), *arrays, seed=rng)
        draws.append(bs.apply(lambda *a: np.array([statistic(*a)]), replicates)[:, 0])
    dist = draws[1] - draws[0]
    finite = dist[np.isfinite(dist)]
    if len(finite) < 2 or float(np.ptp(finite)) <= WIDTH_TOLERANCE:
        return Interval(None, None, None, 0.0 if len(finite) else None, units, dist,
                        "every resample gives the same value")
    found = percentile_interval(dist, level)
    assert found is not None
    return Interval(found[0], found[1], "moving-block percentile", float(np.std(finite, ddof=1)),
                    units, dist)


# -- one direction's result ------------------------------------------------------------------

@dataclass
class Side:
    """One direction (or the two-way index) of one channel around the event year."""

    before: float | None
    after: float | None
    n_years_before: int
    n_years_after: int
    interval: Interval
    test: Segmented
    verdict: str = "no_verdict"
    reason: str | None = None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    def decide(self, min_years: int = MIN_YEARS) -> Side:
        """Set the verdict: ``rose``/``fell`` when the interval excludes 0,
        ``no_clear_change`` when it holds 0, ``no_verdict`` (with the reason) when a window
        has fewer than ``min_years`` years with data or there is no interval of positive
        width."""
        if min(self.n_years_before, self.n_years_after) < min_years:
            self.verdict = "no_verdict"
            self.reason = (f"too few years with data ({self.n_years_before} before, "
                           f"{self.n_years_after} after; {min_years} needed on each side)")
        elif self.change is None or not self.interval.usable:
            self.verdict = "no_verdict"
            self.reason = ("no interval: " + (self.interval.note or "undefined value"))
        else:
            assert self.interval.low is not None and self.interval.high is not None
            self.verdict = ("rose" if self.interval.low > 0 else "fell"
                            if self.interval.high < 0 else "no_clear_change")
            self.reason = None
        return self

    def answer(self) -> answers.EventSide:
        return answers.EventSide(
            before=_num(self.before), after=_num(self.after), change=_num(self.change),
            ci_low=_num(self.interval.low), ci_high=_num(self.interval.high),
            p_value=self.test.p_value, p_value_hac=self.test.p_value_hac,
            level_change=self.test.level_change, slope_change=self.test.slope_change,
            hac_lags=self.test.lags, test_note=self.test.note,
            n_years_before=self.n_years_before, n_years_after=self.n_years_after,
            interval_method=self.interval.method, sampling_units=self.interval.units,
            interval_note=self.interval.note, verdict=self.verdict, reason=self.reason)


def mean_or_none(values: np.ndarray) -> float | None:
    """The mean of the finite values (None when there are none)."""
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if len(finite) else None


def window_index(ab: np.ndarray, ba: np.ndarray) -> float | None:
    """The two-way index of a window's flows: of its totals (for means the same ratio)."""
    keep = np.isfinite(ab) & np.isfinite(ba)
    if not keep.any():
        return None
    return _num(float(gl(ab[keep].sum(), ba[keep].sum())))


@dataclass
class ChannelStudy:
    """One channel's event study in its primary unit."""

    channel: str
    unit: str
    aggregation: str
    directed: bool
    resampled: str
    sides: dict[str, Side | None] = field(default_factory=dict)
    credits: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)

    def answer(self) -> answers.ChannelStudyAnswer:
        sides = {name: side.answer() for name, side in self.sides.items()
                 if side is not None}
        return answers.ChannelStudyAnswer(
            unit=self.unit, aggregation=self.aggregation, directed=self.directed,
            resampled=self.resampled, **sides, credits=self.credits)


def _num(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None
