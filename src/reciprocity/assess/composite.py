"""The composite reciprocity index of a pair: per-channel two-way indices, weighted, with a
bootstrap interval over the underlying records and a null model of expected flows.

For each directed channel (in its primary unit, never adding units): the observed two-way
(Grubel–Lloyd) index of A→B and B→A, and the same index of the flows a null model expects
from every country's total outflow and inflow in that channel (a strength-constrained
gravity model fitted by iterative proportional fitting, self-flows excluded). The composite
is the weighted mean over the channels with records; the verdict compares the interval of
the observed composite with the expected one, so a pair whose imbalance is what the two
countries' sizes predict is read "as expected", not "non-reciprocal". Formulas and sources:
docs/methods.md ("Composite reciprocity index").
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from reciprocity.assess.config import Weights
from reciprocity.assess.stats import gl, percentile_interval

VERDICTS = ("more_reciprocal_than_expected", "as_expected", "less_reciprocal_than_expected",
            "undefined")
_CHUNK = 4_000_000  # replicate × record cells drawn at once


@dataclass(frozen=True)
class ChannelData:
    """A pair's records in one channel and unit, and the channel's network for the null.

    ``directions`` is True for A→B records; for additive units ``network`` holds the
    channel's flows between every pair of countries (``origin``, ``destination``,
    ``magnitude``, summed over the span); index units (already relative to expectation)
    have none.
    """

    channel: str
    unit: str
    additive: bool
    directions: np.ndarray
    magnitudes: np.ndarray
    years: np.ndarray
    network: pd.DataFrame | None = None

    @classmethod
    def from_records(cls, channel: str, unit: str, additive: bool, records: pd.DataFrame,
                     network: pd.DataFrame | None = None) -> ChannelData:
        """From rows with ``direction`` (``ab``/``ba``), ``magnitude`` and ``year``."""
        return cls(channel, unit, additive,
                   (records["direction"] == "ab").to_numpy(dtype=bool),
                   records["magnitude"].to_numpy(dtype=float),
                   records["year"].to_numpy(dtype=np.int64), network)

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


# -- observed flows and the bootstrap --------------------------------------------------------

def observed(ch: ChannelData) -> tuple[float, float]:
    """(A→B, B→A): sums for additive units, means of the years' values for index units."""
    ab, ba = ch.magnitudes[ch.directions], ch.magnitudes[~ch.directions]
    if ch.additive:
        return float(ab.sum()), float(ba.sum())
    return (float(ab.mean()) if len(ab) else 0.0, float(ba.mean()) if len(ba) else 0.0)


def bootstrap(ch: ChannelData, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """Two-way index of ``replicates`` resamples of the channel's records.

    Additive units: the pair's records of both directions are drawn together, with
    replacement, as many as there are (so how many records run each way varies too).
    Index units: years are drawn with replacement, each with its values in both directions.
    """
    if ch.n_records == 0:
        return np.full(replicates, np.nan)
    if ch.additive:
        ab_w = np.where(ch.directions, ch.magnitudes, 0.0)
        ba_w = np.where(ch.directions, 0.0, ch.magnitudes)
        return _draw(ab_w, ba_w, replicates, rng, means=False)
    years = np.unique(ch.years)
    pos = np.searchsorted(years, ch.years)
    ab = np.full(len(years), np.nan)
    ba = np.full(len(years), np.nan)
    ab[pos[ch.directions]] = ch.magnitudes[ch.directions]
    ba[pos[~ch.directions]] = ch.magnitudes[~ch.directions]
    return _draw(ab, ba, replicates, rng, means=True)


def _draw(ab: np.ndarray, ba: np.ndarray, replicates: int, rng: np.random.Generator,
          means: bool) -> np.ndarray:
    n = len(ab)
    out = np.empty(replicates)
    step = max(1, _CHUNK // max(n, 1))
    for start in range(0, replicates, step):
        size = min(step, replicates - start)
        idx = rng.integers(0, n, size=(size, n))
        x, y = ab[idx], ba[idx]
        if means:
            with warnings.catch_warnings():  # years with one direction only
                warnings.simplefilter("ignore", RuntimeWarning)
                sx = np.nan_to_num(np.nanmean(x, axis=1))
                sy = np.nan_to_num(np.nanmean(y, axis=1))
        else:
            sx, sy = x.sum(axis=1), y.sum(axis=1)
        out[start:start + size] = gl(sx, sy)
    return out


# -- the composite ---------------------------------------------------------------------------

def verdict(expected: float | None, lo: float | None, hi: float | None,
            tol: float = 1e-6) -> str:
    """How the observed interval stands against the expected index."""
    if expected is None or lo is None or hi is None:
        return "undefined"
    if hi < expected - tol:
        return "less_reciprocal_than_expected"
    if lo > expected + tol:
        return "more_reciprocal_than_expected"
    return "as_expected"


def normalised(value: float | None, expected: float | None) -> float | None:
    """Squartini et al.'s ρ = (r − ⟨r⟩) / (1 − ⟨r⟩); None when ⟨r⟩ = 1 or undefined."""
    if value is None or expected is None or expected >= 1.0:
        return None
    return (value - expected) / (1.0 - expected)


def _num(v: float | None) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


@dataclass
class ChannelResult:
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
    expected_index: float | None
    ci_low: float | None
    ci_high: float | None
    note: str | None = None

    @property
    def verdict(self) -> str:
        return verdict(self.expected_index, self.ci_low, self.ci_high)

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel, "unit": self.unit, "index": self.index,
            "weight": self.weight, "declared_weight": self.declared_weight,
            "observed": {"ab": self.observed_ab, "ba": self.observed_ba, "index": self.index},
            "expected": {"ab": self.expected_ab, "ba": self.expected_ba,
                         "index": self.expected_index},
            "ci_low": self.ci_low, "ci_high": self.ci_high, "records": self.records,
            "verdict": self.verdict, "note": self.note,
        }


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

    def to_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "unit": self.unit, "joint": self.joint,
                "expected_joint": self.expected_joint, "intensity": self.intensity}


