"""The path around the Spark engine, as a user meets it: settings, master URLs, unreachable
masters, files the workers cannot read, shuffle partitions sized to the cores.

The cluster itself is exercised in ``test_spark_cluster.py``; these run without one (the last
two in Spark's local mode).
"""

from __future__ import annotations

import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from reciprocity import engine, settings
from reciprocity.errors import InputError
from reciprocity.sources import patentsview

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "patentsview"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_engine_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    monkeypatch.setenv("PYSPARK_PYTHON", "/opt/py/bin/python3")
    monkeypatch.setenv("RECIPROCITY_UNPACK_DIR", str(tmp_path / "unpack"))
    s = settings.current()
    assert s.spark_python == "/opt/py/bin/python3"  # PYSPARK_PYTHON when ours is not set
    monkeypatch.setenv("RECIPROCITY_SPARK_PYTHON", "/x/python")
    assert settings.current().spark_python == "/x/python"
    assert engine.default_unpack_dir(tmp_path / "temp") == tmp_path / "unpack"
    monkeypatch.delenv("RECIPROCITY_UNPACK_DIR")
    assert engine.default_unpack_dir(tmp_path / "temp") == tmp_path / "temp"
    for bad in ("0", "-3", "eight"):
        monkeypatch.setenv("RECIPROCITY_SPARK_PARTITIONS", bad)
        with pytest.raises(InputError, match="RECIPROCITY_SPARK_PARTITIONS"):
            engine.connect("spark")


@pytest.mark.parametrize("url", ["127.0.0.1:7077", "spark:/127.0.0.1:7077", "yarn-ish",
                                 "local[two]", "spark://127.0.0.1"])
def test_a_master_url_of_another_form_says_the_expected_form(url: str) -> None:
    with pytest.raises(InputError) as caught:
        engine.check_master(url)
    text = str(caught.value)
    assert repr(url) in text and "spark://host:port" in text and "local[N]" in text


@pytest.mark.parametrize("url", ["local", "local[2]", "local[*]", "local[4,2]"])
def test_local_masters_are_accepted_without_a_connection(url: str) -> None:
    assert engine.check_master(url) == url


def test_an_unreachable_master_fails_within_seconds() -> None:
    url = f"spark://127.0.0.1:{_free_port()}"  # nothing listens there
    start = time.monotonic()
    with pytest.raises(InputError, match=re.escape(f"cannot reach Spark master {url}: ")):
        engine.check_master(url, timeout=2)
    assert time.monotonic() - start < 3


