"""The composite reciprocity index of a pair: per-channel two-way indices with bootstrap
intervals over the sources' sampling units, against a null model, combined with precision
(inverse-variance) weights.

For each directed channel (in its primary unit, never adding units):

- the observed two-way index r = 2 min(AB, BA) / (AB + BA) (Grubel–Lloyd; the pair-level
  weighted reciprocity W↔ / W of Squartini et al. 2013);
- a BCa bootstrap interval that resamples the source's sampling units (a SIPRI deal, a ledger
  transfer), never the pieces a unit was split into; a channel whose records are not a sample
  (index values, aggregates) or that has one unit gets no interval;
- the null: every sampling unit keeps its weight and runs A→B with the probability the
  strength-constrained expected flows give (IPF over the channel's whole network), B→A
  otherwise; the expected index is the mean over null draws of 2 min(AB, BA) / W (a mean of
  mins, as Squartini et al. define ⟨W↔⟩), with the null's own interval and a z-score.

The verdict is firm only when the observed interval (of positive width) and the null's
interval are disjoint. Formulas and sources: docs/methods.md ("Composite reciprocity index").
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from reciprocity.assess import answers
from reciprocity.assess.config import Weights
from reciprocity.assess.stats import (
    WIDTH_TOLERANCE,
    Interval,
    bootstrap_interval,
    inverse_variance_weights,
    percentile_interval,
)
from reciprocity.assess.window import Window
from reciprocity.metrics.twoway import gl

VERDICTS = ("more_reciprocal_than_expected", "less_reciprocal_than_expected", "undetermined",
            "undefined")
WEIGHTINGS = ("precision", "declared")
_CHUNK = 4_000_000  # replicate × unit cells drawn at once


@dataclass(frozen=True)
class ChannelData:
    """A pair's records in one channel and unit, and the channel's network for the null.

    ``directions`` is True for A→B flows; ``units`` holds each flow's sampling unit (flows of
    one SIPRI deal share it; None where the source's records are not a sample). For additive
    units ``network`` holds the channel's flows between every pair of countries (``origin``,
    ``destination``, ``magnitude``, summed over the span); index units (already relative to
    expectation) have none.
    """

    channel: str
    unit: str
    additive: bool
    directions: np.ndarray
    magnitudes: np.ndarray
    years: np.ndarray
    network: pd.DataFrame | None = None
    units: np.ndarray | None = None

    @classmethod
    def from_records(cls, channel: str, unit: str, additive: bool, records: pd.DataFrame,
                     network: pd.DataFrame | None = None) -> ChannelData:
        """From rows with ``direction`` (``ab``/``ba``), ``magnitude``, ``year`` and, when
        known, ``unit_id`` (the sampling unit; without the column each row is its own)."""
        units = (records["unit_id"].to_numpy(dtype=object) if "unit_id" in records.columns
                 else np.array([f"row {i}" for i in range(len(records))], dtype=object))
        return cls(channel, unit, additive,
                   (records["direction"] == "ab").to_numpy(dtype=bool),
                   records["magnitude"].to_numpy(dtype=float),
                   records["year"].to_numpy(dtype=np.int64), network, units)

    @property
    def n_records(self) -> int:
        return len(self.magnitudes)


# -- the null model --------------------------------------------------------------------------

def ipf(out: np.ndarray, inn: np.ndarray, tol: float = 1e-10,
        max_iter: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    """Factors x, y with E_ij = x_i · y_j (i ≠ j) matching every out- and in-strength.

    Iterative proportional fitting with the diagonal held at zero: x_i = out_i / (Σ_j y_j −
    y_i), y_j = in_j / (Σ_i x_i − x_j). The first step from x = y = 1 is the plain gravity
    expectation out_i · in_j / total; the fixed point is the maximum-likelihood fit of a
    Poisson model with the observed strengths (Squartini et al. 2013's strength-constrained
    null, in its expected-value form).
    """
    out = np.asarray(out, dtype=float)
    inn = np.asarray(inn, dtype=float)
    total = out.sum()
    if total <= 0:
        return np.zeros_like(out), np.zeros_like(inn)
    x = out / math.sqrt(total)
    y = inn / math.sqrt(total)
    scale = np.maximum(out, 1e-12 * total)  # each country's margin to its own precision
    for _ in range(max_iter):
        denom = y.sum() - y
        x = np.divide(out, denom, out=np.zeros_like(out), where=denom > 0)
        denom = x.sum() - x
        y = np.divide(inn, denom, out=np.zeros_like(inn), where=denom > 0)
        rows = x * (y.sum() - y)
        if np.all(np.abs(rows - out) <= tol * scale):
            break
    return x, y


def null_flows(network: pd.DataFrame, a: str, b: str) -> tuple[float, float]:
    """Expected (A→B, B→A) under the null, from a channel's flows between all countries."""
    net = network[network["origin"] != network["destination"]]
    codes = pd.Index(sorted(set(net["origin"]) | set(net["destination"]) | {a, b}))
    oi = codes.get_indexer(net["origin"])
    di = codes.get_indexer(net["destination"])
    mags = net["magnitude"].to_numpy(dtype=float)
    out = np.bincount(oi, weights=mags, minlength=len(codes))
    inn = np.bincount(di, weights=mags, minlength=len(codes))
    x, y = ipf(out, inn)
    ia, ib = codes.get_loc(a), codes.get_loc(b)
    return float(x[ia] * y[ib]), float(x[ib] * y[ia])


