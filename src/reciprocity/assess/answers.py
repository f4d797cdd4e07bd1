"""The assessment's answers as pydantic models: the JSON that ``reciprocity index``,
``assess capabilities``, ``assess opportunities``, ``assess dependence`` and ``alerts`` write
with ``--format json``, and the web API answers, so /openapi.json documents them.

Each model lists every key of its answer (unknown keys are refused, so a test that validates
an answer against its model fails when the two part); the alerts' answer is the report
itself (:class:`~reciprocity.assess.service.AlertsReport`). Parts whose keys vary with the measure
or the rule (a capability measure's row, an alert's evidence) are mappings.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from reciprocity.assess.service import AlertsReport

Number = float | None


class Answer(BaseModel):
    """An answer's part: every key listed, none unknown."""

    model_config = ConfigDict(extra="forbid")


class Window(Answer):
    """The years an answer covers and their name."""

    since: int | None = None
    until: int | None = None
    name: str | None = None


class NullModel(Answer):
    """The null model's expectation of the index (independent partners), its spread and
    the test against it."""

    expected: Number = None
    low: Number = None
    high: Number = None
    sd: Number = None
    z: Number = None
    p_value: Number = None
    p_ab: Number = None
    expected_min: Number = None
    draws: int | None = None


class ChannelIndex(Answer):
    """One directed channel's two-way index, interval, weight and verdict."""

    channel: str
    unit: str | None = None
    index: Number = None
    weight: Number = None
    declared_weight: Number = None
    precision: Number = None
    in_composite: bool = False
    excluded: str | None = None
    observed: dict[str, Number] | None = None
    expected: dict[str, Number] | None = None
    null: NullModel | None = None
    z: Number = None
    ci_low: Number = None
    ci_high: Number = None
    ci_method: str | None = None
    se: Number = None
    records: int | None = None
    sampling_units: int | None = None
    interval_note: str | None = None
    verdict: str | None = None
    note: str | None = None


class UndirectedChannel(Answer):
    """An undirected channel (joint counts): no two-way index, shown beside the composite."""

    channel: str
    unit: str | None = None
    joint: Number = None
    expected_joint: Number = None
    intensity: Number = None


class WeightsAnswer(Answer):
    """The declared weights of the directed channels, where they come from and why."""

    weights: dict[str, float]
    source: str | None = None
    rationale: str | None = None


class IndexAnswer(Answer):
    """``reciprocity index A B``: the composite with its interval, the null model's
    expectation and verdict, and every channel with its weight."""

    a: str
    b: str
    since: int | None = None
    until: int | None = None
    window: Window | None = None
    value: Number = None
    ci_low: Number = None
    ci_high: Number = None
    ci_method: str | None = None
    se: Number = None
    level: Number = None
    expected: Number = None
    excess: Number = None
    null: NullModel | None = None
    z: Number = None
    rho: Number = None
    verdict: str | None = None
    non_reciprocal: bool | None = None
    weighting: str | None = None
    channels: dict[str, ChannelIndex]
    excluded: dict[str, str] = {}
    undirected: dict[str, UndirectedChannel] = {}
    bootstrap: dict[str, Any] | None = None
    weights: WeightsAnswer | None = None
    credits: list[str]


class CapabilitiesAnswer(Answer):
    """``reciprocity assess capabilities COUNTRY``: every measure per area and period, the
    areas' strength, the production base and the areas with no evidence loaded."""

    country: str
    country_name: str | None = None
    area: str | None = None
    measures: list[dict[str, Any]] = Field(description="One row per measure, area and period "
                                                       "(docs/assessment.md).")
    areas: list[dict[str, Any]]
    production_base: list[dict[str, Any]]
    no_evidence: list[dict[str, Any]]
    measure_definitions: dict[str, Any]
    credits: list[str]


class Opportunity(Answer):
    """``reciprocity assess opportunities A B``: one area where B is strong or rising and A
    has a declared need or a weakness, with the evidence and the present B→A flow."""

    area: str
    area_name: str | None = None
    score: Number = None
    qualifies: bool
    need: dict[str, Any] | None = None
    b_strength: Number = None
    b_strong: bool = False
    b_rising: bool = False
    a_strength: Number = None
    present_share: Number = None
    evidence: list[dict[str, Any]] = []
    current_flow_ba: list[dict[str, Any]] = []
    evidence_status: str | None = None
    sources: list[str] = Field([], description="What to ingest when no evidence is loaded.")
    message: str | None = None
    credits: list[str] = []


class Supplier(Answer):
    partner: str
    name: str | None = None
    value: Number = None
    share: Number = None


class Concentration(Answer):
    """Supplier concentration in the latest window, its trend and the risk flags."""

    hhi: Number = None
    top_partner: str | None = None
    top_partner_name: str | None = None
    top_share: Number = None
    unknown_share: Number = None
    total: Number = None
    n_suppliers: int | None = None
    window: str | None = None
    suppliers: list[Supplier] = []
    trend: dict[str, Any] | None = None
    own_strength: Number = None
    flags: dict[str, bool] | None = None


class AreaConcentration(Concentration):
    area: str


class DependenceAnswer(Concentration):
    """``reciprocity assess dependence COUNTRY``: the concentration overall and by area."""

    country: str
    country_name: str | None = None
    channel: str
    unit: str | None = None
    by_area: list[AreaConcentration] = []
    thresholds: dict[str, Any]
    credits: list[str]


AlertsAnswer = AlertsReport
"""``reciprocity alerts``: the rules that trip and every rule checked (the report itself)."""
