"""``dyad`` answers without pandas or NumPy (a fast start), in the same bytes as from frames."""

from __future__ import annotations

import io
import math
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pytest

from reciprocity.cli import render
from reciprocity.cli.query import with_rolling
from reciprocity.metrics.twoway import measures, row_measures
from reciprocity.queries.dyad import dyad
from reciprocity.rowset import RowSet
from reciprocity.store.db import Store
from reciprocity.store.literals import bind, literal

HEAVY = ("pandas", "numpy", "pyarrow", "scipy", "plotly", "ibis")


def _run_dyad(db: Path, *args: str) -> tuple[str, list[str]]:
    """stdout of ``dyad USA JPN ARGS`` in a fresh interpreter, and the heavy modules loaded."""
    probe = ("import sys\nfrom reciprocity.cli.app import app\ntry:\n"
             f"    app(['--db', {str(db)!r}, 'dyad', 'USA', 'JPN', *{list(args)!r}], "
             "prog_name='reciprocity')\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
             f"print('HEAVY:' + ','.join(m for m in {HEAVY!r} if m in sys.modules), "
             "file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"})
    heavy = out.stderr.rsplit("HEAVY:", 1)[1].strip()
    return out.stdout, [m for m in heavy.split(",") if m]


@pytest.mark.parametrize("args", [[], ["--format", "json"], ["--format", "csv"],
                                  ["--window", "5", "--format", "csv"], ["--wide"]],
                         ids=lambda a: " ".join(a) or "table")
def test_dyad_imports_nothing_heavy(classic_db, args):
    stdout, heavy = _run_dyad(classic_db, *args)
    assert "2025" in stdout and heavy == []


def test_dyad_rows_are_the_frames_in_csv(classic_db):
    with Store(classic_db, read_only=True) as store:
        d = dyad(store, "USA", "JPN")
        for rows, frame in ((d.by_year_rows, d.by_year), (d.by_mode_rows, d.by_mode),
                            (d.by_window_rows, d.by_window), (d.totals_rows, d.totals)):
            assert len(rows) > 0
            out = io.StringIO()
            rows.to_csv(out)
            assert out.getvalue() == frame.to_csv(index=False)


def test_rolling_rows_match_a_pandas_merge(classic_db):
    with Store(classic_db, read_only=True) as store:
        d = dyad(store, "USA", "JPN", window=3)
    w = d.by_window.rename(columns={"end": "year", "start": "rolling_start",
                                    "flow_ab": "rolling_ab", "flow_ba": "rolling_ba",
                                    "gl_index": "rolling_gl_index"})
    expected = d.by_year.merge(
        w[["channel", "unit", "year", "rolling_start", "rolling_ab", "rolling_ba",
           "rolling_gl_index"]], on=["channel", "unit", "year"], how="left").astype(
        {"rolling_start": "Int64"})
    got = with_rolling(d)
    out = io.StringIO()
    got.to_csv(out)
    assert out.getvalue() == expected.to_csv(index=False)
    assert got.to_frame().equals(expected)


def test_a_table_prints_the_same_from_rows_and_from_their_frame():
    rows = RowSet(("channel", "unit", "year", "flow_ab", "gl_index", "rolling_start"),
                  ("str", "str", "int", "float", "float", "year"),
                  [("arms", "tiv_millions", 2020, 1234.5, 0.25, None),
                   ("arms", "tiv_millions", 2021, math.nan, math.nan, 2017)])
    shown = []
    for table in (rows, rows.to_frame()):
        with render.console.capture() as cap:
            render.table(table, title="t", columns=["year", "flow_ab", "gl_index",
                                                    "rolling_start"])
        shown.append(cap.get())
    assert shown[0] == shown[1] and "1,234.5" in shown[0]


def test_row_measures_are_the_vectorised_ones():
    values = [0.0, 1.0, 2.5, 1e-9, 1e9, math.nan]
    pairs = [(a, b) for a in values for b in values]
    vec = measures([a for a, _ in pairs], [b for _, b in pairs])
    for i, (a, b) in enumerate(pairs):
        for k, got in zip(("balance", "share_b", "gl_index", "coverage_ratio"),
                          row_measures(a, b), strict=True):
            want = vec[k][i]
            assert (math.isnan(got) and np.isnan(want)) or got == want, (a, b, k)


@pytest.mark.parametrize("value", ["O'Brien", "a ? b", "-- not a comment", "'; DROP x; --",
                                   "ünïcode ⇄", "", 0, -7, 2.5, 1e-300, True, None])
def test_a_literal_reads_back_as_the_value(value):
    con = duckdb.connect()
    assert con.execute(bind("SELECT ?", [value])).fetchone()[0] == value


def test_bind_leaves_quoted_marks_and_comments_alone():
    sql = "SELECT '?', \"a?b\", ? -- what?\n, ?"
    assert bind(sql, ["x", 1]) == "SELECT '?', \"a?b\", 'x' -- what?\n, 1"
    assert bind("SELECT 'it''s ?', ?", [2]) == "SELECT 'it''s ?', 2"


def test_bind_refuses_a_wrong_number_of_parameters():
    with pytest.raises(ValueError, match="more placeholders"):
        bind("SELECT ?, ?", [1])
    with pytest.raises(ValueError, match="2 parameters given for 1"):
        bind("SELECT ?", [1, 2])


def test_literal_refuses_what_sql_cannot_hold():
    with pytest.raises(Exception, match="finite"):
        literal(math.inf)
    with pytest.raises(Exception, match="NUL"):
        literal("a\x00b")
    with pytest.raises(TypeError):
        literal(object())
