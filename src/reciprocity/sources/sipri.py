"""SIPRI Arms Transfers Database: the trade register, in both of SIPRI's CSV layouts.

Deliveries become ``arms`` flows supplier → recipient by delivery year, in millions of SIPRI
trend-indicator values (TIV; a volume measure, not money). In the classic one-row-per-deal
layout a deal's delivered TIV is split evenly over its delivery years and the split is
flagged as estimated. Quirks (headers, markers, comment patterns) live in ``data/sipri.yaml``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from reciprocity import countries, taxonomy
from reciprocity.errors import FormatError, InputError, Problem
from reciprocity.sources import sipri_comments
from reciprocity.sources.base import Parsed, Part, Progress, Source, load_info, load_quirks
from reciprocity.store.lineage import record_table
from reciprocity.store.schema import YEAR_BOUNDS, YEAR_MAX, YEAR_MIN, Field, register

INFO = load_info("sipri")
UNIT = INFO.units["arms"]

RECORDS = register(record_table(
    name="sipri_transfers",
    description="SIPRI trade-register rows as read, one per line of the raw file, with names "
                "resolved to codes and the project's reading of mode and design origin. "
                "Classic exports have one row per deal; newer exports one per deal and "
                "delivery year (joined by `deal_id`).",
    record="Line number of the row in the raw file (1-based); for an "
           "export read in parts, its line number in the parts taken one after another, "
           "earliest years first (`line` plus the part's `line_offset` in `raw_parts`).",
    fields=(
        Field("source_file", "VARCHAR", "Name of the file the row was read from (for an export "
              "in parts, the part's file)."),
        Field("line", "BIGINT", "Line number of the row in `source_file` (1-based)."),
        Field("deal_id", "BIGINT", "SIPRI AT Database ID (newer layout only)."),
        Field("supplier", "VARCHAR", "Supplier as SIPRI spells it.", False),
        Field("recipient", "VARCHAR", "Recipient as SIPRI spells it.", False),
        Field("supplier_code", "VARCHAR", "Supplier code (ISO 3166 alpha-3 or the project's).",
              False),
        Field("recipient_code", "VARCHAR", "Recipient code.", False),
        Field("order_year", "INTEGER", "Year of order.", **YEAR_BOUNDS),
        Field("order_year_uncertain", "BOOLEAN", "SIPRI marks the order year uncertain.", False),
        Field("number_ordered", "DOUBLE", "Number ordered (classic layout).", min=0, max=1e6),
        Field("number_ordered_uncertain", "BOOLEAN", "SIPRI marks the number uncertain.", False),
        Field("designation", "VARCHAR", "Weapon designation."),
        Field("description", "VARCHAR", "Weapon description."),
        Field("armament_category", "VARCHAR", "Armament category (newer layout only)."),
        Field("number_delivered", "DOUBLE", "Number delivered (in this row's years).", min=0,
              max=1e6),
        Field("number_delivered_uncertain", "BOOLEAN", "SIPRI marks the number uncertain.",
              False),
        Field("delivery_years", "VARCHAR", "Delivery years as given (';'-separated)."),
        Field("delivery_year_uncertain", "BOOLEAN", "SIPRI marks the year an estimate.", False),
        Field("first_delivery_year", "INTEGER", "Earliest delivery year.", **YEAR_BOUNDS),
        Field("delivery_lag_years", "INTEGER", "First delivery year minus order year."),
        Field("status", "VARCHAR", "Status as SIPRI gives it (New, Second hand, …)."),
        Field("comments", "VARCHAR", "SIPRI's comments."),
        Field("tiv_per_unit", "DOUBLE", "TIV per unit.", unit="millions of TIV", min=0,
              max=1e5),
        Field("tiv_total_order", "DOUBLE", "TIV of the whole order (classic layout).",
              unit="millions of TIV", min=0, max=1e5),
        Field("tiv_delivered", "DOUBLE", "TIV delivered in this row's years; empty when no "
              "deliveries were identified.", unit="millions of TIV", min=0, max=1e5),
        Field("local_production", "BOOLEAN", "Newer layout's 'Local production' column."),
        Field("mode", "VARCHAR", "The project's reading of how it was transferred.", False,
              enum=("new", "second_hand", "second_hand_modernized", "licensed_production")),
        Field("mode_evidence", "VARCHAR", "The exact words that decided the mode: the status, "
              "'Local production: Yes', or the comment clause that says the item was made in "
              "the recipient (under licence, assembled, produced, or its components)."),
        Field("number_licensed", "DOUBLE", "How many of the order were made in the recipient, "
              "where the comment says ('Including 199 assembled/produced in Japan' → 199; a "
              "clause about the whole order → the number ordered); empty when it does not.",
              min=0, max=1e6),
        Field("design_origin", "VARCHAR", "Code of the country whose design it is, where a "
              "comment says (e.g. 'US design produced in Japan for USA' → USA)."),
    ),
))


def quirks() -> dict[str, Any]:
    """The SIPRI quirks file (headers, markers, patterns)."""
    return load_quirks("sipri")


class SipriSource(Source):
    """Reader for SIPRI trade-register CSV exports (classic and per-delivery-year layouts)."""

    info = INFO
    record_table = RECORDS
    record_key = ("supplier_code", "recipient_code", "order_year", "designation")
    sampling_unit = ("coalesce('deal ' || CAST(deal_id AS VARCHAR), "
                     "'record ' || CAST(record_id AS VARCHAR))")
    """The deal: the per-delivery-year export gives a deal several rows sharing its
    ``deal_id``; a classic row is one deal (split over its delivery years as flows)."""

    reads_parts = True

    def sniff(self, head: str) -> str | None:
        lines = head.splitlines()
        n = quirks()["preamble_lines"]
        if len(lines) <= n:
            return None
        # A ';' appended to every line (a spreadsheet round-trip, seen in a Feb 2026 copy)
        # leaves the layout recognisable; read() takes it off again.
        for line in (lines[n], lines[n][:-1] if lines[n].endswith(";") else None):
            if line is None:
                continue
            header = next(csv.reader([line]))
            for name, layout in quirks()["layouts"].items():
                if header == layout["header"]:
                    return name
        return None

    def input_files(self, path: Path) -> list[Path]:
        """``[path]`` for a file; for a folder, the CSV files in it (the parts of one export)."""
        path = Path(path)
        if path.is_dir():
            files = sorted(f for f in path.iterdir() if f.is_file()
                           and f.suffix.lower() == ".csv")
            if not files:
                raise InputError(f"{path}: no CSV files in the folder", [Problem(
                    str(path), "no *.csv file", "the parts of one SIPRI export, e.g. "
                    "trade-register_initial_situation.csv and trade-register.csv")])
            return files
        return super().input_files(path)

    # -- reading ----------------------------------------------------------------------------
    def read(self, path: Path, aliases: Mapping[str, str] | None = None,
             progress: Progress | None = None) -> Parsed:
        if Path(path).is_dir():
            files = self.input_files(Path(path))
            if len(files) > 1:
                return self.read_parts(files, aliases, progress)
            path = files[0]
        raw = Path(path).read_bytes()
        name = Path(path).name
        layout_name = self._detect(raw, name)
        layout = quirks()["layouts"][layout_name]
        text = self._decode(raw, layout["encoding"], name)
        notes: dict[str, int] = {}
        text = _strip_trailing_semicolons(text, notes)
        # A bare carriage return inside a comment (seen in the March 2025 export) would end
        # the record for a CSV parser: it becomes a space, and is counted.
        if "\r" in text:
            stray = len(re.findall(r"\r(?!\n)", text))
            if stray:
                text = re.sub(r"\r(?!\n)", " ", text)
                notes["stray_carriage_returns_replaced"] = stray
        n = quirks()["preamble_lines"]
        head = text.split("\n", n + 1)
        preamble = [ln.strip() for ln in head[:n]]
        body = head[n + 1] if len(head) > n + 1 else ""
        table = self._table(body, n + 2, layout["fields"], name, progress, notes)
        records = self._normalise(table, layout_name, name, aliases, notes)
        flows = self._flows(records, notes)
        scope = preamble[0] if preamble else None
        generated_at = _generated_at(preamble)
        _check_plausible(records, flows, name, generated_at, notes)
        return Parsed(
            layout=layout_name,
            generated_at=generated_at,
            scope=scope,
            is_complete=_is_complete(scope, generated_at),
            rows_read=table.num_rows,
            records={RECORDS.name: records},
            flows=flows,
            notes=notes,
        )

    def read_parts(self, paths: list[Path], aliases: Mapping[str, str] | None = None,
                   progress: Progress | None = None) -> Parsed:
        """Several files of one export, split by year range, read as one vintage.

        SIPRI's site exports long ranges in pieces (e.g. deliveries 1950-1989 and 1990-2023).
        The parts must share their layout and scope apart from the years, their year ranges
        must adjoin (no gap, no overlap), their rows must fall in their own ranges, no (deal,
        delivery year) may be in two parts, and they must be generated within
        ``parts_max_days_apart`` days; anything else is an InputError naming the files, with
        every problem found. The parts are read earliest years first: a record's ``record_id``
        is its line in the parts taken one after another, ``source_file`` and ``line`` say where
        it is. The vintage is dated by the latest part's generation date (its scope says so).
        """
        q = quirks()
        heads = sorted((_head(self, Path(p)) for p in paths),
                       key=lambda h: (h.years or (9999, 9999), h.path.name))
        problems: list[Problem] = []
        first = heads[0]
        for h in heads[1:]:
            if h.layout != first.layout:
                problems.append(Problem(f"{h.path.name} and {first.path.name}", f"layouts "
                                        f"{h.layout!r} and {first.layout!r}", "one layout: "
                                        "parts of one export are exported alike"))
            elif h.years and first.years and h.kind != first.kind:
                problems.append(Problem(f"{h.path.name}, line 1 and {first.path.name}, line 1",
                                        f"scopes {h.scope!r} and {first.scope!r}",
                                        "the same suppliers, recipients and kind of deals, "
                                        "differing only in the year range"))
        for h in heads:
            if h.years is None:
                problems.append(Problem(f"{h.path.name}, line 1", repr(h.scope),
                                        "a scope with a year range (\"… for year range '1950' "
                                        "to '1989'\") that places the part among the others"))
        ranged = [h for h in heads if h.years]
        for a, b in pairwise(ranged):
            (a0, a1), (b0, b1) = a.years, b.years
            where = f"{a.path.name} and {b.path.name}"
            found = f"year ranges {a0}-{a1} and {b0}-{b1}"
            if b0 <= a1:
                problems.append(Problem(where, f"{found}, which overlap",
                                        f"adjoining ranges: the part after {a1} starts in "
                                        f"{a1 + 1}"))
            elif b0 > a1 + 1:
                problems.append(Problem(where, f"{found}, with a gap ({a1 + 1}-{b0 - 1} is in "
                                        "no part)", f"adjoining ranges: the part after {a1} "
                                        f"starts in {a1 + 1}"))
        dated = [h for h in heads if h.generated_at is not None]
        if dated:
            early = min(dated, key=lambda h: h.generated_at)
            late = max(dated, key=lambda h: h.generated_at)
            if (late.generated_at - early.generated_at).days > q["parts_max_days_apart"]:
                problems.append(Problem(
                    f"{early.path.name} and {late.path.name}, line 11",
                    f"generated {early.generated_at:%d %b %Y} and {late.generated_at:%d %b %Y}",
                    f"parts of one export, generated at most {q['parts_max_days_apart']} days "
                    "apart (further apart they are different releases: ingest each alone)"))
        names = ", ".join(h.path.name for h in heads)
        if problems:
            raise InputError(f"{names} are not the parts of one SIPRI export", problems)

        parsed = [self.read(h.path, aliases, progress) for h in heads]
        problems += _parts_overlap(heads, parsed)
        if problems:
            raise InputError(f"{names} are not the parts of one SIPRI export", problems)

        offsets = np.cumsum([0] + [h.lines for h in heads[:-1]]).tolist()
        records, flows = [], []
        for p, offset in zip(parsed, offsets, strict=True):
            rec = p.records[RECORDS.name]
            i = rec.column_names.index("record_id")
            records.append(rec.set_column(i, "record_id", pc.add(rec["record_id"], offset)))
            i = p.flows.column_names.index("record_id")
            flows.append(p.flows.set_column(i, "record_id", pc.add(p.flows["record_id"], offset)))
        notes: dict[str, int] = {}
        for p in parsed:
            for key, value in p.notes.items():
                notes[key] = notes.get(key, 0) + value
        notes["parts"] = len(heads)
        generated = max((h.generated_at for h in dated), default=None)
        if dated:
            notes["parts_generated_days_apart"] = (late.generated_at - early.generated_at).days
        start, end = heads[0].years[0], heads[-1].years[1]
        core = _YEAR_RANGE.sub(f"'{start}' to '{end}'", first.scope, count=1)
        listing = "; ".join(
            f"{h.path.name}: {h.years[0]}-{h.years[1]}"
            + (f", generated {h.generated_at:%d %b %Y %H:%M}" if h.generated_at else "")
            for h in heads)
        scope = (f"{core} [read from {len(heads)} parts ({listing}); dated by the latest "
                 "part]" if dated else f"{core} [read from {len(heads)} parts ({listing})]")
        return Parsed(
            layout=first.layout,
            generated_at=generated,
            scope=scope,
            is_complete=_is_complete(core, generated),
            rows_read=sum(p.rows_read for p in parsed),
            records={RECORDS.name: pa.concat_tables(records)},
            flows=pa.concat_tables(flows),
            notes=notes,
            parts=tuple(Part(h.path, offset) for h, offset in zip(heads, offsets, strict=True)),
        )

    def _table(self, body: str, first_line: int, fields: list[str], name: str,
               progress: Progress | None, notes: dict[str, int]) -> pa.Table:
        """The data rows as a table of strings with ``record_id`` (the line number).

        Fast path: Arrow's CSV reader, accepted only when every record is exactly one line
        (so line numbers are known). Anything else — ragged or broken rows, line breaks in
        fields — goes through the line-by-line reader, which repairs what it can and lists
        every problem with its line.
        """
        lines = body.count("\n") + (0 if body.endswith("\n") or not body else 1)
        if body and "\n\n" not in body:
            try:
                table = pacsv.read_csv(
                    io.BytesIO(body.encode("utf-8")),
                    read_options=pacsv.ReadOptions(column_names=fields, use_threads=False),
                    parse_options=pacsv.ParseOptions(newlines_in_values=False),
                    convert_options=pacsv.ConvertOptions(
                        column_types=dict.fromkeys(fields, pa.string()),
                        strings_can_be_null=False, quoted_strings_can_be_null=False))
            except pa.ArrowInvalid:
                table = None
            if table is not None and table.num_rows == lines:
                if progress:
                    progress(lines, lines)
                ids = pa.array(np.arange(first_line, first_line + lines, dtype=np.int64))
                return table.add_column(0, "record_id", ids)
        rows, numbers = self._rows(body.split("\n"), first_line, len(fields), name, progress,
                                   notes)
        columns = list(zip(*rows, strict=True))
        return pa.table({"record_id": pa.array(numbers, type=pa.int64()),
                         **{f: pa.array(columns[i], type=pa.string())
                            for i, f in enumerate(fields)}})

    def _detect(self, raw: bytes, name: str) -> str:
        if b"\x00" in raw:
            line = raw[:raw.index(b"\x00")].count(b"\n") + 1
            raise FormatError(
                f"{name}: wrong encoding",
                [Problem(f"{name}, line {line}", "NUL bytes (UTF-16 or a binary file)",
                         "a SIPRI CSV export as downloaded (Latin-1 or UTF-8 text)")])
        head = raw[:16384].decode("latin-1")
        layout = self.sniff(head)
        if layout:
            return layout
        n = quirks()["preamble_lines"]
        lines = head.splitlines()
        found = lines[n][:120] if len(lines) > n else f"only {len(lines)} line(s)"
        expected = " or ".join(
            repr(",".join(lo["header"][:3]) + ",…") for lo in quirks()["layouts"].values())
        problems = [Problem(f"{name}, line {n + 1}", repr(found),
                            f"the header of a SIPRI trade-register export: {expected}")]
        if not any("SIPRI" in ln for ln in lines[:n]):
            problems.insert(0, Problem(f"{name}, lines 1-{n}", "no SIPRI preamble",
                                       "SIPRI's 11-line preamble ('Source: SIPRI Arms "
                                       "Transfers Database', 'Data generated: …')"))
        raise FormatError(f"{name} is not a SIPRI trade-register export", problems)

    @staticmethod
    def _decode(raw: bytes, encoding: str, name: str) -> str:
        if encoding == "latin-1":
            # Latin-1 decodes any byte: catch files re-saved as UTF-8 by their multi-byte runs.
            if re.search(rb"[\xc2-\xf4][\x80-\xbf]", raw):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    pass
                else:
                    line = raw[:re.search(rb"[\xc2-\xf4][\x80-\xbf]", raw).start()].count(b"\n")
                    raise FormatError(f"{name}: wrong encoding", [Problem(
                        f"{name}, line {line + 1}", "UTF-8 text (the file was re-saved)",
                        "Latin-1 text as SIPRI exports it; download the file again, or convert "
                        "it with: iconv -f utf-8 -t latin1")])
            return raw.decode("latin-1")
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError as exc:
            line = raw[:exc.start].count(b"\n") + 1
            raise FormatError(f"{name}: wrong encoding", [Problem(
                f"{name}, line {line}", f"byte {raw[exc.start]:#04x} that is not {encoding}",
                f"{encoding} text as SIPRI exports this layout")]) from None

    @staticmethod
    def _rows(lines: list[str], first_line: int, width: int, name: str,
              progress: Progress | None, notes: dict[str, int]
              ) -> tuple[list[list[str]], list[int]]:
        """Data rows and their first line numbers.

        SIPRI's exports sometimes break a comment with an unquoted line break, so one record
        spans two lines (seen four times in the March 2025 export): two consecutive short
        rows whose fields add up to the header's are joined, and counted. Any other row
        whose width differs from the header's is an error.
        """
        rows: list[list[str]] = []
        numbers: list[int] = []
        problems: list[Problem] = []
        reader = csv.reader(io.StringIO("\n".join(lines), newline=""), strict=True)
        start = 1
        total = len(lines)
        pending: tuple[list[str], int] | None = None
        rejoined = 0
        try:
            for row in reader:
                line = first_line + start - 1
                start = reader.line_num + 1
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if pending is not None:
                    head, head_line = pending
                    pending = None
                    if len(head) + len(row) - 1 == width:
                        row = [*head[:-1], f"{head[-1]} {row[0]}".strip(), *row[1:]]
                        line = head_line
                        rejoined += 1
                    else:
                        problems.append(Problem(f"{name}, line {head_line}",
                                                f"{len(head)} fields",
                                                f"{width} fields as in the header"))
                if len(row) < width and pending is None and line == first_line + start - 2:
                    pending = (row, line)
                    continue
                if len(row) != width:
                    problems.append(Problem(f"{name}, line {line}", f"{len(row)} fields",
                                            f"{width} fields as in the header"))
                    continue
                rows.append(row)
                numbers.append(line)
                if progress and len(rows) % 5000 == 0:
                    progress(start, total)
        except csv.Error as exc:
            problems.append(Problem(f"{name}, line {first_line + start - 1}",
                                    f"broken CSV ({exc})",
                                    "complete, properly quoted rows (is the file truncated?)"))
        if pending is not None:
            head, head_line = pending
            problems.append(Problem(f"{name}, line {head_line}", f"{len(head)} fields at the "
                                    "end of the file", f"{width} fields (is the file "
                                    "truncated?)"))
        if progress:
            progress(total, total)
        if problems:
            raise FormatError(f"{name}: {len(problems)} malformed row(s)", problems)
        if not rows:
            raise FormatError(f"{name}: no data rows", [Problem(
                f"{name}, line {first_line}", "end of file after the header",
                "one row per transfer (is the file truncated?)")])
        if rejoined:
            notes["records_rejoined_after_line_break_in_comment"] = rejoined
        return rows, numbers

    def _normalise(self, table: pa.Table, layout: str, name: str,
                   aliases: Mapping[str, str] | None, notes: dict[str, int]) -> pa.Table:
        """Source rows → typed records (vectorised with Arrow; every problem listed)."""
        q = quirks()
        problems: list[Problem] = []
        lines = table["record_id"].combine_chunks()
        col = {c: pc.utf8_trim_whitespace(table[c].combine_chunks())
               for c in table.column_names if c != "record_id"}
        is_new = layout == "per_delivery_year"
        size = table.num_rows

        def where(mask: pa.Array) -> np.ndarray:
            return np.flatnonzero(mask.to_numpy(zero_copy_only=False))

        def number(c: str, integer: bool = False) -> pa.Array:
            values = col[c]
            empty = pc.equal(values, "")
            # at most 15 digits: a whole number then fits int64 (an order year of 99999999999
            # is caught as a year below, not by Arrow's overflow)
            pattern = r"^-?\d{1,15}$" if integer else r"^-?\d+(\.\d+)?$|^-?\.\d+$"
            bad = pc.and_(pc.invert(empty), pc.invert(pc.match_substring_regex(values, pattern)))
            for i in where(bad)[:10]:
                problems.append(Problem(f"{name}, line {lines[i]}, {c}", repr(values[i].as_py()),
                                        "a whole number" if integer else "a number"))
            if pc.any(bad).as_py():
                return pa.nulls(size, pa.int64() if integer else pa.float64())
            nulled = pc.if_else(empty, pa.scalar(None, pa.string()), values)
            return pc.cast(nulled, pa.int64() if integer else pa.float64())

        def flag(c: str) -> pa.Array:
            return pc.is_in(col[c], value_set=pa.array(q["uncertain_markers"]))

        def constant(value: object, type_: pa.DataType) -> pa.Array:
            return pa.array(np.full(size, value), type=type_) if value is not None else pa.nulls(
                size, type_)

        # countries: every unknown name listed at once, with the first line it appears on
        names = pc.unique(pa.concat_arrays([col["supplier"], col["recipient"]]))
        resolved = {n: countries.lookup(n, aliases) for n in names.to_pylist()}
        unknown = [n for n, c in resolved.items() if c is None]
        if unknown:
            first = {}
            for n in unknown:
                hits = [int(lines[i].as_py()) for c in ("supplier", "recipient")
                        for i in where(pc.equal(col[c], n))[:1]]
                first[n] = f"{name}, line {min(hits)}"
            raise countries.unknown_countries(unknown, where=name, locations=first)
        code_of = pa.array([resolved[n].code for n in names.to_pylist()], type=pa.string())

        def codes(c: str) -> pa.Array:
            return pc.take(code_of, pc.index_in(col[c], value_set=names))

        out: dict[str, pa.Array] = {"record_id": lines, "line": lines,
                                    "source_file": constant(name, pa.string())}
        out["deal_id"] = number("deal_id", True) if is_new else constant(None, pa.int64())
        out["supplier"] = col["supplier"]
        out["recipient"] = col["recipient"]
        out["supplier_code"] = codes("supplier")
        out["recipient_code"] = codes("recipient")
        order_year = number("order_year", True)
        outside = pc.or_(pc.less(order_year, YEAR_MIN), pc.greater(order_year, YEAR_MAX))
        for i in where(pc.fill_null(outside, False))[:10]:
            problems.append(Problem(f"{name}, line {lines[i]}, order_year",
                                    repr(col["order_year"][i].as_py()),
                                    f"a year from {YEAR_MIN} to {YEAR_MAX}"))
        if pc.any(pc.fill_null(outside, False)).as_py():
            order_year = pa.nulls(size, pa.int64())
        out["order_year"] = pc.cast(order_year, pa.int32())
        out["order_year_uncertain"] = flag("order_year_uncertain")
        out["number_ordered"] = (constant(None, pa.float64()) if is_new
                                 else number("number_ordered"))
        out["number_ordered_uncertain"] = (constant(False, pa.bool_()) if is_new
                                           else flag("number_ordered_uncertain"))
        out["designation"] = col["designation"]
        out["description"] = col["description"]
        out["armament_category"] = (col["armament_category"] if is_new
                                    else constant(None, pa.string()))
        out["number_delivered"] = number("number_delivered")
        out["number_delivered_uncertain"] = flag("number_delivered_uncertain")
        years_text = pc.replace_substring_regex(col["delivery_years"], r"\s*[;,]\s*", "; ")
        has_years = pc.not_equal(years_text, "")
        out["delivery_years"] = pc.if_else(has_years, years_text, pa.scalar(None, pa.string()))
        out["delivery_year_uncertain"] = (flag("delivery_year_uncertain") if is_new
                                          else constant(False, pa.bool_()))
        year_lists = pc.split_pattern(out["delivery_years"], "; ")
        flat = pc.list_flatten(year_lists)
        parents = pc.list_parent_indices(year_lists)
        bad_years = pc.invert(pc.match_substring_regex(flat, r"^\d{4}$"))
        for i in np.unique(parents.to_numpy()[where(bad_years)])[:10]:
            problems.append(Problem(f"{name}, line {lines[i]}, delivery years",
                                    repr(col["delivery_years"][i].as_py()),
                                    "years such as '1990; 1991'"))
        first_year = np.full(size, np.iinfo(np.int32).max, dtype=np.int64)
        if len(flat) and not pc.any(bad_years).as_py():
            np.minimum.at(first_year, parents.to_numpy(),
                          pc.cast(flat, pa.int64()).to_numpy())
        first_year_arr = pa.array(first_year, mask=first_year == np.iinfo(np.int32).max,
                                  type=pa.int64())
        out["first_delivery_year"] = pc.cast(first_year_arr, pa.int32())
        out["delivery_lag_years"] = pc.cast(pc.subtract(first_year_arr, pc.cast(
            out["order_year"], pa.int64())), pa.int32())
        out["status"] = col["status"]
        out["comments"] = (constant(None, pa.string()) if is_new else pc.if_else(
            pc.equal(col["comments"], ""), pa.scalar(None, pa.string()), col["comments"]))
        out["tiv_per_unit"] = number("tiv_per_unit")
        out["tiv_total_order"] = (constant(None, pa.float64()) if is_new
                                  else number("tiv_total_order"))
        out["tiv_delivered"] = number("tiv_delivered")
        out["local_production"] = (pc.equal(pc.utf8_lower(col["local_production"]), "yes")
                                   if is_new else constant(None, pa.bool_()))

        statuses = pc.unique(out["status"]).to_pylist()
        for status in statuses:
            if status not in q["status_modes"]:
                i = where(pc.equal(out["status"], status))[0]
                problems.append(Problem(f"{name}, line {lines[i]}, status", repr(status),
                                        f"one of {sorted(q['status_modes'])}"))
        if problems:
            raise InputError(f"{name}: {len(problems)} value(s) that cannot be read", problems)

        mode_of = pa.array([q["status_modes"][st] for st in statuses], type=pa.string())
        status_set = pa.array(statuses, type=pa.string())
        mode = pc.take(mode_of, pc.index_in(out["status"], value_set=status_set)).to_numpy(
            zero_copy_only=False).astype(object)
        evidence = pc.binary_join_element_wise("status: ", out["status"], "").to_numpy(
            zero_copy_only=False).astype(object)
        design = np.full(size, None, dtype=object)
        licensed = np.full(size, np.nan)
        if is_new:
            local = where(pc.fill_null(out["local_production"], False))
            mode[local] = "licensed_production"
            evidence[local] = "Local production: Yes"
        else:
            comments = out["comments"]
            recipients = out["recipient_code"]
            ordered = out["number_ordered"]
            for i in where(pc.fill_null(pc.match_substring_regex(
                    comments, q["local_production"]["prefilter"], ignore_case=True), False)):
                found = sipri_comments.local_production(
                    comments[i].as_py(), recipients[i].as_py(), ordered[i].as_py(), aliases)
                if found is not None:
                    mode[i] = "licensed_production"
                    evidence[i] = "comment: " + found.clause
                    licensed[i] = np.nan if found.number is None else found.number
            for i in where(pc.fill_null(pc.match_substring(comments, "esign"), False)):
                design[i] = sipri_comments.design_origin(comments[i].as_py(), aliases)
        out["number_licensed"] = pa.array(licensed, mask=np.isnan(licensed), type=pa.float64())
        out["mode"] = pa.array(mode, type=pa.string())
        out["mode_evidence"] = pa.array(evidence, type=pa.string())
        out["design_origin"] = pa.array(design, type=pa.string())

        unknown_codes = pa.array(["UNK", "NSA-UNKNOWN"])
        notes["records"] = size
        notes["licensed_production_records"] = int(np.sum(mode == "licensed_production"))
        notes["records_without_deliveries"] = int(pc.sum(pc.or_(
            pc.is_null(out["tiv_delivered"]), pc.is_null(out["delivery_years"]))).as_py() or 0)
        notes["records_with_unknown_party"] = int(pc.sum(pc.or_(
            pc.is_in(out["supplier_code"], value_set=unknown_codes),
            pc.is_in(out["recipient_code"], value_set=unknown_codes))).as_py() or 0)
        return pa.table({c: out[c] for c in RECORDS.columns if c != "vintage_id"})

    @staticmethod
    def _flows(records: pa.Table, notes: dict[str, int]) -> pa.Table:
        """One flow per deal and delivery year; a classic deal's TIV split evenly."""
        has = pc.and_(pc.is_valid(records["tiv_delivered"]),
                      pc.is_valid(records["delivery_years"]))
        rec = records.filter(has)
        years = pc.split_pattern(rec["delivery_years"], "; ")
        parents = pc.list_parent_indices(years)
        n_years = pc.list_value_length(years)
        base = rec.take(parents)
        count = pc.take(n_years, parents)
        uncertain = pc.or_(pc.or_(base["order_year_uncertain"],
                                  base["number_delivered_uncertain"]),
                           pc.or_(base["number_ordered_uncertain"],
                                  base["delivery_year_uncertain"]))
        descriptions = pc.unique(base["description"])
        areas = taxonomy.area_for_sipri(descriptions.to_pandas()).tolist()
        area_of = pa.array([a if isinstance(a, str) else None for a in areas], type=pa.string())
        size = base.num_rows
        flows = pa.table({
            "channel": pa.array(np.full(size, "arms", dtype=object), type=pa.string()),
            "origin": base["supplier_code"],
            "destination": base["recipient_code"],
            "year": pc.cast(pc.list_flatten(years), pa.int32()),
            "area": pc.take(area_of, pc.index_in(base["description"], value_set=descriptions)),
            "magnitude": pc.divide(base["tiv_delivered"], pc.cast(count, pa.float64())),
            "unit": pa.array(np.full(size, UNIT, dtype=object), type=pa.string()),
            "mode": base["mode"],
            "is_estimated": pc.greater(count, 1),
            "is_uncertain": uncertain,
            "design_origin": base["design_origin"],
            "record_id": base["record_id"],
        })
        notes["flows"] = size
        notes["flows_split_over_years"] = int(pc.sum(flows["is_estimated"]).as_py() or 0)
        notes["flows_unmapped_area"] = int(flows["area"].null_count)
        return flows


