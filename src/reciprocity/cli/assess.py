"""``reciprocity assess …``, ``index``, ``scenario`` and ``alerts``: the assessment commands.

Capabilities, opportunities, dependence and declared needs under ``assess``; the composite
reciprocity index, program scenarios and alerts as top-level commands. Settings, weights,
needs, scenario and alert files: docs/assessment.md; formulas: docs/methods.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from reciprocity.cli.common import FormatOpt, SinceOpt, UntilOpt, WideOpt, session
from reciprocity.cli.render import Format, View, console, emit, table

if TYPE_CHECKING:
    import pandas as pd

    from reciprocity.metrics.twoway import clean
else:  # imported when a command runs (reciprocity.cli.lazy)
    from reciprocity.cli.lazy import clean
    from reciprocity.cli.lazy import pandas as pd

assess_app = typer.Typer(
    help="Assessment: capability catalogue, declared needs, opportunities (A needs, B "
         "provides) and supplier dependence (docs/assessment.md).", no_args_is_help=True)

CountryArg = Annotated[str, typer.Argument(help="Country: ISO3 code or name (JPN, Japan).")]
SettingsOpt = Annotated[Path | None, typer.Option(
    "--settings", help="Settings YAML overriding the default thresholds "
    "(docs/assessment.md).")]
IndexWeightsOpt = Annotated[str | None, typer.Option(
    "--weights", help="Channel weights of the composite: precision (default; inverse "
    "variance of each channel's bootstrap), declared (the shipped weights.yaml) or a weights "
    "YAML file (docs/assessment.md).")]
AreaOpt = Annotated[str | None, typer.Option(
    "--area", help="Technology area (see reciprocity taxonomy).")]


def register(app: typer.Typer) -> None:
    app.add_typer(assess_app, name="assess")
    app.command("index")(index)
    app.command("scenario")(scenario)
    app.command("alerts")(alerts)


def _caption(credits: list[str]) -> str | None:
    return " · ".join(credits) or None


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A result frame for a table (JSON and CSV keep the raw one): areas by their names,
    measures, units, trends, verdicts and rule kinds in words (``sensors_radar`` → ``Sensors
    and radar``, ``too_short`` → ``too short``), a world ``share`` as ``world_share``."""
    from reciprocity.labels import area, label

    def words(value: str) -> str:
        return value.replace("_", " ")

    shown = frame.copy()
    for column in shown.columns:
        named = area if column == "area" else label if column in (
            "measure", "best_measure", "kind") else words if column in (
            "trend", "verdict") else None
        if named is not None:
            shown[column] = [named(v) if isinstance(v, str) else v for v in shown[column]]
    return shown.rename(columns={"share": "world_share"})


def _fmt(value: Any, digits: int = 3) -> str:
    value = clean(value)
    if value is None:
        return "undefined"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


@assess_app.command("capabilities")
def capabilities(ctx: typer.Context, a: CountryArg, area: AreaOpt = None,
                 settings: SettingsOpt = None, wide: WideOpt = False,
                 fmt: FormatOpt = Format.table) -> None:
    """What A produces per technology area and period: value, world share, rank, RTA and
    trend, per measure (OECD patent families, patents, publications, citation impact, arms
    exports); licensed production of foreign designs apart, as a production base; and the
    areas with no evidence loaded."""
    with session(ctx, read_only=True) as r:
        result = r.capabilities(a, area=area, settings=settings)
    from reciprocity.labels import area as area_name
    from reciprocity.labels import field as field_name
    from reciprocity.labels import label

    measures = _readable(result.measures)
    measures["field"] = [field_name(v) if isinstance(v, str) else v for v in measures["field"]]
    emit(result.measures, fmt, json_data=result.answer().model_dump(mode="json"), wide=wide,
         empty=f"No output of {result.country_name} recorded in the store"
               + (f" in {area_name(area)}." if area else "."),
         views=[View(_readable(result.areas), title=f"{result.country_name} "
                     f"({result.country}): capability by area (strength = RTA / (1 + RTA); "
                     "0.5 = as the world)",
                     columns=AREA_COLUMNS, wide_columns=AREA_COLUMNS),
                View(measures, title="By measure (latest period; trend: Mann–Kendall on the "
                     "yearly world share)", caption=_caption(result.credits),
                     columns=CAPABILITY_COLUMNS,
                     wide_columns=["measure", "area", "field", "period", "value", "unit",
                                   "world_share", "rank", "rta", "previous_rta",
                                   "share_change", "trend", "trend_p"],
                     notes=[] if wide or measures.empty else ["Values: " + "; ".join(
                         f"{m} in {label(u)}" if label(u) != m else f"{m}: an index"
                         for m, u in dict.fromkeys(zip(
                             measures["measure"], measures["unit"], strict=True)))])],
         notes=result.notes())


