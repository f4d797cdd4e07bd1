"""Benchmark: what placing patents in technology areas from their CPC classes costs.

Usage: python benchmarks/patent_areas_cost.py --citations N [--repeat 3] [--json OUT]

On the benchmark's generated input (``patents.py``'s, generated once), the patent pipeline
(``reciprocity.engine.patents.run`` on DuckDB, files → all results) runs with the areas from
CPC classes and without them (every patent with its WIPO field's area, weight 1), alternating,
each run in a fresh process. ``ratio`` = with ÷ without (best ÷ best), ``paired_median`` the
median of the ratios within each repeat; ``area_stage_s`` is the stage that places the patents.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def once(data: Path, with_areas: bool, memory_limit: str) -> dict:
    """One run of the pipeline: its seconds and the area stage's."""
    from reciprocity import engine
    from reciprocity.engine import patents as pipeline
    from reciprocity.sources import patentsview as pv

    stages: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="pv-areas-") as tmp:
        con = engine.connect("duckdb", memory_limit=memory_limit, temp_dir=tmp)
        tables = pipeline.load(con, pv.locate(data))
        t0 = time.perf_counter()
        pipeline.run(con, tables, pv.country_codes(), cpc_field=pv.cpc_field(),
                     cpc_area=pv.cpc_area() if with_areas else None,
                     field_areas=pv.field_areas(),
                     stage=lambda name: stages.append((name, time.perf_counter())))
        seconds = time.perf_counter() - t0
        con.disconnect()
    ends = [at for _, at in stages[1:]] + [t0 + seconds]
    took = {name: end - at for (name, at), end in zip(stages, ends, strict=True)}
    return {"seconds": seconds, "area_stage_s": took.get("technology areas from CPC classes")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--citations", type=float, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--memory-limit", default="4GB")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--phase", choices=("with", "without"), help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.phase:
        print(json.dumps(once(args.data, args.phase == "with", args.memory_limit)))
        return 0
    sys.path.insert(0, str(HERE))
    import patents  # the benchmark's input, generated once

    data = patents.ensure_input(int(args.citations), args.seed, patents.DEFAULT_DATA,
                                args.memory_limit)
    runs: dict[str, list[dict]] = {"with": [], "without": []}
    for _ in range(args.repeat):
        for phase in ("with", "without"):
            out = subprocess.run([sys.executable, __file__, "--citations", str(args.citations),
                                  "--phase", phase, "--data", str(data),
                                  "--memory-limit", args.memory_limit],
                                 capture_output=True, text=True, check=True)
            runs[phase].append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = {k: min(r["seconds"] for r in v) for k, v in runs.items()}
    paired = [a["seconds"] / b["seconds"] for a, b in zip(runs["with"], runs["without"],
                                                          strict=True)]
    result = {
        "benchmark": "patent_areas_cost", "citations": int(args.citations),
        "with_areas_s": round(best["with"], 2), "without_areas_s": round(best["without"], 2),
        "ratio": round(best["with"] / best["without"], 3),
        "paired_ratios": [round(r, 3) for r in paired],
        "paired_median": round(statistics.median(paired), 3),
        "area_stage_s": [round(r["area_stage_s"], 2) for r in runs["with"]],
        "measured": time.strftime("%Y-%m-%d %H:%M"),
        "machine": patents.machine(),
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