@dataclass(frozen=True)
class _Head:
    """What a part of an export says about itself before its rows are read."""

    path: Path
    layout: str
    scope: str | None
    kind: str | None         # the scope without its year range, whitespace normalised
    years: tuple[int, int] | None
    generated_at: datetime | None
    lines: int               # lines in the file (for the record ids of the parts after it)


def _head(source: SipriSource, path: Path) -> _Head:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    raw = path.read_bytes()
    layout = source._detect(raw, path.name)
    n = quirks()["preamble_lines"]
    text = raw[:16384].decode(quirks()["layouts"][layout]["encoding"], errors="replace")
    preamble = [ln.rstrip("\r").removesuffix(";").strip() for ln in text.split("\n")[:n]]
    scope = preamble[0] if preamble else None
    normal = re.sub(r"\s+", " ", scope or "")
    lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") or not raw else 1)
    return _Head(path, layout, scope, _YEAR_RANGE.sub("'…' to '…'", normal),
                 _year_range(scope), _generated_at(preamble), lines)


def _parts_overlap(heads: list[_Head], parsed: list[Parsed]) -> list[Problem]:
    """Rows outside their part's year range, and (deal, delivery year) pairs in two parts."""
    problems: list[Problem] = []
    frames = []
    for i, (h, p) in enumerate(zip(heads, parsed, strict=True)):
        flows = p.flows.select(["record_id", "year"]).to_pandas()
        outside = flows[(flows["year"] < h.years[0]) | (flows["year"] > h.years[1])]
        for line, year in outside.drop_duplicates("record_id").head(10).itertuples(index=False):
            problems.append(Problem(f"{h.path.name}, line {line}", f"delivery year {year}",
                                    f"a year in the part's range {h.years[0]}-{h.years[1]}"))
        if len(outside) > 10:
            problems.append(Problem(h.path.name, f"{outside['record_id'].nunique() - 10} more "
                                    "row(s) outside the part's year range",
                                    f"years {h.years[0]}-{h.years[1]}"))
        rec = p.records[RECORDS.name]
        if rec["deal_id"].null_count < rec.num_rows:
            frame = rec.select(["deal_id", "delivery_years", "record_id"]).to_pandas()
            frames.append(frame.dropna(subset=["deal_id", "delivery_years"]).assign(part=i))
    if len(frames) > 1:
        rows = pd.concat(frames, ignore_index=True)
        spread = rows.groupby(["deal_id", "delivery_years"])["part"].transform("nunique")
        twice = rows[spread > 1].sort_values(["deal_id", "delivery_years", "part", "record_id"])
        for (deal, year), group in list(twice.groupby(["deal_id", "delivery_years"],
                                                      sort=False))[:10]:
            where = " and ".join(f"{heads[r.part].path.name}, line {r.record_id}"
                                 for r in group.drop_duplicates("part").itertuples())
            problems.append(Problem(where, f"deal {deal}, delivery year {year} in two parts",
                                    "each deal and delivery year in one part only"))
        pairs = twice[["deal_id", "delivery_years"]].drop_duplicates()
        if len(pairs) > 10:
            problems.append(Problem(", ".join(h.path.name for h in heads),
                                    f"{len(pairs) - 10} more (deal, delivery year) pair(s) in "
                                    "two parts", "each deal and delivery year in one part only"))
    return problems


