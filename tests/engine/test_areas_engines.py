"""Every defence area on both engines: the synthetic tables (defence CPC classes drawn) ingested
with DuckDB and with Spark (local mode) into two stores answer ``dyad USA JPN --channel
patent_citation --area A`` with flows, and with equal figures, for each defence area."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from reciprocity.queries.dyad import dyad
from reciprocity.sources import registry
from reciprocity.store.db import Store

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
# the areas cpc_areas.csv places defence classes in (hypersonics has no CPC class of its own)
DEFENCE_AREAS = ("aerospace", "space", "naval_shipbuilding", "missiles_propulsion",
                 "guns_artillery", "land_systems", "uncrewed_systems", "directed_energy",
                 "sensors_radar", "pnt")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.spec_from_file_location("synth_patentsview",
                                                  BENCH / "synth_patentsview.py")
    assert spec and spec.loader
    synth = importlib.util.module_from_spec(spec)
    sys.modules["synth_patentsview"] = synth
    spec.loader.exec_module(synth)
    out = tmp_path_factory.mktemp("synth") / "pv"
    # defence classes 25 times as common as in the benchmark, so that 4,300 patents reach
    # every defence area with U.S.–Japanese citations
    synth.generate(out, 60_000, seed=3, fmt="parquet", defence_scale=25)
    return out


def _ingest(data: Path, engine: str, tmp: Path) -> Store:
    store = Store(tmp / f"{engine}.duckdb")
    store.ingest(registry.get("patentsview"), data,
                 options={"engine": engine, "temp_dir": str(tmp)})
    return store


@pytest.fixture(scope="module")
def stores(synthetic: Path, tmp_path_factory: pytest.TempPathFactory):
    duck = _ingest(synthetic, "duckdb", tmp_path_factory.mktemp("duck"))
    yield duck
    duck.close()


def test_every_defence_area_has_flows_in_every_channel(stores) -> None:
    duck = stores
    got = duck.query("SELECT channel, area, sum(fractional_count) AS f "
                     "FROM patent_flow_records GROUP BY ALL")
    for channel in ("patent_citation", "coinvention", "patent_ownership"):
        areas = set(got.loc[(got["channel"] == channel) & (got["f"] > 0), "area"])
        assert set(DEFENCE_AREAS) <= areas, (channel, set(DEFENCE_AREAS) - areas)
    for area in DEFENCE_AREAS:
        d = dyad(duck, "USA", "JPN", channel="patent_citation", area=area)
        totals = d.summary().iloc[0]
        assert totals["flow_ab"] > 0 and totals["flow_ba"] > 0, area


def test_duckdb_and_spark_answer_each_defence_area_alike(
        synthetic: Path, stores, tmp_path: Path) -> None:
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime for Spark")
    os.environ.setdefault("RECIPROCITY_SPARK_PARTITIONS", "2")
    duck = stores
    spark = _ingest(synthetic, "spark", tmp_path)
    try:
        sql = ("SELECT channel, area, count(*) AS n, sum(patents) AS patents, "
               "round(sum(fractional_count), 6) AS f FROM patent_flow_records "
               "GROUP BY ALL ORDER BY ALL")
        pd.testing.assert_frame_equal(duck.query(sql), spark.query(sql))
        for area in DEFENCE_AREAS:
            a = dyad(duck, "USA", "JPN", channel="patent_citation", area=area).summary()
            b = dyad(spark, "USA", "JPN", channel="patent_citation", area=area).summary()
            assert a["flow_ab"].iloc[0] > 0, area
            pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)
        sql = ("SELECT country, area, period_start, patents, round(patents_fractional, 9) "
               "AS p, round(rta, 9) AS rta FROM patent_country_areas ORDER BY ALL")
        pd.testing.assert_frame_equal(duck.query(sql), spark.query(sql))
    finally:
        spark.close()
