"""Benchmark: the ``diff`` summary of two full SIPRI registers against DuckDB's own join.

Both registers (May 2026 and March 2025) are ingested once into a new store. Then, in the same
process and on the same connection, each going first in turn:

- ``summary``: ``compare(store, "sipri")``, what ``reciprocity diff sipri`` prints: records
  matched (designations normalised, several records of a key paired in order), counts by kind
  and changed field, totals per supplier and recipient, the 50 largest changes with their
  values;
- ``join`` (the baseline): DuckDB's plain full outer join of the two vintages' record tables
  on the record key (supplier, recipient, order year, designation), every column of both,
  delivered to Python as an Arrow table (as the summary delivers its answer);
- ``join kept``: the same join run to completion but its result kept inside DuckDB (not
  delivered): the strictest floor, shown beside the target's ratio.

Target: summary ÷ join ≤ 3, by the best runs and by the median of the ratio within each
repeat (paired: the runs of a repeat see the same load on this shared machine). For
orientation: summary ÷ join kept, the full list (``reciprocity.diff``: every change with its
values), the join's row count alone, and the whole command ``reciprocity diff sipri`` in a
new process.

(Since DuckDB 1.4, ``.arrow()`` on a result returns an unread ``RecordBatchReader``, not a
table; the join is read to its end here, or it would be the join kept.)

Usage: python benchmarks/diff.py [--new FILE] [--old FILE] [--repeat N] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

RAW = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "raw"
NEW = RAW / "sipri_trade_register" / "trade-register.csv"
OLD = RAW / "sipri_register_2025" / "trade-register.csv"
TARGET = 3.0


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--new", type=Path, default=NEW, help="the newer register")
    ap.add_argument("--old", type=Path, default=OLD, help="the older register")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    for path in (args.new, args.old):
        if not path.is_file():
            print(f"register not found: {path} (pass --new/--old FILE)", file=sys.stderr)
            return 2
    if args.repeat < 3:
        print("--repeat must be at least 3", file=sys.stderr)
        return 2

    from reciprocity.queries.diff import compare, diff
    from reciprocity.sources.sipri import SOURCE
    from reciprocity.store.db import Store

    db = Path(tempfile.mkdtemp()) / "diff.duckdb"
    with Store(db) as store:
        store.ingest(SOURCE, args.new)
        store.ingest(SOURCE, args.old)

    store = Store(db, read_only=True)
    first = compare(store, "sipri")
    old, new = first.from_vintage, first.to_vintage
    key = ", ".join(SOURCE.record_key)
    table = SOURCE.record_table.name
    join_sql = (f"SELECT * FROM (SELECT * FROM {table} WHERE vintage_id = $old) a "
                f"FULL JOIN (SELECT * FROM {table} WHERE vintage_id = $new) b USING ({key})")
    count_sql = f"SELECT count(*) FROM ({join_sql})"
    params = {"old": old, "new": new}
    join_rows = store.con.execute(count_sql, params).fetchone()[0]

    def join() -> None:
        delivered = store.con.execute(join_sql, params).arrow()
        if hasattr(delivered, "read_all"):  # DuckDB ≥ 1.4: a reader, read to its end
            delivered.read_all()

    def join_kept() -> None:
        store.con.execute(join_sql, params)

    def summary() -> None:
        compare(store, "sipri")

    join()  # warm
    load_before = os.getloadavg()[0]
    runs: dict[str, list[float]] = {"summary": [], "join": [], "join_kept": []}
    steps = [("summary", summary), ("join", join), ("join_kept", join_kept)]
    for i in range(args.repeat):
        for name, fn in steps[i % 3:] + steps[:i % 3]:  # each goes first in turn
            runs[name].append(timed(fn))
    summary_s, join_s, kept_s = runs["summary"], runs["join"], runs["join_kept"]
    ratios = [s / j for s, j in zip(summary_s, join_s, strict=True)]
    kept_ratios = [s / k for s, k in zip(summary_s, kept_s, strict=True)]
    parts = _parts(store, compare, args.repeat)
    full_s = min(timed(lambda: diff(store, "sipri")) for _ in range(3))
    count_s = min(timed(lambda: store.con.execute(count_sql, params).fetchone())
                  for _ in range(args.repeat))
    store.close()

    cli = [str(Path(sys.executable).with_name("reciprocity")), "--db", str(db), "diff", "sipri"]
    cli_s, cli_lines = [], 0
    for _ in range(3):
        t0 = time.perf_counter()
        out = subprocess.run(cli, capture_output=True, text=True, check=False,
                             env={**os.environ, "COLUMNS": "160"})
        if out.returncode != 0:
            print(out.stdout[-2000:], out.stderr[-2000:], file=sys.stderr)
            return 1
        cli_s.append(time.perf_counter() - t0)
        cli_lines = len(out.stdout.splitlines())

    best = min(summary_s) / min(join_s)
    median = statistics.median(ratios)
    result = {
        "benchmark": "diff",
        "measured": f"{datetime.now(UTC):%Y-%m-%d}",
        "new": f"{args.new.parent.name}/{args.new.name}",
        "old": f"{args.old.parent.name}/{args.old.name}",
        "from": old, "to": new,
        "counts": first.counts,
        "designation_spelling": first.groups["designation_spelling"],
        "join_rows": join_rows,
        "summary_s": [round(x, 4) for x in summary_s],
        "join_s": [round(x, 4) for x in join_s],
        "summary_best_s": round(min(summary_s), 4),
        "join_best_s": round(min(join_s), 4),
        "ratio_best": round(best, 2),
        "paired_ratios": [round(x, 2) for x in ratios],
        "paired_ratio_median": round(median, 2),
        "target_ratio": TARGET,
        "join_kept_s": [round(x, 4) for x in kept_s],
        "join_kept_best_s": round(min(kept_s), 4),
        "ratio_kept_best": round(min(summary_s) / min(kept_s), 2),
        "paired_kept_ratios": [round(x, 2) for x in kept_ratios],
        "paired_kept_ratio_median": round(statistics.median(kept_ratios), 2),
        "met": best <= TARGET and median <= TARGET,
        "summary_parts_s": parts,
        "full_list_s": round(full_s, 4),
        "join_count_s": round(count_s, 4),
        "cli_best_s": round(min(cli_s), 3),
        "cli_lines": cli_lines,
        "repeat": args.repeat,
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "cores": os.cpu_count(),
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
                   f"{platform.python_version()}",
    }
    with Store(db, read_only=True) as s:
        rows = dict(s.con.execute(f"SELECT vintage_id, count(*) FROM {table} GROUP BY 1")
                    .fetchall())
    result["records"] = {"old": rows[old], "new": rows[new]}
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


class _Timed:
    """A connection that times each statement it runs (for where the summary's time goes)."""

    def __init__(self, con) -> None:
        self.con, self.times = con, []

    def execute(self, sql, params=None):
        t0 = time.perf_counter()
        out = self.con.execute(sql, params)
        self.times.append((sql.lstrip()[:9], time.perf_counter() - t0))
        if sql.lstrip().startswith("WITH a "):
            self.matching = (sql, params)
        return out

    def __getattr__(self, name):
        return getattr(self.con, name)


def _parts(store, compare, repeat: int) -> dict[str, float]:
    """Best over ``repeat`` runs of: the matching statement, the totals statement, and the
    rest (choosing the vintages, credit lines, shaping the result in Python); and of the
    matching statement's planning alone."""
    con = store.con
    best: dict[str, float] = {}
    try:
        for _ in range(repeat):
            store.con = timed_con = _Timed(con)
            t0 = time.perf_counter()
            compare(store, "sipri")
            whole = time.perf_counter() - t0
            match = sum(t for head, t in timed_con.times if head.startswith("WITH a "))
            totals = sum(t for head, t in timed_con.times if head.startswith("WITH c "))
            run = {"matching statement": match, "totals statement": totals,
                   "the rest (vintages, credits, Python)": whole - match - totals}
            best = {k: min(v, best.get(k, v)) for k, v in run.items()}
        # of the matching statement, its planning alone (DuckDB binds and optimises the
        # statement, then EXPLAIN stops): the part that does not grow with the registers
        sql, params = timed_con.matching
        best["of which planning the matching statement (EXPLAIN)"] = min(
            timed(lambda: con.execute("EXPLAIN " + sql, params).fetchall())
            for _ in range(repeat))
    finally:
        store.con = con
    return {k: round(v, 4) for k, v in best.items()}


if __name__ == "__main__":
    sys.exit(main())
