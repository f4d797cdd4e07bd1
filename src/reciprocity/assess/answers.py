"""The assessment's answers as pydantic models: the JSON that ``reciprocity index``,
``assess capabilities``, ``assess opportunities``, ``assess dependence``, ``assess allies``,
``scenario``, ``compare`` and ``alerts`` write with ``--format json``, and the web API answers,
so /openapi.json documents them.

Each result produces its answer (``Composite.answer()``, ``Capabilities.answer()``,
``Dependence.answer()``, ``ScenarioResult.answer()``, ``EventStudyResult.answer()``,
``AlliesResult.answer()``); the front ends write ``answer().model_dump(mode="json")``. The
fields are declared in the order of the published JSON. Each model lists every key of its
answer (unknown keys are refused); the alerts' answer is the report itself
(:class:`~reciprocity.assess.service.AlertsReport`). Parts whose keys vary with the measure
or the rule (a capability measure's row, an alert's evidence) are mappings. The opportunities'
rows are still written by ``Opportunities.to_list`` (a row has ``sources`` only when no
evidence is loaded), and the model only describes them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from reciprocity.assess.config import Weights

Number = int | float | None
"""A figure: an int stays an int (a count), a float a float, so the JSON shows each as
computed."""


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
    weights: Weights | None = None
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


class _Area(Answer):
    area: str


class AreaConcentration(Concentration, _Area):
    """The concentration in one area (``area`` first)."""


class _Importer(Answer):
    country: str
    country_name: str | None = None
    channel: str
    unit: str | None = None


class DependenceAnswer(Concentration, _Importer):
    """``reciprocity assess dependence COUNTRY``: the concentration overall and by area
    (the country and channel first, then the overall concentration)."""

    by_area: list[AreaConcentration] = []
    thresholds: dict[str, Any]
    credits: list[str]


def __getattr__(name: str) -> Any:
    """``AlertsAnswer``: the alerts' answer is the report itself
    (:class:`~reciprocity.assess.service.AlertsReport`), read on first use so that the results
    can import this module without importing the service."""
    if name == "AlertsAnswer":
        from reciprocity.assess.service import AlertsReport
        return AlertsReport
    raise AttributeError(name)


class ScenarioChange(Answer):
    """The composite's change with the scenario and what the data say about it."""

    value: Number = None
    verdict: str
    reason: str
    rule: str


class ScenarioAnswer(Answer):
    """``reciprocity scenario FILE``: the pair's composite over the scenario's window,
    before and after the hypothetical program, and the change."""

    name: str
    a: str
    b: str
    start_year: int
    years: int
    window: Window
    weighting: str
    index_command: str | None = None
    before: IndexAnswer
    after: IndexAnswer
    change: ScenarioChange
    added: list[dict[str, Any]] = Field(description="The program's records added to the pair.")
    program: dict[str, Any] | None = None
    credits: list[str]


class EventSide(Answer):
    """One direction (or the two-way index) of a channel around the event year: the means
    before and after, the change with its interval, the segmented regression and the
    verdict."""

    before: Number = None
    after: Number = None
    change: Number = None
    ci_low: Number = None
    ci_high: Number = None
    p_value: Number = None
    p_value_hac: Number = None
    level_change: Number = None
    slope_change: Number = None
    hac_lags: int | None = None
    test_note: str | None = None
    n_years_before: int
    n_years_after: int
    interval_method: str | None = None
    sampling_units: int | None = None
    interval_note: str | None = None
    verdict: str
    reason: str | None = None


class ChannelStudyAnswer(Answer):
    """One channel's event study in its primary unit, by direction."""

    unit: str
    aggregation: str
    directed: bool
    resampled: str
    a_to_b: EventSide | None = None
    b_to_a: EventSide | None = None
    two_way: EventSide | None = None
    credits: list[str]


class EventStudyAnswer(Answer):
    """``reciprocity compare A B --at YEAR``: the pair's event study, per channel."""

    a: str
    b: str
    at: int
    window: int
    before_years: tuple[int, int]
    after_years: tuple[int, int]
    level: float
    replicates: int
    seed: int
    event: dict[str, Any] | None = None
    channels: dict[str, ChannelStudyAnswer]
    skipped: dict[str, str]
    credits: list[str]


class AlliesAnswer(Answer):
    """``reciprocity assess allies COUNTRY``: its flows with its ATOP allies against its
    other partners, per channel, and the two-way index with each ally."""

    country: str
    country_name: str
    since: int
    until: int
    atop_until: int
    classified_until: int
    coverage: str
    level: float
    allies_by_year: dict[str, list[str]]
    channels: dict[str, dict[str, Any]] = Field(description="Shares of the country's exports "
                                                            "and imports with its allies.")
    allies: list[dict[str, Any]]
    skipped: dict[str, str]
    credits: list[str]
