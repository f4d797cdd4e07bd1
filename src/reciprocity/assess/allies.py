"""``assess allies A``: A's flows with its treaty allies against its other partners, and the
two-way index with each ally.

A partner counts as an ally in a year when A and it are members of one ATOP alliance that
year (any obligation; :func:`reciprocity.queries.alliance.allies_of`). ATOP's data end in
:data:`reciprocity.sources.atop.COVERAGE_END`: a flow of a later year is not classified
(never assumed to go on as in the last covered year) and is reported apart. Per directed
channel (its primary unit, ``sum`` units only: shares of indices are meaningless):

- the shares of A's exports and imports that went to / came from allies, over the years
  covered (flows with unknown parties stay in the denominator, as SIPRI's totals keep them);
- for each ally with a flow in the years it was allied, the two-way index of the pair's
  flows over those years with its BCa interval over the sources' sampling units (SIPRI
  deals), computed by :func:`reciprocity.assess.composite.channel_interval` as ``index``
  computes each channel's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from reciprocity import channels as channels_mod
from reciprocity import countries
from reciprocity.assess import answers, inputs
from reciprocity.assess import composite as comp_mod
from reciprocity.assess.config import Settings
from reciprocity.errors import InputError, NotFoundError, Problem
from reciprocity.metrics.twoway import gl
from reciprocity.queries.common import check_years
from reciprocity.sources import atop
from reciprocity.store.db import Store

#: Years of the default range: the last ``DEFAULT_YEARS`` years ATOP covers.
DEFAULT_YEARS = 10
ALLY_COLUMNS = ["channel", "ally", "ally_name", "allied_years", "treaties", "obligations_a",
                "obligations_ally", "flow_ab", "flow_ba", "index",
                "ci_low", "ci_high", "interval_method", "sampling_units", "interval_note"]
SHARE_COLUMNS = ["channel", "unit", "exports", "exports_to_allies", "export_share_allies",
                 "imports", "imports_from_allies", "import_share_allies", "allies_with_flows",
                 "not_classified", "not_classified_years"]


@dataclass
class AlliesResult:
    """A's flows with its allies against its other partners, per channel."""

    country: str
    since: int
    until: int
    covered_until: int
    shares: pd.DataFrame
    allies: pd.DataFrame
    allies_by_year: dict[int, list[str]]
    skipped: dict[str, str] = field(default_factory=dict)
    credits: list[str] = field(default_factory=list)
    level: float = 0.95

    @property
    def country_name(self) -> str:
        return countries.name_of(self.country)

    def coverage_note(self) -> str:
        note = (f"ATOP v4 alliance data cover years to {atop.COVERAGE_END}; allies are those "
                f"of each year {self.since}–{self.covered_until}")
        if self.until > self.covered_until:
            note += (f"; flows of {self.covered_until + 1}–{self.until} are not classified "
                     "(no alliance data for them, none assumed)")
        return note

    def answer(self) -> answers.AlliesAnswer:
        """The answer of ``reciprocity assess allies COUNTRY``."""
        from reciprocity.metrics.twoway import clean

        def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: clean(v) for k, v in r.items()} for r in frame.to_dict("records")]
        return answers.AlliesAnswer(
            country=self.country, country_name=self.country_name, since=self.since,
            until=self.until, atop_until=atop.COVERAGE_END,
            classified_until=self.covered_until, coverage=self.coverage_note(),
            level=self.level,
            allies_by_year={str(y): v for y, v in self.allies_by_year.items()},
            channels={r["channel"]: r for r in rows(self.shares)}, allies=rows(self.allies),
            skipped=self.skipped, credits=self.credits)


def _share(part: float, total: float) -> float | None:
    return part / total if total > 0 else None