AREA_COLUMNS = ["area", "strength", "best_measure", "world_share", "rank", "rising", "leading"]
CAPABILITY_COLUMNS = ["measure", "area", "period", "value", "world_share", "rank", "rta", "trend"]
"""The measures table's columns at 100 columns, each measure's unit in a line under it
(``--wide``: also the unit, the technology field, the previous period's RTA, the change of
the world share and the trend's p-value)."""


@assess_app.command("needs")
def needs(country: Annotated[str | None, typer.Argument(
              help="Only this country's needs.")] = None,
          needs_file: Annotated[Path | None, typer.Option(
              "--needs", help="Needs file or ledger YAML with needs: (default: the 1995 "
              "U.S. needs example).")] = None,
          wide: WideOpt = False, fmt: FormatOpt = Format.table) -> None:
    """Declared needs (area, priority, rationale, source), from a needs file. The table
    lists the sources under it; --wide shows them in a column."""
    from reciprocity import countries
    from reciprocity.assess.needs import load_needs

    items = load_needs(needs_file)
    if country is not None:
        code = countries.resolve(country).code
        items = [n for n in items if n.country == code]
    frame = pd.DataFrame([{**n.model_dump(mode="json"), "source": n.citation()} for n in items],
                         columns=["country", "area", "priority", "rationale", "source"])
    sources = list(dict.fromkeys(frame["source"]))
    emit(frame, fmt, json_data=[n.model_dump(mode="json") for n in items], wide=wide,
         views=[View(_readable(frame), "Declared needs",
                     columns=["country", "area", "priority", "rationale"],
                     notes=[] if wide else [f"Source: {s}" for s in sources])])


@assess_app.command("opportunities")
def opportunities(ctx: typer.Context, a: Annotated[str, typer.Argument(
                      help="Country with the needs (A).")],
                  b: Annotated[str, typer.Argument(help="Country that may provide (B).")],
                  needs_file: Annotated[Path | None, typer.Option(
                      "--needs", help="Needs file or ledger YAML with needs: (default: "
                      "the 1995 U.S. needs example).")] = None,
                  show_all: Annotated[bool, typer.Option(
                      "--all", help="Also list areas that do not qualify.")] = False,
                  settings: SettingsOpt = None, wide: WideOpt = False,
                  fmt: FormatOpt = Format.table) -> None:
    """Areas where B is strong or rising and A has a declared need or a weakness, ranked,
    with the evidence and the present B→A flow. The table lists each area's evidence under
    it; --wide shows it in a column."""
    with session(ctx, read_only=True) as r:
        result = r.opportunities(a, b, needs=needs_file, settings=settings,
                                 include_all=show_all)
    frame = result.frame()
    shown = _readable(frame)
    emit(frame, fmt, json_data=result.to_list(), wide=wide,
         views=[View(shown, f"Opportunities: {result.a} needs, {result.b} provides (present "
                     f"flow window: {result.window or 'none'}; present share: {result.b}'s "
                     f"share of {result.a}'s intake)", caption=_caption(result.credits),
                     columns=OPPORTUNITY_COLUMNS, labels=_strength_labels(result.a, result.b),
                     notes=[] if wide else _evidence_lines(shown, result.b))],
         empty=f"No area where {result.b} is strong or rising and {result.a} has a declared "
               "need or a weakness, on the data in this store (--all shows every area with "
               "the evidence).")


