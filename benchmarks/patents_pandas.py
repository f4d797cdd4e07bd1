"""The patent pipeline written straightforwardly in pandas: the benchmark's pandas baseline.

It computes what the pipeline computes (``reciprocity.engine.patents``), by the same counting
rules, from the same Parquet tables: the three channels' flows by technology area (from all
CPC classes placed directly, fractional; the WIPO field's area without such a class) and the
patent counts with RTA by country, field and period and by country, area and period.
:func:`run` times the whole and, on the way, the point where the citation flows are done (the
part the hand-written SQL also computes).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

FLOW_KEYS = ["origin", "destination", "year", "wipo_field", "area"]


def run(data: Path, codes: Mapping[str, str], cpc_fields: Mapping[str, int],
        cpc_areas: Mapping[str, str] | None = None,
        field_areas: Mapping[int, str] | None = None,
        period_length: int = 3, first_year: int = 1976, rta_floor: float = 500.0) -> dict:
    """Flows per channel, country-field and country-area counts; ``seconds`` and
    ``citation_seconds``. ``cpc_areas``: CPC symbol → area, for the symbols placed directly;
    ``field_areas``: WIPO field → area."""
    t0 = time.perf_counter()

    def read(name: str, cols: list[str]) -> pd.DataFrame:
        return pd.read_parquet(data / f"{name}.parquet", columns=cols)

    loc = read("g_location_disambiguated", ["location_id", "disambig_country"])
    loc = pd.DataFrame({"location_id": _ident(loc["location_id"]),
                        "code": _clean(loc["disambig_country"]).str.upper()})
    loc = loc.dropna(subset=["location_id"]).groupby("location_id", as_index=False)["code"].min()
    loc["country"] = loc["code"].map(codes)
    inventor_shares = _shares(read("g_inventor_disambiguated", ["patent_id", "location_id"]),
                              loc)
    cpc = read("g_cpc_current", ["patent_id", "cpc_sequence", "cpc_group", "cpc_subclass"])
    cpc = pd.DataFrame({"patent_id": _ident(cpc["patent_id"]),
                        "seq": pd.to_numeric(cpc["cpc_sequence"], errors="coerce").fillna(1e6),
                        "symbol": _clean(cpc["cpc_group"]).fillna(_clean(cpc["cpc_subclass"]))})
    cpc = cpc[cpc["patent_id"].notna() & cpc["symbol"].notna()]
    uni = _universe(read, cpc, cpc_fields)
    areas = _areas(uni, cpc, cpc_areas or {}, field_areas or {})
    prof = inventor_shares.merge(uni, on="patent_id")
    prof_area = prof.merge(areas, on="patent_id")
    prof_area["w"] = prof_area["share"] * prof_area["weight"]
    flows = {"patent_citation": _citations(read, prof, prof_area)}
    citation_seconds = time.perf_counter() - t0
    flows["coinvention"] = _coinvention(prof, areas)
    owners = _shares(read("g_assignee_disambiguated", ["patent_id", "location_id"]), loc)
    flows["patent_ownership"] = _ownership(prof_area, owners)
    fields = _country_fields(prof, "field", "share", period_length, first_year, rta_floor)
    by_area = _country_fields(prof_area, "area", "w", period_length, first_year, rta_floor)
    return {"seconds": time.perf_counter() - t0, "citation_seconds": citation_seconds,
            "flows": flows, "country_fields": fields, "country_areas": by_area}


def _clean(s: pd.Series) -> pd.Series:
    s = s.astype("string").str.strip()
    return s.mask(s == "")


def _ident(s: pd.Series) -> pd.Series:
    s = s.astype("string")
    return s.mask(s == "")


def _shares(people: pd.DataFrame, loc: pd.DataFrame) -> pd.DataFrame:
    """``patent_id, country, share``: persons in the country ÷ persons on the patent."""
    people = pd.DataFrame({"patent_id": _ident(people["patent_id"]),
                           "location_id": _ident(people["location_id"])})
    people = people.merge(loc[["location_id", "country"]], on="location_id", how="left")
    people["country"] = people["country"].fillna("UNK")
    out = people.groupby(["patent_id", "country"], as_index=False).size()
    out["share"] = out["size"] / out.groupby("patent_id")["size"].transform("sum")
    return out[["patent_id", "country", "share"]]


def _universe(read: Callable[[str, list[str]], pd.DataFrame], cpc: pd.DataFrame,
              cpc_fields: Mapping[str, int]) -> pd.DataFrame:
    """``patent_id, year, field``: granted patents, their WIPO field or their first CPC's."""
    pat = read("g_patent", ["patent_id", "patent_date", "withdrawn"])
    withdrawn = pd.to_numeric(pat["withdrawn"], errors="coerce").fillna(0) == 1
    pat = pd.DataFrame({"patent_id": _ident(pat["patent_id"]),
                        "year": pd.to_numeric(_clean(pat["patent_date"]).str[:4],
                                              errors="coerce")})[~withdrawn]
    pat = pat.dropna()
    wipo = read("g_wipo_technology", ["patent_id", "wipo_field_sequence", "wipo_field_id"])
    fld = pd.to_numeric(wipo["wipo_field_id"], errors="coerce")
    seq = pd.to_numeric(wipo["wipo_field_sequence"], errors="coerce").fillna(1e6)
    ok = fld.between(1, 35) & (fld == np.floor(fld))
    wipo = pd.DataFrame({"patent_id": _ident(wipo["patent_id"]),
                         "key": seq.astype("int64") * 64 + fld.fillna(0).astype("int64")})[ok]
    wipo = wipo.groupby("patent_id", as_index=False)["key"].min()
    wipo["field"] = wipo["key"] % 64
    uni = pat.merge(wipo[["patent_id", "field"]], on="patent_id", how="left")
    nofield = set(uni.loc[uni["field"].isna(), "patent_id"])
    cpc = cpc[cpc["patent_id"].isin(nofield)]
    cpc = cpc[cpc["seq"] == cpc.groupby("patent_id")["seq"].transform("min")]
    first = cpc.groupby("patent_id", as_index=False)["symbol"].min()
    first["cpc_field"] = first["symbol"].map(cpc_fields).astype("float64")
    uni = uni.merge(first[["patent_id", "cpc_field"]], on="patent_id", how="left")
    uni["field"] = uni["field"].fillna(uni["cpc_field"])
    return uni[["patent_id", "year", "field"]]


