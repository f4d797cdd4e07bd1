"""The server's hold on the store: read-only sessions, a writer only while it writes, so the
command line can read the same store while the web app runs."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from reciprocity import accounts
from reciprocity.web.backend import Backend

CLI = [str(Path(sys.executable).with_name("reciprocity"))]  # the console script


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RECIPROCITY_LOCK_WAIT": "0.5", "COLUMNS": "120"}
    return subprocess.run([*CLI, "--db", str(db), *args], capture_output=True, text=True,
                          env=env, timeout=120)


@pytest.fixture
def backend(classic_db: Path):
    b = Backend(classic_db, pool_size=2)
    yield b
    b.close()


def test_the_command_line_reads_while_the_server_runs(backend, classic_db):
    done = _cli(classic_db, "dyad", "USA", "JPN", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert '"flow_ab"' in done.stdout


def test_a_command_line_write_waits_then_names_the_holder(backend, classic_db, fixture_file):
    done = _cli(classic_db, "ingest", "sipri", str(fixture_file("per_delivery_year.csv")))
    assert done.returncode == 2
    assert str(os.getpid()) in done.stderr   # the server's process is named


def test_a_server_write_is_seen_by_later_reads_and_releases_the_store(backend, classic_db):
    with backend.write() as w:
        accounts.add_user(w.store, "alice", "editor", "correct horse battery")
    with backend.read() as r:
        assert accounts.get_user(r.store, "alice") is not None
    # after the write the store is held read-only again: another process can read it
    assert _cli(classic_db, "sources").returncode == 0


def test_a_write_waits_for_the_reads_under_way(backend):
    order: list[str] = []
    reading = threading.Event()
    release = threading.Event()

    def reader() -> None:
        with backend.read():
            order.append("read start")
            reading.set()
            release.wait(5)
            order.append("read end")

    thread = threading.Thread(target=reader)
    thread.start()
    reading.wait(5)

    def writer() -> None:
        with backend.write():
            order.append("write")

    w = threading.Thread(target=writer)
    w.start()
    w.join(0.3)
    assert order == ["read start"]     # the writer waits for the read
    release.set()
    thread.join(5)
    w.join(5)
    assert order == ["read start", "read end", "write"]


def test_a_read_inside_a_write_sees_the_write(backend):
    with backend.write() as w:
        accounts.add_user(w.store, "bob", "viewer", "correct horse battery")
        with backend.read() as r:
            assert r is w
            assert accounts.get_user(r.store, "bob") is not None


def test_a_write_clears_the_answer_cache_unless_told_not_to(backend):
    backend.cache.put(("dyad", "USA", "JPN"), "an answer")
    with backend.write(clear_cache=False):
        pass
    assert backend.cache.get(("dyad", "USA", "JPN")) == "an answer"
    with backend.write():
        pass
    assert backend.cache.get(("dyad", "USA", "JPN")) is None
    assert backend.cache.bytes == 0
