"""One country's (or aggregate's) country-level indicators, and its technology-payments
coverage ratio (receipts / payments, as the OECD computes it from technology balance of
payments; here from WDI's charges for the use of intellectual property)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict

from reciprocity import channels as channels_mod
from reciprocity import countries
from reciprocity.queries.common import credits_for, span_filter
from reciprocity.sources import wdi
from reciprocity.store.db import Store

SERIES_COLUMNS = ["indicator", "name", "year", "value", "unit", "dataset", "vintage_id",
                  "record_id"]
COVERAGE_COLUMNS = ["year", "value", "receipts", "payments"]
EXTRA_NAMES = {"ncses.intl_coauthored_articles":
               "Internationally co-authored articles (NCSES, whole counts)"}


def indicator_names() -> dict[str, str]:
    """Short display names of the indicators the project knows."""
    from reciprocity.sources import oecd_sti

    return {**{k: v["short"] for k, v in wdi.quirks()["indicators"].items()}, **EXTRA_NAMES,
            **oecd_sti.indicator_names()}


Number = int | float | None


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SeriesPoint(_Answer):
    """One indicator's value in one year, from one vintage."""

    indicator: str
    name: str | None
    year: int
    value: Number
    unit: str | None
    vintage_id: str | None


class LatestValue(_Answer):
    """An indicator's latest year with a value, and how its unit aggregates."""

    indicator: str
    name: str | None
    unit: str | None
    aggregation: str
    year: int
    value: float


class CoverageYear(_Answer):
    """The technology-payments coverage ratio of one year, with its parts."""

    year: int
    value: Number
    receipts: Number
    payments: Number


class IndicatorsAnswer(_Answer):
    """``reciprocity indicators COUNTRY``: the series, the latest values and the coverage
    ratio."""

    country: str
    country_name: str
    is_aggregate: bool
    series: list[SeriesPoint]
    latest: list[LatestValue]
    coverage_ratio: list[CoverageYear]
    coverage_ratio_definition: str
    vintages: list[str]
    credits: list[str]


@dataclass
class Indicators:
    """Series and coverage ratio for one country or aggregate, from the active vintages."""

    code: str
    name: str
    is_aggregate: bool
    series: pd.DataFrame
    coverage_ratio: pd.DataFrame
    vintages: list[str]
    credits: list[str] = field(default_factory=list)

    def latest_coverage(self) -> tuple[int, float] | None:
        """(year, ratio) of the latest year with a coverage ratio, if any."""
        if self.coverage_ratio.empty:
            return None
        last = self.coverage_ratio.iloc[-1]
        return int(last["year"]), float(last["value"])

    def latest(self) -> list[dict[str, Any]]:
        """Per indicator: its unit's aggregation (``channels.aggregation``) and the latest
        year with a value, with that value. Series are reported by year; none is ever added
        up here, and a ratio (``index``) has no total at all."""
        out = []
        with_value = self.series[self.series["value"].notna()]
        for indicator, group in with_value.groupby("indicator", sort=False):
            last = group.sort_values("year").iloc[-1]
            out.append({"indicator": indicator, "name": last["name"], "unit": last["unit"],
                        "aggregation": channels_mod.aggregation(str(last["unit"])),
                        "year": int(last["year"]), "value": float(last["value"])})
        return out

    def answer(self) -> IndicatorsAnswer:
        """The answer of ``reciprocity indicators --format json`` (dump it)."""
        spec = wdi.quirks()["coverage_ratio"]
        return IndicatorsAnswer(
            country=self.code, country_name=self.name, is_aggregate=self.is_aggregate,
            series=[_row(r, ("indicator", "name", "year", "value", "unit", "vintage_id"))
                    for r in self.series.to_dict("records")],
            latest=self.latest(),
            coverage_ratio=[_row(r, COVERAGE_COLUMNS)
                            for r in self.coverage_ratio.to_dict("records")],
            coverage_ratio_definition=f"{spec['receipts']} / {spec['payments']} (receipts / "
                                      "payments for the use of intellectual property)",
            vintages=self.vintages, credits=self.credits)


def _row(record: dict[str, Any], keys: tuple[str, ...] | list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in keys:
        v = record[k]
        if k == "year":
            v = int(v)
        elif isinstance(v, float) and pd.isna(v):
            v = None
        elif hasattr(v, "item"):
            v = v.item()
        out[k] = v
    return out


def resolve_entity(name_or_code: str) -> tuple[str, str, bool]:
    """(code, display name, is_aggregate) for a country or a WDI aggregate ('World', 'HIC')."""
    agg = wdi.aggregate_code(name_or_code)
    if agg is not None:
        return agg, wdi.aggregate_codes()[agg], True
    country = countries.lookup(name_or_code)
    if country is None:
        raise countries.unknown_countries([str(name_or_code)])
    return country.code, country.name, False


def indicators(store: Store, a: str, *, indicator: str | list[str] | None = None,
               since: int | None = None, until: int | None = None,
               vintage: str | None = None) -> Indicators:
    """Indicator series of ``a`` (optionally only ``indicator``) and its coverage ratio."""
    code, name, aggregate = resolve_entity(a)
    wanted = [indicator] if isinstance(indicator, str) else list(indicator or [])
    where, params = span_filter(since, until)
    base = store.active_indicators_sql(vintage) + (
        "SELECT indicator, year, value, unit, dataset, vintage_id, record_id FROM ai "
        f"WHERE country = ? AND is_aggregate = ? {where}")
    args = [code, aggregate, *params]
    everything = store.query(base + " ORDER BY indicator, year", args)
    series = everything
    if wanted:
        series = everything[everything["indicator"].isin(wanted)]
    names = indicator_names()
    series = series.assign(name=series["indicator"].map(names)).loc[:, SERIES_COLUMNS]
    spec = wdi.quirks()["coverage_ratio"]
    wide = everything.pivot_table(index="year", columns="indicator", values="value",
                                  aggfunc="first")
    if {spec["receipts"], spec["payments"]} <= set(wide.columns):
        both = wide[[spec["receipts"], spec["payments"]]].dropna()
        both = both[both[spec["payments"]] > 0]
        coverage = pd.DataFrame({
            "year": both.index.astype(int),
            "value": (both[spec["receipts"]] / both[spec["payments"]]).to_numpy(),
            "receipts": both[spec["receipts"]].to_numpy(),
            "payments": both[spec["payments"]].to_numpy(),
        }).reset_index(drop=True)
    else:
        coverage = pd.DataFrame(columns=COVERAGE_COLUMNS)
    used = sorted(set(series["vintage_id"]) | (
        set(everything.loc[everything["indicator"].isin(
            [spec["receipts"], spec["payments"]]), "vintage_id"]) if len(coverage) else set()))
    datasets = sorted(set(everything.loc[everything["vintage_id"].isin(used), "dataset"]))
    return Indicators(code, name, aggregate, series.reset_index(drop=True), coverage, used,
                      credits_for(store, datasets))
