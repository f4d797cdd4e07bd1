"""Row checks of PatentsView's tables: NUL bytes anywhere, rows repeated where they count.

The tables are read by the compute engine, which takes a NUL byte as part of a value and
counts a repeated row twice; both change the figures without a word. So, before anything is
computed:

- **NUL**: every TSV is scanned while it is unzipped (or read, when given unzipped), chunk by
  chunk (``bytes.find``, no parsing); the first NUL is refused with its line and field.
- **Repeated rows**: in the tables where a repeat is counted — ``g_patent`` (a patent joins
  its inventors twice), ``g_us_patent_citation`` (a citation counts twice),
  ``g_inventor_disambiguated`` and ``g_assignee_disambiguated`` (an inventor or owner shifts
  the patent's country shares) — the engine groups the rows by the table's key; only keys
  that occur more than once are compared in full, and identical rows are refused with their
  lines. In ``g_location_disambiguated``, ``g_wipo_technology`` and ``g_cpc_current`` a repeat
  is harmless, provably: the pipeline reads them only through a minimum per key (a location's
  country, a patent's primary WIPO field, its first CPC class), which an identical row cannot
  change. No repeat is allowed in the counted tables: PatentsView documents the keys as
  unique and no release at hand shows a repeat (none is in ``../shared``).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from reciprocity.errors import FormatError, Problem

CHUNK = 16 << 20
KEYS: dict[str, tuple[str, ...]] = {
    "g_patent": ("patent_id",),
    "g_us_patent_citation": ("patent_id", "citation_sequence"),
    "g_inventor_disambiguated": ("patent_id", "inventor_sequence"),
    "g_assignee_disambiguated": ("patent_id", "assignee_sequence"),
}
"""The tables where a repeated row is counted, with their documented keys."""

HARMLESS = ("g_location_disambiguated", "g_wipo_technology", "g_cpc_current")
"""Tables read through a minimum per key only: an identical repeated row changes nothing."""


def _fields(text: bytes) -> list[str]:
    line = text.decode("utf-8", "replace").lstrip("\ufeff")
    return next(csv.reader([line], delimiter="\t", quotechar='"'), [])


class NulScan:
    """Fed a TSV's bytes in order; :meth:`feed` refuses the first NUL with line and field."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.lines = 0          # newlines seen before the current chunk
        self.tail = b""         # the current line's bytes before the current chunk
        self.header: list[str] | None = None

    def feed(self, chunk: bytes) -> None:
        """Scan the next chunk of the file."""
        if self.header is None:
            head = self.tail + chunk
            if b"\n" in head or not chunk:
                self.header = _fields(head.split(b"\n", 1)[0].rstrip(b"\r").replace(b"\0", b""))
        at = chunk.find(b"\0")
        if at >= 0:
            self._refuse(chunk, at)
        last = chunk.rfind(b"\n")
        self.lines += chunk.count(b"\n")
        self.tail = (self.tail + chunk)[-65536:] if last < 0 else chunk[last + 1:][-65536:]

    def _refuse(self, chunk: bytes, at: int) -> None:
        line = self.lines + chunk.count(b"\n", 0, at) + 1
        start = chunk.rfind(b"\n", 0, at)
        before = chunk[start + 1:at] if start >= 0 else self.tail + chunk[:at]
        index = max(len(_fields(before)) - 1, 0)
        header = self.header or []
        name = header[index] if index < len(header) else f"column {index + 1}"
        raise FormatError(f"{self.where}: a NUL byte", [Problem(
            f"{self.where}, line {line}, field {name}", "a NUL byte (a damaged or binary file)",
            "text without NUL bytes, as PatentsView publishes its tables (download it again)")])


def copy_checked(src: IO[bytes], out: IO[bytes] | None, where: str) -> None:
    """Copy ``src`` to ``out`` (or only read it, when ``out`` is None), refusing a NUL byte."""
    scan = NulScan(where)
    while chunk := src.read(CHUNK):
        scan.feed(chunk)
        if out is not None:
            out.write(chunk)


def scan_file(path: Path, where: str | None = None) -> None:
    """Refuse a NUL byte anywhere in an unzipped TSV."""
    with open(path, "rb") as fh:
        copy_checked(fh, None, where or str(path))


def refuse_repeated(con: Any, tables: Mapping[str, Any], files: Mapping[str, Path],
                    readable: Mapping[str, Path], limit: int = 3) -> None:
    """Refuse identical repeated rows in the counted tables (:data:`KEYS`), with their lines.

    ``tables``: the engine's tables; ``files``: the input files (named in the message);
    ``readable``: the TSVs the engine read (where the lines are looked up; Parquet has none).
    One grouping by key per table; rows are compared in full only for repeated keys.
    """
    problems: list[Problem] = []
    for name, keys in KEYS.items():
        table = tables.get(name)
        if table is None:
            continue
        counted = table.group_by(list(keys)).agg(_n=table.count())
        repeated = counted.filter(counted._n > 1).select(*keys)
        if not len(con.execute(repeated.limit(1))):
            continue
        rows = table.semi_join(repeated, list(keys))
        same = rows.group_by(list(table.columns)).agg(_n=rows.count())
        same = same.filter(same._n > 1)
        found = con.execute(same.limit(limit))
        if not len(found):
            continue  # the same key with different contents: not a repeat
        extra = int(con.execute(same.aggregate(extra=(same._n - 1).sum()))["extra"].iloc[0])
        for _i, row in found.iterrows():
            values = ["" if v is None or v != v else str(v) for v in row[list(table.columns)]]
            lines = _lines_of(readable.get(name), values)
            shown = "\t".join(values)[:160]
            problems.append(Problem(
                f"{files[name]}, " + (f"lines {', '.join(map(str, lines))}" if lines
                                      else f"{int(row['_n'])} rows") + ", every field",
                f"the same row {int(row['_n'])} times ({shown!r}); {extra:,} repeated "
                f"row(s) in {name}",
                f"each row once (key {', '.join(keys)}): a repeated row would be counted "
                "twice"))
    if problems:
        raise FormatError("PatentsView tables repeat rows that the flows would count twice",
                          problems)


def _lines_of(path: Path | None, values: list[str], most: int = 3) -> list[int]:
    """Line numbers (1 = header) of the rows equal to ``values`` in a TSV (few, early stop)."""
    if path is None or path.suffix == ".parquet" or not values:
        return []
    first = values[0].encode("utf-8")
    found: list[int] = []
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            if (line.startswith(first) or line.startswith(b'"' + first)) and \
                    _fields(line.rstrip(b"\r\n")) == values:
                found.append(number)
                if len(found) == most:
                    break
    return found
