"""One pipeline, two engines: the same fixture through DuckDB and Spark gives the same results.

Spark runs in local mode, started once for the session (it takes a few seconds to start). The
RTA arithmetic is checked by hand on DuckDB with the floor lowered.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from reciprocity import engine
from reciprocity.engine import patents as pipeline
from reciprocity.sources import patentsview

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "patentsview"


@pytest.fixture(scope="module")
def pv_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made fixture as PatentsView publishes it (one TSV per zip)."""
    target = tmp_path_factory.mktemp("pv")
    for tsv in FIXTURE.glob("*.tsv"):
        with zipfile.ZipFile(target / f"{tsv.stem}.tsv.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            zf.write(tsv, tsv.name)
    return target


def read(pv_dir: Path, engine_name: str, tmp: Path):
    return patentsview.SOURCE.read(pv_dir, options={"engine": engine_name, "temp_dir": tmp})


@pytest.fixture(scope="module")
def duckdb_result(pv_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    return read(pv_dir, "duckdb", tmp_path_factory.mktemp("duck"))


@pytest.fixture(scope="module")
def spark_result(pv_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime for Spark")
    # a tiny fixture: one shuffle partition instead of eight saves Spark most of its tasks
    os.environ.setdefault("RECIPROCITY_SPARK_PARTITIONS", "1")
    return read(pv_dir, "spark", tmp_path_factory.mktemp("spark"))


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    keys = [c for c in a.columns if a[c].dtype == object or c in ("year", "wipo_field",
                                                                  "period_start", "record_id")]
    a = a.sort_values(keys, na_position="first").reset_index(drop=True)
    b = b.sort_values(keys, na_position="first").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=True)


def test_duckdb_and_spark_give_identical_results(duckdb_result, spark_result) -> None:
    for name in duckdb_result.records:
        _same(duckdb_result.records[name], spark_result.records[name])
    _same(duckdb_result.flows, spark_result.flows)
    assert duckdb_result.notes == spark_result.notes
    assert duckdb_result.rows_read == spark_result.rows_read
    assert len(duckdb_result.flows) == 22


def test_rta_by_hand(pv_dir: Path, tmp_path: Path) -> None:
    """2018–2020, patents with a field: P1 (6: US .5, JP .5), P2 (6: JP), P3 (8: US .5, DE .25,
    UNK .25), P4 (6: UNK), P5 (6 via CPC: JP .5, UNK .5): P = 5, P_6 = 4.

    RTA(US, 6) = (.5 / 1) / (4 / 5) = .625; RTA(JP, 6) = (2 / 2) / (4 / 5) = 1.25;
    RTA(DE, 8) = (.25 / .25) / (1 / 5) = 5; UNK has none.
    """
    con = engine.connect("duckdb", temp_dir=tmp_path)
    files = {t: p for t, p in patentsview.locate(pv_dir).items()}
    for table, path in files.items():
        files[table] = patentsview._extract(path, table, tmp_path)
    tables = pipeline.load(con, files)
    settings = pipeline.Settings(rta_floor=0)
    result = pipeline.run(con, tables, patentsview.country_codes(), settings,
                          cpc_field=patentsview.cpc_field())
    cf = result.country_fields
    window = cf[cf["period_start"] == 2018].set_index(["country", "wipo_field"])
    assert window.loc[("USA", 6), "rta"] == pytest.approx(0.625)
    assert window.loc[("JPN", 6), "rta"] == pytest.approx(1.25)
    assert window.loc[("DEU", 8), "rta"] == pytest.approx(5.0)
    assert pd.isna(window.loc[("UNK", 6), "rta"])
    assert not window["below_floor"].any()
    assert window.loc[("JPN", 6), "patents"] == 3


def test_connect_settings(tmp_path: Path) -> None:
    con = engine.connect("duckdb", memory_limit="512MB", temp_dir=tmp_path / "spill")
    limit, temp = con.raw_sql("SELECT current_setting('memory_limit'), "
                              "current_setting('temp_directory')").fetchone()
    assert limit.startswith("488") or "512" in limit or "MiB" in limit
    assert temp == str(tmp_path / "spill")
    with pytest.raises(Exception, match="unknown engine"):
        engine.connect("oracle")
    assert engine._spark_memory("4GB") == "4g" and engine._spark_memory("512MiB") == "512m"
