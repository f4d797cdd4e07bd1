"""The composite index: range, symmetry, balance, the null model and the bootstrap interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reciprocity.assess.composite import (
    ChannelData,
    composite,
    ipf,
    null_flows,
    undirected_expected,
    weighted_index,
)
from reciprocity.assess.config import Weights

ARMS = Weights({"arms": 1.0})
FAST = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
magnitudes = st.lists(st.floats(0.01, 1000.0, allow_nan=False), min_size=1, max_size=25)
others = st.lists(st.tuples(st.sampled_from(["DEU", "FRA", "GBR", "ITA"]),
                            st.sampled_from(["USA", "JPN", "DEU", "FRA", "GBR", "ITA"]),
                            st.floats(0.01, 1000.0)), max_size=12)


def records(ab: list[float], ba: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"direction": ["ab"] * len(ab) + ["ba"] * len(ba),
                         "magnitude": [*ab, *ba], "year": [2000 + i % 10 for i in
                                                          range(len(ab) + len(ba))]})


def network(a: str, b: str, ab: list[float], ba: list[float],
            extra: list[tuple[str, str, float]]) -> pd.DataFrame:
    rows = [(a, b, sum(ab)), (b, a, sum(ba)), *extra]
    return pd.DataFrame(rows, columns=["origin", "destination", "magnitude"])


def channel(ab: list[float], ba: list[float], net: pd.DataFrame | None = None,
            name: str = "arms") -> ChannelData:
    return ChannelData.from_records(name, "tiv_millions", True, records(ab, ba), net)


def run(a: str, b: str, chans: list[ChannelData], weights: Weights = ARMS,
        replicates: int = 200, seed: int = 7):
    return composite(a, b, chans, weights, replicates=replicates, seed=seed)


@FAST
@given(ab=magnitudes, ba=magnitudes, extra=others)
def test_indices_stay_in_range_and_intervals_hold_the_estimate(ab, ba, extra):
    result = run("USA", "JPN", [channel(ab, ba, network("USA", "JPN", ab, ba, extra))])
    assert 0.0 <= result.value <= 1.0
    assert 0.0 <= result.expected <= 1.0
    assert result.ci_low <= result.value <= result.ci_high
    assert result.ci_low >= 0.0 and result.ci_high <= 1.0
    ch = result.channels[0]
    assert ch.ci_low <= ch.index <= ch.ci_high
    assert result.verdict in ("more_reciprocal_than_expected", "as_expected",
                              "less_reciprocal_than_expected")


@FAST
@given(ab=magnitudes, ba=magnitudes, extra=others)
def test_swapping_the_countries_mirrors_the_result(ab, ba, extra):
    net = network("USA", "JPN", ab, ba, extra)
    one = run("USA", "JPN", [channel(ab, ba, net)])
    # the same records seen from the other side: directions flip, the order stays
    rec = records(ab, ba)
    rec["direction"] = rec["direction"].map({"ab": "ba", "ba": "ab"})
    other = run("JPN", "USA", [ChannelData.from_records("arms", "tiv_millions", True, rec,
                                                         net)])
    assert other.value == pytest.approx(one.value)
    assert other.expected == pytest.approx(one.expected)
    assert (other.ci_low, other.ci_high) == pytest.approx((one.ci_low, one.ci_high))
    a, b = one.channels[0], other.channels[0]
    assert (b.observed_ab, b.observed_ba) == pytest.approx((a.observed_ba, a.observed_ab))
    assert (b.expected_ab, b.expected_ba) == pytest.approx((a.expected_ba, a.expected_ab))
    assert other.verdict == one.verdict


@FAST
@given(flows=magnitudes, extra=others)
def test_a_perfectly_balanced_pair_scores_as_reciprocal(flows, extra):
    result = run("USA", "JPN", [channel(flows, flows, network("USA", "JPN", flows, flows,
                                                                extra))])
    assert result.value == pytest.approx(1.0)
    assert result.ci_high == pytest.approx(1.0)
    assert not result.non_reciprocal
    assert result.verdict in ("as_expected", "more_reciprocal_than_expected")


@FAST
@given(s=st.lists(st.floats(0.1, 50.0), min_size=3, max_size=7),
       t=st.lists(st.floats(0.1, 50.0), min_size=7, max_size=7),
       parts=st.integers(1, 30))
def test_an_imbalance_the_null_expects_is_not_non_reciprocal(s, t, parts):
    """Flows w_ij = s_i · t_j (i ≠ j): every imbalance is what the countries' sizes imply."""
    codes = ["USA", "JPN", "DEU", "FRA", "GBR", "ITA", "KOR"][:len(s)]
    rows = [(codes[i], codes[j], s[i] * t[j]) for i in range(len(s)) for j in range(len(s))
            if i != j]
    net = pd.DataFrame(rows, columns=["origin", "destination", "magnitude"])
    w_ab, w_ba = s[0] * t[1], s[1] * t[0]
    ab, ba = [w_ab / parts] * parts, [w_ba / parts] * parts
    result = run("USA", "JPN", [channel(ab, ba, net)])
    ch = result.channels[0]
    assert (ch.expected_ab, ch.expected_ba) == pytest.approx((w_ab, w_ba), rel=1e-6)
    assert result.expected == pytest.approx(result.value, abs=1e-6)
    assert not result.non_reciprocal
    assert result.verdict == "as_expected"