def test_a_silent_master_is_given_up_after_the_connection_timeout(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[float] = []

    def silent(address: tuple[str, int], timeout: float) -> None:
        seen.append(timeout)
        raise TimeoutError("timed out")

    monkeypatch.setattr(engine.socket, "create_connection", silent)
    monkeypatch.setenv("RECIPROCITY_SPARK_CONNECT_TIMEOUT", "1.5")
    with pytest.raises(InputError, match=re.escape(
            "cannot reach Spark master spark://h1:7077,h2:7078: h1:7077: timed out; "
            "h2:7078: timed out")):
        engine.check_master("spark://h1:7077,h2:7078")
    assert seen == [1.5, 1.5]


def test_cli_refuses_a_master_without_scheme_and_writes_nothing(tmp_path: Path,
                                                                run_main) -> None:
    pv = tmp_path / "pv"
    pv.mkdir()
    for tsv in FIXTURE.glob("*.tsv"):
        shutil.copy(tsv, pv / tsv.name)
    db, unpack = tmp_path / "s.duckdb", tmp_path / "unpack"
    done = run_main("--db", db, "ingest", "patentsview", pv, "--engine", "spark",
                    "--spark-master", "127.0.0.1:7077", "--unpack-dir", unpack)
    assert done.exit_code == 2, done.output
    assert "spark://host:port" in done.output and "Traceback" not in done.output
    assert not unpack.exists(), "nothing is unpacked before the master is checked"
    port = _free_port()
    done = run_main("--db", db, "ingest", "patentsview", pv, "--engine", "spark",
                    env={"RECIPROCITY_SPARK_MASTER": f"spark://127.0.0.1:{port}"})
    assert done.exit_code == 2
    assert f"cannot reach Spark master spark://127.0.0.1:{port}" in done.output


def test_engine_failure_names_an_unreadable_file_and_the_remedy() -> None:
    spark_text = ("[PATH_NOT_FOUND] Path does not exist: file:/scratch/pv-1/g_patent.tsv. "
                  "SQLSTATE: 42K03\n\tat org.apache.spark.sql.errors.QueryCompilationErrors"
                  "$.dataPathNotExistError(QueryCompilationErrors.scala:1500)\n" * 50)
    err = engine.engine_failure(RuntimeError(spark_text), "spark", "/data/pv")
    assert "/scratch/pv-1/g_patent.tsv" in str(err) and "--unpack-dir" in str(err)
    assert len(str(err).splitlines()) <= 3
    denied = engine.engine_failure(RuntimeError(
        "java.nio.file.AccessDeniedException: /scratch/pv-1/g_patent.tsv\n\tat x.y(z)"),
        "spark", "/data/pv")
    assert "is not readable" in str(denied) and "/scratch/pv-1/g_patent.tsv" in str(denied)
    java = engine.engine_failure(RuntimeError("java.io.IOException: No space left on device\n"
                                              "\tat a.b$c.d(e.java:1)\n" * 300), "spark", "/d")
    assert str(java) == ("/d: the spark engine failed while computing the flows: "
                         "java.io.IOException: No space left on device")
    duck = "Conversion Error: CSV Error on Line: 7\nExpected Number of Columns: 3 Found: 4"
    other = engine.engine_failure(RuntimeError(duck), "duckdb", "/d")
    assert str(other) == f"/d: the duckdb engine failed while computing the flows: {duck}"


@pytest.fixture
def spark_local(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime for Spark")
    monkeypatch.delenv("RECIPROCITY_SPARK_PARTITIONS", raising=False)
    monkeypatch.delenv("RECIPROCITY_SPARK_MASTER", raising=False)


def test_tables_the_workers_cannot_read_end_in_a_named_input_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spark_local) -> None:
    """The driver unpacks into a folder the workers do not see (here: the unpacked table is
    gone when Spark reads it): one InputError naming the file and the remedy, no Py4J trace."""
    pv = tmp_path / "pv"
    pv.mkdir()
    for tsv in FIXTURE.glob("*.tsv"):
        with zipfile.ZipFile(pv / f"{tsv.stem}.tsv.zip", "w") as zf:
            zf.write(tsv, tsv.name)
    real = patentsview._extract

    def unseen(path: Path, table: str, into: Path) -> Path:
        target = real(path, table, into)
        if table == "g_patent":
            target.unlink()
        return target

    monkeypatch.setattr(patentsview, "_extract", unseen)
    monkeypatch.setenv("RECIPROCITY_SPARK_PARTITIONS", "1")
    unpack = tmp_path / "unpack"
    with pytest.raises(InputError) as caught:
        patentsview.SOURCE.read(pv, options={"engine": "spark", "unpack_dir": unpack,
                                             "temp_dir": tmp_path / "temp"})
    text = str(caught.value)
    assert "g_patent.tsv" in text and str(unpack) in text and "--unpack-dir" in text, text
    assert "cannot read" in text and len(text.splitlines()) <= 3, text
    assert not any(unpack.iterdir()), "the unpacked tables are removed"


def test_shuffle_partitions_default_to_four_per_core(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     spark_local) -> None:
    con = engine.connect("spark", temp_dir=tmp_path)
    session = con._session
    assert session.conf.get("spark.sql.shuffle.partitions") == str(
        4 * session.sparkContext.defaultParallelism)
    assert "shuffle partitions" in engine.describe(con)
    monkeypatch.setenv("RECIPROCITY_SPARK_PARTITIONS", "3")
    con = engine.connect("spark", temp_dir=tmp_path)
    assert con._session.conf.get("spark.sql.shuffle.partitions") == "3"
    assert "3 shuffle partitions" in engine.describe(con)