OPPORTUNITY_COLUMNS = ["rank", "area", "score", "qualifies", "need", "b_strength", "b_rising",
                       "a_strength", "present_share"]
"""The opportunities table's columns at 100 columns (the evidence in lines under it)."""


def _strength_labels(a: str, b: str) -> dict[str, str]:
    return {"a_strength": f"{a} strength", "b_strength": f"{b} strength",
            "b_rising": f"{b} rising"}


def _evidence_lines(shown: pd.DataFrame, b: str) -> list[str]:
    """Each area's evidence of B, in lines under the opportunities table."""
    lines = [f"  {area}: {text}" for area, text in zip(
        shown["area"], shown["best_evidence"], strict=True) if isinstance(text, str) and text]
    return [f"Evidence of {b} in each area:", *lines] if lines else []


@assess_app.command("dependence")
def dependence(ctx: typer.Context, a: CountryArg,
               channel: Annotated[str, typer.Option(
                   "--channel", "-c", help="Directed channel.")] = "arms",
               area: AreaOpt = None, since: SinceOpt = None, until: UntilOpt = None,
               settings: SettingsOpt = None, wide: WideOpt = False,
               fmt: FormatOpt = Format.table) -> None:
    """A's supplier concentration in a channel (HHI, top supplier and share, trend) with
    short-term supply and long-term access risk flags, overall and by area."""
    with session(ctx, read_only=True) as r:
        result = r.dependence(a, channel=channel, area=area, since=since, until=until,
                              settings=settings)
    data = result.answer().model_dump(mode="json")
    flags = data.get("flags") or {}
    from reciprocity.labels import figure, label

    frame = result.frame()
    emit(frame, fmt, json_data=data, wide=wide,
         views=[View(_readable(frame), f"Dependence of {data['country_name']} on its "
                     f"suppliers: {label(channel)} ({label(result.unit or 'no unit')}), "
                     f"{data.get('window') or 'no window'}; unknown suppliers stay in the "
                     "denominator",
                     caption=_caption(result.credits), units={"total": result.unit or "decimal"},
                     columns=["area", "total", "hhi", "top_partner", "top_share", "trend",
                              "short_term_risk", "long_term_risk"],
                     wide_columns=list(frame.columns))],
         notes=[f"Overall: HHI {_fmt(data['hhi'])}, "
                + (f"top supplier {data['top_partner']} "
                   f"{figure(data['top_share'], 'proportion')}" if data["top_partner"]
                   else "no supplier") + "; short-term supply risk: "
                f"{'yes' if flags.get('short_term_supply_risk') else 'no'}, long-term access "
                f"risk: {'yes' if flags.get('long_term_access_risk') else 'no'}."])


@assess_app.command("allies")
def allies(ctx: typer.Context, a: CountryArg,
           channel: Annotated[str | None, typer.Option(
               "--channel", "-c", help="One directed channel (default: every one with "
               "flows of A).")] = None,
           since: SinceOpt = None, until: UntilOpt = None,
           replicates: Annotated[int | None, typer.Option(
               "--replicates", help="Bootstrap replicates (default 2000).")] = None,
           settings: SettingsOpt = None, wide: WideOpt = False,
           fmt: FormatOpt = Format.table) -> None:
    """A's flows with its treaty allies (ATOP, in force each year) against its other
    partners: shares of A's exports and imports per channel, and the two-way index with
    each ally with its interval. ATOP's data end in 2016: later years are not classified.
    Default years: the last ten ATOP covers."""
    with session(ctx, read_only=True) as r:
        result = r.allies(a, since=since, until=until, channel=channel,
                          replicates=replicates, settings=settings)
    data = result.answer().model_dump(mode="json")
    level = round(100 * result.level)
    notes = [result.coverage_note() + "."]
    notes += [f"{c}: left out, {why}" for c, why in result.skipped.items()]
    ally_frame = _worded_duties(result.allies)
    ally_frame["unit"] = ally_frame["channel"].map(dict(zip(
        result.shares["channel"], result.shares["unit"], strict=True)))
    emit(result.shares, fmt, json_data=data, wide=wide,
         views=[View(result.shares, f"{result.country_name}: flows with its treaty allies, "
                     f"{result.since}–{result.until} (shares of the years ATOP covers)",
                     columns=["channel", "exports", "export_share_allies", "imports",
                              "import_share_allies", "allies_with_flows", "not_classified"]),
                View(ally_frame, "Two-way index with each ally over the "
                     f"years allied ({level}% interval over sampling units)",
                     caption=_caption(result.credits),
                     columns=["channel", "ally", "allied_years", "obligations_ally",
                              "flow_ab", "flow_ba", "index", "ci_low", "ci_high"],
                     wide_columns=[c for c in ally_frame.columns if c != "unit"],
                     labels={"flow_ab": f"{result.country}→ally",
                             "flow_ba": f"ally→{result.country}"})],
         empty=f"No flows of {result.country_name} in {result.since}–{result.until}.",
         notes=notes)