def undirected_expected(network: pd.DataFrame, a: str, b: str) -> float:
    """Expected joint count of A and B in an undirected channel: s_A · s_B / Σ_i s_i.

    ``network`` holds each pair once; a country's strength s_i is the sum of its pairs.
    """
    net = network[network["origin"] != network["destination"]]
    strength = pd.concat([net.groupby("origin")["magnitude"].sum(),
                          net.groupby("destination")["magnitude"].sum()]).groupby(level=0).sum()
    total = float(strength.sum())
    if total <= 0:
        return 0.0
    return float(strength.get(a, 0.0) * strength.get(b, 0.0) / total)


# -- observed flows, sampling units and the bootstrap -----------------------------------------

def observed(ch: ChannelData) -> tuple[float, float]:
    """(A→B, B→A): sums for additive units, means of the years' values for index units."""
    ab, ba = ch.magnitudes[ch.directions], ch.magnitudes[~ch.directions]
    if ch.additive:
        return float(ab.sum()), float(ba.sum())
    return (float(ab.mean()) if len(ab) else 0.0, float(ba.mean()) if len(ba) else 0.0)


def unit_flows(ch: ChannelData) -> tuple[np.ndarray, np.ndarray] | None:
    """(A→B, B→A) weight of each sampling unit (the pieces of one unit added), in the order
    of the unit ids; None when the channel has no sampling units (index values, or records
    that are not a sample)."""
    if not ch.additive or ch.units is None or ch.n_records == 0:
        return None
    if any(u is None or (isinstance(u, float) and math.isnan(u)) for u in ch.units):
        return None
    _, inv = np.unique(ch.units.astype(str), return_inverse=True)
    n = int(inv.max()) + 1
    ab = np.bincount(inv, weights=np.where(ch.directions, ch.magnitudes, 0.0), minlength=n)
    ba = np.bincount(inv, weights=np.where(ch.directions, 0.0, ch.magnitudes), minlength=n)
    return ab, ba


def _index_of_sums(ab: np.ndarray, ba: np.ndarray, axis: int = -1) -> np.ndarray:
    return gl(np.sum(ab, axis=axis), np.sum(ba, axis=axis))


def _rng(seed: int, channel: str, stream: int) -> np.random.Generator:
    """A generator per seed, channel and purpose: results do not depend on channel order."""
    return np.random.default_rng([seed, zlib.crc32(channel.encode()), stream])


def channel_interval(ch: ChannelData, replicates: int, level: float, seed: int) -> Interval:
    """The BCa interval of the channel's index over its sampling units (None-interval with
    the reason when there is no sampling distribution)."""
    if not ch.additive:
        return Interval.none(0, replicates, "index values, not a sample of records")
    flows = unit_flows(ch)
    if flows is None:
        return Interval.none(0, replicates, "the source's records are not a sample")
    return bootstrap_interval(flows, _index_of_sums, replicates=replicates, level=level,
                              rng=_rng(seed, ch.channel, 0))


# -- the null distribution -------------------------------------------------------------------

