"""Experiment: would a designation key stored at ingest make the ``diff`` summary faster?

``reciprocity diff`` matches SIPRI records on a designation compared without case, spaces or
punctuation, computed in the matching statement (``regexp_replace(lower(designation), …)``)
for both vintages. This script measures the alternative a colleague proposed: the key stored
as a column of the record table (here added to a copy of the store and filled by the same
expression, as an ingest would) and read by the statement instead of computed. The same
process and store; the two variants alternate, each repeat paired; the answers are checked
to be equal.

Usage: python benchmarks/diff_stored_key.py [--new FILE] [--old FILE] [--repeat 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

RAW = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "raw"
NEW = RAW / "sipri_trade_register" / "trade-register.csv"
OLD = RAW / "sipri_register_2025" / "trade-register.csv"
COMPUTED = "regexp_replace(lower(\"designation\"), '[^\\p{L}\\p{N}]+', '', 'g')"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--new", type=Path, default=NEW)
    ap.add_argument("--old", type=Path, default=OLD)
    ap.add_argument("--repeat", type=int, default=9)
    args = ap.parse_args()
    for path in (args.new, args.old):
        if not path.is_file():
            print(f"register not found: {path} (pass --new/--old FILE)", file=sys.stderr)
            return 2

    from reciprocity.queries import diff as module
    from reciprocity.sources.sipri import SOURCE
    from reciprocity.store.db import Store

    db = Path(tempfile.mkdtemp()) / "diff.duckdb"
    with Store(db) as store:
        store.ingest(SOURCE, args.new)
        store.ingest(SOURCE, args.old)
        store.con.execute("ALTER TABLE sipri_transfers ADD COLUMN designation_key VARCHAR")
        store.con.execute(f"UPDATE sipri_transfers SET designation_key = {COMPUTED}")
    store = Store(db, read_only=True)
    computed_sql = module._matching_sql

    def stored_sql(*a: object, **k: object) -> tuple[str, dict]:
        sql, params = computed_sql(*a, **k)
        if COMPUTED not in sql:
            raise SystemExit("the matching statement no longer computes the key as expected")
        return sql.replace(COMPUTED, '"designation_key"'), params

    def run(variant) -> tuple[float, dict]:
        module._matching_sql = variant
        t0 = time.perf_counter()
        got = module.compare(store, "sipri").to_dict()
        return time.perf_counter() - t0, got

    run(computed_sql), run(stored_sql)  # warm
    load = os.getloadavg()[0]
    computed, stored, ratios = [], [], []
    for i in range(args.repeat):
        order = (computed_sql, stored_sql) if i % 2 else (stored_sql, computed_sql)
        got = {v: run(v) for v in order}
        if got[computed_sql][1] != got[stored_sql][1]:
            raise SystemExit("the stored key changes the answer")
        computed.append(got[computed_sql][0])
        stored.append(got[stored_sql][0])
        ratios.append(got[stored_sql][0] / got[computed_sql][0])
    print(f"summary, key computed: best {min(computed) * 1000:.0f} ms, "
          f"median {statistics.median(computed) * 1000:.0f} ms")
    print(f"summary, key stored:   best {min(stored) * 1000:.0f} ms, "
          f"median {statistics.median(stored) * 1000:.0f} ms")
    print(f"stored ÷ computed, paired median {statistics.median(ratios):.2f} "
          f"({', '.join(f'{r:.2f}' for r in ratios)}); load average {load:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
