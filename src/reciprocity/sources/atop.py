"""ATOP v4: Alliance Treaty Obligations and Provisions, member-level file.

ATOP codes every written alliance agreement since 1815 and, per member (and per phase of an
alliance whose terms changed), the obligations it took on: defence, offence, neutrality,
non-aggression and consultation. Obligations can be one-sided: in the 1951 and 1960
U.S.–Japan treaties only the U.S. record carries ``defense``.

The reader takes the member-level file ``atop-member-level.csv`` (or a folder holding it):
one record per member and phase, with the member's entry and exit dates. The alliance-level
file adds nothing the pair query needs (its dates are the extremes of its members' and its
provisions repeat the members'), so it is not read. Members are Correlates of War state
codes, mapped to the project's codes by ``data/atop_cow_states.csv``; states without a
project code (pre-1919 German and Italian states, Austria-Hungary, Korea before 1910) keep
their COW code and an empty ``code``.

Alliances are not technology flows: the source derives no flows. The pair query is
:mod:`reciprocity.queries.alliance`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reciprocity.errors import FormatError, InputError, Problem
from reciprocity.sources.atop_members import NAME, TABLE, cow_states
from reciprocity.sources.atop_members import OBLIGATIONS as OBLIGATIONS  # re-exported
from reciprocity.sources.atop_members import cow_codes_of as cow_codes_of  # re-exported
from reciprocity.sources.base import Parsed, Progress, Source, load_info, load_quirks
from reciprocity.sources.wdi import empty_flows
from reciprocity.store.lineage import country_code, record_table
from reciprocity.store.schema import YEAR_MAX, Field, register

if TYPE_CHECKING:  # pandas loads when a file is read, not when the module is imported
    import pandas as pd


def quirks() -> dict[str, Any]:
    return load_quirks(NAME)


INFO = load_info(NAME)
FIRST_YEAR: int = INFO.coverage.first_year  # type: ignore[assignment]
COVERAGE_END: int = INFO.coverage.last_year  # type: ignore[assignment]
ATOP_YEARS = {"min": FIRST_YEAR, "max": YEAR_MAX}

RECORDS = register(record_table(
    name=TABLE,
    description="ATOP v4 member-level records as read: one per member and phase of an "
                "alliance, with the member's entry and exit and its obligations.",
    record="Line number in the member-level file (header = 1).",
    row="record",
    fields=(
        Field("atopid", "INTEGER", "ATOP alliance id (`atopid`).", False, min=1),
        Field("cow_code", "INTEGER", "Member as a Correlates of War state code (`member`).",
              False, min=1),
        country_code(" of the member, from `data/atop_cow_states.csv`; empty for a state "
                     "without one, e.g. Bavaria", nullable=True),
        Field("phase", "INTEGER", "ATOP `phase` (0: the alliance has one phase; 1, 2, …: "
              "the terms changed).", False, min=0),
        Field("start_year", "INTEGER", "Year the member entered (`yrent`).", False,
              **ATOP_YEARS),
        Field("start_month", "INTEGER", "Month the member entered (`moent`).", min=1, max=12),
        Field("start_day", "INTEGER", "Day the member entered (`dayent`).", min=1, max=31),
        Field("end_year", "INTEGER", "Year the member left (`yrexit`); empty: still a member "
              "when the data end.", **ATOP_YEARS),
        Field("end_month", "INTEGER", "Month the member left (`moexit`).", min=1, max=12),
        Field("end_day", "INTEGER", "Day the member left (`dayexit`).", min=1, max=31),
        Field("bilateral", "BOOLEAN", "A bilateral alliance (`bilat`).", False),
        *(Field(o, "BOOLEAN", f"The member's `{o}` obligation (ATOP codebook).", False)
          for o in OBLIGATIONS),
        Field("version", "VARCHAR", "ATOP version written in the row (`version`)."),
    ),
))

MAX_PROBLEMS = 25
_INT = re.compile(r"-?\d+(?:\.0*)?")


def _member_file(path: Path) -> Path:
    if path.is_dir():
        found = path / quirks()["member_file"]
        if not found.is_file():
            raise InputError(f"{path}: no {quirks()['member_file']} in the folder", [Problem(
                str(path), ", ".join(sorted(p.name for p in path.iterdir())[:6]) or "empty",
                f"ATOP's member-level file {quirks()['member_file']}")])
        return found
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return path


class AtopSource(Source):
    """Reader for ATOP v4's member-level file."""

    info = INFO
    record_table = RECORDS
    record_key = ("atopid", "cow_code", "phase", "start_year")
    sampling_unit = None

    def input_files(self, path: Path) -> list[Path]:
        return [_member_file(Path(path))]

    def sniff(self, head: str) -> str | None:
        first = head.lstrip("\ufeff").split("\n", 1)[0].strip().split(",")
        if first[:1] == ["atopid"] and {"member", "yrent", "yrexit"} <= set(first):
            return "member_level"
        return None

    def read(self, path: Path, aliases: Mapping[str, str] | None = None,
             progress: Progress | None = None) -> Parsed:
        path = _member_file(Path(path))
        records = read_members(path)
        if progress:
            progress(len(records), len(records))
        versions = sorted(set(records["version"].dropna()))
        notes = {
            "alliances": int(records["atopid"].nunique()),
            "members": int(records["cow_code"].nunique()),
            "records_without_country_code": int(records["code"].isna().sum()),
            "still_in_effect": int(records["end_year"].isna().sum()),
        }
        return Parsed(
            layout="member_level",
            generated_at=None,
            scope=f"{notes['alliances']} alliances, {len(records)} member records, entries "
                  f"{int(records['start_year'].min())}–{int(records['start_year'].max())}"
                  + (f", version {', '.join(versions)}" if versions else ""),
            is_complete=True,
            rows_read=len(records),
            records={RECORDS.name: records},
            flows=empty_flows(),
            notes=notes,
        )