def _areas(uni: pd.DataFrame, cpc: pd.DataFrame, cpc_areas: Mapping[str, str],
           field_areas: Mapping[int, str]) -> pd.DataFrame:
    """``patent_id, area, weight``: each distinct placed CPC symbol votes once, a patent's 1
    split in proportion; without a placed symbol its WIPO field's area (or none), weight 1."""
    placed = cpc.assign(area=cpc["symbol"].map(cpc_areas)).dropna(subset=["area"])
    placed = placed.drop_duplicates(["patent_id", "symbol"])
    placed = placed[placed["patent_id"].isin(uni["patent_id"])]
    votes = placed.groupby(["patent_id", "area"], as_index=False).size()
    votes["weight"] = votes["size"] / votes.groupby("patent_id")["size"].transform("sum")
    rest = uni.loc[~uni["patent_id"].isin(votes["patent_id"]), ["patent_id", "field"]]
    rest = pd.DataFrame({"patent_id": rest["patent_id"], "weight": 1.0,
                         "area": rest["field"].map(field_areas)})
    return pd.concat([votes[["patent_id", "area", "weight"]], rest], ignore_index=True)


def _flows(j: pd.DataFrame, weight: str) -> pd.DataFrame:
    return j.groupby(FLOW_KEYS, dropna=False, as_index=False).agg(
        patents=(weight, "size"), fractional=(weight, "sum"))


