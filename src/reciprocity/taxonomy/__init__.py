"""One set of technology areas, and crosswalks to it from SIPRI, OpenAlex and patent classes.

Everything is data in this folder (see ``docs/taxonomy.md``): ``areas.yaml`` (the areas, the
report's areas and the current critical-technology list), ``sipri_descriptions.csv``
(ordered patterns on SIPRI's 'Weapon description'), ``openalex_fields.csv`` (OpenAlex fields
and subfields), ``wipo_fields.csv`` (WIPO's 35 technology fields), ``cpc_to_wipo.csv``
(WIPO's IPC-technology concordance as class prefixes) and ``cpc_areas.csv`` (classes placed
directly). Lookups return ``None`` for an item no crosswalk places; callers count those.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd
import yaml

__all__ = [
    "Area",
    "area_for_cpc",
    "area_for_oecd_field",
    "area_for_openalex",
    "area_for_sipri",
    "areas",
    "check_area",
    "critical_technology_lists",
    "crosswalk_rows",
    "direct_area_for_cpc",
    "oecd_patent_fields",
    "wipo_field_for_cpc",
]


@dataclass(frozen=True)
class Area:
    """One technology area."""

    id: str
    name: str
    description: str
    report: str | None
    critical_technologies: tuple[str, ...]


def _text(name: str) -> str:
    return resources.files("reciprocity.taxonomy").joinpath(name).read_text("utf-8")


def _rows(name: str) -> list[dict[str, str]]:
    """Rows of a crosswalk CSV; lines whose first cell starts with ``#`` are comments."""
    reader = csv.DictReader(_text(name).splitlines())
    first = reader.fieldnames[0] if reader.fieldnames else ""
    return [{k: (v or "").strip() for k, v in row.items()} for row in reader
            if not (row.get(first) or "").startswith("#")]


@cache
def _yaml() -> dict[str, Any]:
    return yaml.safe_load(_text("areas.yaml"))


def critical_technology_lists() -> list[dict[str, Any]]:
    """The critical-technology lists with each entry's areas, as in ``areas.yaml``."""
    return _yaml()["critical_technology_lists"]


@cache
def areas() -> dict[str, Area]:
    """The areas by id, in the order of ``areas.yaml``."""
    cet: dict[str, list[str]] = {}
    for lst in critical_technology_lists():
        for entry in lst["entries"]:
            for area_id in entry["areas"]:
                cet.setdefault(area_id, []).append(f"{lst['id']}: {entry['name']}")
    return {a["id"]: Area(a["id"], a["name"], " ".join(a["description"].split()),
                          " ".join(a["report"].split()) if a.get("report") else None,
                          tuple(cet.get(a["id"], ())))
            for a in _yaml()["areas"]}


def check_area(area: str) -> str | None:
    """The area id itself (None for an empty one); ValueError for an id not in areas.yaml."""
    if not area:
        return None
    if area not in areas():
        raise ValueError(f"crosswalk names unknown area {area!r}; known: {sorted(areas())}")
    return area


# -- SIPRI ------------------------------------------------------------------------------------
@cache
def _sipri_patterns() -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(r["pattern"]), check_area(r["area"]) or "")
            for r in _rows("sipri_descriptions.csv")]


def area_for_sipri_description(description: object) -> str | None:
    """Area of one SIPRI weapon description (first matching pattern), or None."""
    if not isinstance(description, str) or not description.strip():
        return None
    text = " ".join(description.lower().split())
    for pattern, area in _sipri_patterns():
        if pattern.search(text):
            return area or None
    return None


def area_for_sipri(descriptions: pd.Series) -> pd.Series:
    """Areas of SIPRI weapon descriptions (None where no pattern matches), same index."""
    unique = {d: area_for_sipri_description(d) for d in pd.unique(descriptions.dropna())}
    return descriptions.map(unique).astype(object).where(descriptions.notna(), None)


# -- OpenAlex ---------------------------------------------------------------------------------
@cache
def _openalex() -> dict[tuple[str, str], str | None]:
    return {(r["level"], r["id"]): check_area(r["area"]) for r in _rows("openalex_fields.csv")}


def _oa_id(value: object) -> str | None:
    """``https://openalex.org/subfields/2208`` or ``2208`` → ``2208``."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip().rstrip("/")
    return text.rsplit("/", 1)[-1] or None


def area_for_openalex(field: object = None, subfield: object = None) -> str | None:
    """Area of an OpenAlex field/subfield (ids or URLs); the subfield's row wins."""
    table = _openalex()
    sub, fld = _oa_id(subfield), _oa_id(field)
    if sub is not None and ("subfield", sub) in table:
        return table[("subfield", sub)]
    if fld is not None and ("field", fld) in table:
        return table[("field", fld)]
    return None


