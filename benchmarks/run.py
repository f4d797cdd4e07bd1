"""Run every benchmark and write BENCHMARKS.md (one command: ``make bench``).

Each benchmark is a script that prints one JSON object; figures are ratios against a baseline
measured in the same run, because this machine is shared and noisy.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    ("ingest_dyad", [sys.executable, str(HERE / "ingest_dyad.py"), "--repeat", "5"]),
]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{os.cpu_count()} cores ({cpu}){mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


def main() -> int:
    results = []
    for name, cmd in BENCHMARKS:
        print(f"running {name} …", file=sys.stderr)
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            return out.returncode
        results.append(json.loads(out.stdout))
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = ["# Benchmarks", "",
             f"Measured {datetime.now(UTC):%Y-%m-%d} with `make bench` on: {machine()}.",
             "The machine is shared and noisy, so every figure is a ratio against a baseline "
             "measured in the same run; absolute times are shown for orientation only.", ""]
    for r in results:
        if r["benchmark"] == "ingest_dyad":
            ok_ingest = r["ingest_ratio_vs_csv_read"] <= r["ingest_target_ratio"]
            ok_dyad = r["dyad_warm_ms"] < r["dyad_target_ms"]
            lines += [
                "## SIPRI ingest and warm `dyad` (`benchmarks/ingest_dyad.py`)", "",
                f"Input: the full SIPRI trade register ({r['register_bytes']:,} bytes).", "",
                "| measure | value | baseline | ratio | target | met |",
                "| --- | --- | --- | --- | --- | --- |",
                f"| full ingest (parse, validate, archive, commit) | {r['ingest_s']:.3f} s "
                f"| plain `csv` read {r['csv_read_s']:.3f} s | {r['ingest_ratio_vs_csv_read']}× "
                f"| ≤ {r['ingest_target_ratio']}× | {'yes' if ok_ingest else 'no'} |",
                f"| warm `dyad USA JPN` (API) | {r['dyad_warm_ms']:.1f} ms "
                f"| one SQL aggregate {r['sql_aggregate_ms']:.1f} ms | {r['dyad_ratio_vs_sql']}× "
                f"| < {r['dyad_target_ms']:.0f} ms | {'yes' if ok_dyad else 'no'} |",
                "",
            ]
            if "ingest_parts" in r:
                lines += ["Where the ingest time goes (best run): " + ", ".join(
                    f"{k} {v:.3f} s" for k, v in r["ingest_parts"].items()) + ".", ""]
    (HERE.parent / "BENCHMARKS.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