def allies(store: Store, a: str, *, since: int | None = None, until: int | None = None,
           channel: str | None = None, cfg: Settings, vintage: str | None = None
           ) -> AlliesResult:
    """A's flows with its ATOP allies against its other partners over ``since``–``until``
    (default: the last :data:`DEFAULT_YEARS` years ATOP covers)."""
    from reciprocity.assess.service import primary_unit
    from reciprocity.queries.alliance import allies_of, has_atop

    code = countries.resolve(a).code
    check_years(since=since, until=until)
    if channel is not None:
        channels_mod.get(channel)
    if not has_atop(store, vintage):
        raise NotFoundError("assess allies needs the ATOP alliance data, and the store has "
                            "none: reciprocity ingest atop atop-member-level.csv")
    hi = until if until is not None else atop.COVERAGE_END
    lo = since if since is not None else min(hi, atop.COVERAGE_END) - DEFAULT_YEARS + 1
    if lo > atop.COVERAGE_END:
        raise InputError(f"ATOP's alliance data end in {atop.COVERAGE_END}; from {lo} on no "
                         "year is covered, so no partner can be called an ally", [Problem(
                             "--since", str(lo), f"a year up to {atop.COVERAGE_END}")])
    if lo > hi:
        raise InputError(f"--since {lo} is after --until {hi}")
    covered = min(hi, atop.COVERAGE_END)
    by_year = {y: sorted(allies_of(store, code, year=y, vintage=vintage) or set())
               for y in range(lo, covered + 1)}
    flows = inputs.country_flows(store, code, since=lo, until=hi, vintage=vintage)
    shares, ally_rows, skipped, datasets = [], [], {}, set()
    for name in sorted(set(flows["channel"])) if channel is None else [channel]:
        sub = flows[flows["channel"] == name]
        if not channels_mod.is_directed(name):
            skipped[name] = "undirected: no exports or imports to split"
            continue
        unit = primary_unit(name, sub["unit"], additive_only=True)
        if unit is None:
            skipped[name] = ("no flows in the range" if sub.empty else
                             "index or snapshot values only, which are never added up")
            continue
        sub = sub[sub["unit"] == unit]
        datasets |= set(sub["dataset"])
        inside = sub[sub["year"] <= covered]
        allied = np.array([p in set(by_year.get(int(y), ())) for p, y in
                           zip(inside["partner"], inside["year"], strict=True)], dtype=bool)
        out = (inside["direction"] == "ab").to_numpy()
        mags = inside["magnitude"].to_numpy(dtype=float)
        late = sub[sub["year"] > covered]
        exports, imports = float(mags[out].sum()), float(mags[~out].sum())
        to_allies, from_allies = float(mags[out & allied].sum()), float(mags[~out & allied].sum())
        partners = sorted(set(inside.loc[allied, "partner"]))
        shares.append({"channel": name, "unit": unit, "exports": exports,
                       "exports_to_allies": to_allies,
                       "export_share_allies": _share(to_allies, exports),
                       "imports": imports, "imports_from_allies": from_allies,
                       "import_share_allies": _share(from_allies, imports),
                       "allies_with_flows": len(partners),
                       "not_classified": float(late["magnitude"].sum()),
                       "not_classified_years": (f"{covered + 1}–{hi}" if hi > covered
                                                else None)})
        for ally in partners:
            ally_rows.append(_ally_row(store, code, ally, name, unit, by_year, cfg, vintage))
    allies_frame = pd.DataFrame(ally_rows, columns=ALLY_COLUMNS)
    if len(allies_frame):
        allies_frame = allies_frame.sort_values(["channel", "index"], ascending=[True, False],
                                                na_position="last", kind="stable")
    return AlliesResult(code, lo, hi, covered, pd.DataFrame(shares, columns=SHARE_COLUMNS),
                        allies_frame.reset_index(drop=True), by_year, skipped,
                        [*inputs.credits(store, datasets), atop.SOURCE.info.credit],
                        cfg["composite.level"])


def _ally_row(store: Store, a: str, ally: str, channel: str, unit: str,
              by_year: dict[int, list[str]], cfg: Settings, vintage: str | None
              ) -> dict[str, Any]:
    """The pair's two-way index over the years they were allied, with its BCa interval."""
    from reciprocity.queries.alliance import alliance

    years = sorted(y for y, codes in by_year.items() if ally in codes)
    found = alliance(store, a, ally, year=years[-1], vintage=vintage) or {"treaties": []}
    terms = [t for t in found["treaties"] if t["start"] <= years[-1]
             and (t["end"] is None or t["end"] >= years[0])]
    records = inputs.pair_records(store, a, ally, since=years[0], until=years[-1],
                                  vintage=vintage)
    rows = records[(records["channel"] == channel) & (records["unit"] == unit)
                   & records["year"].isin(years)]
    ch = comp_mod.ChannelData.from_records(channel, unit, True, rows)
    ab, ba = comp_mod.observed(ch)
    index = float(gl(ab, ba)) if ab + ba > 0 else None
    interval = comp_mod.channel_interval(ch, cfg["composite.replicates"],
                                         cfg["composite.level"], cfg["composite.seed"])
    return {"channel": channel, "ally": ally, "ally_name": countries.name_of(ally),
            "allied_years": _years(years),
            "treaties": ", ".join(str(t["atopid"]) for t in terms),
            "obligations_a": _duties(terms, a), "obligations_ally": _duties(terms, ally),
            "flow_ab": ab, "flow_ba": ba, "index": index,
            "ci_low": interval.low, "ci_high": interval.high,
            "interval_method": interval.method, "sampling_units": interval.units,
            "interval_note": interval.note}


def _duties(treaties: list[dict[str, Any]], code: str) -> str:
    """The member's ATOP obligations under any of the treaties (ATOP's names)."""
    have = {o for t in treaties for o in t["obligations"].get(code, [])}
    return ", ".join(o for o in atop.OBLIGATIONS if o in have)


def _years(years: list[int]) -> str:
    """``1990–1999, 2003`` from a sorted list of years."""
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
