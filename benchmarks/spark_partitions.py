"""Shuffle partitions on a standalone Spark cluster: Spark's default 200 against ours.

Usage: python benchmarks/spark_partitions.py [--citations 1e5] [--repeat 2] [--json FILE]

Starts a master and one worker on 127.0.0.1 (``benchmarks/spark_cluster.py``; the worker gets
the machine's cores, at most 4, and 2 GB), writes the synthetic PatentsView tables
(``synth_patentsview.py``, Parquet), and times the whole ``reciprocity ingest patentsview
--engine spark --spark-master spark://…`` into a fresh store, each run in a process of its
own: once with ``RECIPROCITY_SPARK_PARTITIONS=200`` (what a cluster got before the setting
applied there: Spark's default) and once with the default (4 per core). The two alternate
``--repeat`` times, since the machine may be shared; the ratio is given as best ÷ best and
as the median of the ratios within each repeat.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

import spark_cluster
import synth_patentsview

CONFIGS = {"spark_default_200": "200", "reciprocity_default": None}


def ingest(data: Path, master: str, partitions: str | None, work: Path) -> float:
    """Seconds of one ingest into a fresh store (raises with the output if it fails)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECIPROCITY_")}
    env["COLUMNS"] = "200"  # the engine line unwrapped
    if partitions:
        env["RECIPROCITY_SPARK_PARTITIONS"] = partitions
    db = Path(tempfile.mkdtemp(dir=work)) / "store.duckdb"
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from reciprocity.cli.app import main; "
         "main(sys.argv[1:])", "--db", str(db), "ingest", "patentsview", str(data),
         "--engine", "spark", "--spark-master", master, "--memory-limit", "1GB",
         "--temp-dir", str(work / "temp")],
        capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"ingest failed ({partitions=}):\n{done.stdout}\n{done.stderr}")
    line = next((x for x in done.stderr.splitlines() if "shuffle partitions" in x), "")
    print(f"  {elapsed:6.1f} s  {line.strip()}", flush=True)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--citations", type=float, default=1e5)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    cores = max(1, min(4, os.cpu_count() or 1))
    with tempfile.TemporaryDirectory(prefix="spark-partitions-") as tmp:
        work = Path(tmp)
        data = work / "data"
        synth_patentsview.generate(data, int(args.citations), seed=1, fmt="parquet")
        times: dict[str, list[float]] = {name: [] for name in CONFIGS}
        with spark_cluster.standalone(work / "cluster", cores=cores, memory="2g") as cluster:
            print(f"cluster {cluster.master_url}: 1 worker, {cores} cores", flush=True)
            for _ in range(args.repeat):
                for name, partitions in CONFIGS.items():
                    times[name].append(ingest(data, cluster.master_url, partitions, work))
    slow, fast = times["spark_default_200"], times["reciprocity_default"]
    result = {
        "citations": int(args.citations), "cores": cores, "repeat": args.repeat,
        "seconds": times,
        "ratio_best": min(slow) / min(fast),
        "paired_ratio_median": statistics.median(s / f for s, f in zip(slow, fast,
                                                                         strict=True)),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
