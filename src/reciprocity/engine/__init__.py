"""Compute engines for large inputs: one Ibis pipeline, run on DuckDB or on Apache Spark.

:func:`connect` returns an Ibis backend. DuckDB (the default) runs in-process with a memory
limit and a temporary directory, so inputs larger than memory spill to disk instead of
failing. Spark runs in local mode (``local[2]``) unless a master URL is given; the files it
reads must then be visible to every worker under the same path.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reciprocity.errors import InputError, ReciprocityError

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

ENGINES = ("duckdb", "spark")
DEFAULT_MEMORY_LIMIT = "4GB"


def default_temp_dir() -> Path:
    """``$RECIPROCITY_TEMP_DIR`` or a ``reciprocity`` folder in the system's temp directory."""
    return Path(os.environ.get("RECIPROCITY_TEMP_DIR")
                or Path(tempfile.gettempdir()) / "reciprocity")


def connect(engine: str = "duckdb", spark_master: str | None = None,
            memory_limit: str | None = None, temp_dir: str | Path | None = None,
            threads: int | None = None) -> BaseBackend:
    """An Ibis backend for ``engine`` (``duckdb`` or ``spark``).

    ``memory_limit`` (e.g. ``4GB``) bounds DuckDB's memory and sizes Spark's driver;
    ``temp_dir`` is where either spills. ``spark_master`` is a Spark master URL
    (``spark://host:7077``); default ``local[2]``.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; expected one of {list(ENGINES)}")
    memory_limit = memory_limit or os.environ.get("RECIPROCITY_MEMORY_LIMIT") or (
        DEFAULT_MEMORY_LIMIT)
    temp = Path(temp_dir) if temp_dir is not None else default_temp_dir()
    temp.mkdir(parents=True, exist_ok=True)
    if engine == "duckdb":
        return _duckdb(memory_limit, temp, threads)
    return _spark(spark_master, memory_limit, temp)


def _duckdb(memory_limit: str, temp: Path, threads: int | None) -> BaseBackend:
    import ibis

    config: dict[str, Any] = {
        "memory_limit": memory_limit,
        "temp_directory": str(temp),
        # Row order of intermediate results does not matter here; not keeping it lets
        # DuckDB stream and spill more freely.
        "preserve_insertion_order": False,
    }
    if threads:
        config["threads"] = threads
    return ibis.duckdb.connect(**config)


def _spark(master: str | None, memory_limit: str, temp: Path) -> BaseBackend:
    try:
        import ibis
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ReciprocityError(
            "the spark engine needs pyspark: pip install 'reciprocity[spark]'") from exc
    master = master or "local[2]"
    if master.startswith("local"):
        # Spark resolves the machine's own name at start and per task; on hosts whose name
        # does not resolve quickly that costs seconds each time. Local mode needs loopback only.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("SPARK_LOCAL_HOSTNAME", "localhost")
    builder = (SparkSession.builder.appName("reciprocity").master(master)
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.ansi.enabled", "false")
               .config("spark.local.dir", str(temp))
               .config("spark.driver.memory", _spark_memory(memory_limit)))
    if master.startswith("local"):
        builder = (builder.config("spark.driver.host", "127.0.0.1")
                   .config("spark.driver.bindAddress", "127.0.0.1")
                   .config("spark.sql.shuffle.partitions",
                           os.environ.get("RECIPROCITY_SPARK_PARTITIONS", "8")))
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # py4j and JVM start-up errors have no common base class
        raise ReciprocityError(f"cannot start Spark ({master}): {exc}") from exc
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)


def _spark_memory(limit: str) -> str:
    """DuckDB-style ``4GB`` / ``512MB`` as Spark's ``4g`` / ``512m``."""
    text = limit.strip().upper().replace(" ", "").removesuffix("IB").removesuffix("B")
    return text.lower() if text[-1:] in ("G", "M", "K", "T") else text
