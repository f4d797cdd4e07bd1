"""Benchmark: how fast the command line starts, against ``python -c "import duckdb"``.

Whole processes, each run ``--repeat`` times in alternation (the order rotates every
round, so that no command always follows the same one on this shared machine):

- baseline: ``python -c "import duckdb"`` (the interpreter and the store's engine, nothing else);
- ``reciprocity --help`` (Typer builds every command and Rich renders the help);
- ``reciprocity --db STORE dyad USA JPN`` on the demo store (a real answer, printed as tables);
- for orientation, ``python -c "import duckdb, pandas"``: the floor of any command whose answer
  is computed with pandas;
- for orientation, the floor of ``dyad`` itself: ``python -c`` that imports DuckDB, opens the
  store and runs the very SQL statements ``dyad USA JPN`` runs (recorded from a run first);
  and the same after importing Typer and Rich, the libraries of the command line.

Each ratio is shown two ways: best run ÷ best baseline run, and the median over the rounds of
the ratio within a round (paired). Target: both within 3× for ``--help``, and for ``dyad``.
It also lists the heavy modules ``--help`` imports (there should be none), and where
``dyad``'s time goes: each step timed in one process (best of 5).

The store is ``--db`` if given, else ``demo/reciprocity.duckdb`` when ``make demo`` has built
it, else a demo store built once into a temporary folder (needs the data folder).

Usage: python benchmarks/startup.py [--db STORE] [--repeat 15] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_RATIO = 3.0
HEAVY = ("pandas", "numpy", "pyarrow", "duckdb", "plotly", "fastapi", "ibis", "uvicorn")


def reciprocity_cmd() -> list[str]:
    """The console script beside this Python, else the package's entry point."""
    script = Path(sys.executable).parent / "reciprocity"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from reciprocity.cli.app import main; main()"]


def demo_store(tmp: Path) -> Path:
    local = HERE.parent / "demo" / "reciprocity.duckdb"
    if local.exists():
        return local
    db = tmp / "demo.duckdb"
    subprocess.run([*reciprocity_cmd(), "--db", str(db), "demo", "--out", str(tmp / "out")],
                   check=True, stdout=subprocess.DEVNULL)
    return db


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    out = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    took = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {out.stderr.decode()[-2000:]}")
    return took


