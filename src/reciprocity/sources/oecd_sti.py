"""OECD STI Scoreboard: IP5 patent families by inventor country, technology field and year.

The STI Scoreboard's indicator files (SDMX-ML 3.0 structure-specific data messages, saved as
``.txt``) hold one technology field each: the all-technology total ``IP5_NB_V8.txt``
(``OECD_TECHNOLOGY_PATENT=_T``) and the fields ICT, AI, biotechnology, nanotechnology,
medical and environment-related technologies (``IP5ICT_NB_V8.txt`` …). Values are fractional
counts of IP5 patent families by the inventors' country of residence and priority year.

They are country-level series, not pair flows: each observation becomes a row of the
``indicators`` table (``oecd.ip5_families.<field>``, unit ``patent_families_fractional``)
and a record of ``oecd_sti_observations``. Each field is its own dataset
(``oecd_sti_patents:IP5.<field>``), so a newer total replaces only the total. The world
(``W``), OECD, EU27 and former Yugoslavia rows keep OECD's code and ``is_aggregate``. The
assessment computes revealed technological advantage from them
(:mod:`reciprocity.assess.capabilities`; docs/methods.md).

The file is parsed with :mod:`xml.etree.ElementTree`; a document with a DTD or entity
declarations (which SDMX-ML never has) is refused before parsing. Codes, aggregates and the
series signature live in ``data/oecd_sti.yaml``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reciprocity import countries
from reciprocity.errors import FormatError, Problem
from reciprocity.sources.base import Parsed, Progress, Source, load_info, load_quirks
from reciprocity.sources.wdi import empty_flows
from reciprocity.store.lineage import country_code, record_table
from reciprocity.store.schema import YEAR_BOUNDS, Field, register

RECORDS = register(record_table(
    name="oecd_sti_observations",
    description="OECD STI Scoreboard patent observations as read: one per `<Obs>` element of "
                "the SDMX-ML file (an economy, a technology field and a priority year), with "
                "the economy resolved to a country code or flagged as an aggregate.",
    record="Position of the `<Obs>` element in the file (1-based, in "
           "document order).",
    row="observation",
    fields=(
        Field("series_index", "INTEGER", "Position of its `<Series>` element (1-based); one "
              "economy may span several series.", False),
        Field("ref_area", "VARCHAR", "`REF_AREA` as OECD writes it (ISO 3166 alpha-3, or "
              "`W`, `OECD`, `EU27_2020`, `YUG_F`).", False),
        country_code("; for an aggregate, OECD's code"),
        Field("is_aggregate", "BOOLEAN", "World, OECD, EU27 or former Yugoslavia, not a "
              "country.", False),
        Field("technology", "VARCHAR", "`OECD_TECHNOLOGY_PATENT`: `_T` (all technologies), "
              "`ICT`, `AI`, `BIOTECH`, `NANOTECH`, `MEDICAL` or `ENV_TECH`.", False),
        Field("year", "INTEGER", "Priority year (`TIME_PERIOD`).", False, **YEAR_BOUNDS),
        Field("value", "DOUBLE", "IP5 patent families, fractional count by inventor country "
              "(`OBS_VALUE`).", False, min=0, max=1e7),
        Field("obs_status", "VARCHAR", "`OBS_STATUS` (`A`: normal value)."),
    ),
))

MAX_PROBLEMS = 25


def quirks() -> dict[str, Any]:
    """The OECD STI quirks file (series signature, technologies, aggregates)."""
    return load_quirks("oecd_sti")


INFO = load_info("oecd_sti")
UNIT = INFO.units["IP5 patent families"]


def indicator_code(technology: str) -> str:
    """``ICT`` → ``oecd.ip5_families.ICT``."""
    return quirks()["indicator_prefix"] + technology


def technology_of(indicator: str) -> str | None:
    """``oecd.ip5_families.ICT`` → ``ICT``; None for another indicator."""
    prefix = quirks()["indicator_prefix"]
    return indicator[len(prefix):] if indicator.startswith(prefix) else None


def technologies() -> dict[str, str]:
    """Technology code → name, the all-technology total ``_T`` first."""
    return {code: spec["name"] for code, spec in quirks()["technologies"].items()}


def indicator_names() -> dict[str, str]:
    """Indicator code → display name (for ``reciprocity indicators``)."""
    return {indicator_code(c): f"IP5 patent families, {n} (OECD, by inventor country)"
            for c, n in technologies().items()}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class OecdStiSource(Source):
    """Reader for the OECD STI Scoreboard's IP5 patent family files (SDMX-ML)."""

    info = INFO
    record_table = RECORDS
    record_key = ("technology", "code", "year")

    def sniff(self, head: str) -> str | None:
        text = head.lstrip("\ufeff")
        if "StructureSpecificData" in text and any(
                f"DataStructure=OECD.STI.PIE:{ds}" in text or f">{ds}<" in text
                for ds in quirks()["dataset_ids"]):
            return "sdmx_structure_specific"
        return None

    def read(self, path: Path, aliases: Mapping[str, str] | None = None,
             progress: Progress | None = None) -> Parsed:
        path = Path(path)
        name = path.name
        root = _parse(path.read_bytes(), name)
        generated = _header(root, name)
        frame, notes = _observations(root, name)
        if progress:
            progress(len(frame), len(frame))
        tech = str(frame["technology"].iloc[0])
        records, indicators = _resolve(frame, name, aliases)
        notes.update({
            "observations": len(records),
            "countries": int(records.loc[~records["is_aggregate"], "code"].nunique()),
            "aggregates": int(records.loc[records["is_aggregate"], "code"].nunique()),
        })
        years = f"{int(records['year'].min())}–{int(records['year'].max())}"
        tname = technologies()[tech]
        return Parsed(
            layout="sdmx_structure_specific",
            generated_at=generated,
            scope=f"IP5 patent families by inventor country, {tname} ({tech}), priority years "
                  f"{years}, {notes['countries']} countries and {notes['aggregates']} "
                  "aggregates",
            is_complete=True,
            rows_read=len(records),
            records={RECORDS.name: records},
            flows=empty_flows(),
            notes=notes,
            indicators=indicators,
            dataset_part=f"IP5.{tech}",
            dataset_title=f"OECD STI Scoreboard: IP5 patent families, {tname} ({tech}), by "
                          "inventor country",
        )