def read_members(path: Path) -> pd.DataFrame:
    """The member-level file as records; every problem at once (FormatError)."""
    import pandas as pd

    name = path.name
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    rows = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(rows, [])]
    spec = quirks()
    missing = [c for c in spec["required_columns"] if c not in header]
    if missing:
        hint = (" (this is ATOP's alliance-level file; give the member-level file "
                f"{spec['member_file']})" if {"begyr", "mem1"} <= set(header) else "")
        raise FormatError(f"{name} is not ATOP's member-level file{hint}", [Problem(
            f"{name}, line 1", f"no column(s) {', '.join(missing)}" if header else "empty file",
            f"ATOP v4's member-level header ({', '.join(spec['required_columns'][:6])}, …)")])
    at = {c: header.index(c) for c in spec["required_columns"]}
    states = cow_states()
    problems: list[Problem] = []
    out: list[dict[str, Any]] = []

    def bad(line: int, field: str, found: str, expected: str) -> None:
        problems.append(Problem(f"{name}, line {line}, {field}", repr(found), expected))

    def integer(line: int, row: list[str], field: str, lo: int, hi: int,
                empty: bool = False, zero: bool = False) -> int | None:
        value = row[at[field]].strip()
        if value == "" and empty:
            return None
        if not _INT.fullmatch(value):
            bad(line, field, value, f"a whole number from {lo} to {hi}"
                + (" or empty" if empty else ""))
            return None
        number = int(float(value))
        if zero and number == 0:
            return None
        if not lo <= number <= hi:
            bad(line, field, value, f"a whole number from {lo} to {hi}"
                + (" (or 0: none)" if zero else ""))
            return None
        return number

    for row in rows:
        line = rows.line_num
        if not row or row == [""]:
            continue
        if len(row) != len(header):
            problems.append(Problem(f"{name}, line {line}", f"{len(row)} fields",
                                    f"{len(header)} fields, as in the header"))
        else:
            rec: dict[str, Any] = {"record_id": line}
            rec["atopid"] = integer(line, row, "atopid", 1, 10**6)
            member = integer(line, row, "member", 1, 99999)
            if member is not None and member not in states:
                bad(line, "member", row[at["member"]], "a COW state code listed in "
                    "data/atop_cow_states.csv (e.g. 2 = United States, 740 = Japan)")
            rec["cow_code"] = member
            rec["code"] = states.get(member, {}).get("code") if member is not None else None
            rec["phase"] = integer(line, row, "phase", 0, 99)
            rec["start_year"] = integer(line, row, "yrent", FIRST_YEAR, YEAR_MAX)
            rec["start_month"] = integer(line, row, "moent", 1, 12, empty=True, zero=True)
            rec["start_day"] = integer(line, row, "dayent", 1, 31, empty=True, zero=True)
            rec["end_year"] = integer(line, row, "yrexit", FIRST_YEAR, YEAR_MAX, zero=True)
            rec["end_month"] = integer(line, row, "moexit", 1, 12, empty=True, zero=True)
            rec["end_day"] = integer(line, row, "dayexit", 1, 31, empty=True, zero=True)
            if (rec["end_year"] is not None and rec["start_year"] is not None
                    and rec["end_year"] < rec["start_year"]):
                bad(line, "yrexit", row[at["yrexit"]],
                    f"0 (still a member) or a year from yrent ({rec['start_year']}) on")
            for flag, column in (("bilateral", "bilat"), *((o, o) for o in OBLIGATIONS)):
                value = row[at[column]].strip()
                if value not in ("0", "1"):
                    bad(line, column, value, "0 or 1")
                rec[flag] = value == "1"
            rec["version"] = row[at["version"]].strip() or None
            out.append(rec)
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise FormatError(f"{name}: {len(problems)} problem(s)"
                          + (" (the first ones)" if len(problems) >= MAX_PROBLEMS else ""),
                          problems[:MAX_PROBLEMS])
    if not out:
        raise FormatError(f"{name}: no member records", [Problem(
            f"{name}, line 2", "nothing after the header", "one row per alliance member")])
    frame = pd.DataFrame(out)
    for column in ("atopid", "cow_code", "phase", "start_year", "start_month", "start_day",
                   "end_year", "end_month", "end_day"):
        frame[column] = frame[column].astype("Int64")
    return frame.loc[:, [c for c in RECORDS.columns if c != "vintage_id"]]


SOURCE = AtopSource()