@dataclass
class Composite:
    """The composite index of a pair with its interval, expectation and channels."""

    a: str
    b: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    expected: float | None
    channels: list[ChannelResult]
    undirected: list[UndirectedResult] = field(default_factory=list)
    replicates: int = 0
    seed: int = 0
    level: float = 0.95
    weights: Weights | None = None
    since: int | None = None
    until: int | None = None
    credits: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return verdict(self.expected, self.ci_low, self.ci_high)

    @property
    def non_reciprocal(self) -> bool:
        """True only when the pair is less reciprocal than the null model expects."""
        return self.verdict == "less_reciprocal_than_expected"

    def frame(self) -> pd.DataFrame:
        """One line per directed channel (for tables and CSV)."""
        return pd.DataFrame([{
            "channel": c.channel, "unit": c.unit, "weight": c.weight,
            "observed_ab": c.observed_ab, "observed_ba": c.observed_ba, "index": c.index,
            "ci_low": c.ci_low, "ci_high": c.ci_high, "expected": c.expected_index,
            "verdict": c.verdict} for c in self.channels],
            columns=["channel", "unit", "weight", "observed_ab", "observed_ba", "index",
                     "ci_low", "ci_high", "expected", "verdict"])

    def to_dict(self) -> dict[str, Any]:
        excess = (None if self.value is None or self.expected is None
                  else self.value - self.expected)
        return {
            "a": self.a, "b": self.b, "since": self.since, "until": self.until,
            "value": self.value, "ci_low": self.ci_low, "ci_high": self.ci_high,
            "level": self.level, "expected": self.expected, "excess": excess,
            "rho": normalised(self.value, self.expected), "verdict": self.verdict,
            "non_reciprocal": self.non_reciprocal,
            "channels": {c.channel: c.to_dict() for c in self.channels},
            "undirected": {u.channel: u.to_dict() for u in self.undirected},
            "bootstrap": {"replicates": self.replicates, "seed": self.seed,
                          "level": self.level},
            "weights": self.weights.to_dict() if self.weights else None,
            "credits": self.credits,
        }


def composite(a: str, b: str, channels: Sequence[ChannelData], weights: Weights, *,
              replicates: int = 500, seed: int = 0, level: float = 0.95,
              undirected: Sequence[UndirectedResult] = ()) -> Composite:
    """The composite index of A and B over ``channels`` (directed, one unit each).

    Channels with no records (or no flow either way) drop out and the other weights are
    rescaled to sum to 1; channels with weight 0 are reported but do not count.
    """
    rng = np.random.default_rng(seed)
    results: list[ChannelResult] = []
    draws: list[np.ndarray] = []
    for ch in channels:
        ab, ba = observed(ch)
        index = _num(float(gl(ab, ba)))
        e_ab = e_ba = None
        note = None
        if ch.additive and ch.network is not None:
            e_ab, e_ba = null_flows(ch.network, a, b)
            if ch.network[["origin", "destination"]].stack().nunique() <= 2:
                note = ("only the pair's own flows are recorded in this channel, so the null "
                        "model reproduces them: the index equals its expectation")
        elif not ch.additive:
            e_ab = e_ba = 1.0
            note = "index unit: already relative to expectation (1 = as expected both ways)"
        expected = _num(float(gl(e_ab, e_ba))) if e_ab is not None else None
        sample = bootstrap(ch, replicates, rng) if index is not None else np.full(
            replicates, np.nan)
        lo, hi = (percentile_interval(sample, index, level) if index is not None
                  else (None, None))
        declared = weights.of(ch.channel)
        results.append(ChannelResult(ch.channel, ch.unit, declared, 0.0, ch.n_records, ab, ba,
                                     e_ab, e_ba, index, expected, lo, hi, note))
        draws.append(sample)
    used = [i for i, r in enumerate(results) if r.index is not None and r.declared_weight > 0]
    total = sum(results[i].declared_weight for i in used)
    value = expected_value = lo = hi = None
    if used and total > 0:
        w = np.array([results[i].declared_weight / total for i in used])
        for i, wi in zip(used, w, strict=True):
            results[i].weight = float(wi)
        value = float(sum(wi * results[i].index for i, wi in zip(used, w, strict=True)))
        exp_parts = [(wi, results[i].expected_index) for i, wi in zip(used, w, strict=True)]
        if all(e is not None for _, e in exp_parts):
            expected_value = float(sum(wi * e for wi, e in exp_parts))
        matrix = np.column_stack([draws[i] for i in used])
        ok = np.isfinite(matrix)
        with np.errstate(invalid="ignore", divide="ignore"):
            reps = (np.where(ok, matrix, 0.0) @ w) / (ok @ w)
        lo, hi = percentile_interval(reps, value, level)
    return Composite(a, b, value, lo, hi, expected_value, results, list(undirected),
                     replicates, seed, level, weights)


def weighted_index(indices: Mapping[str, float | None], weights: Weights) -> float | None:
    """Weighted mean of the defined channel indices (weights rescaled over them)."""
    parts = [(weights.of(c), v) for c, v in indices.items()
             if v is not None and not math.isnan(v) and weights.of(c) > 0]
    total = sum(w for w, _ in parts)
    if total <= 0:
        return None
    return sum(w * v for w, v in parts) / total
