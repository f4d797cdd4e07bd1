"""Benchmark: what PatentsView's row checks (NUL scan, repeated rows) add to an ingest.

Usage: python benchmarks/patentsview_checks.py [--citations 2e6] [--repeat 3] [--json OUT]
       [--data DIR]

On synthetic tables as PatentsView publishes them (``synth_patentsview.py``, TSV in zips;
generated once into ``--data``), the whole ingest (``Store.ingest(SOURCE, DIR)`` into
a new store) runs with the checks and, as the baseline in the same process, without them
(the NUL scan replaced by a plain copy, the repeat check by nothing), alternating; the best
run of each counts. ``ratio`` = with ÷ without (1.0: the checks cost nothing).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _ingest(data: Path, checks: bool) -> float:
    from reciprocity.sources import patentsview_rows as rows
    from reciprocity.sources.patentsview import SOURCE
    from reciprocity.store.db import Store

    saved = rows.copy_checked, rows.scan_file, rows.refuse_repeated
    if not checks:
        rows.copy_checked = lambda src, out, where: shutil.copyfileobj(src, out, rows.CHUNK)
        rows.scan_file = lambda path, where=None: None
        rows.refuse_repeated = lambda *args, **kwargs: None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "s.duckdb")
            start = time.perf_counter()
            store.ingest(SOURCE, data)
            took = time.perf_counter() - start
            store.close()
    finally:
        rows.copy_checked, rows.scan_file, rows.refuse_repeated = saved
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--citations", type=float, default=2e6)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    n = int(args.citations)
    data = args.data or HERE / "results" / "data" / f"patentsview-tsv-{n}"
    if not data.exists():
        subprocess.run([sys.executable, str(HERE / "synth_patentsview.py"), str(data),
                        "--citations", str(n), "--format", "tsv"], check=True,
                       stdout=subprocess.DEVNULL)
    with_checks, without = [], []
    for _ in range(args.repeat):
        without.append(_ingest(data, checks=False))
        with_checks.append(_ingest(data, checks=True))
    result = {"benchmark": "patentsview_checks", "citations": n, "repeat": args.repeat,
              "with_checks_s": round(min(with_checks), 3),
              "without_checks_s": round(min(without), 3),
              "ratio": round(min(with_checks) / min(without), 3),
              "runs_with_s": [round(x, 3) for x in with_checks],
              "runs_without_s": [round(x, 3) for x in without]}
    text = json.dumps(result, indent=1)
    if args.json:
        args.json.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