def _worded_duties(frame: pd.DataFrame) -> pd.DataFrame:
    """ATOP's obligation names (``nonagg``) as people read them (``non-aggression``)."""
    from reciprocity.labels import label

    shown = frame.copy()
    for column in ("obligations_a", "obligations_ally"):
        shown[column] = [", ".join(label(o) for o in str(v).split(", ") if o)
                         for v in shown[column]]
    return shown


def index(ctx: typer.Context, a: CountryArg, b: CountryArg, weights: IndexWeightsOpt = None,
          since: SinceOpt = None, until: UntilOpt = None,
          replicates: Annotated[int | None, typer.Option(
              "--replicates", help="Bootstrap replicates and null draws per channel "
              "(default 2000).")] = None,
          seed: Annotated[int | None, typer.Option(
              "--seed", help="Random seed of the bootstrap.")] = None,
          settings: SettingsOpt = None, wide: WideOpt = False,
          fmt: FormatOpt = Format.table) -> None:
    """Composite reciprocity index of A and B: per-channel two-way indices with BCa
    bootstrap intervals over the sources' sampling units (deals, transfers), against a null
    model's distribution, combined with precision weights. --wide also shows each channel's
    weight, the null's expectation, interval and z."""
    with session(ctx, read_only=True) as r:
        result = r.composite_index(a, b, weights=weights, since=since, until=until,
                                   replicates=replicates, seed=seed, settings=settings)
    data = result.answer().model_dump(mode="json")
    frame = result.frame()
    emit(frame, fmt, json_data=data, wide=wide,
         views=[View(_readable(frame), f"{result.a} ⇄ {result.b}: two-way index per channel, "
                     f"{data['window']['name']}" + (" (expected and null interval: each "
                     "unit's direction drawn from the strength-fitted null)" if wide else ""),
                     caption=_caption(result.credits), columns=INDEX_SHORT,
                     wide_columns=INDEX_COLUMNS,
                     labels={"observed_ab": f"{result.a}→{result.b}",
                             "observed_ba": f"{result.b}→{result.a}"})],
         notes=[index_sentence(data)])


INDEX_COLUMNS = ["channel", "unit", "weight", "observed_ab", "observed_ba", "index", "ci_low",
                 "ci_high", "expected", "null_low", "null_high", "z", "verdict"]
INDEX_SHORT = ["channel", "unit", "observed_ab", "observed_ba", "index", "ci_low", "ci_high",
               "verdict"]
"""The index table's columns at 100 columns (the weights are in the sentence under it;
``--wide``: :data:`INDEX_COLUMNS`)."""


