"""Request bodies are bounded (issue 15): a real server (``reciprocity serve --max-body``)
answers 413 with the error shape to a JSON or form body over the limit, whether it declares
its length or streams it in chunks, before reading it or asking who sends it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

LIMIT = 4096


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(web_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from web.support import copy_store

    db = copy_store(web_store_path, tmp_path_factory.mktemp("body-limit"))
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from reciprocity.cli.app import main; main()", "serve",
         "--db", str(db), "--port", str(port), "--max-body", str(LIMIT),
         "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None:
                raise AssertionError(proc.stderr.read().decode() if proc.stderr else "")
            time.sleep(0.1)
        else:
            raise AssertionError("the server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def registry(size: int) -> bytes:
    """A JSON ledger registry of about ``size`` bytes."""
    notes = "x" * max(size - 120, 0)
    return (b'{"programs": [], "transfers": [], "notes": "' + notes.encode() + b'"}')


def test_json_body_over_the_limit_is_413_with_the_error_shape(server: str) -> None:
    body = registry(3 * LIMIT)
    answer = httpx.post(f"{server}/api/ledger/import", content=body,
                        headers={"content-type": "application/json"})
    assert answer.status_code == 413
    data = answer.json()
    assert data["error"] == "ContentTooLarge" and data["status"] == 413
    assert data["problems"] == [{"location": "body", "found": f"a body of {len(body):,} bytes",
                                 "expected": f"at most {LIMIT:,} bytes "
                                             "(reciprocity serve --max-body)"}]
    # refused before the credentials are checked (no password hashing for an oversized body)
    wrong = httpx.post(f"{server}/api/ledger/import", content=body, auth=("ed", "wrong"),
                       headers={"content-type": "application/json"})
    assert wrong.status_code == 413


def test_streamed_body_without_a_length_is_cut_at_the_limit(server: str) -> None:
    sent = []

    def chunks() -> Iterator[bytes]:
        for _ in range(64):
            sent.append(1024)
            yield b" " * 1024

    answer = httpx.post(f"{server}/api/ledger/import", content=chunks(),
                        headers={"content-type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["problems"][0]["found"] == f"a body of more than {LIMIT:,} bytes"


def test_form_post_over_the_limit_is_413_as_a_page(server: str) -> None:
    answer = httpx.post(f"{server}/login", data={"name": "ed", "password": "p" * 2 * LIMIT})
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "larger than this server accepts" in answer.text


def test_a_body_under_the_limit_goes_on_to_the_usual_checks(server: str) -> None:
    answer = httpx.post(f"{server}/api/ledger/import", content=registry(LIMIT // 2),
                        headers={"content-type": "application/json"})
    assert answer.status_code == 401  # not signed in: the body was read, the writer asked for
    assert httpx.get(f"{server}/api/health").status_code == 200