def test_a_one_way_pair_between_similar_countries_is_non_reciprocal():
    extra = [("DEU", "USA", 50.0), ("DEU", "JPN", 50.0), ("USA", "DEU", 50.0),
             ("JPN", "DEU", 50.0)]
    ab, ba = [10.0] * 40, [1.0] * 4
    result = run("USA", "JPN", [channel(ab, ba, network("USA", "JPN", ab, ba, extra))])
    assert result.verdict == "less_reciprocal_than_expected"
    assert result.non_reciprocal


@FAST
@given(ab=st.lists(st.floats(0.5, 100.0), min_size=1, max_size=6),
       ba=st.lists(st.floats(0.5, 100.0), min_size=1, max_size=6))
def test_intervals_narrow_as_records_grow(ab, ba):
    def width(k: int) -> float:
        result = run("USA", "JPN", [channel(ab * k, ba * k)], replicates=400, seed=3)
        return result.ci_high - result.ci_low

    w4, w16, w64 = width(4), width(16), width(64)
    assert w64 <= w16 + 0.02
    assert w16 <= w4 + 0.02
    assert w64 <= 0.6 * w4 + 1e-9


def test_weights_are_rescaled_over_channels_with_records():
    w = Weights({"arms": 0.5, "programs": 0.3, "citation": 0.2})
    chans = [channel([1.0], [1.0]), channel([], [], name="programs"),
             channel([3.0], [1.0], name="citation")]
    result = run("USA", "JPN", chans, weights=w)
    weights = {c.channel: c.weight for c in result.channels}
    assert weights == pytest.approx({"arms": 0.5 / 0.7, "programs": 0.0,
                                     "citation": 0.2 / 0.7})
    assert result.value == pytest.approx((0.5 * 1.0 + 0.2 * 0.5) / 0.7)
    assert result.channels[1].index is None


def test_no_records_means_undefined_not_zero():
    result = run("USA", "JPN", [channel([], [])])
    assert result.value is None and result.ci_low is None and result.expected is None
    assert result.verdict == "undefined" and not result.non_reciprocal


def test_index_units_expect_one_both_ways():
    rec = pd.DataFrame({"direction": ["ab", "ba", "ab", "ba"], "magnitude": [1.2, 0.8, 1.0,
                                                                            1.0],
                        "year": [2019, 2019, 2020, 2020]})
    ch = ChannelData.from_records("citation", "relative_citation_index", False, rec)
    result = run("USA", "JPN", [ch], weights=Weights({"citation": 1.0}))
    assert result.channels[0].observed_ab == pytest.approx(1.1)
    assert result.expected == pytest.approx(1.0)
    assert result.value == pytest.approx(1 - 0.2 / 2.0)


@settings(max_examples=50, deadline=None)
@given(matrix=st.lists(st.lists(st.floats(0.0, 100.0), min_size=6, max_size=6), min_size=6,
                       max_size=6))
def test_ipf_matches_every_out_and_in_strength(matrix):
    w = np.array(matrix)
    np.fill_diagonal(w, 0.0)
    out, inn = w.sum(axis=1), w.sum(axis=0)
    x, y = ipf(out, inn, max_iter=100_000)
    e = np.outer(x, y)
    np.fill_diagonal(e, 0.0)
    scale = max(out.sum(), 1.0)
    assert np.allclose(e.sum(axis=1), out, atol=1e-5 * scale)
    assert np.allclose(e.sum(axis=0), inn, atol=1e-5 * scale)


def test_null_of_a_two_country_channel_reproduces_it():
    net = pd.DataFrame([("USA", "JPN", 15.0), ("JPN", "USA", 5.0)],
                       columns=["origin", "destination", "magnitude"])
    assert null_flows(net, "USA", "JPN") == pytest.approx((15.0, 5.0))


def test_undirected_expectation_and_weighted_index():
    net = pd.DataFrame([("JPN", "USA", 10.0), ("DEU", "USA", 10.0)],
                       columns=["origin", "destination", "magnitude"])
    # strengths USA 20, JPN 10, DEU 10; total 40
    assert undirected_expected(net, "USA", "JPN") == pytest.approx(20 * 10 / 40)
    w = Weights({"arms": 0.6, "programs": 0.4})
    assert weighted_index({"arms": 0.5, "programs": None}, w) == pytest.approx(0.5)
    assert weighted_index({"arms": None}, w) is None


def test_the_bootstrap_is_reproducible_with_a_seed():
    chans = [channel([1.0, 2.0, 5.0], [1.0, 0.5])]
    one, two = run("USA", "JPN", chans, seed=11), run("USA", "JPN", chans, seed=11)
    assert (one.ci_low, one.ci_high) == (two.ci_low, two.ci_high)