def heavy_modules_of_help() -> list[str]:
    """Heavy modules in sys.modules after ``--help`` has been printed."""
    code = ("import sys\nfrom reciprocity.cli.app import app\ntry:\n"
            "    app(['--help'], prog_name='reciprocity')\nexcept SystemExit:\n    pass\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return [m for m in out.stderr.strip().split(",") if m]


PHASES = """
import io, sys, time
t = [time.perf_counter()]
import duckdb
t.append(time.perf_counter())
from reciprocity.cli.app import build, modules_for
import typer.main
typer.main.get_command(build(modules_for(["dyad"])))  # Typer, Rich, dyad's command module
t.append(time.perf_counter())
from reciprocity.cli import render
from reciprocity.cli.query import _dyad_views
from reciprocity.api import Reciprocity  # the API, the dyad query and what it imports
t.append(time.perf_counter())
r = Reciprocity(sys.argv[1], read_only=True)
t.append(time.perf_counter())
res = r.dyad("USA", "JPN")
data = res.to_dict()
t.append(time.perf_counter())
render.console.file = io.StringIO()
for v in _dyad_views(res, data, res.by_year_rows, None):
    render.table(v.frame, title=v.title, caption=v.caption, columns=v.columns,
                 units=v.units, labels=v.labels)
t.append(time.perf_counter())
print(",".join(f"{b - a:.6f}" for a, b in zip(t, t[1:])))
"""
PHASE_NAMES = ("import duckdb", "the command line (Typer, Rich, dyad's command module)",
               "the API and the dyad query's modules", "opening the store",
               "the queries (SQL) and the JSON shape", "printing the tables (Rich)")

CAPTURE = """
import json, sys
from reciprocity.api import Reciprocity

class Recording:
    def __init__(self, con):
        self.con, self.sql = con, []
    def execute(self, sql, params=None):
        self.sql.append(sql)
        return self.con.execute(sql) if params is None else self.con.execute(sql, params)
    def __getattr__(self, name):
        return getattr(self.con, name)

r = Reciprocity(sys.argv[1], read_only=True)
r.store.con = rec = Recording(r.store.con)
r.dyad("USA", "JPN")
print(json.dumps(rec.sql))
"""
FLOOR = ("import duckdb, json, sys\ncon = duckdb.connect(sys.argv[1], read_only=True)\n"
         "for sql in json.load(open(sys.argv[2])):\n    con.execute(sql).fetchall()")

LIBRARIES = "import typer.main, rich.console, rich.table\n"
"""What any command of this command line loads besides DuckDB: Typer and Rich."""


def dyad_statements(db: Path) -> list[str]:
    """The SQL statements ``dyad USA JPN`` runs (parameters written in), in order."""
    out = subprocess.run([sys.executable, "-c", CAPTURE, str(db)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def phases(db: Path, repeat: int) -> dict[str, float]:
    """Where ``dyad USA JPN``'s time goes, in one process: best of ``repeat`` of each step."""
    best: dict[str, float] = {}
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", PHASES, str(db)], capture_output=True,
                             text=True, check=True)
        for name, x in zip(PHASE_NAMES, out.stdout.strip().split(","), strict=True):
            best[name] = min(best.get(name, math.inf), float(x))
    return {k: round(v, 4) for k, v in best.items()}


def _describe(db: Path) -> str:
    """"the demo store (N flows)" for a store the demo built, else its file name."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        made = con.execute("SELECT value FROM store_info WHERE key = 'created_by'").fetchone()
        flows = con.execute("SELECT count(*) FROM flows").fetchone()[0]
    finally:
        con.close()
    what = "the demo store" if made and made[0] == "demo" else f"the store {db.name}"
    return f"{what} ({flows:,} flows)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="store for dyad (default: the demo store)")
    ap.add_argument("--repeat", type=int, default=15, help="rounds of alternating runs")
    ap.add_argument("--json", type=Path, help="also write the result here")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or demo_store(Path(tmp))
        cmds = {
            "baseline": [sys.executable, "-c", "import duckdb"],
            "help": [*reciprocity_cmd(), "--help"],
            "dyad": [*reciprocity_cmd(), "--db", str(db), "dyad", "USA", "JPN"],
            "pandas_floor": [sys.executable, "-c", "import duckdb, pandas"],
        }
        statements = dyad_statements(db)
        sql_file = Path(tmp) / "dyad.sql.json"
        sql_file.write_text(json.dumps(statements))
        cmds["sql_floor"] = [sys.executable, "-c", FLOOR, str(db), str(sql_file)]
        cmds["library_floor"] = [sys.executable, "-c", LIBRARIES + FLOOR, str(db),
                                 str(sql_file)]
        load_before = os.getloadavg()[0]
        for cmd in cmds.values():  # warm the file cache once
            timed(cmd)
        runs: dict[str, list[float]] = {k: [] for k in cmds}
        names = list(cmds)
        for i in range(args.repeat):
            order = names[i % len(names):] + names[:i % len(names)]
            for name in order:
                runs[name].append(timed(cmds[name]))
        phase_times = phases(db, 5)
        store = _describe(db)  # (a store built here is gone after the with block)
    base = runs["baseline"]
    result: dict[str, object] = {
        "benchmark": "startup", "repeat": args.repeat, "target_ratio": TARGET_RATIO,
        "baseline_s": min(base), "baseline_median_s": statistics.median(base),
        "store": store,
        "dyad_phases_s": phase_times,
        "dyad_statements": len(statements),
        "help_imports_heavy": heavy_modules_of_help(),
        "measured": f"{datetime.now(UTC):%Y-%m-%d}",
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "cores": os.cpu_count(),
        "machine": f"{platform.system()} {platform.release()}; Python "
                   f"{platform.python_version()}",
    }
    for name in ("help", "dyad", "pandas_floor", "sql_floor", "library_floor"):
        paired = [t / b for t, b in zip(runs[name], base, strict=True)]
        result[name] = {
            "best_s": min(runs[name]), "median_s": statistics.median(runs[name]),
            "ratio_best": round(min(runs[name]) / min(base), 2),
            "ratio_paired_median": round(statistics.median(paired), 2),
            "paired": [round(x, 2) for x in paired],
        }
    text = json.dumps(result, indent=2)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
