"""Capability catalogue: what each country produces, by technology area and period.

From the capability panel (:func:`reciprocity.assess.inputs.capability_panel`: one value per
measure, country, area and year or period) this computes, per measure, area and period, each
country's value, world share, rank and revealed technological advantage (RTA, Balassa, with
a floor below which it is not computed), and for one country the trajectory: growth and
change of world share between the latest two periods and a Mann–Kendall trend test on the
yearly world share. OECD's IP5 patent families (``patent_families``) take their RTA the way
OECD computes it: each field against the all-technology totals and the world (``W``), never
summed over fields. Licensed production of foreign designs (and exports of another country's
design) is the country's *production base*: reported apart (``production_base``), never a
technological strength. Areas where the store holds no technology evidence at all are listed
with the sources that would provide it (``no_evidence``). Pure functions; formulas in
docs/methods.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from reciprocity import countries, labels, taxonomy
from reciprocity.assess import answers
from reciprocity.assess.config import Settings
from reciprocity.assess.stats import mann_kendall, strength
from reciprocity.metrics.twoway import clean
from reciprocity.queries.taxonomy import evidence_sources

MEASURES = {
    "patent_families": "IP5 patent families by inventor country and priority year, fractional "
                       "counts, in an OECD technology field; RTA against all technologies "
                       "(OECD STI Scoreboard)",
    "patents": "U.S. patents by inventor country, fractional counts (PatentsView)",
    "publications": "works by author country, whole counts (OpenAlex)",
    "citation_impact": "relative citation index of the country's articles in the field, "
                       "mean over citing countries (NCSES; 1 = cited as its share predicts)",
    "arms_exports": "deliveries of major arms of the supplier's own design (no other design "
                    "country stated), by supplier, million TIV (SIPRI)",
    "licensed_production": "production base: major arms of a foreign design produced under "
                           "licence, by producing country, million TIV (SIPRI); not a "
                           "technological strength",
    "foreign_design_exports": "production base: deliveries of major arms of another "
                              "country's stated design, by supplier, million TIV (SIPRI); "
                              "not a technological strength",
}
INDEX_MEASURES = frozenset({"citation_impact"})
#: Measures of a production base: reported apart, never a strength.
PRODUCTION_BASE = frozenset({"licensed_production", "foreign_design_exports"})
#: Measures that are evidence of technology (not of arms output): an area none of them
#: covers in the store has "no evidence loaded".
TECHNOLOGY_MEASURES = frozenset({"patent_families", "patents", "publications",
                                 "citation_impact"})
#: Measures whose world and RTA denominators come with the panel (REFERENCE_COLUMNS).
REFERENCE_MEASURES = frozenset({"patent_families"})
RANKED_KINDS = frozenset({"state", "historical"})
MEASURE_COLUMNS = ["measure", "area", "area_name", "field", "unit", "period", "value", "world",
                   "share", "rank", "n_ranked", "rta", "below_floor", "strength",
                   "previous_period", "previous_value", "previous_share", "previous_rta",
                   "growth", "share_change", "trend", "trend_tau", "trend_p", "trend_n",
                   "datasets"]
AREA_COLUMNS = ["area", "area_name", "strength", "best_measure", "share", "rank", "rising",
                "leading", "measures"]


def _rankable(codes: pd.Series) -> pd.Series:
    kinds = {c: getattr(countries.lookup(c), "kind", "unknown") for c in pd.unique(codes)}
    return codes.map(lambda c: kinds[c] in RANKED_KINDS)


def _with_periods(sub: pd.DataFrame, period_years: int) -> pd.DataFrame:
    """``pstart``/``plabel`` per row: the source's own periods, or windows of
    ``period_years`` ending at the measure's latest year."""
    if sub["period"].notna().any():
        return sub.assign(pstart=sub["year"].astype("int64"), plabel=sub["period"].astype(str))
    last = int(sub["year"].max())
    end = last - ((last - sub["year"]) // period_years) * period_years
    start = end - period_years + 1
    return sub.assign(pstart=start.astype("int64"),
                      plabel=start.astype(str) + "–" + end.astype(str))


def _reference_table(sub: pd.DataFrame, floor: float) -> pd.DataFrame:
    """OECD's RTA per country, field and period: (P_cf / P_c) / (P_wf / P_w), with P_c the
    country's all-technology total and P_w the world's (``ref_*`` columns summed over the
    period's years); withheld unless P_c > ``floor``. World share = P_cf / P_wf."""
    keys = ["country", "area", "field", "pstart", "plabel"]
    cols = ["value", "ref_total", "ref_world", "ref_world_total"]
    agg = sub.groupby(keys, dropna=False)[cols].sum(min_count=1).reset_index()
    agg["value"] = agg["value"].fillna(0.0)
    ctotal, world, wtotal = agg["ref_total"], agg["ref_world"], agg["ref_world_total"]
    agg["world"] = world
    with np.errstate(divide="ignore", invalid="ignore"):
        agg["share"] = np.where(world > 0, agg["value"] / world, np.nan)
        rta = (agg["value"] / ctotal) / (world / wtotal)
    agg["below_floor"] = ~(ctotal > floor).to_numpy()
    ok = (~agg["below_floor"]) & (world > 0) & (wtotal > 0) & agg["area"].notna()
    agg["rta"] = np.where(ok & _rankable(agg["country"]).to_numpy(), rta, np.nan)
    return agg.drop(columns=["ref_total", "ref_world", "ref_world_total"])


def table(panel: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Every country's value, share, rank and RTA per measure, area and period."""
    out = []
    floors = settings.section("capabilities.rta_floor")
    for measure, sub in panel.groupby("measure", sort=True):
        sub = _with_periods(sub, settings["capabilities.period_years"])
        if measure in REFERENCE_MEASURES:
            agg = _reference_table(sub, float(floors.get(str(measure), 0.0)))
            agg["measure"] = measure
            agg["unit"] = sub["unit"].iloc[0]
            out.append(_ranked(agg, sub))
            continue
        index = measure in INDEX_MEASURES
        keys = ["country", "area", "pstart", "plabel"]
        agg = sub.groupby(keys, dropna=False, as_index=False)["value"].agg(
            "mean" if index else "sum")
        agg["measure"] = measure
        agg["unit"] = sub["unit"].iloc[0]
        if index:
            agg["world"] = np.nan
            agg["share"] = np.nan
            agg["rta"] = np.nan
            agg["below_floor"] = False
        else:
            world = agg.groupby(["area", "pstart"], dropna=False)["value"].transform("sum")
            ctotal = agg.groupby(["country", "pstart"], dropna=False)["value"].transform("sum")
            gtotal = agg.groupby("pstart")["value"].transform("sum")
            agg["world"] = world
            with np.errstate(divide="ignore", invalid="ignore"):
                agg["share"] = np.where(world > 0, agg["value"] / world, np.nan)
                rta = (agg["value"] / ctotal) / (world / gtotal)
            floor = float(floors.get(str(measure), 0.0))
            agg["below_floor"] = (ctotal <= floor).to_numpy()
            ok = (~agg["below_floor"]) & (ctotal > 0) & (world > 0) & agg["area"].notna()
            agg["rta"] = np.where(ok & _rankable(agg["country"]).to_numpy(), rta, np.nan)
        out.append(_ranked(agg, sub))
    if not out:
        return pd.DataFrame(columns=["measure", "country", "area", "field", "pstart", "plabel",
                                     "value",
                                     "unit", "world", "share", "rta", "below_floor", "rank",
                                     "n_ranked", "datasets"])
    return pd.concat(out, ignore_index=True)


def _ranked(agg: pd.DataFrame, sub: pd.DataFrame) -> pd.DataFrame:
    """``rank`` and ``n_ranked`` among countries with output, and the ``datasets`` used."""
    ranked = agg[_rankable(agg["country"]) & (agg["value"] > 0) & agg["area"].notna()]
    rank = ranked.groupby(["area", "pstart"])["value"].rank(ascending=False, method="min")
    agg["rank"] = rank.reindex(agg.index)
    agg["n_ranked"] = ranked.groupby(["area", "pstart"])["value"].transform(
        "size").reindex(agg.index)
    datasets = sub.groupby(["country", "area", "pstart"], dropna=False)["dataset"].agg(
        lambda s: ";".join(sorted(set(s))))
    return agg.merge(datasets.rename("datasets").reset_index(),
                     on=["country", "area", "pstart"], how="left")


def _trend(panel: pd.DataFrame, measure: str, country: str, area: str, settings: Settings,
           periodic: bool) -> Any:
    sub = panel[(panel["measure"] == measure) & (panel["area"] == area)]
    index = measure in INDEX_MEASURES
    years = settings["capabilities.trend_years"]
    alpha = settings["capabilities.trend_alpha"]
    if periodic:
        series_years = sorted(sub["year"].unique())
    else:
        last = int(panel.loc[panel["measure"] == measure, "year"].max())
        series_years = list(range(last - years + 1, last + 1))
    mine = sub[sub["country"] == country].groupby("year")["value"].agg(
        "mean" if index else "sum")
    if index:
        values = [float(mine.get(y, math.nan)) for y in series_years]
    else:
        world = (sub.groupby("year")["ref_world"].max() if measure in REFERENCE_MEASURES
                 else sub.groupby("year")["value"].sum())
        values = [float(mine.get(y, 0.0)) / float(world[y]) if world.get(y, 0) > 0
                  else math.nan for y in series_years]
    return mann_kendall(values, alpha)


@dataclass
class Capabilities:
    """One country's catalogue: per measure and area (``measures``) and per area (``areas``)."""

    country: str
    country_name: str
    measures: pd.DataFrame
    areas: pd.DataFrame
    area_filter: str | None = None
    credits: list[str] = field(default_factory=list)
    production_base: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=MEASURE_COLUMNS))
    """Licensed production of foreign designs and exports of other countries' designs: the
    same columns as ``measures``, ``strength`` always empty (never a strength)."""
    no_evidence: list[dict[str, Any]] = field(default_factory=list)
    """Areas where the store holds no technology evidence for any country
    (:func:`no_evidence`): ``area``, ``area_name``, ``sources``, ``message``."""

    def leading(self, n: int = 5) -> pd.DataFrame:
        """The areas where the country is strong, strongest first."""
        lead = self.areas[self.areas["leading"]]
        return lead.head(n).reset_index(drop=True)

    def answer(self) -> answers.CapabilitiesAnswer:
        """The answer of ``reciprocity assess capabilities COUNTRY``."""
        def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: _json(v) for k, v in r.items()} for r in frame.to_dict("records")]
        return answers.CapabilitiesAnswer(
            country=self.country, country_name=self.country_name, area=self.area_filter,
            measures=rows(self.measures), areas=rows(self.areas),
            production_base=rows(self.production_base), no_evidence=self.no_evidence,
            measure_definitions=MEASURES, credits=self.credits)

    def notes(self) -> list[str]:
        """Lines for the table view: the production base and the areas without evidence."""
        out = []
        base = self.production_base
        for r in base.to_dict("records"):
            out.append(f"Production base, not a technological strength: "
                       f"{labels.label(r['measure'])} in {labels.area(r['area'])}, "
                       f"{r['period']}: {labels.fmt(r['value'], r['unit'])} "
                       f"({labels.label(r['unit'])}; world share {_pct(r['share'])}).")
        out += [e["message"] for e in self.no_evidence]
        return out


