"""Experiment: ``dyad USA JPN`` in a new process, this tree against an earlier one, paired.

The earlier tree's ``src`` (e.g. ``git archive REV src | tar -x -C DIR``) goes first on
``PYTHONPATH``; both run the same interpreter, store and arguments, alternating with
``python -c "import duckdb"`` (the baseline of ``benchmarks/startup.py``), the order rotating.

Usage: python benchmarks/startup_before_after.py --before DIR/src --db STORE [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

CLI = ("import sys; from reciprocity.cli.app import main; sys.argv[0] = 'reciprocity'; "
       "sys.exit(main())")


def timed(cmd: list[str], pythonpath: Path | None = None) -> float:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, required=True, help="the earlier tree's src folder")
    ap.add_argument("--db", type=Path, required=True, help="the store dyad reads")
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    if not (args.before / "reciprocity").is_dir() or not args.db.is_file():
        print("--before must hold reciprocity/ and --db must be a store", file=sys.stderr)
        return 2
    dyad = [sys.executable, "-c", CLI, "--db", str(args.db), "dyad", "USA", "JPN"]
    runs = {"before": lambda: timed(dyad, args.before), "after": lambda: timed(dyad),
            "duckdb": lambda: timed([sys.executable, "-c", "import duckdb"])}
    for run in runs.values():
        run()  # warm
    load = os.getloadavg()[0]
    got: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for i in range(args.repeat):
        for name in names[i % 3:] + names[:i % 3]:
            got[name].append(runs[name]())

    def line(name: str) -> str:
        xs = got[name]
        paired = statistics.median(x / d for x, d in zip(xs, got["duckdb"], strict=True))
        return (f"{name}: best {min(xs) * 1000:.0f} ms, median {statistics.median(xs) * 1000:.0f}"
                f" ms; ÷ import duckdb best {min(xs) / min(got['duckdb']):.2f}, "
                f"paired median {paired:.2f}")

    print(line("duckdb"), line("before"), line("after"), sep="\n")
    ratio = statistics.median(a / b for a, b in zip(got["after"], got["before"], strict=True))
    print(f"after ÷ before, paired median {ratio:.2f}; load average {load:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
