"""OpenAlex works (JSON Lines, as the API and the snapshot give them): co-authorship and citation.

From each work's authorships (institution country codes; an author's own ``countries`` when
none of their institutions has one), publication year, primary topic (field and subfield →
technology area) and referenced works:

* ``coauthorship`` flows per country pair and year, in ``works_whole`` (1 per work) and
  ``works_fractional`` (a work's 1 shared equally by the k·(k−1)/2 pairs of its k countries);
  undirected, one row per pair (origin < destination) and work;
* ``citation`` flows in ``citations``: for each reference from a work in the file to another
  work in the file, 1 from each country of the cited work to each other country of the citing
  work (knowledge flows to whoever cites), dated by the citing work, in the cited work's area.

Works that cannot be placed (no country, no year) are counted and reported, never guessed;
references to works outside the file are counted. Quirks live in ``data/openalex.yaml``.
Each file is its own dataset (``openalex:<file stem>``).
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pycountry

from reciprocity import countries, taxonomy
from reciprocity.errors import FormatError, Problem
from reciprocity.sources.base import Parsed, Progress, Source, load_info, load_quirks
from reciprocity.store.lineage import record_table
from reciprocity.store.schema import Field, register

RECORDS = register(record_table(
    name="openalex_works",
    description="OpenAlex works as read: one per line of the raw JSON Lines file, with the "
                "countries of its authorships resolved to codes and its primary topic's area.",
    record="Line number of the work in the raw file (1-based).",
    row="work",
    fields=(
        Field("work_id", "VARCHAR", "OpenAlex id, e.g. `W2741809807`.", False),
        Field("role", "VARCHAR", "`work`, or `referenced` for a work fetched only as a "
              "citation target.", False, enum=("work", "referenced")),
        Field("publication_year", "INTEGER", "Year of publication."),
        Field("countries", "VARCHAR", "Codes of the countries of its authorships, ';'-separated "
              "and sorted; empty when it has none."),
        Field("n_countries", "INTEGER", "Number of distinct countries.", False),
        Field("field_id", "VARCHAR", "OpenAlex field id of the primary topic."),
        Field("field", "VARCHAR", "Field name."),
        Field("subfield_id", "VARCHAR", "OpenAlex subfield id of the primary topic."),
        Field("subfield", "VARCHAR", "Subfield name."),
        Field("area", "VARCHAR", "Technology area of the subfield or field; empty if unmapped."),
        Field("n_references", "INTEGER", "Referenced works listed.", False),
        Field("n_references_in_file", "INTEGER", "Referenced works found in the same file.",
              False),
        Field("placed", "BOOLEAN", "The work has a country and a year (it counts in flows).",
              False),
    ),
))



def quirks() -> dict[str, Any]:
    """The OpenAlex quirks file."""
    return load_quirks("openalex")


def alpha3(code: str) -> str | None:
    """ISO alpha-2 (as OpenAlex writes it) → the store's country code, or None."""
    code = code.strip().upper()
    extra = quirks()["alpha2_extra"].get(code)
    if extra:
        return extra
    found = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if found is None:
        return None
    known = countries.lookup(found.alpha_3)
    return known.code if known else found.alpha_3