def _check_plausible(records: pa.Table, flows: pa.Table, name: str,
                     generated_at: datetime | None, notes: dict[str, int]) -> None:
    """SIPRI's own plausibility rules (``plausible`` in ``sipri.yaml``), every problem with its
    line: deliveries before the order beyond SIPRI's known few, order or delivery years after
    the export was generated, and identical rows beyond the known duplicates."""
    q = quirks()["plausible"]
    problems: list[Problem] = []
    lag = records["delivery_lag_years"].to_numpy(zero_copy_only=False)
    line = records["line"].to_numpy()
    lag = np.where(pd.isna(lag), 0, lag).astype(np.int64)
    early = np.flatnonzero(lag < 0)
    far = early[lag[early] < -q["delivery_before_order_years"]]
    for i in far[:10]:
        problems.append(Problem(f"{name}, line {line[i]}, delivery years",
                                f"first delivery {-lag[i]} years before the order",
                                f"a delivery at most {q['delivery_before_order_years']} years "
                                "before its order (SIPRI's known exceptions)"))
    if len(early) > q["delivery_before_order_rows"] and not len(far):
        problems.append(Problem(f"{name}, lines {line[early[:5]].tolist()}…",
                                f"{len(early)} rows delivered before their order",
                                f"at most {q['delivery_before_order_rows']} (SIPRI's known "
                                "exceptions: 7 rows in the real exports)"))
    if early.size:
        notes["deliveries_before_order"] = int(early.size)
    if generated_at is not None:
        last = generated_at.year + q["years_after_generation"]
        for column, values, ids in (
                ("order_year", records["order_year"], records["line"]),
                ("delivery years", flows["year"], flows["record_id"])):
            years = np.asarray(pd.array(np.asarray(values), dtype="Float64").fillna(-1))
            hits = np.flatnonzero(years > last)
            if hits.size:
                ids = np.asarray(ids)
                problems.append(Problem(
                    f"{name}, line(s) {[int(ids[i]) for i in hits[:5]]}, {column}",
                    f"{len(hits)} year(s) after the export was generated, e.g. "
                    f"{int(years[hits[0]])}",
                    f"years up to {last} (the file says 'Data generated: "
                    f"{generated_at:%d %B %Y}')"))
    keep = [c for c in records.column_names if c not in ("record_id", "line")]
    frame = records.select(keep).to_pandas()
    dup = frame.duplicated(keep="first").to_numpy()
    allowed = max(q["duplicate_rows_min"], int(q["duplicate_rows_share"] * len(frame)))
    if int(dup.sum()) > allowed:
        hits = np.flatnonzero(dup)
        problems.append(Problem(f"{name}, lines {line[hits[:5]].tolist()}…",
                                f"{int(dup.sum()):,} rows identical to an earlier row",
                                f"at most {allowed:,} (SIPRI's registers repeat at most 10 "
                                "rows; is the file concatenated with itself?)"))
    if dup.any():
        notes["identical_rows"] = int(dup.sum())
    if problems:
        raise InputError(f"{name}: {len(problems)} implausible value(s)", problems)


