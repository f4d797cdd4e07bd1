"""The composite index: sampling units, BCa intervals, the null distribution, verdicts and
precision weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reciprocity.assess import composite as comp_mod
from reciprocity.assess.composite import (
    VERDICTS,
    ChannelData,
    composite,
    ipf,
    null_distribution,
    null_flows,
    undirected_expected,
    unit_flows,
)
from reciprocity.assess.config import Weights
from reciprocity.assess.stats import Interval
from reciprocity.assess.window import span

ARMS = Weights(weights={"arms": 1.0})
FAST = settings(max_examples=20, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
magnitudes = st.lists(st.floats(0.01, 1000.0, allow_nan=False), min_size=1, max_size=25)
others = st.lists(st.tuples(st.sampled_from(["DEU", "FRA", "GBR", "ITA"]),
                            st.sampled_from(["USA", "JPN", "DEU", "FRA", "GBR", "ITA"]),
                            st.floats(0.01, 1000.0)), max_size=12)
FIRM = ("more_reciprocal_than_expected", "less_reciprocal_than_expected")


def records(ab: list[float], ba: list[float], units: list[str] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame({"direction": ["ab"] * len(ab) + ["ba"] * len(ba),
                          "magnitude": [*ab, *ba],
                          "year": [2000 + i % 10 for i in range(len(ab) + len(ba))]})
    if units is not None:
        frame["unit_id"] = units
    return frame


def network(a: str, b: str, ab: list[float], ba: list[float],
            extra: list[tuple[str, str, float]]) -> pd.DataFrame:
    rows = [(a, b, sum(ab)), (b, a, sum(ba)), *extra]
    return pd.DataFrame(rows, columns=["origin", "destination", "magnitude"])


# USA and JPN as alike as can be: each sends and receives 2,000 elsewhere
SIMILAR = [(x, y, 1000.0) for x in ("USA", "JPN") for y in ("DEU", "FRA")] + [
    (y, x, 1000.0) for x in ("USA", "JPN") for y in ("DEU", "FRA")]


def channel(ab: list[float], ba: list[float], net: pd.DataFrame | None = None,
            name: str = "arms", units: list[str] | None = None) -> ChannelData:
    if net is None:
        net = network("USA", "JPN", ab, ba, SIMILAR)
    return ChannelData.from_records(name, "tiv_millions", True, records(ab, ba, units), net)


def run(a: str, b: str, chans: list[ChannelData], weights: Weights = ARMS,
        replicates: int = 300, seed: int = 7, weighting: str = "precision"):
    return composite(a, b, chans, weights, replicates=replicates, seed=seed,
                     weighting=weighting)


# -- range, symmetry, balance ----------------------------------------------------------------

@FAST
@given(ab=magnitudes, ba=magnitudes, extra=others)
def test_indices_intervals_and_null_stay_in_range(ab, ba, extra):
    result = run("USA", "JPN", [channel(ab, ba, network("USA", "JPN", ab, ba, extra))],
                 replicates=200)
    ch = result.channels[0]
    assert 0.0 <= ch.index <= 1.0
    assert 0.0 <= ch.expected_index <= 1.0
    low, high = ch.null.interval
    assert 0.0 <= low <= high <= 1.0
    if ch.interval.low is not None:
        assert 0.0 <= ch.interval.low <= ch.interval.high <= 1.0
    assert ch.verdict in VERDICTS and result.verdict in VERDICTS
    if result.value is not None:
        assert result.value == pytest.approx(ch.index)
        assert ch.weight == pytest.approx(1.0)


@FAST
@given(ab=magnitudes, ba=magnitudes, extra=others)
def test_swapping_the_countries_mirrors_the_result(ab, ba, extra):
    net = network("USA", "JPN", ab, ba, extra)
    one = run("USA", "JPN", [channel(ab, ba, net)], replicates=200)
    # the same records seen from the other side: directions flip, the units stay
    rec = records(ab, ba)
    rec["direction"] = rec["direction"].map({"ab": "ba", "ba": "ab"})
    other = run("JPN", "USA", [ChannelData.from_records("arms", "tiv_millions", True, rec,
                                                         net)], replicates=200)
    a, b = one.channels[0], other.channels[0]
    assert b.index == pytest.approx(a.index)
    assert (b.observed_ab, b.observed_ba) == pytest.approx((a.observed_ba, a.observed_ab))
    assert (b.expected_ab, b.expected_ba) == pytest.approx((a.expected_ba, a.expected_ab))
    assert b.expected_index == pytest.approx(a.expected_index)
    assert b.null.interval == pytest.approx(a.null.interval)
    assert (b.ci_low, b.ci_high) == (a.ci_low, a.ci_high) or (
        (b.ci_low, b.ci_high) == pytest.approx((a.ci_low, a.ci_high)))
    assert other.verdict == one.verdict


@FAST
@given(flows=st.lists(st.floats(0.5, 100.0), min_size=2, max_size=12))
def test_a_perfectly_balanced_pair_is_never_non_reciprocal(flows):
    result = run("USA", "JPN", [channel(flows, flows)], replicates=200)
    assert result.channels[0].index == pytest.approx(1.0)
    assert not result.non_reciprocal


@FAST
@given(s=st.lists(st.floats(0.1, 50.0), min_size=3, max_size=7),
       t=st.lists(st.floats(0.1, 50.0), min_size=7, max_size=7),
       parts=st.integers(1, 30))
def test_an_imbalance_the_null_expects_is_never_less_reciprocal(s, t, parts):
    """Flows w_ij = s_i · t_j (i ≠ j): every imbalance is what the countries' sizes imply,
    the null's expected flows are the observed ones, and since ⟨min(AB, BA)⟩ ≤ min(⟨AB⟩,
    ⟨BA⟩) the null's expected index is at most the observed one: never less reciprocal.
    (It can be *more* reciprocal: the null draws each unit's direction whatever its size.)"""
    codes = ["USA", "JPN", "DEU", "FRA", "GBR", "ITA", "KOR"][:len(s)]
    rows = [(codes[i], codes[j], s[i] * t[j]) for i in range(len(s)) for j in range(len(s))
            if i != j]
    net = pd.DataFrame(rows, columns=["origin", "destination", "magnitude"])
    w_ab, w_ba = s[0] * t[1], s[1] * t[0]
    ab, ba = [w_ab / parts] * parts, [w_ba / parts] * parts
    result = run("USA", "JPN", [channel(ab, ba, net)], replicates=200)
    ch = result.channels[0]
    assert (ch.expected_ab, ch.expected_ba) == pytest.approx((w_ab, w_ba), rel=1e-6)
    assert ch.expected_index <= ch.index + 0.05
    assert not result.non_reciprocal
    assert result.verdict != "less_reciprocal_than_expected"


def test_a_one_way_pair_between_similar_countries_is_non_reciprocal():
    result = run("USA", "JPN", [channel([10.0] * 40, [1.0] * 4)])
    ch = result.channels[0]
    assert ch.interval.method == "BCa" and ch.interval.usable
    assert ch.verdict == "less_reciprocal_than_expected"
    assert result.verdict == "less_reciprocal_than_expected" and result.non_reciprocal


def test_no_records_means_undefined_not_zero():
    result = run("USA", "JPN", [channel([], [])])
    assert result.value is None and result.ci_low is None and result.expected is None
    assert result.verdict == "undefined" and not result.non_reciprocal
    assert result.channels[0].excluded == "no flow either way"


def test_the_bootstrap_is_reproducible_with_a_seed():
    chans = [channel([1.0, 2.0, 5.0], [1.0, 0.5])]
    one, two = run("USA", "JPN", chans, seed=11), run("USA", "JPN", chans, seed=11)
    assert (one.ci_low, one.ci_high) == (two.ci_low, two.ci_high)
    assert one.expected == two.expected


# -- intervals from the sampling unit --------------------------------------------------------

def test_the_interval_resamples_units_not_the_pieces_of_a_unit():
    """A deal split evenly over its delivery years is one unit: its pieces move together."""
    deals_ab = [float(x) for x in range(10, 40)]  # 30 deals A→B
    deals_ba = [5.0, 8.0, 12.0, 20.0]  # 4 deals B→A
    whole = channel(deals_ab, deals_ba)
    pieces = 6
    split_ab = [x / pieces for x in deals_ab for _ in range(pieces)]
    split_ba = [x / pieces for x in deals_ba for _ in range(pieces)]
    ids = ([f"ab{i}" for i in range(len(deals_ab)) for _ in range(pieces)]
           + [f"ba{i}" for i in range(len(deals_ba)) for _ in range(pieces)])
    by_deal = channel(split_ab, split_ba, units=ids)
    by_piece = channel(split_ab, split_ba)  # every piece its own unit: the old mistake
    w = {name: run("USA", "JPN", [ch], replicates=1000).channels[0]
         for name, ch in (("whole", whole), ("deal", by_deal), ("piece", by_piece))}
    assert w["deal"].interval.units == 34 and w["piece"].interval.units == 34 * pieces
    assert w["deal"].index == pytest.approx(w["whole"].index)
    assert w["deal"].interval.se == pytest.approx(w["whole"].interval.se, rel=0.15)
    # resampling pieces as if independent understates the spread by about √pieces
    assert w["piece"].interval.se < 0.6 * w["deal"].interval.se
    # and the null draws whole deals too
    assert w["deal"].null.sd == pytest.approx(w["whole"].null.sd, rel=0.15)
    assert w["piece"].null.sd < 0.6 * w["deal"].null.sd


def test_the_interval_has_the_spread_of_the_units():
    """30 equal units A→B and 10 B→A: the number running B→A in a resample is
    Binomial(40, 1/4), so r = 2 min(k, 40 − k) / 40 has sd √(40 · ¼ · ¾) / 20 ≈ 0.137.
    A bootstrap replaced by constant or NaN samples cannot pass."""
    result = run("USA", "JPN", [channel([1.0] * 30, [1.0] * 10)], replicates=2000)
    ch = result.channels[0]
    assert ch.index == pytest.approx(0.5)
    assert ch.interval.se == pytest.approx(np.sqrt(40 * 0.25 * 0.75) / 20, rel=0.12)
    assert ch.interval.usable and ch.interval.method == "BCa"
    assert 0.15 <= ch.ci_low <= 0.35 and 0.65 <= ch.ci_high <= 0.85
    assert np.isfinite(ch.interval.replicates).all()
    assert np.ptp(ch.interval.replicates) > 0.3


@pytest.mark.parametrize("broken", ["constant", "nan"])
def test_a_broken_bootstrap_gives_no_interval_and_no_verdict(monkeypatch, broken):
    """If the resampling returned constant or NaN replicates, nothing firm may come out."""
    from reciprocity.assess import stats

    class Result:
        def __init__(self, n: int, point: float):
            fill = point if broken == "constant" else np.nan
            self.bootstrap_distribution = np.full(n, fill)
            self.confidence_interval = type("CI", (), {"low": fill, "high": fill})()

    def fake(data, statistic, *, n_resamples, **_):
        return Result(n_resamples, float(statistic(*data, axis=-1)))

    import scipy.stats

    monkeypatch.setattr(scipy.stats, "bootstrap", fake)
    result = run("USA", "JPN", [channel([10.0] * 40, [1.0] * 4)])
    ch = result.channels[0]
    assert not ch.interval.usable and ch.ci_low is None
    assert ch.verdict == "undetermined" and result.verdict == "undetermined"
    assert ch.excluded.startswith("no interval") and result.value is None
    assert stats.Interval  # the module under test stays importable


def test_zero_width_and_missing_intervals_are_undetermined():
    one_way = run("USA", "JPN", [channel([5.0, 7.0, 9.0], [])])
    ch = one_way.channels[0]
    assert ch.index == 0.0 and ch.ci_low is None and not ch.interval.usable
    assert ch.interval.note == "every resample gives the same value"
    assert ch.verdict == "undetermined" and one_way.verdict == "undetermined"
    single = run("USA", "JPN", [channel([5.0], [], units=["deal 1"])])
    assert single.channels[0].interval.note == "one sampling unit"
    assert single.channels[0].verdict == "undetermined"
    rec = pd.DataFrame({"direction": ["ab", "ba"], "magnitude": [1.2, 0.8],
                        "year": [2019, 2019]})
    idx = ChannelData.from_records("citation", "relative_citation_index", False, rec)
    cited = run("USA", "JPN", [idx], weights=Weights(weights={"citation": 1.0}))
    c = cited.channels[0]
    assert c.index == pytest.approx(1 - 0.4 / 2.0) and c.expected_index == 1.0
    assert c.ci_low is None and c.null is None and c.verdict == "undetermined"
    assert c.excluded == "no interval: index values, not a sample of records"
    assert cited.value is None and cited.verdict == "undetermined"
    zero = comp_mod.verdict(0.5, Interval(0.5, 0.5, "BCa", 0.0, 10, np.full(5, 0.5)),
                            (0.1, 0.2))
    assert zero == "undetermined"


def test_records_that_are_not_a_sample_get_no_interval():
    ch = channel([1.0, 2.0], [3.0], units=[None, None, None])
    assert unit_flows(ch) is None
    result = run("USA", "JPN", [ch])
    assert result.channels[0].ci_low is None and result.channels[0].null is None
    assert result.channels[0].verdict == "undetermined"


@FAST
@given(ab=st.lists(st.floats(0.5, 100.0), min_size=2, max_size=6),
       ba=st.lists(st.floats(0.5, 100.0), min_size=2, max_size=6))
def test_intervals_narrow_as_units_grow(ab, ba):
    def se(k: int) -> float:
        return run("USA", "JPN", [channel(ab * k, ba * k)], replicates=400,
                   seed=3).channels[0].interval.se

    s4, s64 = se(4), se(64)
    assert s64 <= 0.5 * s4 + 1e-9


# -- the null model --------------------------------------------------------------------------

def test_the_null_expects_a_mean_of_mins_not_a_min_of_means():
    """Three units of weight 1, each A→B with probability ½: min(AB, BA) is 0 when all three
    run one way (probability ¼), else 1, so ⟨min⟩ = ¾ and ⟨r⟩ = 2 · ¾ / 3 = ½; the two-way
    index of the expected flows (1.5, 1.5) would be 1."""
    ch = channel([1.0, 1.0], [1.0])
    null = null_distribution("USA", "JPN", ch, 5.0, 5.0, draws=20_000, level=0.95, seed=1)
    assert null.p_ab == pytest.approx(0.5)
    assert null.expected_min == pytest.approx(0.75, abs=0.02)
    assert null.expected == pytest.approx(0.5, abs=0.015)
    assert null.interval == (0.0, pytest.approx(2 / 3))
    assert null.z(2 / 3) == pytest.approx((2 / 3 - null.expected) / null.sd)
    assert null.p_value(0.0) == pytest.approx(0.25, abs=0.02)


def test_the_null_keeps_each_units_weight_and_the_fitted_direction_odds():
    """One big unit and many small ones: the null's r is low even with even odds."""
    ch = channel([100.0], [1.0] * 10)
    null = null_distribution("USA", "JPN", ch, 1.0, 1.0, draws=4000, level=0.95, seed=2)
    # the big unit dominates: min ≤ 10 of a total of 110
    assert null.interval[1] <= 2 * 10 / 110 + 1e-9
    skewed = null_distribution("USA", "JPN", channel([1.0] * 20, [1.0] * 20), 99.0, 1.0,
                               draws=4000, level=0.95, seed=2)
    assert skewed.p_ab == pytest.approx(0.99)
    assert skewed.expected < 0.1


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


# -- weights and the composite ---------------------------------------------------------------

def test_precision_weights_on_a_hand_worked_example():
    from reciprocity.assess.stats import inverse_variance_weights

    # variances 0.01 and 0.04: precisions 100 and 25, weights 0.8 and 0.2
    assert inverse_variance_weights([0.01, 0.04]) == pytest.approx([0.8, 0.2])
    assert inverse_variance_weights([0.02, 0.02, 0.04]) == pytest.approx([0.4, 0.4, 0.2])
    with pytest.raises(ValueError):
        inverse_variance_weights([0.01, 0.0])
    chans = [channel([1.0] * 30, [1.0] * 10), channel([1.0] * 6, [1.0] * 2, name="programs")]
    result = run("USA", "JPN", chans, weights=Weights(weights={"arms": 0.5, "programs": 0.5}))
    arms, programs = result.channels
    v = np.array([arms.interval.se ** 2, programs.interval.se ** 2])
    expected_w = (1 / v) / (1 / v).sum()
    assert (arms.weight, programs.weight) == pytest.approx(tuple(expected_w))
    assert arms.weight > programs.weight  # 40 units against 8
    assert result.value == pytest.approx(expected_w @ [arms.index, programs.index])
    assert result.interval.se == pytest.approx(np.sqrt((expected_w ** 2) @ v))
    assert result.weighting == "precision"


def test_declared_weights_are_an_option_over_channels_with_an_interval():
    w = Weights(weights={"arms": 0.5, "programs": 0.3, "citation": 0.2})
    rec = pd.DataFrame({"direction": ["ab", "ba"], "magnitude": [1.2, 0.8],
                        "year": [2019, 2019]})
    chans = [channel([1.0] * 30, [1.0] * 10), channel([], [], name="programs"),
             ChannelData.from_records("citation", "relative_citation_index", False, rec)]
    result = run("USA", "JPN", chans, weights=w, weighting="declared")
    weights = {c.channel: c.weight for c in result.channels}
    assert weights == pytest.approx({"arms": 1.0, "programs": 0.0, "citation": 0.0})
    data = result.answer().model_dump(mode="json")
    assert data["weighting"] == "declared"
    assert data["excluded"] == {"programs": "no flow either way",
                                "citation": "no interval: index values, not a sample of "
                                            "records"}
    assert data["channels"]["arms"]["in_composite"]
    assert not data["channels"]["citation"]["in_composite"]


def test_the_output_names_weights_window_and_null():
    result = composite("USA", "JPN", [channel([10.0] * 40, [1.0] * 4)], ARMS,
                       replicates=200, seed=1, window=span(1990, None, first=1985, last=2024))
    data = result.answer().model_dump(mode="json")
    assert data["window"] == {"since": 1990, "until": 2024,
                              "name": "1990–2024 (asked: since 1990, until –)"}
    assert (data["since"], data["until"]) == (1990, 2024)
    ch = data["channels"]["arms"]
    assert {"weight", "precision", "ci_low", "ci_high", "ci_method", "se", "null", "z",
            "sampling_units", "verdict", "excluded"} <= set(ch)
    assert {"expected", "low", "high", "sd", "z", "p_value", "p_ab", "expected_min"} <= set(
        ch["null"])
    assert data["expected"] == pytest.approx(ch["null"]["expected"])
    assert data["bootstrap"]["replicates"] == 200


def test_undirected_expectation():
    net = pd.DataFrame([("JPN", "USA", 10.0), ("DEU", "USA", 10.0)],
                       columns=["origin", "destination", "magnitude"])
    # strengths USA 20, JPN 10, DEU 10; total 40
    assert undirected_expected(net, "USA", "JPN") == pytest.approx(20 * 10 / 40)



def test_a_composite_of_one_channel_is_that_channel_interval_and_all():
    ab = [float(v) for v in range(10, 40, 3)]
    ba = [float(v) for v in range(5, 25, 4)]
    result = run("USA", "JPN", [channel(ab, ba)])
    (used,) = [r for r in result.channels if r.excluded is None]
    assert result.interval is used.interval   # not a second, percentile interval
    assert result.interval.method in ("BCa", "percentile")
    assert (result.interval.low, result.interval.high) == (used.ci_low, used.ci_high)
    assert result.value == pytest.approx(used.index)
