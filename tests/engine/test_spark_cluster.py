"""The patent channel on a standalone Spark cluster, run as a user runs it.

A master and one worker (two cores, 1 GB) are started on 127.0.0.1 on free ports with the
``spark-class`` launcher pyspark ships (``benchmarks/spark_cluster.py``, the commands of
docs/patents.md); the synthetic PatentsView tables, zipped as PatentsView publishes them, are
ingested by the ``reciprocity`` command in a process of its own with ``--engine spark
--spark-master spark://127.0.0.1:PORT``, and again with DuckDB. The master's JSON API must list
the finished ``reciprocity`` application with the executor memory of ``--memory-limit``; the
ingest must say it ran there with the shuffle partitions of ``$RECIPROCITY_SPARK_PARTITIONS``
(two: the input is tiny); the two stores must hold the same flows. The fixture's finaliser
stops the cluster, also when the test fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from bench_helpers import bench_module

CITATIONS = 3000


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime for Spark")
    spark_cluster = bench_module("spark_cluster")
    with spark_cluster.standalone(tmp_path_factory.mktemp("cluster"), cores=2,
                                  memory="1g") as running:
        yield running


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    bench_module("synth_patentsview").generate(out, CITATIONS, seed=1, fmt="tsv")
    return out


def _ingest(db: Path, data: Path, *args: str, **env_vars: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("RECIPROCITY_", "PYSPARK_"))}
    env.update(COLUMNS="200", **env_vars)
    return subprocess.run(
        [sys.executable, "-c", "import sys; from reciprocity.cli.app import main; "
         "main(sys.argv[1:])", "--db", str(db), "ingest", "patentsview", str(data), *args],
        capture_output=True, text=True, timeout=600, env=env)


def _flows(db: Path) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        frame = con.sql("SELECT channel, origin, destination, year, area, magnitude, unit, "
                        "mode, is_estimated, record_id FROM flows").df()
    return frame.sort_values(["channel", "record_id"]).reset_index(drop=True)


def test_patent_flows_on_a_standalone_cluster_equal_duckdb(
        cluster, synth_dir: Path, tmp_path: Path) -> None:
    spark = _ingest(tmp_path / "spark.duckdb", synth_dir, "--engine", "spark",
                    "--spark-master", cluster.master_url, "--memory-limit", "512MB",
                    "--temp-dir", str(tmp_path / "temp"), "--unpack-dir",
                    str(tmp_path / "unpack"), RECIPROCITY_SPARK_PARTITIONS="2")
    assert spark.returncode == 0, spark.stdout + spark.stderr + cluster.logs()
    # the ingest says where it ran: on the cluster, with the partitions set (not Spark's 200)
    assert f"Spark {cluster.master_url}: 2 cores, 2 shuffle partitions, executors 512m" in (
        spark.stderr), spark.stderr
    apps = [a for a in cluster.applications() if a["name"] == "reciprocity"]
    assert [a["state"] for a in apps] == ["FINISHED"], cluster.state()
    assert apps[0]["memoryperslave"] == 512  # executors got --memory-limit
    assert not any((tmp_path / "unpack").iterdir()), "the unpacked tables are removed"

    duck = _ingest(tmp_path / "duck.duckdb", synth_dir)
    assert duck.returncode == 0, duck.stdout + duck.stderr
    a, b = _flows(tmp_path / "spark.duckdb"), _flows(tmp_path / "duck.duckdb")
    assert len(a) > 1000 and set(a["channel"]) == {"patent_citation", "coinvention",
                                                   "patent_ownership"}
    pd.testing.assert_frame_equal(a, b, check_exact=True)
