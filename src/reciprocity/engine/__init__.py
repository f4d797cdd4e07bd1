"""Compute engines for large inputs: one Ibis pipeline, run on DuckDB or on Apache Spark.

:func:`connect` returns an Ibis backend. DuckDB (the default) runs in-process with a memory
limit and a temporary directory, so inputs larger than memory spill to disk instead of
failing. Spark runs in local mode (``local[2]``) unless a master URL is given; on a standalone
cluster (``spark://host:port``) the files it reads must be visible to every worker under the
same path. Every setting has an environment variable, read by :mod:`reciprocity.settings`
(docs/patents.md, "On a Spark cluster"; docs/settings.md).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reciprocity import settings
from reciprocity.errors import InputError, Problem, ReciprocityError

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

ENGINES = ("duckdb", "spark")
MASTER_FORMS = "spark://host:port (a standalone master), local or local[N] (N threads, or *)"
PARTITIONS_PER_CORE = 4  # shuffle partitions per core when none are set (local[2]: 8)
_LOCAL = re.compile(r"local(\[(\d+|\*)(,\d+)?\])?")
_SPARK = re.compile(r"spark://([^\s:/,]+:\d+)(,[^\s:/,]+:\d+)*")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def default_temp_dir() -> Path:
    """``$RECIPROCITY_TEMP_DIR`` or a ``reciprocity`` folder in the system's temp directory."""
    return settings.current().temp_dir or Path(tempfile.gettempdir()) / "reciprocity"


def default_unpack_dir(temp_dir: Path) -> Path:
    """Where zipped tables are unpacked: ``$RECIPROCITY_UNPACK_DIR``, else ``temp_dir``."""
    return settings.current().unpack_dir or temp_dir