def _parse(raw: bytes, name: str) -> ET.Element:
    """The document's root element; every way the bytes are not SDMX-ML is a FormatError."""
    if not raw.strip():
        raise FormatError(f"{name}: empty file", [Problem(
            f"{name}, byte 0", "an empty file", "an SDMX-ML data message (<?xml …?> and a "
            "<message:StructureSpecificData> element)")])
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        found = head[:60].decode("latin-1")
        raise FormatError(f"{name} is not an SDMX-ML (XML) file", [Problem(
            f"{name}, line 1", repr(found), "an XML document starting with '<?xml' (the "
            "OECD STI Scoreboard's *_NB_V8.txt files; a CSV download is not read)")])
    for marker in (b"<!DOCTYPE", b"<!ENTITY"):
        at = raw.find(marker)
        if at >= 0:
            raise FormatError(f"{name}: XML with a DTD or entity declarations is refused", [
                Problem(f"{name}, byte {at}", marker.decode() + " …",
                        "an SDMX-ML message, which never declares a DTD or entities")])
    try:
        return ET.fromstring(raw)
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise FormatError(f"{name}: broken XML", [Problem(
            f"{name}, line {line}, column {column}", f"{exc}",
            "a complete, well-formed SDMX-ML document (is the file truncated?)")]) from None