def short_id(value: object) -> str | None:
    """``https://openalex.org/W123`` → ``W123``."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().rstrip("/").rsplit("/", 1)[-1]


class OpenAlexSource(Source):
    """Reader for OpenAlex works in JSON Lines (plain or gzipped)."""

    info = load_info("openalex")
    record_table = RECORDS
    record_key = ("work_id",)

    def sniff(self, head: str) -> str | None:
        for line in head.splitlines():
            if line.strip():
                try:
                    obj = json.loads(line)
                except ValueError:
                    return None
                ok = isinstance(obj, dict) and "openalex.org/W" in str(obj.get("id", ""))
                return "works_jsonl" if ok else None
        return None

    def read(self, path: Path, aliases: Mapping[str, str] | None = None,
             progress: Progress | None = None) -> Parsed:
        path = Path(path)
        name = path.name
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FormatError(f"{name}: wrong encoding", [Problem(
                f"{name}, byte {exc.start}", "bytes that are not UTF-8",
                "UTF-8 JSON Lines (one OpenAlex work per line)")]) from None
        works, problems = self._works(text, name)
        if problems:
            raise FormatError(f"{name}: {len(problems)} line(s) that are not OpenAlex works",
                              problems[:25])
        if not works:
            raise FormatError(f"{name}: no works", [Problem(
                f"{name}, line 1", "an empty file", "one OpenAlex work object per line")])
        if progress:
            progress(len(works), len(works))
        notes: dict[str, int] = {}
        records = self._records(works, name, aliases, notes)
        flows = pd.concat([self._coauthorship(records, notes),
                           self._citations(records, works, notes)], ignore_index=True)
        notes["flows"] = len(flows)
        notes["flows_unmapped_area"] = int(flows["area"].isna().sum())
        updated = [w["obj"].get("updated_date") for w in works]
        stamps = [s for s in updated if isinstance(s, str) and s]
        generated = _parse_stamp(max(stamps)) if stamps else None
        part = re.sub(r"[^A-Za-z0-9_.-]+", "-", name.split(".")[0]) or "works"
        return Parsed(
            layout="works_jsonl",
            generated_at=generated,
            scope=f"{len(works)} OpenAlex works in {name}",
            is_complete=False,
            rows_read=len(works),
            records={RECORDS.name: records.drop(columns=["codes_list"])},
            flows=flows,
            notes=notes,
            dataset_part=part,
            dataset_title=f"OpenAlex works: {name}",
        )

    @staticmethod
    def _works(text: str, name: str) -> tuple[list[dict[str, Any]], list[Problem]]:
        works: list[dict[str, Any]] = []
        problems: list[Problem] = []
        required = quirks()["required"]
        for line_no, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                problems.append(Problem(f"{name}, line {line_no}", f"invalid JSON ({exc.msg})",
                                        "one OpenAlex work object per line"))
                continue
            if not isinstance(obj, dict):
                problems.append(Problem(f"{name}, line {line_no}", type(obj).__name__,
                                        "a JSON object (an OpenAlex work)"))
                continue
            missing = [k for k in required if obj.get(k) is None]
            if missing:
                problems.append(Problem(f"{name}, line {line_no}",
                                        f"a record without {', '.join(missing)}",
                                        f"an OpenAlex work with {', '.join(required)} (request "
                                        "them with select=…, or use the full work object)"))
                continue
            if not isinstance(obj["authorships"], list):
                problems.append(Problem(f"{name}, line {line_no}, authorships",
                                        type(obj["authorships"]).__name__, "a list"))
                continue
            works.append({"line": line_no, "obj": obj})
        return works, problems

    @staticmethod
    def _records(works: list[dict[str, Any]], name: str, aliases: Mapping[str, str] | None,
                 notes: dict[str, int]) -> pd.DataFrame:
        role_key, ref_role = quirks()["role_key"], quirks()["referenced_role"]
        unknown: dict[str, str] = {}
        rows = []
        seen: set[str] = set()
        duplicates = 0
        for w in works:
            obj, line = w["obj"], w["line"]
            wid = short_id(obj.get("id")) or ""
            if wid in seen:
                duplicates += 1
            seen.add(wid)
            codes: set[str] = set()
            for i, auth in enumerate(obj["authorships"]):
                if not isinstance(auth, dict):
                    continue
                mine: set[str] = set()
                for j, inst in enumerate(auth.get("institutions") or []):
                    cc = (inst or {}).get("country_code")
                    if not cc:
                        continue
                    code = _code(cc, aliases)
                    if code is None:
                        unknown.setdefault(str(cc), f"{name}, line {line}, authorships[{i}]"
                                                    f".institutions[{j}].country_code")
                    else:
                        mine.add(code)
                if not mine:
                    for cc in auth.get("countries") or []:
                        code = _code(cc, aliases)
                        if code is None:
                            unknown.setdefault(str(cc), f"{name}, line {line}, "
                                                        f"authorships[{i}].countries")
                        else:
                            mine.add(code)
                codes |= mine
            topic = obj.get("primary_topic") or {}
            fld, sub = topic.get("field") or {}, topic.get("subfield") or {}
            year = obj.get("publication_year")
            year = int(year) if isinstance(year, int | float) and not isinstance(year, bool) \
                else None
            refs = [short_id(r) for r in obj.get("referenced_works") or []]
            rows.append({
                "record_id": line, "work_id": wid,
                "role": "referenced" if obj.get(role_key) == ref_role else "work",
                "publication_year": year,
                "countries": ";".join(sorted(codes)) or None, "n_countries": len(codes),
                "field_id": short_id(fld.get("id")), "field": fld.get("display_name"),
                "subfield_id": short_id(sub.get("id")),
                "subfield": sub.get("display_name"),
                "area": taxonomy.area_for_openalex(fld.get("id"), sub.get("id")),
                "n_references": len([r for r in refs if r]), "_refs": [r for r in refs if r],
                "codes_list": sorted(codes),
            })
        if unknown:
            raise countries.unknown_countries(list(unknown), where=name, locations=unknown)
        frame = pd.DataFrame(rows)
        in_file = set(frame["work_id"])
        frame["n_references_in_file"] = frame["_refs"].map(
            lambda refs: sum(r in in_file for r in refs)).astype(int)
        frame["placed"] = (frame["n_countries"] > 0) & frame["publication_year"].notna()
        frame["publication_year"] = frame["publication_year"].astype("Int64")
        works_ = frame[frame["role"] == "work"]
        notes["works"] = len(works_)
        notes["works_referenced_only"] = int((frame["role"] == "referenced").sum())
        notes["works_without_country"] = int((works_["n_countries"] == 0).sum())
        notes["works_without_year"] = int(works_["publication_year"].isna().sum())
        notes["works_single_country"] = int((works_["n_countries"] == 1).sum())
        notes["works_international"] = int((works_["n_countries"] >= 2).sum())
        notes["works_unmapped_area"] = int(works_["area"].isna().sum())
        if duplicates:
            notes["duplicate_work_ids"] = duplicates
        refs = int(works_["n_references"].sum())
        notes["references"] = refs
        notes["references_in_file"] = int(works_["n_references_in_file"].sum())
        notes["references_outside_file"] = refs - notes["references_in_file"]
        return frame.drop(columns=["_refs"])

    @staticmethod
    def _coauthorship(records: pd.DataFrame, notes: dict[str, int]) -> pd.DataFrame:
        rows = []
        sel = records[(records["role"] == "work") & records["placed"]
                      & (records["n_countries"] >= 2)]
        for rec in sel.itertuples(index=False):
            k = rec.n_countries
            share = 1.0 / (k * (k - 1) / 2)
            for a, b in itertools.combinations(rec.codes_list, 2):  # sorted: a < b
                rows.append((a, b, int(rec.publication_year), rec.area, 1.0, "works_whole",
                             rec.record_id))
                rows.append((a, b, int(rec.publication_year), rec.area, share,
                             "works_fractional", rec.record_id))
        notes["coauthorship_flows"] = len(rows)
        return _flow_frame(rows, "coauthorship")

    @staticmethod
    def _citations(records: pd.DataFrame, works: list[dict[str, Any]], notes: dict[str, int]
                   ) -> pd.DataFrame:
        by_id = {r.work_id: r for r in records.itertuples(index=False)}
        line_refs = {w["line"]: [short_id(x) for x in w["obj"].get("referenced_works") or []]
                     for w in works}
        counts: dict[tuple[str, str, int, str | None, int], float] = {}
        unplaced_targets = 0
        for citing in records.itertuples(index=False):
            if citing.role != "work" or not citing.placed:
                continue
            for ref in line_refs.get(citing.record_id, []):
                cited = by_id.get(ref)
                if cited is None:
                    continue
                if not cited.codes_list:
                    unplaced_targets += 1
                    continue
                for origin in cited.codes_list:
                    for dest in citing.codes_list:
                        if origin != dest:
                            key = (origin, dest, int(citing.publication_year), cited.area,
                                   citing.record_id)
                            counts[key] = counts.get(key, 0.0) + 1.0
        rows = [(o, d, y, area, n, "citations", rid)
                for (o, d, y, area, rid), n in counts.items()]
        notes["citation_flows"] = len(rows)
        if unplaced_targets:
            notes["references_to_works_without_country"] = unplaced_targets
        return _flow_frame(rows, "citation")


def _code(alpha2: object, aliases: Mapping[str, str] | None) -> str | None:
    if not isinstance(alpha2, str) or not alpha2.strip():
        return None
    if aliases:
        mapped = aliases.get(alpha2) or aliases.get(alpha2.upper())
        if mapped:
            found = countries.lookup(mapped)
            return found.code if found else None
    return alpha3(alpha2)


def _flow_frame(rows: list[tuple], channel: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["origin", "destination", "year", "area", "magnitude",
                                        "unit", "record_id"])
    return pd.DataFrame({
        "channel": channel,
        "origin": frame["origin"].astype(object),
        "destination": frame["destination"].astype(object),
        "year": frame["year"].astype(np.int64),
        "area": frame["area"].astype(object).where(frame["area"].notna(), None),
        "magnitude": frame["magnitude"].astype(float),
        "unit": frame["unit"].astype(object),
        "mode": "unspecified",
        "is_estimated": False,
        "is_uncertain": False,
        "design_origin": None,
        "record_id": frame["record_id"].astype(np.int64),
    })


def _parse_stamp(text: str) -> datetime | None:
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text[:26], fmt)
        except ValueError:
            continue
    return None


SOURCE = OpenAlexSource()