_MONTHS = "%d %b %Y %I:%M:%S %p"


def _generated_at(preamble: list[str]) -> datetime | None:
    for line in preamble:
        match = re.match(r"Data generated:\s*(.+)", line)
        if match:
            stamp = re.sub(r"\s+", " ", match.group(1)).strip()
            for fmt in (_MONTHS, "%d %B %Y %I:%M:%S %p", "%d %b %Y", "%d %B %Y"):
                try:
                    return datetime.strptime(stamp, fmt)
                except ValueError:
                    continue
    return None


def _is_complete(scope: str | None, generated_at: datetime | None = None) -> bool:
    """True when the export covers all suppliers, all recipients and all years.

    All years: the range 'Not specified' to 'Not specified', or one from the first year SIPRI
    covers (1950) to the year before the export was generated (SIPRI publishes a year's data
    in the spring after it).
    """
    if not scope:
        return False
    text = re.sub(r"\s+", " ", scope)
    if "from All countries to All countries" not in text:
        return False
    if "'Not specified' to 'Not specified'" in text:
        return True
    years = _year_range(text)
    return bool(years and generated_at is not None and years[0] <= INFO.coverage.first_year
                and years[1] >= generated_at.year - 1)


_YEAR_RANGE = re.compile(r"'(\d{4})' to '(\d{4})'")


def _year_range(scope: str | None) -> tuple[int, int] | None:
    """The year range a scope line states ("… for year range '1950' to '1989'"), if any."""
    match = _YEAR_RANGE.search(scope or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def _strip_trailing_semicolons(text: str, notes: dict[str, int]) -> str:
    """Take one stray ';' off the end of every line that has one, when the header has one.

    A copy of the per-delivery-year export (generated 12 Feb 2026) went through a spreadsheet
    that appended ';' to most lines, header included (CRLF line ends, no newline at the end).
    No layout's header or last column ends in ';', so the header decides; the lines changed
    are counted in ``notes``.
    """
    start = 0
    for _ in range(quirks()["preamble_lines"]):
        start = text.find("\n", start) + 1
        if start == 0:
            return text
    end = text.find("\n", start)
    if not text[start:None if end < 0 else end].rstrip("\r").endswith(";"):
        return text
    text, count = re.subn(r";(?=\r?\n|\Z)", "", text)
    notes["trailing_semicolons_removed"] = count
    return text


SOURCE = SipriSource()
