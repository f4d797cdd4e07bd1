"""Constants and plain helpers of the SIPRI, store, query and CLI tests.

A plain module rather than part of ``conftest.py``, so tests import it by name without
importing a conftest (other test folders may have their own).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from reciprocity.store.db import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sipri"
# ``../shared`` beside the project; RECIPROCITY_SHARED_ROOT points the tests elsewhere (set it to
# an empty folder to see what runs without the data).
SHARED_ROOT = Path(os.environ.get("RECIPROCITY_SHARED_ROOT")
                   or Path(__file__).resolve().parents[1].parent / "shared")
SHARED_RAW = SHARED_ROOT / "data" / "raw"
FULL_REGISTER = "sipri_trade_register/trade-register.csv"
REGISTER_2025 = "sipri_register_2025/trade-register.csv"
NEW_FORMAT_SAMPLE = "sipri_register_new_format_sample/trade-register.csv"
FULL_VINTAGE = "sipri_arms_transfers/2026-05-18"
VINTAGE_2025 = "sipri_arms_transfers/2025-03-13"
CREDIT = "Information from the SIPRI Arms Transfers Database"

# Columns of the classic layout, by position (the three '?' columns have blank names).
RECIPIENT, SUPPLIER, ORDER_YEAR, ORDER_Q, N_ORDERED, N_ORDERED_Q = 0, 1, 2, 3, 4, 5
DESIGNATION, DESCRIPTION, N_DELIVERED, N_DELIVERED_Q, YEARS, STATUS = 6, 7, 8, 9, 10, 11
COMMENTS, TIV_UNIT, TIV_ORDER, TIV_DELIVERED = 12, 13, 14, 15


def missing_shared(reason: str) -> None:
    """Skip the test for want of shared data, or fail it when ``RECIPROCITY_REQUIRE_SHARED=1``
    (CI sets it: there the data must be present, and a skip would hide an untested change)."""
    if os.environ.get("RECIPROCITY_REQUIRE_SHARED") == "1":
        pytest.fail(f"{reason} (RECIPROCITY_REQUIRE_SHARED=1: the shared data must be present)",
                    pytrace=False)
    pytest.skip(reason)


def shared_path(rel: str = "", *, kind: str = "file") -> Path:
    """``SHARED_RAW / rel``, a file (or, with ``kind="dir"``, a folder); when it is absent the
    test skips, or fails under ``RECIPROCITY_REQUIRE_SHARED=1`` (:func:`missing_shared`)."""
    path = SHARED_RAW / rel
    if not (path.is_dir() if kind == "dir" else path.is_file()):
        missing_shared(f"{path} not found (shared data folder absent)")
    return path


def read_classic_rows(path: Path) -> list[tuple[int, list[str]]]:
    """(first line number, fields) of every data row, read with the plain ``csv`` module.

    Independent of the project's reader: Latin-1, 11 preamble lines and a header, and a record
    broken by an unquoted line break (13 fields, then 4 whose first continues the comment)
    joined back into 16 fields.
    """
    text = path.read_bytes().decode("latin-1")
    reader = csv.reader(io.StringIO(text, newline=""))
    out: list[tuple[int, list[str]]] = []
    pending: tuple[int, list[str]] | None = None
    start = 1
    for row in reader:
        line, start = start, reader.line_num + 1
        if line <= 12:
            continue
        if pending is not None:
            first, head = pending
            pending = None
            assert len(head) + len(row) - 1 == 16, f"{path}: line {first} cannot be rejoined"
            out.append((first, [*head[:-1], (head[-1].rstrip() + " " + row[0]).strip(),
                                *row[1:]]))
            continue
        if len(row) == 13:
            pending = (line, row)
            continue
        assert len(row) == 16, f"{path}: line {line} has {len(row)} fields"
        out.append((line, row))
    assert pending is None
    return out


def classic_v2_bytes() -> bytes:
    """A newer export of ``classic.csv``: one deal removed, one added, one changed, new date.

    - removed: the MiG-21F-13 deal (line 21);
    - changed: the AIM-9M deal delivers 150 (7.5 TIV) instead of 100 (5 TIV);
    - added: a Japan ← United States F-35A deal delivered 2024-2025.
    """
    text = (FIXTURES / "classic.csv").read_bytes().decode("latin-1")
    lines = text.split("\n")
    assert lines[10].startswith("Data generated:")  # line 11
    lines[10] = "Data generated: 14 Mar 2026 3:00:00 PM"
    assert "MiG-21F-13" in lines[20]
    del lines[20]
    i = next(i for i, ln in enumerate(lines) if "AIM-9M" in ln)
    lines[i] = lines[i].replace(",100,?,2001,New,,0.05,5,5", ",150,?,2001,New,,0.05,7.5,7.5")
    assert "7.5,7.5" in lines[i]
    lines.insert(i + 1, "Japan,United States,2012,,42,,F-35A Lightning-2,"
                        "fighter/ground-attack aircraft,8,,2024; 2025,New,,82,3444,656")
    return "\n".join(lines).encode("latin-1")


def snapshot(store: Store) -> dict[str, object]:
    """Everything a failed ingest must leave unchanged: the rows of every table that has any,
    in a stable order. (Opening a store read-write may add empty tables that other modules
    declare; that is schema set-up, not data, so empty tables are left out.)"""
    out: dict[str, object] = {}
    for (name,) in store.con.execute(
            "SELECT table_name FROM information_schema.tables ORDER BY table_name").fetchall():
        cols = [r[0] for r in store.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position", [name]).fetchall()]
        order = ", ".join(f"{c} NULLS FIRST" for c in cols)
        rows = store.con.execute(f"SELECT * FROM {name} ORDER BY {order}").fetchall()
        if rows:
            out[name] = rows
    return out
