"""The assessment's operations on a store: read the inputs, run the pure functions.

Each function here is what one CLI command and one API method call; config and needs files
are loaded and validated first, so a bad file stops everything before the store is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from reciprocity import channels as channels_mod
from reciprocity import countries, taxonomy
from reciprocity.assess import alerts as alerts_mod
from reciprocity.assess import capabilities as cap_mod
from reciprocity.assess import composite as comp_mod
from reciprocity.assess import dependence as dep_mod
from reciprocity.assess import inputs
from reciprocity.assess import opportunities as opp_mod
from reciprocity.assess import scenarios as scen_mod
from reciprocity.assess import window as window_mod
from reciprocity.assess.config import SPEC, Settings, Weights, load_settings, load_weights
from reciprocity.assess.needs import for_country, load_needs
from reciprocity.errors import InputError, Problem
from reciprocity.queries.common import Pair
from reciprocity.store.db import Store

SettingsArg = Settings | str | Path | None
WeightsArg = Weights | str | Path | None


def _settings(value: SettingsArg) -> Settings:
    return value if isinstance(value, Settings) else load_settings(value)


def _weights(value: WeightsArg) -> Weights:
    """Declared weights: given, from a file, or the shipped ones (also for the names
    ``precision`` and ``declared``, which choose the composite's weighting)."""
    if isinstance(value, Weights):
        return value
    if value is None or str(value) in comp_mod.WEIGHTINGS:
        return load_weights()
    return load_weights(value)


def weighting(value: WeightsArg) -> str:
    """The composite's weighting: ``precision`` by default, ``declared`` for the shipped
    weights or any weights given (a file or :class:`Weights`)."""
    if value is None or str(value) == "precision":
        return "precision"
    return "declared"


def _area(area: str | None) -> str | None:
    if area is not None and area not in taxonomy.areas():
        raise InputError(f"unknown technology area {area!r}; expected one of "
                         f"{sorted(taxonomy.areas())} (see: reciprocity taxonomy)")
    return area


def primary_unit(channel: str, present: Iterable[str], additive_only: bool = False) -> str | None:
    """The channel's first unit (in ``channels.CHANNELS`` order) among ``present``."""
    have = set(present)
    ch = channels_mod.CHANNELS.get(channel)
    order = list(ch.units) if ch else sorted(have)
    order += sorted(have - set(order))
    for unit in order:
        if unit in have and (not additive_only or channels_mod.is_additive(unit)):
            return unit
    return None


# -- capabilities and opportunities ----------------------------------------------------------

def capabilities(store: Store, a: str, *, area: str | None = None,
                 settings: SettingsArg = None, vintage: str | None = None
                 ) -> cap_mod.Capabilities:
    """The capability catalogue of ``a`` (every area, or one)."""
    cfg = _settings(settings)
    code = countries.resolve(a).code
    _area(area)
    panel = inputs.capability_panel(store, vintage)
    result = cap_mod.profile(cap_mod.table(panel, cfg), panel, code, cfg, area)
    shown = pd.concat([result.measures["datasets"], result.production_base["datasets"]])
    result.credits = inputs.credits(store, {d for ds in shown.dropna()  # both are shown
                                            for d in str(ds).split(";") if d})
    return result


def _window_intake(store: Store, country: str, years: int,
                   vintage: str | None) -> tuple[pd.DataFrame, dict[str, str]]:
    """A's intake by channel, unit, area and partner over each channel's latest window."""
    intake = inputs.area_inflows(store, country, vintage=vintage)
    parts, spans = [], {}
    for channel, group in intake.groupby("channel", sort=True):
        last = inputs.last_year(store, str(channel), vintage=vintage)
        if last is None:
            continue
        lo = last - years + 1
        sub = group[(group["year"] >= lo) & (group["year"] <= last)]
        spans[str(channel)] = f"{lo}–{last}"
        keys = ["channel", "unit", "area", "partner"]
        summed = sub.groupby(keys, as_index=False)["magnitude"].sum()
        means = sub.groupby(keys, as_index=False)["magnitude"].mean()
        additive = summed["unit"].map(channels_mod.is_additive).astype(bool)
        summed.loc[~additive, "magnitude"] = means.loc[~additive, "magnitude"]
        parts.append(summed)
    frame = (pd.concat(parts, ignore_index=True) if parts else
             pd.DataFrame(columns=["channel", "unit", "area", "partner", "magnitude"]))
    return frame, spans


def opportunities(store: Store, a: str, b: str, *, needs: str | Path | None = None,
                  settings: SettingsArg = None, include_all: bool = False,
                  vintage: str | None = None) -> opp_mod.Opportunities:
    """Ranked "A needs, B provides" opportunities with evidence and present B→A flows."""
    cfg = _settings(settings)
    declared = load_needs(needs)
    pair = Pair.of(a, b)
    panel = inputs.capability_panel(store, vintage)
    tab = cap_mod.table(panel, cfg)
    cap_a = cap_mod.profile(tab, panel, pair.a.code, cfg)
    cap_b = cap_mod.profile(tab, panel, pair.b.code, cfg)
    intake, spans = _window_intake(store, pair.a.code, cfg["opportunities.window_years"],
                                   vintage)
    result = opp_mod.opportunities(cap_a, cap_b, for_country(declared, pair.a.code), intake,
                                   cfg, include_all=include_all,
                                   covered=cap_mod.evidence_coverage(tab))
    result.window = "; ".join(f"{c} {s}" for c, s in sorted(spans.items())) or None
    result.needs_source = str(needs) if needs else "needs_us_1995.yaml (example)"
    used = {d for ds in cap_b.measures["datasets"] for d in str(ds).split(";") if d}
    result.credits = inputs.credits(store, used)
    for row in result.rows:
        row["credits"] = result.credits
    return result


# -- dependence ------------------------------------------------------------------------------

def _own_strengths(store: Store, code: str, cfg: Settings, vintage: str | None,
                   cache: dict[str, Any] | None) -> dict[str, float | None]:
    """The country's strength per area (from its capability catalogue)."""
    cache = cache if cache is not None else {}
    if "table" not in cache:
        cache["panel"] = inputs.capability_panel(store, vintage)
        cache["table"] = cap_mod.table(cache["panel"], cfg)
    own = cap_mod.profile(cache["table"], cache["panel"], code, cfg).areas
    return {str(r["area"]): (None if pd.isna(r["strength"]) else float(r["strength"]))
            for r in own.to_dict("records")}


def dependence(store: Store, a: str, *, channel: str = "arms", area: str | None = None,
               since: int | None = None, until: int | None = None,
               settings: SettingsArg = None, vintage: str | None = None,
               _tables: dict[str, Any] | None = None) -> dep_mod.Dependence:
    """Supplier concentration of ``a`` in a directed channel, overall and by area.

    ``_tables`` caches the capability tables across calls (alerts evaluate many rules).
    """
    cfg = _settings(settings)
    code = countries.resolve(a).code
    ch = channels_mod.get(channel)
    _area(area)
    if not ch.directed:
        raise InputError(f"dependence needs a directed channel; {channel} is undirected "
                         "(it has partners, not suppliers)")
    intake = inputs.inflows(store, code, channel, since=since, until=until, vintage=vintage)
    unit = primary_unit(channel, intake["unit"], additive_only=True)
    intake = intake[intake["unit"] == unit] if unit else intake.iloc[:0]
    last = inputs.last_year(store, channel, unit, vintage) if unit else None
    if last is not None and until is not None:
        last = min(last, until)
    strengths = _own_strengths(store, code, cfg, vintage, _tables)
    result = dep_mod.dependence(intake, code, channel, last, cfg, strengths, area)
    result.credits = inputs.credits(store, set(intake["dataset"]))
    return result


# -- the composite index ---------------------------------------------------------------------

def _channel_data(store: Store, pair: tuple[str, str], records: pd.DataFrame,
                  since: int | None, until: int | None, weights: Weights, vintage: str | None
                  ) -> tuple[list[comp_mod.ChannelData], list[comp_mod.UndirectedResult]]:
    """Each channel's records in its primary unit, with its network for the null model."""
    directed: list[comp_mod.ChannelData] = []
    undirected: list[comp_mod.UndirectedResult] = []
    for name in sorted(channels_mod.CHANNELS):
        ch = channels_mod.CHANNELS[name]
        sub = records[records["channel"] == name]
        if sub.empty and weights.of(name) <= 0:
            continue
        unit = primary_unit(name, sub["unit"]) or ch.units[0]
        rows = sub[sub["unit"] == unit]
        additive = channels_mod.is_additive(unit)
        if not ch.directed:
            if rows.empty:
                continue
            joint = float(rows["magnitude"].sum() if additive else rows["magnitude"].mean())
            expected = None
            if additive:
                net = inputs.channel_network(store, name, unit, since=since, until=until,
                                             vintage=vintage)
                expected = comp_mod.undirected_expected(net, *pair)
            undirected.append(comp_mod.UndirectedResult(name, unit, joint, expected))
            continue
        network = (inputs.channel_network(store, name, unit, since=since, until=until,
                                          vintage=vintage) if additive and len(rows) else None)
        directed.append(comp_mod.ChannelData.from_records(name, unit, additive, rows, network))
    return directed, undirected


def _bootstrap_settings(cfg: Settings, replicates: int | None, seed: int | None) -> Settings:
    """``cfg`` with ``--replicates``/``--seed`` applied (checked against their ranges)."""
    if replicates is None and seed is None:
        return cfg
    values = dict(cfg.values)
    if replicates is not None:
        values["composite.replicates"] = replicates
    if seed is not None:
        values["composite.seed"] = seed
    problems = [Problem(f"--{k.split('.')[-1]}", repr(values[k]), expected)
                for k in ("composite.replicates", "composite.seed")
                if (expected := SPEC[k].check(values[k])) is not None]
    if problems:
        raise InputError("bootstrap options out of range; nothing was computed", problems)
    return replace(cfg, values=values)


@dataclass
class PairData:
    """What a pair's composite over a span is computed from: the pair's records, each
    directed channel's records (primary unit) with its network, the undirected channels and
    the span's :class:`~reciprocity.assess.window.Window`."""

    a: str
    b: str
    records: pd.DataFrame
    directed: list[comp_mod.ChannelData]
    undirected: list[comp_mod.UndirectedResult]
    window: window_mod.Window


def pair_data(store: Store, a: str, b: str, weights: Weights, *, since: int | None = None,
              until: int | None = None, vintage: str | None = None) -> PairData:
    """The inputs of :func:`combine` for A and B over ``since``–``until``."""
    pair = Pair.of(a, b)
    records = inputs.pair_records(store, pair.a.code, pair.b.code, since=since, until=until,
                                  vintage=vintage)
    directed, undirected = _channel_data(store, (pair.a.code, pair.b.code), records, since,
                                         until, weights, vintage)
    years = np.concatenate([ch.years for ch in directed]) if directed else np.array([])
    span = window_mod.span(since, until, first=int(years.min()) if len(years) else None,
                           last=int(years.max()) if len(years) else None)
    return PairData(pair.a.code, pair.b.code, records, directed, undirected, span)


def combine(store: Store, data: PairData, weights: Weights, how: str, cfg: Settings, *,
            directed: list[comp_mod.ChannelData] | None = None,
            window: window_mod.Window | None = None) -> comp_mod.Composite:
    """The composite of ``data`` (or of ``directed`` in its place: a scenario's records):
    :func:`reciprocity.assess.composite.composite` with the settings' bootstrap. ``index``,
    ``alerts`` and ``scenario`` all compute their composite here."""
    result = comp_mod.composite(data.a, data.b, data.directed if directed is None else directed,
                                weights, weighting=how,
                                replicates=cfg["composite.replicates"],
                                seed=cfg["composite.seed"], level=cfg["composite.level"],
                                undirected=data.undirected, window=window or data.window)
    result.credits = inputs.credits(store, set(data.records["dataset"]))
    return result


def composite_index(store: Store, a: str, b: str, *, weights: WeightsArg = None,
                    since: int | None = None, until: int | None = None,
                    replicates: int | None = None, seed: int | None = None,
                    settings: SettingsArg = None, vintage: str | None = None
                    ) -> comp_mod.Composite:
    """The composite reciprocity index of A and B with its interval and expectation."""
    cfg = _bootstrap_settings(_settings(settings), replicates, seed)
    w = _weights(weights)
    data = pair_data(store, a, b, w, since=since, until=until, vintage=vintage)
    return combine(store, data, w, weighting(weights), cfg)


# -- scenarios and alerts: the same composite over a named window -----------------------------

def _latest_year(store: Store, a: str, b: str, channel: str | None = None,
                 vintage: str | None = None) -> int | None:
    """The latest year of the store's flows in the directed channels where A and B have
    flows (or in ``channel``, when they have flows in it): where the latest window ends."""
    have = inputs.pair_channels(store, a, b, vintage)
    names = [c for c in have if channels_mod.is_directed(c) and channel in (None, c)]
    lasts = [x for c in names if (x := inputs.last_year(store, c, vintage=vintage)) is not None]
    return max(lasts) if lasts else None


def _index_command(a: str, b: str, since: int, until: int, weights: WeightsArg,
                   settings: SettingsArg) -> str:
    """The ``reciprocity index`` command that gives the same figure."""
    out = f"reciprocity index {a} {b} --since {since} --until {until}"
    if weights is not None and str(weights) != "precision" and not isinstance(weights, Weights):
        out += f" --weights {weights}"
    elif isinstance(weights, Weights):
        out += f" --weights {weights.source}"
    if settings is not None and not isinstance(settings, Settings):
        out += f" --settings {settings}"
    return out


def scenario(store: Store, path: str | Path, *, weights: WeightsArg = None,
             settings: SettingsArg = None, today: dt.date | None = None,
             vintage: str | None = None) -> scen_mod.ScenarioResult:
    """The composite of the pair over the scenario's window, before and after adding the
    program's records (its planned flows and the ledger program's pending transfers)."""
    cfg = _settings(settings)
    w = _weights(weights)
    plan = scen_mod.load_scenario(path, cfg, today)
    pending: list[dict[str, Any]] = []
    program_info = None
    if plan.program is not None:
        from reciprocity.ledger.store import Ledger

        registry = Ledger(store).current()
        program = registry.program(plan.program)
        if program is None:
            raise InputError(f"{plan.source}: unknown ledger program {plan.program!r}; "
                             "nothing was computed", [Problem(
                                 f"{plan.source} program", repr(plan.program),
                                 "the id of a program in the ledger (reciprocity ledger list "
                                 "--kind programs)")])
        if not {plan.a, plan.b} <= set(program.partners):
            raise InputError(f"{plan.source}: program {plan.program} is not between "
                             f"{plan.a} and {plan.b}", [Problem(
                                 f"{plan.source} program", ", ".join(program.partners),
                                 f"a program with {plan.a} and {plan.b} among its partners")])
        pending = [{"id": t.id, "from": t.origin, "to": t.destination, "status": t.status}
                   for t in registry.transfers if t.program == plan.program
                   and t.status in ("proposed", "approved")
                   and {t.origin, t.destination} == {plan.a, plan.b}]
        program_info = {"id": program.id, "name": program.name,
                        "pending_transfers": pending,
                        "plan": program.plan.model_dump(mode="json") if program.plan else None}
    last = _latest_year(store, plan.a, plan.b, vintage=vintage)
    present = min(last if last is not None else plan.start_year - 1, plan.start_year - 1)
    since = present - cfg["scenario.index_window"] + 1
    until = plan.start_year + plan.years - 1
    data = pair_data(store, plan.a, plan.b, w, since=since, until=until, vintage=vintage)
    how = weighting(weights)
    before = combine(store, data, w, how, cfg)
    added = scen_mod.planned_records(plan, pending)
    networks = {}
    have = {ch.channel: ch for ch in data.directed}
    for (name, unit), _ in added.groupby(["channel", "unit"], sort=True):
        ch = have.get(str(name))
        if channels_mod.is_additive(str(unit)) and (ch is None or ch.network is None
                                                    or ch.unit != unit):
            networks[str(name)] = inputs.channel_network(store, str(name), str(unit),
                                                         since=since, until=until,
                                                         vintage=vintage)
    directed = scen_mod.with_records(data.directed, added, networks, plan.source)
    after = combine(store, data, w, how, cfg, directed=directed)
    return scen_mod.ScenarioResult(plan, before, after, added, program_info,
                                   _index_command(plan.a, plan.b, since, until, weights,
                                                  settings), before.credits)


def _window_name(window: Any) -> str:
    """A rule's window as text: a :class:`Window` dict's name, or the span as given."""
    if isinstance(window, dict):
        return str(window.get("name") or "")
    return str(window or "")


class AlertsReport(BaseModel):
    """Every rule checked and those that trip, with the rules' file (its dump is the JSON of
    ``reciprocity alerts``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    config: str
    tripped: list[alerts_mod.AlertResult]
    checked: list[alerts_mod.AlertResult]
    credits: list[str] = []

    @classmethod
    def of(cls, results: list[alerts_mod.AlertResult], source: str,
           credits: list[str]) -> AlertsReport:
        return cls(config=source, tripped=[r for r in results if r.tripped], checked=results,
                   credits=credits)

    @property
    def results(self) -> list[alerts_mod.AlertResult]:
        return self.checked

    @property
    def source(self) -> str:
        return self.config

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"id": r.rule.id, "kind": r.rule.kind, "subject": r.rule.subject,
                              "threshold": r.rule.threshold, "observed": r.observed,
                              "ci_low": r.evidence.get("ci_low"),
                              "ci_high": r.evidence.get("ci_high"),
                              "window": _window_name(r.evidence.get("window")),
                              "tripped": r.tripped,
                              "firm": "" if r.firm is None else r.firm, "note": r.note or ""}
                             for r in self.results],
                            columns=["id", "kind", "subject", "threshold", "observed",
                                     "ci_low", "ci_high", "window", "tripped", "firm", "note"])


def _window_row(comp: comp_mod.Composite, channel: str | None, command: str) -> dict[str, Any]:
    """One window of an ``index_below`` rule: the composite's (or one channel's) value and
    interval, the weights and the excluded channels, as ``index`` reports them."""
    window = comp.window.answer().model_dump(mode="json") if comp.window else None
    row: dict[str, Any] = {"year": comp.until, "window": window, "command": command}
    if channel is None:
        row.update(index=comp.value, ci_low=comp.ci_low, ci_high=comp.ci_high,
                   verdict=comp.verdict,
                   weights={c.channel: c.weight for c in comp.channels if c.in_composite},
                   excluded={c.channel: c.excluded for c in comp.channels if c.excluded})
        return row
    ch = next((c for c in comp.channels if c.channel == channel), None)
    row.update(index=ch.index if ch else None, ci_low=ch.ci_low if ch else None,
               ci_high=ch.ci_high if ch else None,
               verdict=ch.verdict if ch else "undefined",
               interval_note=ch.interval.note if ch else "no flow either way")
    return row


def alerts(store: Store, config: str | Path | None = None, *, weights: WeightsArg = None,
           settings: SettingsArg = None, vintage: str | None = None) -> AlertsReport:
    """Evaluate the alert rules of ``config`` (default: the shipped rules).

    An ``index_below`` rule's value for each window is the composite (or its channel's
    index) that ``reciprocity index A B --since S --until U`` reports, computed by the same
    function with the same settings; windows shared by several rules are computed once.
    """
    cfg = _settings(settings)
    w = _weights(weights)
    how = weighting(weights)
    rules, source = alerts_mod.load_alerts(config)
    results = []
    datasets: set[str] = set()
    extra: list[str] = []
    tables: dict[str, Any] = {}
    cache: dict[tuple[str, str, int, int], comp_mod.Composite] = {}
    for rule in rules:
        if rule.kind == "index_below":
            assert rule.pair is not None
            a, b = rule.pair
            size = rule.window or cfg["scenario.index_window"]
            latest = _latest_year(store, a, b, rule.channel, vintage)
            series: list[dict[str, Any]] = []
            for end in ([] if latest is None else range(latest - rule.years + 1, latest + 1)):
                key = (a, b, end - size + 1, end)
                if key not in cache:
                    data = pair_data(store, a, b, w, since=key[2], until=end, vintage=vintage)
                    cache[key] = combine(store, data, w, how, cfg,
                                         window=window_mod.trailing(end, size))
                    datasets |= set(data.records["dataset"])
                command = _index_command(a, b, key[2], end, weights, settings)
                series.append(_window_row(cache[key], rule.channel, command))
            result = alerts_mod.index_below(rule, series)
            last = series[-1] if series else {}
            result.evidence.update({
                "window": last.get("window"), "index_command": last.get("command"),
                "ci_low": last.get("ci_low"), "ci_high": last.get("ci_high"),
                "verdict": last.get("verdict"), "weights": last.get("weights"),
                "excluded": last.get("excluded"),
                "weighting": f"{rule.channel} only" if rule.channel else how,
                "bootstrap": {"replicates": cfg["composite.replicates"],
                              "seed": cfg["composite.seed"], "level": cfg["composite.level"]},
                "series": f"for each of the latest {rule.years} {size}-year windows, the "
                          + (f"{rule.channel} channel's two-way index" if rule.channel else
                             "composite index")
                          + " and interval that reciprocity index reports for those years"})
            results.append(result)
            continue
        local = cfg if rule.window is None else replace(
            cfg, values={**cfg.values, "dependence.window_years": rule.window})
        assert rule.country is not None and rule.channel is not None
        dep = dependence(store, rule.country, channel=rule.channel, area=rule.area,
                         settings=local, vintage=vintage, _tables=tables)
        data_ = dep.answer().model_dump(mode="json")
        extra += dep.credits
        if rule.kind == "share_over":
            share = dep.partner_share(rule.partner) if rule.partner else None
            results.append(alerts_mod.share_over(rule, data_, share))
        else:
            results.append(alerts_mod.hhi_over(rule, data_))
    credit_lines = list(dict.fromkeys([*inputs.credits(store, datasets), *extra]))
    results.sort(key=lambda r: (not r.tripped, r.rule.id))
    return AlertsReport.of(results, source, credit_lines)