def _header(root: ET.Element, name: str) -> datetime | None:
    """Check the message type and data structure; the ``Prepared`` date."""
    spec = quirks()
    kind = _local(root.tag)
    if kind != spec["root"]:
        advice = spec["other_roots"].get(kind)
        raise FormatError(f"{name} is not an SDMX-ML structure-specific data message", [Problem(
            f"{name}, root element", f"<{kind}>" + (f" ({advice})" if advice else ""),
            f"<message:{spec['root']}> (OECD STI Scoreboard patent files)")])
    header = next((e for e in root if _local(e.tag) == "Header"), None)
    fields = {_local(e.tag): (e.text or "").strip() for e in header} if header is not None else {}
    dataset = fields.get("DataSetID")
    if dataset not in spec["dataset_ids"]:
        raise FormatError(f"{name}: not an OECD patent statistics dataset", [Problem(
            f"{name}, <message:Header>/<message:DataSetID>", repr(dataset),
            f"one of {spec['dataset_ids']} (OECD.STI.PIE patent statistics)")])
    prepared = fields.get("Prepared")
    if not prepared:
        return None
    try:
        return datetime.fromisoformat(prepared.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


def _observations(root: ET.Element, name: str) -> tuple[pd.DataFrame, dict[str, int]]:
    """Every observation (series index, REF_AREA, technology, year, value, status), checked."""
    spec = quirks()
    signature: dict[str, str] = {k: str(v) for k, v in spec["series"].items()}
    meaning = spec.get("meaning", {})
    known = spec["technologies"]
    problems: list[Problem] = []
    mismatch: dict[tuple[str, str | None, str | None], list[str]] = {}
    rows: list[tuple[int, int, str, str, int, float, str | None]] = []
    record = 0
    without_value = 0
    series_n = 0
    for element in root.iter():
        if _local(element.tag) != "Series":
            continue
        series_n += 1
        attrs = element.attrib
        area = (attrs.get("REF_AREA") or "").strip()
        where = f"{name}, <Series> #{series_n}" + (f" (REF_AREA={area})" if area else "")
        if not area:
            problems.append(Problem(where, "no REF_AREA attribute",
                                    "REF_AREA with the economy's code (e.g. JPN, W)"))
        for key, expected in signature.items():
            got = attrs.get(key)
            if got != expected:
                mismatch.setdefault((key, got, expected), []).append(where)
        tech = attrs.get("OECD_TECHNOLOGY_PATENT")
        if tech not in known:
            mismatch.setdefault(("OECD_TECHNOLOGY_PATENT", tech, None), []).append(where)
        for obs in element:
            if _local(obs.tag) != "Obs":
                continue
            record += 1
            o = obs.attrib
            period = (o.get("TIME_PERIOD") or "").strip()
            raw_value = o.get("OBS_VALUE")
            owhere = f"{where}, <Obs> #{record} (TIME_PERIOD={period or '?'})"
            if not re.fullmatch(r"\d{4}", period):
                problems.append(Problem(owhere, f"TIME_PERIOD={o.get('TIME_PERIOD')!r}",
                                        "a priority year such as 2020"))
                continue
            if raw_value is None or raw_value.strip() in ("", "NaN"):
                without_value += 1
                continue
            try:
                value = float(raw_value)
            except ValueError:
                problems.append(Problem(owhere, f"OBS_VALUE={raw_value!r}", "a number"))
                continue
            if not np.isfinite(value) or value < 0:
                problems.append(Problem(owhere, f"OBS_VALUE={raw_value!r}",
                                        "a count of patent families (≥ 0)"))
                continue
            rows.append((record, series_n, area, str(tech), int(period), value,
                         o.get("OBS_STATUS")))
        if len(problems) >= MAX_PROBLEMS:
            break
    for (key, got, expected), places in mismatch.items():  # once per code, not per series
        found = f"{key}={got!r}" if got is not None else f"no {key} attribute"
        if key == "OECD_TECHNOLOGY_PATENT":
            want = f"one of {sorted(known)} (the fields in data/oecd_sti.yaml)"
        else:
            want = f"{key}={expected!r}" + (f": {meaning[key]}" if key in meaning else "")
        more = f" and {len(places) - 1} more series" if len(places) > 1 else ""
        problems.append(Problem(places[0] + more, found, want))
    if problems:
        raise FormatError(f"{name}: {len(problems)} problem(s) in the series"
                          + (" (the first ones)" if len(problems) >= MAX_PROBLEMS else ""),
                          problems[:MAX_PROBLEMS])
    if not rows:
        raise FormatError(f"{name}: no observations", [Problem(
            f"{name}, <DataSet>", f"{series_n} series, no <Obs> with a value",
            "<Series> elements with <Obs TIME_PERIOD=… OBS_VALUE=…/> children")])
    frame = pd.DataFrame(rows, columns=["record_id", "series_index", "ref_area", "technology",
                                        "year", "value", "obs_status"])
    techs = list(dict.fromkeys(frame["technology"]))
    if len(techs) != 1:
        firsts = frame.drop_duplicates("technology")
        raise FormatError(f"{name} holds {len(techs)} technology fields; this reader takes one "
                          "field per file (as the STI Scoreboard publishes them)", [
                              Problem(f"{name}, <Series> #{r['series_index']}",
                                      f"OECD_TECHNOLOGY_PATENT={r['technology']!r}",
                                      f"only {techs[0]!r}")
                              for r in firsts.iloc[1:].to_dict("records")])
    dupes = frame[frame.duplicated(["ref_area", "year"], keep=False)]
    if len(dupes):
        raise FormatError(f"{name}: an economy has two values for one year", [
            Problem(f"{name}, <Series> #{r['series_index']}, <Obs> #{r['record_id']}",
                    f"REF_AREA={r['ref_area']} TIME_PERIOD={r['year']}",
                    "one observation per economy and year")
            for r in dupes.head(MAX_PROBLEMS).to_dict("records")])
    return frame, {"series": series_n, "observations_without_value": without_value}


def _resolve(frame: pd.DataFrame, name: str, aliases: Mapping[str, str] | None
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records and indicator rows, economies resolved (aggregates by OECD's code)."""
    aggregates = quirks()["aggregates"]
    codes: dict[str, tuple[str, bool]] = {}
    unknown: dict[str, str] = {}
    for area, series in frame.groupby("ref_area", sort=False)["series_index"].first().items():
        if area in aggregates:
            codes[area] = (area, True)
            continue
        country = countries.lookup(area, aliases)
        if country is None:
            unknown[area] = f"{name}, <Series> #{series} (REF_AREA={area})"
        else:
            codes[area] = (country.code, False)
    if unknown:
        raise countries.unknown_countries(list(unknown), where=name, locations=unknown)
    records = frame.assign(
        code=frame["ref_area"].map(lambda a: codes[a][0]),
        is_aggregate=frame["ref_area"].map(lambda a: codes[a][1]).astype(bool),
    ).loc[:, [c for c in RECORDS.columns if c != "vintage_id"]]
    records = records.sort_values("record_id").reset_index(drop=True)
    indicators = pd.DataFrame({
        "indicator": records["technology"].map(indicator_code),
        "country": records["code"],
        "is_aggregate": records["is_aggregate"],
        "year": records["year"].astype("int64"),
        "value": records["value"].astype(float),
        "unit": UNIT,
        "record_id": records["record_id"].astype("int64"),
    })
    return records, indicators


SOURCE = OecdStiSource()