def connect(engine: str = "duckdb", spark_master: str | None = None,
            memory_limit: str | None = None, temp_dir: str | Path | None = None,
            threads: int | None = None, spark_driver_host: str | None = None,
            spark_python: str | None = None) -> BaseBackend:
    """An Ibis backend for ``engine`` (``duckdb`` or ``spark``).

    ``memory_limit`` (e.g. ``4GB``) bounds DuckDB's memory and sizes Spark's driver and
    executors; ``temp_dir`` is where either spills. ``spark_master`` is a Spark master URL
    (``spark://host:7077`` or ``local[N]``); default ``$RECIPROCITY_SPARK_MASTER`` or
    ``local[2]``. Arguments left ``None`` come from :mod:`reciprocity.settings`.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; expected one of {list(ENGINES)}")
    env = settings.current()
    memory_limit = memory_limit or env.memory_limit
    temp = Path(temp_dir) if temp_dir is not None else default_temp_dir()
    temp.mkdir(parents=True, exist_ok=True)
    if engine == "duckdb":
        return _duckdb(memory_limit, temp, threads)
    return _spark(env, spark_master or env.spark_master, memory_limit, temp,
                  spark_driver_host or env.spark_driver_host, spark_python or env.spark_python)


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


def check_master(master: str | None = None, timeout: float | None = None) -> str:
    """The master URL (default from the environment), refused when of another form or when
    nothing answers at a standalone master's address.

    Spark itself retries an unreachable master for about a minute and then reports a stopped
    context; a socket connect with ``timeout`` seconds names the cause at once.
    """
    env = settings.current()
    master = (master or env.spark_master).strip()
    timeout = env.spark_connect_timeout if timeout is None else timeout
    if _LOCAL.fullmatch(master):
        return master
    if not _SPARK.fullmatch(master):
        raise InputError(f"Spark master URL {master!r} is not of a known form", [Problem(
            "--spark-master (or $RECIPROCITY_SPARK_MASTER)", repr(master), MASTER_FORMS)])
    errors = []
    for address in master.removeprefix("spark://").split(","):
        host, _, port = address.rpartition(":")
        try:
            socket.create_connection((host, int(port)), timeout=timeout).close()
            return master
        except OSError as exc:
            errors.append(f"{address}: {exc.strerror or exc or type(exc).__name__}")
    raise InputError(f"cannot reach Spark master {master}: {'; '.join(errors)} (tried for "
                     f"{timeout:g} s; is the master running, and is this the port it prints "
                     "as 'Starting Spark master at spark://…'?)")


def _spark(env: settings.Settings, master: str, memory_limit: str, temp: Path,
           driver_host: str | None, python: str | None) -> BaseBackend:
    try:
        import ibis
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ReciprocityError(
            "the spark engine needs pyspark: pip install 'reciprocity[spark]'") from exc
    master = check_master(master, env.spark_connect_timeout)
    local = master.startswith("local")
    on_loopback = local or all(a.rpartition(":")[0] in _LOOPBACK
                               for a in master.removeprefix("spark://").split(","))
    if on_loopback:
        # Spark resolves the machine's own name at start and per task; on hosts whose name
        # does not resolve quickly that costs seconds each time. Loopback needs neither.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("SPARK_LOCAL_HOSTNAME", "localhost")
        driver_host = driver_host or "127.0.0.1"
        python = python or sys.executable  # workers on this machine run this Python
    active = SparkSession.getActiveSession()
    if active is not None and active.sparkContext.master != master:
        active.stop()  # one session per process: a different master needs a new one
    memory = _spark_memory(memory_limit)
    builder = (SparkSession.builder.appName("reciprocity").master(master)
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.ansi.enabled", "false")
               .config("spark.local.dir", str(temp))
               .config("spark.driver.memory", memory))
    if not local:
        builder = builder.config("spark.executor.memory", memory)
    if driver_host:
        builder = (builder.config("spark.driver.host", driver_host)
                   .config("spark.driver.bindAddress", driver_host))
    if python:
        builder = builder.config("spark.pyspark.python", python)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # py4j and JVM start-up errors have no common base class
        raise ReciprocityError(f"cannot start Spark ({master}): {short_error(exc)}") from exc
    session.sparkContext.setLogLevel("ERROR")
    cores = _cores(session, master, memory, env.spark_executor_wait)
    partitions = env.spark_partitions or PARTITIONS_PER_CORE * cores
    session.conf.set("spark.sql.shuffle.partitions", str(partitions))
    return ibis.pyspark.connect(session)


def _cores(session: Any, master: str, memory: str, wait: float) -> int:
    """Cores the application has: local[N]'s N, or the registered executors' (waiting for one).

    A standalone master queues an application no worker can take (too few free cores, less
    memory than ``spark.executor.memory``) without a word; this names it instead.
    """
    sc = session.sparkContext
    if master.startswith("local"):
        return max(1, sc.defaultParallelism)
    tracker = sc._jsc.sc().statusTracker()
    deadline = time.monotonic() + wait
    while True:
        if len(tracker.getExecutorInfos()) > 1:  # the driver is listed too
            return max(1, sc.defaultParallelism)
        if time.monotonic() > deadline:
            session.stop()
            raise InputError(
                f"no executor started on Spark master {master} within {wait:g} s: the "
                f"master has no worker with a free core and {memory} of memory "
                "(spark.executor.memory, from --memory-limit); see the master's page "
                "(port 8080) for its workers, lower --memory-limit, or raise "
                "$RECIPROCITY_SPARK_EXECUTOR_WAIT when the workers are busy")
        time.sleep(0.2)


def short_error(exc: BaseException) -> str:
    """An engine error without a Java stack: a Py4J error's text holds some 300 lines of it,
    so a JVM error is cut to its first line; any other error is kept whole."""
    text = str(exc).strip()
    java = getattr(exc, "java_exception", None)
    if java is not None:
        with contextlib.suppress(Exception):  # the JVM may be gone
            text = str(java.getMessage() or java.toString())
    elif not re.search(r"^\s+at [\w$.<>]+\(", text, re.MULTILINE):
        return text or type(exc).__name__
    lines = [line.strip() for line in text.splitlines() if line.strip()
             and not line.strip().startswith(("at ", "..."))]
    return (lines[0] if lines else type(exc).__name__)[:500]


def engine_failure(exc: BaseException, engine: str, what: str) -> InputError:
    """An engine's error as an :class:`InputError`: one line, and the remedy where known.

    A file the Spark workers cannot read (absent on their machine, or not readable by their
    user) is named with what to do: input and unpack folders on storage every worker sees.
    """
    text = str(exc)
    missing = re.search(r"(?:PATH_NOT_FOUND\][^\n]*?|FileNotFoundException:?\s*|File )"
                        r"(?:file:)?(/[^\s\]'\"`]+)", text)
    denied = re.search(r"(?:AccessDeniedException|Permission denied)[:\s]*(?:file:)?"
                       r"(/[^\s\]'\"`:]+)?", text)
    if engine == "spark" and (missing or denied):
        path = (missing or denied).group(1) or "an input file"  # type: ignore[union-attr]
        cause = "does not exist" if missing else "is not readable"
        return InputError(
            f"{what}: the Spark engine cannot read {path}: it {cause} where the Spark "
            "workers run", [Problem(path, f"a file that {cause} for the workers",
                                    "the input folder and the unpack folder (--unpack-dir, "
                                    "$RECIPROCITY_UNPACK_DIR) on storage every worker reads "
                                    "under the same path, readable by the workers' user")])
    return InputError(f"{what}: the {engine} engine failed while computing the flows: "
                      f"{short_error(exc)}")


def _spark_memory(limit: str) -> str:
    """DuckDB-style ``4GB`` / ``512MB`` as Spark's ``4g`` / ``512m``."""
    text = limit.strip().upper().replace(" ", "").removesuffix("IB").removesuffix("B")
    return text.lower() if text[-1:] in ("G", "M", "K", "T") else text


def describe(con: Any) -> str:
    """One line on the engine an ingest runs on, e.g. ``Spark spark://…: 2 cores, 8 shuffle
    partitions, executors 1g`` (the ingest prints it)."""
    if getattr(con, "name", "") == "pyspark":
        session = con._session
        conf = session.conf
        sc = session.sparkContext
        memory = conf.get("spark.executor.memory", None) or conf.get("spark.driver.memory")
        return (f"Spark {sc.master}: {sc.defaultParallelism} cores, "
                f"{conf.get('spark.sql.shuffle.partitions')} shuffle partitions, "
                f"{'executors' if not sc.master.startswith('local') else 'driver'} {memory}")
    limit, threads = con.raw_sql("SELECT current_setting('memory_limit'), "
                                 "current_setting('threads')").fetchone()
    return f"DuckDB: memory limit {limit}, {threads} threads"
