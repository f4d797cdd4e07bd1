"""Capability catalogue: what each country produces, by technology area and period.

From the capability panel (:func:`reciprocity.assess.inputs.capability_panel`: one value per
measure, country, area and year or period) this computes, per measure, area and period, each
country's value, world share, rank and revealed technological advantage (RTA, Balassa, with
a floor below which it is not computed), and for one country the trajectory: growth and
change of world share between the latest two periods and a Mann–Kendall trend test on the
yearly world share. Pure functions; formulas in docs/methods.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from reciprocity import countries, taxonomy
from reciprocity.assess.config import Settings
from reciprocity.assess.stats import mann_kendall, strength
from reciprocity.metrics.twoway import clean

MEASURES = {
    "patents": "U.S. patents by inventor country, fractional counts (PatentsView)",
    "publications": "works by author country, whole counts (OpenAlex)",
    "citation_impact": "relative citation index of the country's articles in the field, "
                       "mean over citing countries (NCSES; 1 = cited as its share predicts)",
    "arms_exports": "deliveries of major arms by supplier, million TIV (SIPRI)",
    "licensed_production": "major arms produced under licence, by producing country, "
                           "million TIV (SIPRI)",
}
INDEX_MEASURES = frozenset({"citation_impact"})
RANKED_KINDS = frozenset({"state", "historical"})
MEASURE_COLUMNS = ["measure", "area", "area_name", "unit", "period", "value", "world", "share",
                   "rank", "n_ranked", "rta", "below_floor", "strength", "previous_period",
                   "previous_value", "previous_share", "growth", "share_change", "trend",
                   "trend_tau", "trend_p", "trend_n", "datasets"]
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


def table(panel: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Every country's value, share, rank and RTA per measure, area and period."""
    out = []
    floors = settings.section("capabilities.rta_floor")
    for measure, sub in panel.groupby("measure", sort=True):
        sub = _with_periods(sub, settings["capabilities.period_years"])
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
        ranked = agg[_rankable(agg["country"]) & (agg["value"] > 0) & agg["area"].notna()]
        rank = ranked.groupby(["area", "pstart"])["value"].rank(ascending=False, method="min")
        agg["rank"] = rank.reindex(agg.index)
        agg["n_ranked"] = ranked.groupby(["area", "pstart"])["value"].transform(
            "size").reindex(agg.index)
        datasets = sub.groupby(["country", "area", "pstart"], dropna=False)["dataset"].agg(
            lambda s: ";".join(sorted(set(s))))
        agg = agg.merge(datasets.rename("datasets").reset_index(),
                        on=["country", "area", "pstart"], how="left")
        out.append(agg)
    if not out:
        return pd.DataFrame(columns=["measure", "country", "area", "pstart", "plabel", "value",
                                     "unit", "world", "share", "rta", "below_floor", "rank",
                                     "n_ranked", "datasets"])
    return pd.concat(out, ignore_index=True)


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
        world = sub.groupby("year")["value"].sum()
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

    def leading(self, n: int = 5) -> pd.DataFrame:
        """The areas where the country is strong, strongest first."""
        lead = self.areas[self.areas["leading"]]
        return lead.head(n).reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "country": self.country, "country_name": self.country_name,
            "area": self.area_filter,
            "measures": [{k: _json(v) for k, v in r.items()}
                         for r in self.measures.to_dict("records")],
            "areas": [{k: _json(v) for k, v in r.items()}
                      for r in self.areas.to_dict("records")],
            "measure_definitions": MEASURES,
            "credits": self.credits,
        }


def _json(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return clean(value)


def profile(tab: pd.DataFrame, panel: pd.DataFrame, country: str, settings: Settings,
            area: str | None = None) -> Capabilities:
    """The catalogue of ``country`` (optionally one area) from :func:`table`."""
    names = {k: v.name for k, v in taxonomy.areas().items()}
    rows = []
    mine = tab[(tab["country"] == country) & tab["area"].notna()]
    if area is not None:
        mine = mine[mine["area"] == area]
    for (measure, area_id), group in mine.groupby(["measure", "area"], sort=True):
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
        trend = _trend(panel, measure, country, area_id, settings,
                       periodic=panel.loc[panel["measure"] == measure, "period"].notna().any())
        world_rows = tab[(tab["measure"] == measure) & (tab["area"] == area_id)
                         & (tab["pstart"] == latest)]
        rows.append({
            "measure": measure, "area": area_id, "area_name": names.get(area_id, area_id),
            "unit": group["unit"].iloc[0], "period": label, "value": value,
            "world": float(world_rows["value"].sum()) if not index else math.nan,
            "share": share,
            "rank": float(cur["rank"]) if cur is not None else math.nan,
            "n_ranked": float(cur["n_ranked"]) if cur is not None else math.nan,
            "rta": float(cur["rta"]) if cur is not None and not index else math.nan,
            "below_floor": bool(cur["below_floor"]) if cur is not None else True,
            "strength": strength(None if ratio is None or math.isnan(ratio) else ratio),
            "previous_period": prev_label, "previous_value": prev_value,
            "previous_share": prev_share,
            "growth": (value / prev_value - 1.0) if prev_value and prev_value > 0 else math.nan,
            "share_change": share - prev_share if not index else value - prev_value,
            "trend": trend.direction, "trend_tau": trend.tau, "trend_p": trend.p_value,
            "trend_n": trend.n,
            "datasets": ";".join(sorted({d for d in group["datasets"].dropna()
                                         for d in str(d).split(";")})),
        })
    measures = pd.DataFrame(rows, columns=MEASURE_COLUMNS)
    areas = summarise(measures, settings)
    return Capabilities(country, countries.name_of(country), measures, areas, area)


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
