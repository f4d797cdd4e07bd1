"""Benchmark: SIPRI ingest and a warm ``dyad`` query, each against a baseline in the same run.

- ingest ratio = full ingest (read, parse, validate, archive, insert) / plain ``csv``-module
  read of the same file; target ≤ 5.
- the floor of any ingest into a DuckDB file: DuckDB's own CSV reader loading the same rows,
  as text and unparsed, into a new database file (``CREATE TABLE AS SELECT * FROM
  read_csv(…)``), as a ratio to the same plain read; and the full ingest as a ratio to it.
- dyad: a warm ``dyad USA JPN`` through the API, in milliseconds (target < 50 ms), and as a
  ratio to one hand-written DuckDB aggregate of the same flows on the same connection.

Usage: python benchmarks/ingest_dyad.py [--register FILE] [--repeat N] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from reciprocity.api import Reciprocity

DEFAULT = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "raw"
           / "sipri_trade_register" / "trade-register.csv")


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def plain_read(path: Path) -> int:
    with open(path, encoding="latin-1", newline="") as fh:
        return sum(1 for _ in csv.reader(fh))


def duckdb_load(path: Path, target: Path) -> None:
    """DuckDB's own CSV reader: the file's rows, as text, into a new database file."""
    import duckdb

    con = duckdb.connect(str(target))
    try:
        con.execute("CREATE TABLE raw AS SELECT * FROM read_csv(?, skip = 11, header = true, "
                    "all_varchar = true, encoding = 'latin-1')", [str(path)])
    finally:
        con.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--register", type=Path, default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if not args.register.is_file():
        print(f"register not found: {args.register} (pass --register FILE)", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp())
    counter = iter(range(10_000))

    def ingest() -> None:
        with Reciprocity(tmp / f"b{next(counter)}.duckdb") as r:
            r.ingest("sipri", args.register)

    from reciprocity.sources.sipri import SOURCE

    plain_read(args.register)  # warm the page cache
    baseline_s = best_of(lambda: plain_read(args.register), args.repeat)
    parse_s = best_of(lambda: SOURCE.read(args.register), args.repeat)
    ingest_s = best_of(ingest, args.repeat)
    load_s = best_of(lambda: duckdb_load(args.register, tmp / f"l{next(counter)}.duckdb"),
                     args.repeat)

    with Reciprocity(tmp / "warm.duckdb") as r:
        r.ingest("sipri", args.register)
        r.dyad("USA", "JPN")
        dyad_times = []
        for _ in range(args.repeat * 10):
            t0 = time.perf_counter()
            r.dyad("USA", "JPN")
            dyad_times.append(time.perf_counter() - t0)
        sql = ("SELECT year, sum(magnitude) FILTER (WHERE origin='USA') AS ab, "
               "sum(magnitude) FILTER (WHERE origin='JPN') AS ba FROM flows "
               "WHERE (origin='USA' AND destination='JPN') OR (origin='JPN' AND destination='USA')"
               " GROUP BY year")
        sql_times = []
        for _ in range(args.repeat * 10):
            t0 = time.perf_counter()
            r.store.con.execute(sql).df()
            sql_times.append(time.perf_counter() - t0)
    dyad_ms = statistics.median(dyad_times) * 1000
    sql_ms = statistics.median(sql_times) * 1000
    result = {
        "benchmark": "ingest_dyad",
        "register": str(args.register.name),
        "register_bytes": args.register.stat().st_size,
        "csv_read_s": round(baseline_s, 4),
        "ingest_s": round(ingest_s, 4),
        "ingest_ratio_vs_csv_read": round(ingest_s / baseline_s, 2),
        "ingest_target_ratio": 5.0,
        "duckdb_load_s": round(load_s, 4),
        "duckdb_load_ratio_vs_csv_read": round(load_s / baseline_s, 2),
        "ingest_ratio_vs_duckdb_load": round(ingest_s / load_s, 2),
        "parse_s": round(parse_s, 4),
        "parse_ratio_vs_csv_read": round(parse_s / baseline_s, 2),
        "ingest_parts": {"reading and checking the file (SIPRI reader)": round(parse_s, 4),
                         "opening the store, archiving, writing and committing":
                             round(max(ingest_s - parse_s, 0.0), 4)},
        "dyad_warm_ms": round(dyad_ms, 2),
        "dyad_target_ms": 50.0,
        "sql_aggregate_ms": round(sql_ms, 2),
        "dyad_ratio_vs_sql": round(dyad_ms / sql_ms, 2),
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
                   f"{platform.python_version()}",
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
