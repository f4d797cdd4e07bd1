"""NCSES Science and Engineering Indicators tables: co-authorship and citation between countries.

Two layouts of the machine-readable re-export (``data/ncses.yaml`` documents both):

* ``pair_matrix`` (tables 10003 and 10006): the country × country co-authorship matrices,
  flattened one record per cell with the column labels lost. The documented label order is
  applied and checked (row labels, records per row, the 'na' diagonal, symmetry); a file that
  does not fit is refused. Whole counts become ``coauthorship`` flows in ``articles_whole``,
  the index in ``coauthorship_index``: undirected, one row per pair (origin < destination).
  The 'World' row of 10003 holds each country's international total: it goes to the
  ``indicators`` table (``ncses.intl_coauthored_articles``), never to pair flows.
* ``citing_cited`` (tables 10007, 10012, 10013, 10016, 10019): relative citation index,
  citing country (rows) × cited country (columns). Directed ``citation`` flows run from the
  cited country to the citing one; each field's index has its own unit and, where the field
  maps to one, its technology area.

Index units are never summed with counts (see :data:`reciprocity.channels.INDEX_UNITS`).
Each SEI table is its own dataset (``ncses_sei:<table number>``).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reciprocity import countries, taxonomy
from reciprocity.errors import FormatError, InputError, Problem
from reciprocity.sources.base import Parsed, Progress, Source, load_info, load_quirks
from reciprocity.store.lineage import record_table
from reciprocity.store.schema import Field, register

RECORDS = register(record_table(
    name="ncses_cells",
    description="NCSES table cells as read: one per record of the raw file (layout "
                "`pair_matrix`) or per row and column (layout `citing_cited`), with the row "
                "and column labels (recovered from the documented order where the file lost "
                "them) resolved to codes.",
    record="Line number of the cell's record in the raw file.",
    row="cell",
    unique_key=("vintage_id", "record_id", "column_label"),
    fields=(
        Field("table_id", "VARCHAR", "NCSES modal id of the table, e.g. `10003`.", False),
        Field("sei_table", "VARCHAR", "SEI table number, e.g. `SPBS-35`.", False),
        Field("row_label", "VARCHAR", "Row label as written (for citation tables: the citing "
              "country).", False),
        Field("column_label", "VARCHAR", "Column label: from the documented order (layout "
              "`pair_matrix`) or the header (for citation tables: the cited country).", False),
        Field("row_code", "VARCHAR", "Code of the row's country (`WLD` for World)."),
        Field("column_code", "VARCHAR", "Code of the column's country (`WLD` for World)."),
        Field("year", "INTEGER", "Year of the cell.", False),
        Field("value_raw", "VARCHAR", "The cell as written.", False),
        Field("value", "DOUBLE", "The cell as a number; empty for `na` (the diagonal) and "
              "suppressed cells."),
        Field("unit", "VARCHAR", "Unit of the value (declared in `channels.py`).", False),
        Field("field", "VARCHAR", "Science field of the table (citation tables)."),
        Field("area", "VARCHAR", "Technology area of the field, where it maps to one."),
    ),
))

WORLD = "WLD"
_NUMBER = re.compile(r"^(-?\d+(?:\.\d+)?)\s*([a-zA-Z]?)$")


def quirks() -> dict[str, Any]:
    """The NCSES quirks file (layouts, tables, documented label orders)."""
    return load_quirks("ncses")


class NcsesSource(Source):
    """Reader for NCSES SEI co-authorship matrices and relative citation index tables."""

    info = load_info("ncses")
    record_table = RECORDS
    record_key = ("table_id", "row_label", "column_label", "year")
    sampling_unit = None  # published indices and totals, not a sample of articles

    def sniff(self, head: str) -> str | None:
        lines = head.lstrip("\ufeff").splitlines()
        if not lines:
            return None
        header = next(csv.reader([lines[0]]), [])
        layouts = quirks()["layouts"]
        if header == layouts["pair_matrix"]["header"]:
            return "pair_matrix"
        for name in ("citing_cited", "hierarchical"):
            start = layouts[name]["header_start"]
            if header[:len(start)] == start:
                return name
        return None

    def read(self, path: Path, aliases: Mapping[str, str] | None = None,
             progress: Progress | None = None) -> Parsed:
        name = Path(path).name
        raw = Path(path).read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FormatError(f"{name}: wrong encoding", [Problem(
                f"{name}, byte {exc.start}", "bytes that are not UTF-8",
                "a UTF-8 CSV as the NCSES re-export writes it")]) from None
        for pattern, found in (("\x00", "a NUL byte"),
                               ("\r(?!\n)", "a carriage return inside a line")):
            hit = re.search(pattern, text)
            if hit:
                raise FormatError(f"{name}: {found}", [Problem(
                    f"{name}, line {text.count(chr(10), 0, hit.start()) + 1}", found,
                    "one record per line, as the NCSES re-export writes it (no NUL, no "
                    "stray carriage return)")])
        layout = self.sniff(text[:8192])
        if layout is None:
            first = text.lstrip("\ufeff").split("\n", 1)[0][:120]
            raise FormatError(f"{name} is not an NCSES SEI table of a known layout", [Problem(
                f"{name}, line 1", repr(first),
                "the header 'table_id,row_id,time_period,value' (co-authorship matrices) or "
                "'table_id,row_id,citing_region_country_or_economy,…' (citation tables)")])
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
        try:
            rows = list(reader)
        except csv.Error as exc:
            raise FormatError(f"{name}: broken CSV", [Problem(
                f"{name}, line {reader.line_num}", f"broken CSV ({exc})",
                "complete, properly quoted rows (is the file truncated?)")]) from None
        header, body = rows[0], rows[1:]
        table_id = self._table_id(body, name, layout)
        if layout == "hierarchical":
            raise FormatError(f"{name}: NCSES table {table_id} is a row-hierarchical country "
                              "table, which this reader does not take", [Problem(
                                  f"{name}, line 1", repr(",".join(header[:3]) + ",…"),
                                  "a co-authorship matrix (10003, 10006) or a relative "
                                  f"citation index table ({', '.join(self._citation_ids())})")])
        spec = quirks()["tables"].get(table_id)
        if spec is None or spec["layout"] != layout:
            known = sorted(t for t, s in quirks()["tables"].items() if s["layout"] == layout)
            raise FormatError(f"{name}: no documented layout for NCSES table {table_id!r}", [
                Problem(f"{name}, line 2, table_id", repr(table_id),
                        f"one of the tables documented in ncses.yaml for this layout: {known}")])
        notes: dict[str, int] = {}
        if layout == "pair_matrix":
            cells = self._matrix_cells(body, spec, name, notes)
        else:
            cells = self._citation_cells(header, body, spec, name, notes)
        if progress:
            progress(len(body), len(body))
        cells = self._resolve(cells, spec, name, aliases)
        records = cells.assign(table_id=table_id, sei_table=spec["sei_table"],
                               unit=spec["unit"], field=spec.get("field"),
                               area=taxonomy.check_area(spec.get("area") or ""))
        flows = self._flows(records, spec, notes)
        indicators = self._totals(records, spec)
        if indicators is not None:
            notes["indicator_values"] = len(indicators)
        notes["cells"] = len(records)
        notes["cells_missing"] = int(records["value"].isna().sum())
        return Parsed(
            layout=layout,
            generated_at=None,
            scope=f"SEI table {spec['sei_table']}: {spec['title']}",
            is_complete=True,
            rows_read=len(body),
            records={RECORDS.name: records.loc[:, [c for c in RECORDS.columns
                                                   if c != "vintage_id"]]},
            flows=flows,
            notes=notes,
            indicators=indicators,
            dataset_part=spec["sei_table"],
            dataset_title=f"NCSES SEI table {spec['sei_table']}: {spec['title']}",
        )

    # -- layout checks ----------------------------------------------------------------------
    @staticmethod
    def _citation_ids() -> list[str]:
        return sorted(t for t, s in quirks()["tables"].items() if s["layout"] == "citing_cited")

    @staticmethod
    def _table_id(body: list[list[str]], name: str, layout: str) -> str:
        ids = {r[0].strip() for r in body if r}
        if not ids:
            raise FormatError(f"{name}: no data rows", [Problem(
                f"{name}, line 2", "end of file after the header", "one row per cell or country")])
        if len(ids) > 1:
            raise FormatError(f"{name}: several tables in one file", [Problem(
                f"{name}, table_id", f"{sorted(ids)[:5]}", "one table id per file")])
        return ids.pop()

    @staticmethod
    def _value(raw: str, where: str, problems: list[Problem], notes: dict[str, int]) -> float:
        text = raw.strip()
        if text in quirks()["missing_values"]:
            return math.nan
        match = _NUMBER.match(text)
        if match and (not match.group(2) or match.group(2) in quirks()["value_flags"]):
            if match.group(2):
                notes[f"values_flagged_{match.group(2)}"] = notes.get(
                    f"values_flagged_{match.group(2)}", 0) + 1
            return float(match.group(1))
        problems.append(Problem(where, repr(raw), "a number, 'na' or 'D'"))
        return math.nan

    def _matrix_cells(self, body: list[list[str]], spec: dict[str, Any], name: str,
                      notes: dict[str, int]) -> pd.DataFrame:
        """Cells of a flattened matrix, with the documented column labels applied and checked."""
        labels: list[str] = spec["labels"]
        prefix = spec.get("label_prefix") or ""
        n = len(labels)
        problems: list[Problem] = []
        blocks: list[tuple[str, int, int, list[tuple[int, str]]]] = []  # label, year, line, cells
        for i, row in enumerate(body):
            line = i + 2
            if len(row) != 4:
                problems.append(Problem(f"{name}, line {line}", f"{len(row)} fields", "4 fields"))
                continue
            parts = [p.strip() for p in row[2].split("->")]
            if len(parts) < 2 or not re.fullmatch(r"\d{4}", parts[-1]):
                problems.append(Problem(f"{name}, line {line}, time_period", repr(row[2]),
                                        "'<row label> -> <year>'"))
                continue
            label = " -> ".join(parts[:-1])
            if prefix and label.startswith(prefix):
                label = label[len(prefix):]
            year = int(parts[-1])
            if not blocks or blocks[-1][0] != label or blocks[-1][1] != year:
                blocks.append((label, year, line, []))
            blocks[-1][3].append((line, row[3]))
        if problems:
            raise FormatError(f"{name}: {len(problems)} malformed record(s)", problems[:25])
        # 1. row labels, in order, as documented
        order: list[tuple[str, int]] = []
        for label, _, line, _ in blocks:
            if not order or order[-1][0] != label:
                order.append((label, line))
        for k, (label, line) in enumerate(order):
            expected = labels[k] if k < len(labels) else None
            if label != expected:
                problems.append(Problem(
                    f"{name}, line {line}", f"row label {label!r} as row {k + 1}",
                    f"{expected!r} (row {k + 1} of the documented order in ncses.yaml)"
                    if expected else f"only the {n} documented row labels"))
        if len(order) < n:
            problems.append(Problem(f"{name}, end of file", f"{len(order)} row labels",
                                    f"{n}: missing {labels[len(order):][:5]}"))
        # 2. one record per documented column in every row block; the documented years
        for label, year, line, cells in blocks:
            if len(cells) != n:
                problems.append(Problem(
                    f"{name}, lines {line}-{line + len(cells) - 1} ({label} {year})",
                    f"{len(cells)} records", f"{n}, one per documented column label"))
            if year not in spec["years"]:
                problems.append(Problem(f"{name}, line {line}", f"year {year}",
                                        f"one of {spec['years']}"))
        if problems:
            raise FormatError(f"{name}: the documented label order of table "
                              f"{spec['sei_table']} does not fit this file", problems[:25])
        out = []
        for label, year, _, cells in blocks:
            for k, (line, raw) in enumerate(cells):
                value = self._value(raw, f"{name}, line {line}, value", problems, notes)
                out.append((line, label, labels[k], year, raw.strip(), value))
        if problems:
            raise InputError(f"{name}: {len(problems)} value(s) that cannot be read",
                             problems[:25])
        frame = pd.DataFrame(out, columns=["record_id", "row_label", "column_label", "year",
                                           "value_raw", "value"])
        self._check_matrix(frame, spec, name)
        return frame

    @staticmethod
    def _check_matrix(frame: pd.DataFrame, spec: dict[str, Any], name: str) -> None:
        """The diagonal is 'na' between countries, and the matrix is symmetric."""
        problems: list[Problem] = []
        total = spec.get("totals_label")
        diag = frame[(frame["row_label"] == frame["column_label"])
                     & (frame["row_label"] != total)]
        for _, r in diag[diag["value"].notna()].head(5).iterrows():
            problems.append(Problem(f"{name}, line {r['record_id']}",
                                    f"{r['value_raw']!r} in the diagonal cell of {r['row_label']}",
                                    "'na' (a country does not co-author with itself)"))
        mirror = frame.merge(frame, left_on=["row_label", "column_label", "year"],
                             right_on=["column_label", "row_label", "year"],
                             suffixes=("", "_t"))
        both = mirror["value"].notna() & mirror["value_t"].notna()
        scale = np.maximum(mirror["value"].abs(), mirror["value_t"].abs()).clip(lower=1e-12)
        off = both & ((mirror["value"] - mirror["value_t"]).abs() / scale > 1e-9)
        off |= mirror["value"].isna() != mirror["value_t"].isna()
        for _, r in mirror[off].head(5).iterrows():
            problems.append(Problem(
                f"{name}, lines {r['record_id']} and {r['record_id_t']}",
                f"{r['row_label']}×{r['column_label']} {r['year']} = {r['value_raw']} but "
                f"{r['column_label']}×{r['row_label']} = {r['value_raw_t']}",
                "a symmetric matrix (pair counts and indices are the same both ways)"))
        if problems:
            raise FormatError(f"{name}: the documented label order of table "
                              f"{spec['sei_table']} does not fit this file "
                              f"({int(off.sum()) // 2} asymmetric pair(s))", problems)

    def _citation_cells(self, header: list[str], body: list[list[str]], spec: dict[str, Any],
                        name: str, notes: dict[str, int]) -> pd.DataFrame:
        cited = [h.strip() for h in header[3:]]
        problems: list[Problem] = []
        out = []
        year = spec["years"][0]
        for i, row in enumerate(body):
            line = i + 2
            if len(row) != len(header):
                problems.append(Problem(f"{name}, line {line}", f"{len(row)} fields",
                                        f"{len(header)} fields as in the header"))
                continue
            for col, raw in zip(cited, row[3:], strict=True):
                value = self._value(raw, f"{name}, line {line}, {col}", problems, notes)
                out.append((line, row[2].strip(), col, year, raw.strip(), value))
        if problems:
            raise FormatError(f"{name}: {len(problems)} problem(s)", problems[:25])
        return pd.DataFrame(out, columns=["record_id", "row_label", "column_label", "year",
                                          "value_raw", "value"])

    @staticmethod
    def _resolve(cells: pd.DataFrame, spec: dict[str, Any], name: str,
                 aliases: Mapping[str, str] | None) -> pd.DataFrame:
        total = spec.get("totals_label")
        labels = pd.unique(pd.concat([cells["row_label"], cells["column_label"]]))
        codes: dict[str, str] = {}
        unknown: dict[str, str] = {}
        for label in labels:
            if label == total:
                codes[label] = WORLD
                continue
            country = countries.lookup(label, aliases)
            if country is None:
                hit = cells[(cells["row_label"] == label) | (cells["column_label"] == label)]
                unknown[label] = f"{name}, line {int(hit['record_id'].min())}"
            else:
                codes[label] = country.code
        if unknown:
            raise countries.unknown_countries(list(unknown), where=name, locations=unknown)
        return cells.assign(row_code=cells["row_label"].map(codes),
                            column_code=cells["column_label"].map(codes))

    # -- derived rows -----------------------------------------------------------------------
    @staticmethod
    def _flows(records: pd.DataFrame, spec: dict[str, Any], notes: dict[str, int]
               ) -> pd.DataFrame:
        pairs = records[records["value"].notna() & (records["row_code"] != WORLD)
                        & (records["column_code"] != WORLD)
                        & (records["row_code"] != records["column_code"])]
        if spec["channel"] == "coauthorship":
            # undirected: once per pair, origin < destination (the symmetric half)
            pairs = pairs[pairs["row_code"] < pairs["column_code"]]
            origin, destination = pairs["row_code"], pairs["column_code"]
        else:
            # citing (row) × cited (column): knowledge flows cited → citing
            origin, destination = pairs["column_code"], pairs["row_code"]
        flows = pd.DataFrame({
            "channel": spec["channel"],
            "origin": origin.to_numpy(dtype=object),
            "destination": destination.to_numpy(dtype=object),
            "year": pairs["year"].to_numpy(dtype=np.int64),
            "area": pairs["area"].to_numpy(dtype=object),
            "magnitude": pairs["value"].to_numpy(dtype=float),
            "unit": spec["unit"],
            "mode": "unspecified",
            "is_estimated": False,
            "is_uncertain": False,
            "design_origin": None,
            "record_id": pairs["record_id"].to_numpy(dtype=np.int64),
        })
        notes["flows"] = len(flows)
        if spec.get("field") and spec["field"] != "all fields":
            notes["flows_unmapped_area"] = int(flows["area"].isna().sum())
        return flows.reset_index(drop=True)

    @staticmethod
    def _totals(records: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame | None:
        """The World row of a co-authorship matrix: each country's international total."""
        if not spec.get("totals_indicator"):
            return None
        row = records[(records["row_code"] == WORLD) & records["value"].notna()]
        return pd.DataFrame({
            "indicator": spec["totals_indicator"],
            "country": row["column_code"].to_numpy(dtype=object),
            "is_aggregate": (row["column_code"] == WORLD).to_numpy(dtype=bool),
            "year": row["year"].to_numpy(dtype=np.int64),
            "value": row["value"].to_numpy(dtype=float),
            "unit": spec["unit"],
            "record_id": row["record_id"].to_numpy(dtype=np.int64),
        }).reset_index(drop=True)


SOURCE = NcsesSource()