def index_sentence(data: dict[str, Any]) -> str:
    """The composite in words: value, interval, null, verdict, weights and window."""
    from reciprocity.labels import word

    level = round(100 * data["level"])
    window = (data.get("window") or {}).get("name") or "all years"
    used = {c: ch["weight"] for c, ch in data["channels"].items() if ch["in_composite"]}
    weights = ", ".join(f"{word(c)} {w:.2f}" for c, w in used.items())
    out = "; ".join(f"{word(c)} ({reason})" for c, reason in data["excluded"].items())
    if data["value"] is None:
        return (f"[bold]No composite index[/] ({window}): no channel has an interval of "
                f"positive width. Not combined: {out or 'no flows'}. Verdict: "
                f"{data['verdict'].replace('_', ' ')}.")
    null = data.get("null") or {}
    null_text = (f"the null expects {_fmt(data['expected'])} ({level}% of null draws "
                 f"{_fmt(null.get('low'))}–{_fmt(null.get('high'))}, z {_fmt(null.get('z'), 2)})"
                 if null else "no null distribution")
    return (f"[bold]Composite index {_fmt(data['value'])}[/] ({level}% interval "
            f"{_fmt(data['ci_low'])}–{_fmt(data['ci_high'])}; {window}); {null_text}: "
            f"{data['verdict'].replace('_', ' ')}. Weights ({data['weighting']}): {weights}"
            + (f"; not combined: {out}." if out else "."))


def scenario(ctx: typer.Context, file: Annotated[Path, typer.Argument(
                 help="Scenario YAML (docs/assessment.md).")],
             weights: IndexWeightsOpt = None, settings: SettingsOpt = None,
             wide: WideOpt = False, fmt: FormatOpt = Format.table) -> None:
    """What a proposed program's records would do to the composite index of the pair: the
    composite of `reciprocity index` over the scenario's window, before and after adding
    them, with intervals; a change only when the two intervals are disjoint."""
    with session(ctx, read_only=True) as r:
        result = r.scenario(file, weights=weights, settings=settings)
    s = result.scenario
    data = result.answer().model_dump(mode="json")
    change = data["change"]
    from reciprocity.labels import label

    frame = result.frame()
    shown = _readable(frame)
    left_out = [] if wide else [
        f"{label(channel)}: left out after the program, {why}"
        for channel, why in zip(shown["channel"], shown["excluded_after"], strict=True)
        if isinstance(why, str) and why]
    emit(frame, fmt, json_data=data, wide=wide,
         views=[View(shown, f"{s.name}: {s.a} ⇄ {s.b} composite index before and after the "
                     f"program, {data['window']['name']} ({data['weighting']} weights)",
                     caption=_caption(result.credits), units={"change": "index"},
                     columns=["channel", "weight_before", "index_before", "ci_low_before",
                              "ci_high_before", "weight_after", "index_after", "ci_low_after",
                              "ci_high_after", "change"],
                     wide_columns=list(frame.columns),
                     notes=left_out)],
         notes=[f"Before ({result.index_command}): " + index_sentence(data["before"]),
                "After (with the program's records): " + index_sentence(data["after"]),
                f"[bold]Change {_fmt(change['value'])}: "
                f"{change['verdict'].replace('_', ' ')}[/] ({change['reason']})."])


def alerts(ctx: typer.Context, config: Annotated[Path | None, typer.Option(
               "--config", help="Alert rules YAML (default: the shipped rules).")] = None,
           weights: IndexWeightsOpt = None, settings: SettingsOpt = None,
           wide: WideOpt = False, fmt: FormatOpt = Format.table) -> None:
    """Evaluate alert rules (two-way index under X for Y years, a supplier share or HHI
    over Z) and list what trips them, with the evidence. An index rule's value for each
    window is what `reciprocity index A B --since S --until U` reports."""
    with session(ctx, read_only=True) as r:
        result = r.alerts(config, weights=weights, settings=settings)
    frame = result.frame()
    emit(frame, fmt, json_data=result.model_dump(mode="json"), wide=wide,
         views=[View(_readable(frame), f"Alerts ({result.source}): {len(result.tripped)} of "
                     f"{len(result.results)} tripped", caption=_caption(result.credits),
                     columns=["subject", "kind", "threshold", "observed", "ci_low", "ci_high",
                              "window", "tripped", "firm"],
                     wide_columns=list(frame.columns),
                     notes=[] if wide else [
                         f"{subject} ({rule}): {note}" for rule, subject, note in zip(
                             frame["id"], frame["subject"], frame["note"], strict=True)
                         if isinstance(note, str) and note])],
         notes=[f"[bold red]{r_.rule.id}[/]: {r_.rule.description or r_.rule.subject}"
                + ("" if r_.firm is None else
                   " (firm: every window's interval is under the threshold)" if r_.firm else
                   " (not firm: an interval reaches the threshold)")
                for r_ in result.tripped]
         + [f"{r_.rule.id}: {r_.evidence['window']['name']}, "
            + (f"the {r_.rule.channel} channel's index" if r_.rule.channel else
               f"{r_.evidence.get('weighting')} weights " + (", ".join(
                   f"{c} {w:.2f}" for c, w in (r_.evidence.get('weights') or {}).items())
                   or "none (no channel with an interval)"))
            + f"; the same figure: {r_.evidence.get('index_command')}"
            for r_ in result.results
            if r_.rule.kind == "index_below" and r_.evidence.get("window")])


