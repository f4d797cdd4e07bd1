"""Trend test, specialisation, concentration and intervals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reciprocity.assess.stats import (
    bootstrap_interval,
    hhi,
    mann_kendall,
    ols_line,
    percentile_interval,
    rta,
    strength,
)
from reciprocity.metrics.twoway import gl


def test_mann_kendall_finds_clear_trends_and_not_noise():
    assert mann_kendall(list(range(12))).direction == "rising"
    assert mann_kendall(list(range(12, 0, -1))).direction == "falling"
    assert mann_kendall([1.0] * 10).direction == "none"
    assert mann_kendall([1, 3, 2, 3, 1, 2, 3, 1, 2, 1]).direction == "none"
    assert mann_kendall([1, 2, 3]).direction == "too_short"
    rising = mann_kendall([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    assert rising.tau == pytest.approx(1.0) and rising.slope == pytest.approx(1.0)
    assert rising.p_value < 0.001


def test_mann_kendall_matches_the_textbook_value():
    # n = 10, S = 45 (strictly increasing): Var S = 10·9·25/18 = 125, Z = 44/√125
    import math

    trend = mann_kendall(list(range(10)))
    assert trend.p_value == pytest.approx(math.erfc(44 / math.sqrt(125) / math.sqrt(2)))


def test_rta_strength_and_hhi():
    assert rta(50, 100, 200, 1000) == pytest.approx(2.5)
    assert rta(1, 0, 1, 1) is None
    assert strength(1.0) == 0.5
    assert strength(None) is None
    assert strength(3.0) == pytest.approx(0.75)
    assert hhi([0.5, 0.3]) == pytest.approx(0.34)
    assert ols_line([2000, 2001, 2002], [1, 2, 3]) == pytest.approx((-1999.0, 1.0))
    assert ols_line([2000], [4.0]) == (4.0, 0.0)


@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=20),
       st.lists(st.floats(0, 1e6), min_size=1, max_size=20))
def test_gl_in_range_and_symmetric(ab, ba):
    x, y = np.array(ab[:len(ba)]), np.array(ba[:len(ab)])
    one, two = gl(x, y), gl(y, x)
    finite = np.isfinite(one)
    assert np.all((one[finite] >= 0) & (one[finite] <= 1 + 1e-12))
    assert np.allclose(one[finite], two[finite])
    assert np.all(np.isnan(one[~finite]) == ((x + y)[~finite] == 0))


def _mean(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(x, axis=axis)


def test_bootstrap_interval_is_bca_over_the_units_and_never_widened():
    rng = np.random.default_rng(0)
    x = rng.exponential(1.0, 200)
    iv = bootstrap_interval((x,), _mean, replicates=2000, level=0.95,
                            rng=np.random.default_rng(1))
    assert iv.method == "BCa" and iv.usable and iv.units == 200
    se = x.std(ddof=1) / np.sqrt(len(x))
    assert iv.se == pytest.approx(se, rel=0.15)
    assert iv.low < x.mean() < iv.high
    assert iv.high - iv.low == pytest.approx(2 * 1.96 * se, rel=0.2)
    # the same seed gives the same interval
    again = bootstrap_interval((x,), _mean, replicates=2000, level=0.95,
                               rng=np.random.default_rng(1))
    assert (again.low, again.high) == (iv.low, iv.high)


def test_no_sampling_distribution_gives_no_interval():
    one = bootstrap_interval((np.array([3.0]),), _mean, replicates=100, level=0.95,
                             rng=np.random.default_rng(0))
    assert one.low is None and not one.usable and one.note == "one sampling unit"
    same = bootstrap_interval((np.full(10, 2.0),), _mean, replicates=100, level=0.95,
                              rng=np.random.default_rng(0))
    assert same.low is None and not same.usable
    assert same.note == "every resample gives the same value"


def test_an_estimate_at_the_edge_gets_the_percentile_interval_not_a_point():
    # 20 units each way: index 1, the largest value; BCa collapses to [1, 1] although the
    # replicates vary, so the percentile interval is reported (and named)
    ab = np.r_[np.ones(20), np.zeros(20)]
    iv = bootstrap_interval((ab, 1.0 - ab), lambda x, y, axis=-1: gl(x.sum(axis), y.sum(axis)),
                            replicates=500, level=0.95, rng=np.random.default_rng(0))
    assert iv.usable and iv.method == "percentile"
    assert iv.low < 1.0 and iv.high == pytest.approx(1.0)


@given(st.lists(st.floats(0, 1), min_size=1, max_size=50))
def test_percentile_interval_of_finite_samples(samples):
    lo, hi = percentile_interval(np.array([*samples, np.nan]), 0.9)
    assert min(samples) <= lo <= hi <= max(samples)
    assert percentile_interval(np.array([np.nan]), 0.9) is None