def _pct(value: Any) -> str:
    value = clean(value)
    return "undefined" if value is None else f"{100 * value:.1f}%"


def evidence_coverage(tab: pd.DataFrame) -> dict[str, list[str]]:
    """Area → the technology measures (:data:`TECHNOLOGY_MEASURES`) the store holds for it,
    for any country."""
    sub = tab[tab["measure"].isin(TECHNOLOGY_MEASURES) & tab["area"].notna()]
    return {str(a): sorted(set(g["measure"])) for a, g in sub.groupby("area")}


def no_evidence(covered: dict[str, list[str]] | set[str], areas: list[str] | None = None
                ) -> list[dict[str, Any]]:
    """The areas (default: every taxonomy area) with no technology evidence in the store,
    each with the sources whose crosswalks would place evidence there and the message
    "no evidence loaded for <area>: ingest …"."""
    names = {k: v.name for k, v in taxonomy.areas().items()}
    sources = evidence_sources()
    out = []
    for area_id in (areas if areas is not None else list(names)):
        if area_id in covered:
            continue
        found = sources.get(area_id, [])
        how = (f"ingest {' or '.join(found)}" if found else
               "no source of this project places technology evidence in it yet")
        out.append({"area": area_id, "area_name": names.get(area_id, area_id),
                    "sources": found,
                    "message": f"no evidence loaded for {names.get(area_id, area_id)}: {how}"})
    return out


