"""Helpers for the evidence-channel tests (WDI, NCSES, OpenAlex, taxonomy): the shared data
folder, small files composed in the publishers' real layouts, and store snapshots.

A plain module (not a conftest) so it never shadows ``tests/conftest.py`` on import.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from pathlib import Path

import yaml

from reciprocity.store.db import Store
from sipri_helpers import shared_path

OPENALEX_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "openalex" / "works.jsonl"
NCSES_YAML = Path(__file__).resolve().parents[1] / "src" / "reciprocity" / "sources" / "data" \
    / "ncses.yaml"
WDI_HEADER = ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]
BM_NAME = "Charges for the use of intellectual property, payments (BoP, current US$)"
BX_NAME = "Charges for the use of intellectual property, receipts (BoP, current US$)"


def raw_file(rel: str) -> Path:
    """A file of ``../shared/data/raw``; skips the test when it is absent (fails it under
    ``RECIPROCITY_REQUIRE_SHARED=1``)."""
    return shared_path(rel)


def counts(store: Store) -> dict[str, int]:
    """Rows per table: what a failed ingest must leave unchanged."""
    names = [r[0] for r in store.con.execute(
        "SELECT table_name FROM information_schema.tables ORDER BY table_name").fetchall()]
    return {n: store.con.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}


# -- WDI -------------------------------------------------------------------------------------
def wdi_plain(rows: Iterable[tuple[str, str, dict[int, float]]], code: str, name: str,
              years: range = range(2005, 2014)) -> str:
    """A 2013-style single-indicator CSV (no preamble, header on line 1)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([*WDI_HEADER, *map(str, years)])
    for cname, ccode, values in rows:
        w.writerow([cname, ccode, name, code, *(values.get(y, "") for y in years)])
    return out.getvalue()


def wdi_api(rows: Iterable[tuple[str, str, dict[int, float]]], code: str, name: str,
            updated: str = "2026-07-13", years: range = range(2010, 2024)) -> bytes:
    """The World Bank download layout: BOM, 4 preamble lines, quoted cells, trailing commas."""
    out = io.StringIO()
    out.write('"Data Source","World Development Indicators",\n\n')
    out.write(f'"Last Updated Date","{updated}",\n\n')
    w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator=",\n")
    w.writerow([*WDI_HEADER, *map(str, years)])
    for cname, ccode, values in rows:
        w.writerow([cname, ccode, name, code, *(values.get(y, "") for y in years)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# -- NCSES -----------------------------------------------------------------------------------
def ncses_labels(table_id: str) -> list[str]:
    return yaml.safe_load(NCSES_YAML.read_text("utf-8"))["tables"][table_id]["labels"]


def ncses_matrix(table_id: str = "10003", years: tuple[int, ...] = (2003, 2022),
                 value: Callable[[int, int, int], str] | None = None,
                 labels: list[str] | None = None) -> str:
    """A flattened pair matrix in the re-export's layout (column labels not written).

    ``value(i, j, year)`` gives cell (row i, column j); by default a symmetric count with
    'na' on the country diagonal.
    """
    labels = labels or ncses_labels(table_id)
    prefix = "World -> " if table_id == "10003" else ""

    def default(i: int, j: int, year: int) -> str:
        if i == j and labels[i] != "World":
            return "na"
        return str((min(i, j) + 1) * 100 + max(i, j) + (year - 2000))

    value = value or default
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["table_id", "row_id", "time_period", "value"])
    n = 0
    for i, label in enumerate(labels):
        path = label if label == "World" or not prefix else prefix + label
        for year in years:
            for j in range(len(labels)):
                n += 1
                w.writerow([table_id, f"r{n:03d}", f"{path} -> {year}", value(i, j, year)])
    return out.getvalue()


def ncses_value(row: str, column: str, year: int, table_id: str = "10003") -> float:
    """The cell of :func:`ncses_matrix`'s default values for two labels and a year."""
    labels = ncses_labels(table_id)
    i, j = labels.index(row), labels.index(column)
    return float((min(i, j) + 1) * 100 + max(i, j) + (year - 2000))


def ncses_cell(path: Path, row: str, column: str, year: int, table_id: str = "10003") -> float:
    """A cell of a real flattened matrix, read independently with ``csv``: the k-th record of
    the row's block belongs to the k-th documented label."""
    labels = ncses_labels(table_id)
    k = labels.index(column)
    prefix = "World -> " if table_id == "10003" and row != "World" else ""
    want = f"{prefix}{row} -> {year}"
    block = [r for r in csv.DictReader(path.open(encoding="utf-8"))
             if r["time_period"] == want]
    assert len(block) == len(labels)
    return float(block[k]["value"])


# -- OpenAlex --------------------------------------------------------------------------------
def openalex_lines() -> list[dict]:
    return [json.loads(line) for line in OPENALEX_FIXTURE.read_text("utf-8").splitlines()]


def write_jsonl(path: Path, works: list[dict]) -> Path:
    path.write_text("".join(json.dumps(w) + "\n" for w in works), encoding="utf-8")
    return path