__all__ = ["assess_app", "index_sentence", "print_brief", "register"]


def print_brief(brief: Any) -> None:
    """The assessment part of the demo (a :class:`reciprocity.assess.brief.Brief`)."""
    a, b = brief.a, brief.b
    from reciprocity import countries
    from reciprocity.labels import figure

    an, bn = countries.name_of(a), countries.name_of(b)
    ans, bns = (f"{n}'" if n.endswith("s") else f"{n}'s" for n in (an, bn))
    console.rule(f"[bold]{an} ⇄ {bn}: composite reciprocity index")
    data = brief.index.answer().model_dump(mode="json")
    table(_readable(brief.index.frame()), columns=INDEX_SHORT,
          labels={"observed_ab": f"{a}→{b}", "observed_ba": f"{b}→{a}"},
          title=f"Per channel ({data['weighting']} weights over the channels with an "
          f"interval; {data['window']['name']})")
    console.print(index_sentence(data))
    console.rule(f"[bold]{bns} leading areas")
    lead = brief.capabilities.leading()
    if lead.empty:
        console.print(f"No area where {bn} is strong (RTA ≥ 1) on the data in this store.")
    else:
        table(_readable(lead), title=f"{bn}: areas with strength ≥ 0.5 (RTA ≥ 1), strongest "
              "first", columns=AREA_COLUMNS[:-1])
    console.rule(f"[bold]Opportunities: {bns} contributions to {ans} needs")
    if brief.opportunities.rows:
        shown = _readable(brief.opportunities.frame().head(5))
        table(shown, title=f"Top opportunities ({a} needs, {b} provides)",
              columns=OPPORTUNITY_COLUMNS, labels=_strength_labels(a, b))
    else:
        console.print(f"No area qualifies on the data in this store: where it holds evidence, "
                      f"{bn} is not strong or rising where {an} declares a need or is weak; "
                      "areas without evidence say so. The declared needs "
                      f"against {bns} evidence (reciprocity assess opportunities {a} {b} "
                      "--all):")
        shown = _readable(brief.candidates.frame().head(5))
        table(shown, title=f"{ans} declared needs and {bns} evidence",
              columns=OPPORTUNITY_COLUMNS, labels=_strength_labels(a, b))
    for line in _evidence_lines(shown, b):
        console.print(line)
    console.rule(f"[bold]{bns} {brief.channel} imports: dependence on {an}")
    dep = brief.dependence.answer().model_dump(mode="json")
    share = brief.dependence_on_a
    console.print(
        f"{dep.get('window') or 'no window'}: {an} supplied "
        f"{'undefined' if share is None else f'{100 * share:.1f}%'} of {bns} {brief.channel} "
        f"imports; HHI {_fmt(dep['hhi'])} (top supplier {dep['top_partner']}, "
        f"{figure(dep['top_share'], 'proportion')}); short-term supply risk: "
        f"{'yes' if dep['flags']['short_term_supply_risk'] else 'no'}, long-term access risk: "
        f"{'yes' if dep['flags']['long_term_access_risk'] else 'no'}.")
    for credit in dict.fromkeys([*brief.index.credits, *brief.capabilities.credits]):
        console.print(f"[dim]{credit}[/]")
