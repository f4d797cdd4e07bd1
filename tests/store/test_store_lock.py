"""One store, several processes: read-only opens, a brief wait on DuckDB's lock, a clear error.

DuckDB lets one process write a file or several read it, not both. A store held by another
process (here a small Python process standing in for ``reciprocity serve``) must give a wait
of ``wait`` seconds, then :class:`StoreBusyError` (exit code 2) naming the process and what
to do; commands that only read must open the store read-only, so they run beside readers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reciprocity.errors import StoreBusyError
from reciprocity.store.db import Store

HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("holding", flush=True)
sys.stdin.read()          # until the test closes our stdin
con.close()
"""


class Holder:
    """A process holding the store open (read-write by default) until :meth:`release`."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(path), "ro" if read_only else "rw"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "holding"
        self.pid = self.proc.pid

    def release(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


@pytest.fixture
def hold() -> Iterator[Callable[..., Holder]]:
    holders: list[Holder] = []

    def start(path: Path, read_only: bool = False) -> Holder:
        holders.append(Holder(path, read_only))
        return holders[-1]
    yield start
    for h in holders:
        h.release()


def test_a_held_store_fails_after_the_wait_naming_the_process(classic_db, hold):
    holder = hold(classic_db)
    for read_only in (True, False):
        start = time.monotonic()
        with pytest.raises(StoreBusyError) as exc:
            Store(classic_db, read_only=read_only, wait=0.4)
        assert time.monotonic() - start >= 0.4  # it waited before giving up
        message = str(exc.value)
        assert f"process {holder.pid}" in message and str(classic_db) in message
        assert "python" in message  # what the process is (its command line)
        # and what to do: a reader can work on a copy; a writer must have the store itself
        assert ("copy.duckdb" if read_only else "run the command again") in message
        assert exc.value.exit_code == 2


def test_the_wait_ends_as_soon_as_the_holder_lets_go(classic_db, hold):
    holder = hold(classic_db)
    subprocess.Popen([sys.executable, "-c", f"import os, time; time.sleep(0.5); "
                      f"os.kill({holder.pid}, 15)"])
    start = time.monotonic()
    with Store(classic_db, read_only=True, wait=20) as store:
        assert store.query("SELECT count(*) AS n FROM vintages").at[0, "n"] == 1
    assert time.monotonic() - start < 15


def test_readers_share_a_store(classic_db, hold):
    hold(classic_db, read_only=True)
    with Store(classic_db, read_only=True) as store:
        assert len(store.vintages()) == 1
    with pytest.raises(StoreBusyError, match="writes to it"):
        Store(classic_db, wait=0)


def test_the_command_line_exits_2_with_the_holder_and_the_remedy(classic_db, hold, run_main):
    holder = hold(classic_db)
    env = {"RECIPROCITY_LOCK_WAIT": "0.2"}
    read = run_main("--db", classic_db, "dyad", "USA", "JPN", env=env)
    assert read.exit_code == 2, read.output
    flat = " ".join(read.stderr.split())
    assert f"open for writing by process {holder.pid}" in flat
    assert "serve --read-only" in flat and "Traceback" not in read.output
    write = run_main("--db", classic_db, "ledger", "delete", "x", "--reason", "r", env=env)
    assert write.exit_code == 2, write.output
    assert f"in use by process {holder.pid}" in " ".join(write.stderr.split())


def test_a_bad_wait_is_named_when_the_store_is_busy(classic_db, hold, run_main):
    hold(classic_db)
    result = run_main("--db", classic_db, "dyad", "USA", "JPN",
                      env={"RECIPROCITY_LOCK_WAIT": "soon"})
    assert result.exit_code == 2, result.output
    assert "$RECIPROCITY_LOCK_WAIT: found 'soon'; expected a number" in result.stderr


READ_COMMANDS = [
    ["dyad", "USA", "JPN"],
    ["dyad", "USA", "JPN", "--format", "json"],
    ["partners", "JPN"],
    ["explain", "USA", "JPN", "--channel", "arms"],
    ["top", "exporters"],
    ["sources"],
    ["taxonomy"],
    ["ledger", "list"],
    ["ledger", "export"],
    ["ledger", "check"],
    ["users", "list"],
    ["indicators", "JPN"],
    ["assess", "dependence", "JPN"],
]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=" ".join)
def test_read_commands_open_the_store_read_only(args, classic_db, hold, run_main):
    """Beside another reader (DuckDB refuses a writer then), every read command works."""
    hold(classic_db, read_only=True)
    result = run_main("--db", classic_db, *args, env={"RECIPROCITY_LOCK_WAIT": "0"})
    assert "in use by process" not in result.stderr, f"{args} opened the store to write"
    assert result.exit_code in (0, 3), result.output  # 3: nothing of that kind in the store


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_the_holder_is_named_by_its_command_line(tmp_path):
    from reciprocity.store.db import busy_message

    message = busy_message(tmp_path / "s.duckdb", os.getpid(), "/usr/bin/python3", True, 3)
    assert f"process {os.getpid()}" in message and "(waited 3 s)" in message
    assert "pytest" in message or "python" in message