def _citations(read: Callable[[str, list[str]], pd.DataFrame], prof: pd.DataFrame,
               prof_area: pd.DataFrame) -> pd.DataFrame:
    """Cited patent's countries → citing patent's, by the citing patent's year, field and
    area."""
    cit = read("g_us_patent_citation", ["patent_id", "citation_patent_id"])
    cit = pd.DataFrame({"citing": _ident(cit["patent_id"]),
                        "cited": _ident(cit["citation_patent_id"])})
    to = prof_area[["patent_id", "country", "w", "year", "field", "area"]]
    j = cit.merge(to.rename(columns={"patent_id": "citing", "country": "destination",
                                     "w": "w_to", "field": "wipo_field"}), on="citing")
    j = j.merge(prof[["patent_id", "country", "share"]].rename(
        columns={"patent_id": "cited", "country": "origin", "share": "w_from"}), on="cited")
    j["fractional"] = j["w_from"] * j["w_to"]
    return _flows(j, "fractional")


def _coinvention(prof: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Country pairs of multi-country patents, ``s_i s_j / Σ s_k s_l`` per pair, times the
    patent's area weight."""
    multi = prof[prof["share"] < 1]
    j = multi.rename(columns={"country": "origin", "share": "s1", "field": "wipo_field"}).merge(
        multi[["patent_id", "country", "share"]].rename(
            columns={"country": "destination", "share": "s2"}), on="patent_id")
    j = j[j["origin"] < j["destination"]].copy()
    j["w"] = j["s1"] * j["s2"]
    j["pair"] = j["w"] / j.groupby("patent_id")["w"].transform("sum")
    j = j.merge(areas, on="patent_id")
    j["weight"] = j["pair"] * j["weight"]
    return _flows(j, "weight")


def _ownership(prof_area: pd.DataFrame, owners: pd.DataFrame) -> pd.DataFrame:
    """Inventor countries → assignee countries, ``s_inv × area weight × s_asg``."""
    prof = prof_area[["patent_id", "country", "w", "year", "field", "area"]]
    j = prof.rename(columns={"country": "origin", "w": "s1", "field": "wipo_field"}).merge(
        owners.rename(columns={"country": "destination", "share": "s2"}), on="patent_id")
    j["weight"] = j["s1"] * j["s2"]
    return _flows(j, "weight")


def _country_fields(prof: pd.DataFrame, by: str, weight: str, length: int, first: int,
                    floor: float) -> pd.DataFrame:
    """Patents per country, ``by`` (field or area) and period, with RTA above the floor."""
    year = prof["year"].astype("int64")
    p = prof.assign(period_start=year - (year - first) % length)
    cf = p.groupby(["country", by, "period_start"], dropna=False, as_index=False).agg(
        patents=(weight, "size"), patents_fractional=(weight, "sum"))
    fielded = cf[cf[by].notna()]
    pc = fielded.groupby(["country", "period_start"], as_index=False)["patents_fractional"].sum()
    pf = fielded.groupby([by, "period_start"], as_index=False)["patents_fractional"].sum()
    pt = fielded.groupby("period_start", as_index=False)["patents_fractional"].sum()
    cf = (cf.merge(pc.rename(columns={"patents_fractional": "p_c"}), how="left",
                   on=["country", "period_start"])
          .merge(pf.rename(columns={"patents_fractional": "p_f"}), how="left",
                 on=[by, "period_start"])
          .merge(pt.rename(columns={"patents_fractional": "p_all"}), how="left",
                 on="period_start"))
    cf["p_c"] = cf["p_c"].fillna(0.0)
    defined = cf[by].notna() & (cf["p_c"] > floor) & (cf["country"] != "UNK")
    rta = (cf["patents_fractional"] / cf["p_c"]) / (cf["p_f"] / cf["p_all"])
    cf["rta"] = rta.where(defined)
    return cf
