"""Two-way measures: formulas, and their properties checked with hypothesis."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reciprocity.metrics.twoway import (
    INDEX_KEYS,
    add_indices,
    clean,
    gl_index,
    indices,
    measures,
)

# Flow totals as they occur: zero, or from tiny (0.001 TIV) to huge; no subnormal floats.
flows = st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=1e12, allow_nan=False,
                                          allow_infinity=False, allow_subnormal=False))
positive = st.floats(min_value=1e-6, max_value=1e12, allow_nan=False, allow_infinity=False,
                     allow_subnormal=False)
# pandas makes the first example slow; the properties, not the timings, are under test
frames = settings(deadline=None, max_examples=40)


def test_formulas_on_known_values():
    assert indices(159, 663) == pytest.approx({
        "balance": -504, "share_b": 663 / 822, "gl_index": 1 - 504 / 822,
        "coverage_ratio": 663 / 159})
    assert gl_index(3, 1) == pytest.approx(0.5)
    assert indices(10, 0) == {"balance": 10, "share_b": 0.0, "gl_index": 0.0,
                              "coverage_ratio": 0.0}
    assert indices(0, 10) == {"balance": -10, "share_b": 1.0, "gl_index": 0.0,
                              "coverage_ratio": None}


@given(flows, flows)
def test_gl_index_is_in_unit_interval(ab, ba):
    gl = gl_index(ab, ba)
    if ab + ba == 0:
        assert gl is None
    else:
        assert 0.0 <= gl <= 1.0


@given(flows, flows)
def test_measures_mirror_when_a_and_b_swap(ab, ba):
    x, y = indices(ab, ba), indices(ba, ab)
    assert x["balance"] == -y["balance"]
    if ab + ba == 0:
        assert x["gl_index"] is y["gl_index"] is None
        assert x["share_b"] is y["share_b"] is None
    else:
        assert x["gl_index"] == pytest.approx(y["gl_index"], abs=1e-12)
        # B's share seen from A plus A's share seen from B is the whole
        assert x["share_b"] + y["share_b"] == pytest.approx(1.0)
    if ab > 0 and ba > 0:
        assert x["coverage_ratio"] * y["coverage_ratio"] == pytest.approx(1.0)


@given(positive)
def test_equal_flows_give_index_one(v):
    m = indices(v, v)
    assert m["gl_index"] == 1.0
    assert m["share_b"] == 0.5
    assert m["coverage_ratio"] == 1.0
    assert m["balance"] == 0.0


def test_both_zero_is_null_not_zero():
    assert indices(0, 0) == {"balance": 0, "share_b": None, "gl_index": None,
                             "coverage_ratio": None}
    assert gl_index(0.0, 0.0) is None


@given(positive, flows)
def test_one_way_flow_gives_index_zero(v, w):
    assert gl_index(v, 0) == 0.0
    assert gl_index(0, v) == 0.0
    assert indices(0, v)["coverage_ratio"] is None
    # more flow back never lowers B's share
    assert indices(v, w + v)["share_b"] >= indices(v, w)["share_b"] - 1e-12


@frames
@given(st.lists(st.tuples(flows, flows), min_size=1, max_size=30))
def test_vectorised_measures_equal_the_scalar_ones(pairs):
    frame = pd.DataFrame(pairs, columns=["flow_ab", "flow_ba"])
    out = add_indices(frame)
    assert list(out.columns) == ["flow_ab", "flow_ba", *INDEX_KEYS]
    for (ab, ba), row in zip(pairs, out.to_dict("records"), strict=True):
        expected = indices(ab, ba)
        for key in INDEX_KEYS:
            got = clean(row[key])
            if expected[key] is None:
                assert got is None, (ab, ba, key)
            else:
                assert got == pytest.approx(expected[key], rel=1e-9, abs=1e-12), (ab, ba, key)


@frames
@given(st.lists(st.tuples(flows, flows), min_size=1, max_size=30))
def test_vectorised_index_bounds_and_nulls(pairs):
    out = add_indices(pd.DataFrame(pairs, columns=["flow_ab", "flow_ba"]))
    both_zero = (out["flow_ab"] + out["flow_ba"]) == 0
    assert out.loc[both_zero, ["share_b", "gl_index", "coverage_ratio"]].isna().all().all()
    rest = out[~both_zero]
    assert rest["gl_index"].between(0, 1).all()
    assert rest["share_b"].between(0, 1).all()


def test_add_indices_keeps_other_columns_and_empty_frames():
    frame = pd.DataFrame({"year": [2000, 2001], "flow_ab": [1.0, 0.0], "flow_ba": [1.0, 0.0]})
    out = add_indices(frame)
    assert out["year"].tolist() == [2000, 2001]
    assert out["gl_index"].iloc[0] == 1.0 and math.isnan(out["gl_index"].iloc[1])
    empty = add_indices(pd.DataFrame(columns=["flow_ab", "flow_ba"]))
    assert empty.empty and set(INDEX_KEYS) <= set(empty.columns)


def test_measures_take_arrays_and_scalars():
    m = measures(np.array([3.0, 0.0, 2.0, 0.0]), [1, 0, 0, 5])
    assert list(m) == list(INDEX_KEYS)
    np.testing.assert_array_equal(m["balance"], [2.0, 0.0, 2.0, -5.0])
    np.testing.assert_array_equal(m["share_b"], [0.25, np.nan, 0.0, 1.0])
    np.testing.assert_array_equal(m["gl_index"], [0.5, np.nan, 0.0, 0.0])
    np.testing.assert_array_equal(m["coverage_ratio"], [1 / 3, np.nan, 0.0, np.nan])
    one = measures(3, 1)
    assert one["gl_index"].shape == () and float(one["gl_index"]) == gl_index(3, 1) == 0.5


def test_clean_makes_json_safe_scalars():
    assert clean(float("nan")) is None
    assert clean(np.float64("nan")) is None
    assert clean(pd.NA) is None
    assert clean(None) is None
    assert clean(np.float32(1.5)) == 1.5 and type(clean(np.float32(1.5))) is float
    assert clean(np.int64(3)) == 3 and type(clean(np.int64(3))) is int
    assert clean(np.bool_(True)) is True
    assert clean("x") == "x"