@dataclass(frozen=True)
class Null:
    """The null distribution of a channel's index (or of the composite).

    ``draws`` are the index of each null draw; ``expected`` their mean (for a channel
    2⟨min(AB, BA)⟩ / W, the mean of mins); ``low``/``high`` the central interval at the
    composite's level; ``p_ab`` the probability a unit runs A→B.
    """

    draws: np.ndarray
    level: float
    p_ab: float | None = None
    weight: float | None = None

    @property
    def expected(self) -> float | None:
        finite = self.draws[np.isfinite(self.draws)]
        return float(finite.mean()) if len(finite) else None

    @property
    def sd(self) -> float | None:
        finite = self.draws[np.isfinite(self.draws)]
        return float(finite.std(ddof=1)) if len(finite) > 1 else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return percentile_interval(self.draws, self.level)

    @property
    def expected_min(self) -> float | None:
        """⟨min(AB, BA)⟩ in the channel's unit (channels only)."""
        if self.weight is None or self.expected is None:
            return None
        return self.expected * self.weight / 2.0

    def z(self, value: float | None) -> float | None:
        """(value − ⟨r⟩) / sd of the null; None when the null has no spread."""
        sd, mean = self.sd, self.expected
        if value is None or mean is None or not sd or sd <= WIDTH_TOLERANCE:
            return None
        return (value - mean) / sd

    def p_value(self, value: float | None) -> float | None:
        """Two-sided Monte Carlo p-value, (1 + #{|r* − ⟨r⟩| ≥ |r − ⟨r⟩|}) / (1 + draws)
        (B. V. North, D. Curtis and P. C. Sham, Am. J. Hum. Genet. 71, 2002, pp. 439–441)."""
        finite = self.draws[np.isfinite(self.draws)]
        mean = self.expected
        if value is None or mean is None or not len(finite):
            return None
        extreme = np.abs(finite - mean) >= abs(value - mean) - 1e-12
        return float((1 + extreme.sum()) / (1 + len(finite)))

    def answer(self, value: float | None) -> answers.NullModel:
        """The null model against the observed ``value``."""
        iv = self.interval
        return answers.NullModel(
            expected=self.expected, low=iv[0] if iv else None, high=iv[1] if iv else None,
            sd=self.sd, z=self.z(value), p_value=self.p_value(value), p_ab=self.p_ab,
            expected_min=self.expected_min, draws=len(self.draws))