# -- patents: CPC/IPC → WIPO field → area --------------------------------------------------
def _normalise_cpc(symbol: str) -> str:
    """``G01N 33/53`` → ``G01N33/53``; ``H01L`` stays."""
    return re.sub(r"\s+", "", symbol.upper())


@cache
def _cpc_to_wipo() -> dict[str, int]:
    return {r["prefix"]: int(r["field"]) for r in _rows("cpc_to_wipo.csv")}


@cache
def _wipo_areas() -> dict[int, str | None]:
    return {int(r["field"]): check_area(r["area"]) for r in _rows("wipo_fields.csv")}


@cache
def wipo_fields() -> dict[int, str]:
    """WIPO's 35 technology fields: number → name."""
    return {int(r["field"]): r["name"] for r in _rows("wipo_fields.csv")}


@cache
def _cpc_direct() -> dict[str, str]:
    return {r["prefix"]: check_area(r["area"]) or "" for r in _rows("cpc_areas.csv")}


def _longest(symbol: str, table: dict[str, Any]) -> Any:
    code = _normalise_cpc(symbol)
    for n in range(len(code), 2, -1):
        hit = table.get(code[:n])
        if hit is not None:
            return hit
    return None


def wipo_field_for_cpc(symbol: str) -> int | None:
    """WIPO technology field (1–35) of a CPC or IPC symbol, by the longest listed prefix."""
    if not isinstance(symbol, str) or not symbol.strip():
        return None
    return _longest(symbol, _cpc_to_wipo())


def direct_area_for_cpc(symbol: object) -> str | None:
    """Area a CPC/IPC symbol is placed in directly by ``cpc_areas.csv`` (longest prefix), or
    None: the WIPO-field route is not taken (patents use it only without any such class)."""
    if not isinstance(symbol, str) or not symbol.strip():
        return None
    return _longest(symbol, _cpc_direct()) or None


def area_for_cpc(symbols: Iterable[str] | pd.Series | str) -> pd.Series | str | None:
    """Area of CPC/IPC symbols: a direct class placement, else via the WIPO field.

    A single string gives a single area (or None); an iterable gives a Series.
    """
    def one(symbol: object) -> str | None:
        if not isinstance(symbol, str) or not symbol.strip():
            return None
        direct = _longest(symbol, _cpc_direct())
        if direct:
            return direct
        field = wipo_field_for_cpc(symbol)
        return _wipo_areas().get(field) if field is not None else None

    if isinstance(symbols, str):
        return one(symbols)
    series = symbols if isinstance(symbols, pd.Series) else pd.Series(list(symbols), dtype=object)
    return series.map(one).astype(object)


# -- OECD STI Scoreboard patent fields -------------------------------------------------------
FITS = ("direct", "proxy", "none")


@cache
def oecd_patent_fields() -> dict[str, dict[str, str | None]]:
    """OECD technology field code (``ICT``, ``AI``, …) → ``{name, area, fit, rationale}``
    (``oecd_patent_fields.csv``); ``area`` None for a field outside the taxonomy."""
    out: dict[str, dict[str, str | None]] = {}
    for r in _rows("oecd_patent_fields.csv"):
        if r["fit"] not in FITS:
            raise ValueError(f"oecd_patent_fields.csv: field {r['field']}: fit {r['fit']!r} "
                             f"is not one of {FITS}")
        area = check_area(r["area"])
        if (area is None) != (r["fit"] == "none"):
            raise ValueError(f"oecd_patent_fields.csv: field {r['field']}: an area needs fit "
                             "direct or proxy, and no area needs fit none")
        out[r["field"]] = {"name": r["name"], "area": area, "fit": r["fit"],
                           "rationale": r["rationale"]}
    return out


def area_for_oecd_field(field: str) -> str | None:
    """Area of an OECD STI patent technology field (``AI`` → ``computing_ai``), or None."""
    spec = oecd_patent_fields().get(field)
    return spec["area"] if spec else None


def crosswalk_rows(name: str) -> list[dict[str, str]]:
    """The rows of crosswalk ``name`` (``cpc_areas``, ``wipo_fields``, ``openalex_fields``…)."""
    return _rows(f"{name}.csv")


def crosswalk_tables() -> dict[str, pd.DataFrame]:
    """Every crosswalk as a frame (for ``reciprocity taxonomy`` and the docs)."""
    return {name: pd.DataFrame(_rows(f"{name}.csv")) for name in
            ("sipri_descriptions", "openalex_fields", "wipo_fields", "cpc_to_wipo", "cpc_areas",
             "oecd_patent_fields")}
