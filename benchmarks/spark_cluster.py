"""A throwaway Spark standalone cluster on 127.0.0.1: one master and one worker, on free ports.

Used by the cluster test (``tests/engine/test_spark_cluster.py``) and the partitions benchmark
(``benchmarks/spark_partitions.py``). It runs the ``spark-class`` launcher that pyspark's pip
package ships, exactly as ``docs/patents.md`` tells a user to::

    with standalone(cores=2, memory="2g") as cluster:
        cluster.master_url   # spark://127.0.0.1:PORT
        cluster.applications()  # the master's JSON API: completed and active applications

Both processes are stopped when the block ends, also when it ends with an error.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"


def spark_home() -> Path:
    """The folder of the installed pyspark package (it holds ``bin/spark-class``)."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A running master and worker: their URLs and processes."""

    master_url: str
    ui_url: str
    work_dir: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def state(self) -> dict:
        """The master's JSON API (``/json/``): workers, active and completed applications."""
        with urllib.request.urlopen(f"{self.ui_url}/json/", timeout=5) as resp:
            return json.load(resp)

    def applications(self) -> list[dict]:
        """Active and completed applications as the master lists them."""
        state = self.state()
        return list(state.get("activeapps", [])) + list(state.get("completedapps", []))

    def logs(self) -> str:
        """The last lines of the master's and the worker's logs (for a failing test)."""
        parts = []
        for name in ("master.log", "worker.log"):
            path = self.work_dir / name
            if path.is_file():
                parts.append(f"--- {name}\n" + "\n".join(path.read_text().splitlines()[-30:]))
        return "\n".join(parts)


def _start(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    # a session of its own, so that stop() ends the launcher script and its JVM together
    return subprocess.Popen([str(spark_home() / "bin" / "spark-class"), *args],
                            stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)


def _wait(until, what: str, cluster: Cluster, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in cluster.processes:
            if proc.poll() is not None:
                raise RuntimeError(f"Spark {what}: a process exited ({proc.returncode})\n"
                                   + cluster.logs())
        try:
            if until():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"Spark {what} not ready after {timeout:.0f} s\n" + cluster.logs())


def stop(cluster: Cluster) -> None:
    """Stop the worker, then the master (SIGTERM to each process group, SIGKILL if needed)."""
    for proc in reversed(cluster.processes):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
    for proc in reversed(cluster.processes):
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@contextmanager
def standalone(work_dir: Path, cores: int = 2, memory: str = "2g",
               timeout: float = 60) -> Iterator[Cluster]:
    """Start a master and one worker (``cores``, ``memory``) on 127.0.0.1; stop them after."""
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    port, ui = free_port(), free_port()
    env = {**os.environ, "SPARK_HOME": str(spark_home()), "SPARK_LOCAL_IP": HOST,
           "SPARK_LOG_DIR": str(work_dir), "SPARK_WORKER_DIR": str(work_dir / "work")}
    cluster = Cluster(f"spark://{HOST}:{port}", f"http://{HOST}:{ui}", work_dir)
    try:
        cluster.processes.append(_start(
            ["org.apache.spark.deploy.master.Master", "--host", HOST, "--port", str(port),
             "--webui-port", str(ui)], work_dir / "master.log", env))
        _wait(lambda: cluster.state().get("status") == "ALIVE", "master", cluster, timeout)
        cluster.processes.append(_start(
            ["org.apache.spark.deploy.worker.Worker", cluster.master_url, "--host", HOST,
             "--port", str(free_port()), "--webui-port", str(free_port()),
             "--cores", str(cores), "--memory", memory, "--work-dir", str(work_dir / "work")],
            work_dir / "worker.log", env))
        _wait(lambda: any(w.get("state") == "ALIVE" for w in cluster.state()["workers"]),
              "worker", cluster, timeout)
        yield cluster
    finally:
        stop(cluster)