def _json(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return clean(value)


def profile(tab: pd.DataFrame, panel: pd.DataFrame, country: str, settings: Settings,
            area: str | None = None) -> Capabilities:
    """The catalogue of ``country`` (optionally one area) from :func:`table`: technology and
    arms-export measures in ``measures`` (with strengths), the production base apart, and the
    areas without technology evidence in the store."""
    names = {k: v.name for k, v in taxonomy.areas().items()}
    rows = []
    if "field" not in tab:
        tab = tab.assign(field=None)
    mine = tab[(tab["country"] == country) & tab["area"].notna()]
    if area is not None:
        mine = mine[mine["area"] == area]
    for (measure, area_id, field_code), group in mine.groupby(["measure", "area", "field"],
                                                              sort=True, dropna=False):
        periods = sorted(tab.loc[tab["measure"] == measure, "pstart"].unique())
        latest = periods[-1]
        previous = periods[-2] if len(periods) > 1 else None
        now = group[group["pstart"] == latest]
        before = group[group["pstart"] == previous] if previous is not None else group.iloc[:0]
        if now.empty and before.empty:
            continue
        label = tab.loc[(tab["measure"] == measure) & (tab["pstart"] == latest), "plabel"].iloc[0]
        prev_label = (tab.loc[(tab["measure"] == measure) & (tab["pstart"] == previous),
                              "plabel"].iloc[0] if previous is not None else None)
        cur = now.iloc[0] if len(now) else None
        old = before.iloc[0] if len(before) else None
        value = float(cur["value"]) if cur is not None else 0.0
        share = (float(cur["share"]) if cur is not None else
                 (0.0 if measure not in INDEX_MEASURES else math.nan))
        prev_value = float(old["value"]) if old is not None else (
            0.0 if previous is not None else math.nan)
        prev_share = float(old["share"]) if old is not None else (
            0.0 if previous is not None and measure not in INDEX_MEASURES else math.nan)
        index = measure in INDEX_MEASURES
        ratio = value if index else (float(cur["rta"]) if cur is not None else math.nan)
        if measure in PRODUCTION_BASE:
            ratio = math.nan  # a production base is never a technological strength
        trend = _trend(panel, measure, country, area_id, settings,
                       periodic=panel.loc[panel["measure"] == measure, "period"].notna().any())
        world_rows = tab[(tab["measure"] == measure) & (tab["area"] == area_id)
                         & (tab["pstart"] == latest)]
        if measure in REFERENCE_MEASURES:
            world_rows = world_rows[world_rows["field"] == field_code]
            world = float(world_rows["world"].max()) if len(world_rows) else math.nan
        else:
            world = float(world_rows["value"].sum()) if not index else math.nan
        rows.append({
            "measure": measure, "area": area_id, "area_name": names.get(area_id, area_id),
            "field": None if pd.isna(field_code) else field_code,
            "unit": group["unit"].iloc[0], "period": label, "value": value,
            "world": world,
            "share": share,
            "rank": float(cur["rank"]) if cur is not None else math.nan,
            "n_ranked": float(cur["n_ranked"]) if cur is not None else math.nan,
            "rta": float(cur["rta"]) if cur is not None and not index else math.nan,
            "below_floor": bool(cur["below_floor"]) if cur is not None else True,
            "strength": strength(None if ratio is None or math.isnan(ratio) else ratio),
            "previous_period": prev_label, "previous_value": prev_value,
            "previous_share": prev_share,
            "previous_rta": (float(old["rta"]) if old is not None and not index
                             and measure not in PRODUCTION_BASE else math.nan),
            "growth": (value / prev_value - 1.0) if prev_value and prev_value > 0 else math.nan,
            "share_change": share - prev_share if not index else value - prev_value,
            "trend": trend.direction, "trend_tau": trend.tau, "trend_p": trend.p_value,
            "trend_n": trend.n,
            "datasets": ";".join(sorted({d for d in group["datasets"].dropna()
                                         for d in str(d).split(";")})),
        })
    frame = pd.DataFrame(rows, columns=MEASURE_COLUMNS)
    base = frame["measure"].isin(PRODUCTION_BASE)
    measures = frame[~base].reset_index(drop=True)
    areas = summarise(measures, settings)
    missing = no_evidence(evidence_coverage(tab), [area] if area is not None else None)
    return Capabilities(country, countries.name_of(country), measures, areas, area,
                        production_base=frame[base].reset_index(drop=True),
                        no_evidence=missing)


def summarise(measures: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Per area: the strongest measure's strength, whether any measure is rising, leading."""
    strong = settings["capabilities.strong"]
    rows = []
    for area_id, group in measures.groupby("area", sort=False):
        with_strength = group[group["strength"].notna()]
        best = (with_strength.sort_values(["strength", "share"], ascending=False).iloc[0]
                if len(with_strength) else None)
        value = float(best["strength"]) if best is not None else math.nan
        rows.append({
            "area": area_id, "area_name": group["area_name"].iloc[0], "strength": value,
            "best_measure": best["measure"] if best is not None else None,
            "share": float(best["share"]) if best is not None else math.nan,
            "rank": float(best["rank"]) if best is not None else math.nan,
            "rising": bool((group["trend"] == "rising").any()),
            "leading": bool(best is not None and value >= strong),
            "measures": sorted(group["measure"]),
        })
    frame = pd.DataFrame(rows, columns=AREA_COLUMNS)
    return frame.sort_values(["leading", "strength", "share"], ascending=False,
                             na_position="last").reset_index(drop=True)
