"""Crash test: ``kill -9`` at many points of an ingest, then the store opens, ``sources`` and
``dyad`` answer (a result or a clear message, never a traceback), and every vintage is whole
(its records and flows all there) or absent.

The ingesting process is a subprocess killed with SIGKILL at fixed delays after it says it is
about to open the store: the first kill points fall in the first schema creation of a new
store, the later ones in the ingest of a second file into a store that holds a vintage.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from reciprocity.errors import NotFoundError
from reciprocity.sources import registry
from reciprocity.store.db import Store
from sipri_helpers import FULL_REGISTER, REGISTER_2025, SHARED_RAW

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reliability"
CLI = [sys.executable, "-c", "from reciprocity.cli.app import main; main()"]
CHILD = """
import sys
from reciprocity.store.db import Store
from reciprocity.sources import registry
registry.get("sipri")
print("ready", flush=True)
with Store(sys.argv[1]) as s:
    print("open", flush=True)
    s.ingest(registry.get("sipri"), sys.argv[2])
print("done", flush=True)
"""
# seconds after "ready": into the first schema creation (0, 0.005, 0.02), just after it, and
# through the ingest of a file (which takes a few seconds)
FRESH = (0.0, 0.005, 0.02, 0.08, 0.4)
SECOND = (0.2, 0.8, 1.5, 2.5)


def kill_during_ingest(db: Path, file: Path, delay: float) -> str:
    """Start an ingest, SIGKILL it ``delay`` s after it is ready; what it had printed."""
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(db), str(file)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "ready", proc.stderr.read() if proc.stderr else line
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    out, _ = proc.communicate(timeout=60)
    return (line + out).split()[-1]


def check_store(db: Path) -> dict:
    """The store opens (or says it is empty), sources and dyad answer, vintages are whole."""
    report: dict = {"opens": None, "vintages": [], "cli": {}}
    try:
        with Store(db, read_only=True) as s:
            report["opens"] = "yes"
            rows = s.con.execute("SELECT vintage_id, records_loaded, flows_loaded FROM "
                                 "vintages").fetchall()
            for vid, records, flows in rows:
                got_r = s.con.execute("SELECT count(*) FROM sipri_transfers WHERE "
                                      "vintage_id = ?", [vid]).fetchone()[0]
                got_f = s.con.execute("SELECT count(*) FROM flows WHERE vintage_id = ?",
                                      [vid]).fetchone()[0]
                assert (got_r, got_f) == (records, flows), f"{vid} is not whole"
                report["vintages"].append(vid)
            orphans = s.con.execute("SELECT count(*) FROM flows WHERE vintage_id NOT IN "
                                    "(SELECT vintage_id FROM vintages)").fetchone()[0]
            assert orphans == 0, "flows without their vintage"
    except NotFoundError as exc:  # killed before the schema's transaction committed
        report["opens"] = f"empty: {str(exc)[:80]}"
    except duckdb.Error as exc:  # pragma: no cover - what this test exists to catch
        pytest.fail(f"the store {db} does not open after a kill: {exc}")
    for name, args in (("sources", ["sources", "--format", "json"]),
                       ("dyad", ["dyad", "USA", "JPN", "--format", "json"])):
        run = subprocess.run([*CLI, "--db", str(db), *args], capture_output=True, text=True,
                             timeout=120)
        assert "Traceback" not in run.stderr, run.stderr
        assert run.returncode in (0, 2, 3), (run.returncode, run.stderr)
        if run.returncode == 0:
            json.loads(run.stdout)
        report["cli"][name] = run.returncode
    return report


@pytest.mark.requires_shared(FULL_REGISTER, REGISTER_2025)
def test_kill_9_during_ingest_leaves_a_whole_store(tmp_path: Path) -> None:
    full, older = SHARED_RAW / FULL_REGISTER, SHARED_RAW / REGISTER_2025
    points = []
    for i, delay in enumerate(FRESH):
        db = tmp_path / f"fresh{i}.duckdb"
        stage = kill_during_ingest(db, full, delay)
        points.append({"store": "new", "delay_s": delay, "last_said": stage,
                       **check_store(db)})
    base = tmp_path / "base.duckdb"
    with Store(base) as s:
        s.ingest(registry.get("sipri"), older)
    for i, delay in enumerate(SECOND):
        db = tmp_path / f"second{i}.duckdb"
        shutil.copy(base, db)
        stage = kill_during_ingest(db, full, delay)
        report = check_store(db)
        assert "sipri_arms_transfers/2025-03-13" in report["vintages"]
        points.append({"store": "holding 2025-03-13", "delay_s": delay, "last_said": stage,
                       **report})
    # after the kills, the stores can still be written: the ingest completes and is whole
    with Store(tmp_path / "fresh0.duckdb") as s:
        s.ingest(registry.get("sipri"), older)
    assert check_store(tmp_path / "fresh0.duckdb")["vintages"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "crash.json").write_text(json.dumps(points, indent=1))
    assert len(points) == len(FRESH) + len(SECOND)