def null_distribution(a: str, b: str, ch: ChannelData, e_ab: float, e_ba: float,
                      draws: int, level: float, seed: int) -> Null | None:
    """Draws of the channel's index when each sampling unit keeps its weight and runs A→B
    with probability E_AB / (E_AB + E_BA) (the null's expected flows), B→A otherwise.

    The pair's total W is fixed, so ⟨r⟩ = 2⟨min(AB, BA)⟩ / W. Units are drawn in the order of
    their ids and the uniform numbers decide the direction from the alphabetically first
    country, so swapping A and B mirrors every draw.
    """
    flows = unit_flows(ch)
    if flows is None or e_ab + e_ba <= 0:
        return None
    w = flows[0] + flows[1]
    total = float(w.sum())
    if total <= 0:
        return None
    p_ab = e_ab / (e_ab + e_ba)
    first_is_a = a <= b
    p_first = p_ab if first_is_a else 1.0 - p_ab
    rng = _rng(seed, ch.channel, 1)
    n = len(w)
    out = np.empty(draws)
    step = max(1, _CHUNK // max(n, 1))
    for start in range(0, draws, step):
        size = min(step, draws - start)
        first = rng.random((size, n)) < p_first
        to_first = (first * w).sum(axis=1)
        ab = to_first if first_is_a else total - to_first
        out[start:start + size] = 2.0 * np.minimum(ab, total - ab) / total
    return Null(out, level, p_ab, total)


# -- verdicts --------------------------------------------------------------------------------

def verdict(index: float | None, interval: Interval | None,
            null: tuple[float, float] | None) -> str:
    """How the observed interval stands against the null's interval.

    ``undefined`` without a flow; ``undetermined`` without an interval of positive width or
    without a null distribution; ``less``/``more_reciprocal_than_expected`` when the two
    intervals are disjoint; ``undetermined`` when they overlap (no evidence of a difference,
    which is not evidence of none).
    """
    if index is None:
        return "undefined"
    if interval is None or not interval.usable or null is None:
        return "undetermined"
    assert interval.low is not None and interval.high is not None
    lo, hi = null
    if interval.high < lo:
        return "less_reciprocal_than_expected"
    if interval.low > hi:
        return "more_reciprocal_than_expected"
    return "undetermined"


def normalised(value: float | None, expected: float | None) -> float | None:
    """Squartini et al.'s ρ = (r − ⟨r⟩) / (1 − ⟨r⟩); None when ⟨r⟩ = 1 or undefined."""
    if value is None or expected is None or expected >= 1.0:
        return None
    return (value - expected) / (1.0 - expected)


def _num(v: float | None) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


class _WithInterval:
    """The interval's bounds as ``ci_low`` and ``ci_high`` (of a result with ``interval``)."""

    interval: Interval

    @property
    def ci_low(self) -> float | None:
        return self.interval.low

    @property
    def ci_high(self) -> float | None:
        return self.interval.high


@dataclass
class ChannelResult(_WithInterval):
    """One directed channel of the composite."""

    channel: str
    unit: str
    declared_weight: float
    weight: float
    records: int
    observed_ab: float
    observed_ba: float
    expected_ab: float | None
    expected_ba: float | None
    index: float | None
    interval: Interval
    null: Null | None = None
    expected_index: float | None = None
    excluded: str | None = None
    note: str | None = None

    @property
    def in_composite(self) -> bool:
        return self.excluded is None

    @property
    def precision(self) -> float | None:
        """1 / variance of the bootstrap replicates (None without an interval)."""
        var = self.interval.variance
        return 1.0 / var if self.interval.usable and var else None

    @property
    def verdict(self) -> str:
        return verdict(self.index, self.interval, self.null.interval if self.null else None)

    def answer(self) -> answers.ChannelIndex:
        null = self.null.answer(self.index) if self.null else None
        return answers.ChannelIndex(
            channel=self.channel, unit=self.unit, index=self.index, weight=self.weight,
            declared_weight=self.declared_weight, precision=self.precision,
            in_composite=self.in_composite, excluded=self.excluded,
            observed={"ab": self.observed_ab, "ba": self.observed_ba, "index": self.index},
            expected={"ab": self.expected_ab, "ba": self.expected_ba,
                      "index": self.expected_index},
            null=null, z=null.z if null else None, ci_low=self.ci_low, ci_high=self.ci_high,
            ci_method=self.interval.method, se=self.interval.se, records=self.records,
            sampling_units=self.interval.units, interval_note=self.interval.note,
            verdict=self.verdict, note=self.note)


@dataclass
class UndirectedResult:
    """An undirected channel: joint count against the null's expectation (no direction)."""

    channel: str
    unit: str
    joint: float
    expected_joint: float | None

    @property
    def intensity(self) -> float | None:
        if not self.expected_joint:
            return None
        return self.joint / self.expected_joint

    def answer(self) -> answers.UndirectedChannel:
        return answers.UndirectedChannel(channel=self.channel, unit=self.unit,
                                         joint=self.joint, expected_joint=self.expected_joint,
                                         intensity=self.intensity)


@dataclass
class Composite(_WithInterval):
    """The composite index of a pair with its interval, null distribution and channels."""

    a: str
    b: str
    value: float | None
    interval: Interval
    null: Null | None
    channels: list[ChannelResult]
    undirected: list[UndirectedResult] = field(default_factory=list)
    replicates: int = 0
    seed: int = 0
    level: float = 0.95
    weighting: str = "precision"
    weights: Weights | None = None
    window: Window | None = None
    credits: list[str] = field(default_factory=list)

    @property
    def expected(self) -> float | None:
        return self.null.expected if self.null else None

    @property
    def since(self) -> int | None:
        return self.window.since if self.window else None

    @property
    def until(self) -> int | None:
        return self.window.until if self.window else None

    @property
    def verdict(self) -> str:
        if self.value is None and any(c.index is not None for c in self.channels):
            return "undetermined"  # flows, but no channel with an interval to combine
        return verdict(self.value, self.interval, self.null.interval if self.null else None)

    @property
    def non_reciprocal(self) -> bool:
        """True only when the pair is firmly less reciprocal than the null model expects."""
        return self.verdict == "less_reciprocal_than_expected"

    def frame(self) -> pd.DataFrame:
        """One line per directed channel (for tables and CSV)."""
        columns = ["channel", "unit", "weight", "observed_ab", "observed_ba", "index",
                   "ci_low", "ci_high", "units", "expected", "null_low", "null_high", "z",
                   "verdict", "excluded", "window"]
        rows = []
        for c in self.channels:
            iv = c.null.interval if c.null else None
            rows.append({
                "channel": c.channel, "unit": c.unit, "weight": c.weight,
                "observed_ab": c.observed_ab, "observed_ba": c.observed_ba, "index": c.index,
                "ci_low": c.ci_low, "ci_high": c.ci_high, "units": c.interval.units,
                "expected": c.expected_index, "null_low": iv[0] if iv else None,
                "null_high": iv[1] if iv else None,
                "z": c.null.z(c.index) if c.null else None, "verdict": c.verdict,
                "excluded": c.excluded or "",
                "window": self.window.name if self.window else ""})
        return pd.DataFrame(rows, columns=columns)

    def answer(self) -> answers.IndexAnswer:
        """The answer of ``reciprocity index A B`` (its JSON is this model's dump)."""
        expected = self.expected
        excess = None if self.value is None or expected is None else self.value - expected
        null = self.null.answer(self.value) if self.null else None
        window = self.window.answer() if self.window else answers.Window()
        return answers.IndexAnswer(
            a=self.a, b=self.b, since=window.since, until=window.until, window=window,
            value=self.value, ci_low=self.ci_low, ci_high=self.ci_high,
            ci_method=self.interval.method, se=self.interval.se, level=self.level,
            expected=expected, excess=excess, null=null, z=null.z if null else None,
            rho=normalised(self.value, expected), verdict=self.verdict,
            non_reciprocal=self.non_reciprocal, weighting=self.weighting,
            channels={c.channel: c.answer() for c in self.channels},
            excluded={c.channel: c.excluded for c in self.channels if c.excluded},
            undirected={u.channel: u.answer() for u in self.undirected},
            bootstrap={"replicates": self.replicates, "seed": self.seed, "level": self.level,
                       "method": "BCa per channel over sampling units; composite: "
                                 "percentile of the weighted replicates"},
            weights=self.weights,
            credits=self.credits)


def _channel(a: str, b: str, ch: ChannelData, declared: float, replicates: int,
             level: float, seed: int) -> ChannelResult:
    ab, ba = observed(ch)
    index = _num(float(gl(ab, ba)))
    e_ab = e_ba = None
    note = None
    null = None
    expected = None
    if index is None:
        interval = Interval.none(0, replicates, "no flow either way")
    else:
        interval = channel_interval(ch, replicates, level, seed)
    if ch.additive and ch.network is not None:
        e_ab, e_ba = null_flows(ch.network, a, b)
        if ch.network[["origin", "destination"]].stack().nunique() <= 2:
            note = ("only the pair's own flows are recorded in this channel, so the null "
                    "model's direction odds are the pair's own")
        if index is not None:
            null = null_distribution(a, b, ch, e_ab, e_ba, replicates, level, seed)
            expected = null.expected if null else None
    elif not ch.additive:
        e_ab = e_ba = 1.0
        expected = 1.0
        note = ("index unit: already relative to expectation (1 = as expected both ways); "
                "no sampling distribution, so no interval and no verdict")
    return ChannelResult(ch.channel, ch.unit, declared, 0.0, ch.n_records, ab, ba, e_ab, e_ba,
                         index, interval, null, expected, None, note)


def composite(a: str, b: str, channels: Sequence[ChannelData], weights: Weights, *,
              weighting: str = "precision", replicates: int = 2000, seed: int = 0,
              level: float = 0.95, undirected: Sequence[UndirectedResult] = (),
              window: Window | None = None) -> Composite:
    """The composite index of A and B over ``channels`` (directed, one unit each).

    Only channels with a flow and an interval of positive width enter; the others are listed
    with the reason. ``weighting="precision"`` weighs each by the inverse variance of its
    bootstrap replicates (fixed-effect meta-analysis); ``"declared"`` by ``weights``
    (rescaled over the channels that enter; a channel declared 0 does not enter).
    """
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}, not {weighting!r}")
    results = [_channel(a, b, ch, weights.of(ch.channel), replicates, level, seed)
               for ch in channels]
    for r in results:
        if r.index is None:
            r.excluded = "no flow either way"
        elif not r.interval.usable:
            r.excluded = "no interval: " + (r.interval.note or "zero width")
        elif weighting == "declared" and r.declared_weight <= 0:
            r.excluded = "declared weight 0"
    used = [r for r in results if r.excluded is None]
    value = None
    interval = Interval.none(sum(r.interval.units for r in used), replicates,
                             "no channel with an interval")
    null = None
    if used:
        if weighting == "precision":
            w = inverse_variance_weights([r.interval.variance or 0.0 for r in used])
        else:
            raw = np.array([r.declared_weight for r in used])
            w = raw / raw.sum()
        for r, wi in zip(used, w, strict=True):
            r.weight = float(wi)
        value = float(sum(wi * r.index for r, wi in zip(used, w, strict=True)))
        reps = np.column_stack([r.interval.replicates for r in used]) @ w
        if len(used) == 1:   # one channel: the composite is that channel, interval and all
            interval = used[0].interval
        else:
            iv = percentile_interval(reps, level)
            se = math.sqrt(sum(wi ** 2 * (r.interval.variance or 0.0)
                               for r, wi in zip(used, w, strict=True)))
            interval = Interval(iv[0] if iv else None, iv[1] if iv else None,
                                "percentile" if iv else None, se,
                                sum(r.interval.units for r in used), reps,
                                None if iv else "no finite replicate")
        if all(r.null is not None for r in used):
            null = Null(np.column_stack([r.null.draws for r in used]) @ w,  # type: ignore[union-attr]
                        level)
    return Composite(a, b, value, interval, null, results, list(undirected), replicates,
                     seed, level, weighting, weights, window)

