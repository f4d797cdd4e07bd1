"""``reciprocity fetch sipri``, offline: recorded SIPRI answers replayed by MockTransport."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from reciprocity import fetch
from reciprocity.errors import FetchError

RECORDED = Path(__file__).parent.parent / "fixtures" / "sipri" / "recorded"
DAY = date(2026, 4, 1)
# Spelled out rather than imported, so a change to the request has to change this test too.
EXPECTED_URL = "https://atbackend.sipri.org/api/p/trades/trade-register-csv/"
EXPECTED_BODY = {
    "filters": [
        {
            "field": "opendeals",
            "oldField": "",
            "condition": "",
            "value1": "",
            "value2": "",
            "listData": [],
        }
    ],
    "logic": "AND",
}


def recorded(name: str) -> httpx.Response:
    """A fresh copy of the recorded response ``name`` from responses.json."""
    spec = json.loads((RECORDED / "responses.json").read_text())["responses"][name]
    return httpx.Response(
        spec["status"], headers=spec["headers"], content=(RECORDED / spec["body"]).read_bytes()
    )


class Replay:
    """A MockTransport handler answering with recorded responses in order; keeps requests."""

    def __init__(self, *names: str) -> None:
        self.names = list(names)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        name = self.names[min(len(self.requests), len(self.names)) - 1]
        return recorded(name)


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the on-disk cache at a temp dir so tests never touch the real one."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("RECIPROCITY_CACHE", str(cache))
    return cache


@pytest.fixture
def client_for() -> Iterator[Callable[..., httpx.Client]]:
    """Build ``http_client``s over a replay handler without real sleeps; close them after."""
    made: list[httpx.Client] = []
    sleeps: list[float] = []

    def build(handler: Replay) -> httpx.Client:
        client = fetch.http_client(httpx.MockTransport(handler), sleep=sleeps.append)
        client.sleeps = sleeps  # type: ignore[attr-defined]
        made.append(client)
        return client

    yield build
    for client in made:
        client.close()


def test_recorded_body_carries_the_register_csv() -> None:
    body = json.loads((RECORDED / "register.json").read_bytes())
    assert base64.b64decode(body["bytes"]) == (RECORDED / "register.csv").read_bytes()


def test_register_fixture_has_the_classic_layout() -> None:
    lines = (RECORDED / "register.csv").read_bytes().decode("latin-1").splitlines()
    assert lines[10].startswith("Data generated:")
    assert lines[11].startswith("Recipient,Supplier,Year of order")
    assert len(lines) == 15


def test_success_writes_the_csv_and_returns_its_path(
    tmp_path: Path, client_for: Callable[..., httpx.Client]
) -> None:
    dest = tmp_path / "out"
    path = fetch.fetch_sipri(dest, client=client_for(Replay("register")), today=DAY)
    assert path == dest / "trade-register-2026-04-01.csv"
    assert path.read_bytes() == (RECORDED / "register.csv").read_bytes()
    assert [p.name for p in dest.iterdir()] == [path.name]  # no temp file left behind


def test_the_file_appears_only_by_renaming_a_temp_file_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, client_for: Callable[..., httpx.Client]
) -> None:
    renames: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def spy(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        src, dst = Path(src), Path(dst)
        assert not dst.exists()
        assert src.read_bytes() == (RECORDED / "register.csv").read_bytes()
        renames.append((src, dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    path = fetch.fetch_sipri(tmp_path, client=client_for(Replay("register")), today=DAY)
    [(src, dst)] = renames
    assert dst == path
    assert src.parent == path.parent and src.name.startswith(".") and src.name.endswith(".part")


def test_a_failed_rename_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, client_for: Callable[..., httpx.Client]
) -> None:
    def broken(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(FetchError, match="could not write"):
        fetch.fetch_sipri(tmp_path / "out", client=client_for(Replay("register")), today=DAY)
    assert list((tmp_path / "out").iterdir()) == []


def test_default_destination_is_the_cache_dir(
    isolated_cache: Path, client_for: Callable[..., httpx.Client]
) -> None:
    path = fetch.fetch_sipri(client=client_for(Replay("register")), today=DAY)
    assert path == isolated_cache / "sipri" / "trade-register-2026-04-01.csv"


def test_request_has_the_documented_shape(
    tmp_path: Path, client_for: Callable[..., httpx.Client]
) -> None:
    replay = Replay("register")
    fetch.fetch_sipri(tmp_path, client=client_for(replay), today=DAY)
    [request] = replay.requests
    assert request.method == "POST"
    assert str(request.url) == EXPECTED_URL
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == EXPECTED_BODY
    assert request.headers["user-agent"].startswith("reciprocity/")


def test_503_then_success_is_retried_after_the_asked_delay(
    tmp_path: Path, client_for: Callable[..., httpx.Client]
) -> None:
    replay = Replay("busy", "register")
    client = client_for(replay)
    path = fetch.fetch_sipri(tmp_path, client=client, today=DAY)
    assert path.read_bytes() == (RECORDED / "register.csv").read_bytes()
    assert len(replay.requests) == 2
    assert json.loads(replay.requests[1].content) == EXPECTED_BODY
    assert client.sleeps == [2.0]  # type: ignore[attr-defined]  # from Retry-After: 2


def test_retries_are_bounded(tmp_path: Path, client_for: Callable[..., httpx.Client]) -> None:
    replay = Replay("busy")
    client = client_for(replay)
    with pytest.raises(FetchError, match="HTTP 503"):
        fetch.fetch_sipri(tmp_path, client=client, today=DAY)
    assert len(replay.requests) == 4  # one try and three retries
    assert len(client.sleeps) == 3  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "reason"), [("html_page", "HTML page"), ("not_found", "HTTP 404")]
)
def test_wrong_answer_raises_with_manual_steps_and_writes_nothing(
    tmp_path: Path, client_for: Callable[..., httpx.Client], name: str, reason: str
) -> None:
    dest = tmp_path / "out"
    with pytest.raises(FetchError) as caught:
        fetch.fetch_sipri(dest, client=client_for(Replay(name)), today=DAY)
    message = str(caught.value)
    assert reason in message
    assert "https://armstransfers.sipri.org/ArmsTransfer/TransferRegister" in message
    for step in ("all suppliers", "all recipients", "all years", "CSV", "trade register"):
        assert step in message
    assert "reciprocity ingest sipri FILE" in message
    assert caught.value.exit_code == 4
    assert not dest.exists() or list(dest.iterdir()) == []


def test_per_delivery_layout_is_refused(
    tmp_path: Path, client_for: Callable[..., httpx.Client]
) -> None:
    csv = (
        (RECORDED / "register.csv")
        .read_bytes()
        .replace(b"Recipient,Supplier,Year of order", b"SIPRI AT Database ID,Supplier,Recipient")
    )
    body = json.dumps({"bytes": base64.b64encode(csv).decode()})
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text=body))
    with fetch.http_client(transport) as client, pytest.raises(FetchError, match="per-delivery"):
        fetch.fetch_sipri(tmp_path, client=client, today=DAY)


def test_network_error_raises_with_manual_steps(tmp_path: Path) -> None:
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to host", request=request)

    with (
        fetch.http_client(httpx.MockTransport(offline)) as client,
        pytest.raises(FetchError, match="ConnectError") as caught,
    ):
        fetch.fetch_sipri(tmp_path, client=client, today=DAY)
    assert "reciprocity ingest sipri FILE" in str(caught.value)


def test_second_call_is_served_from_the_disk_cache(
    tmp_path: Path, client_for: Callable[..., httpx.Client]
) -> None:
    replay = Replay("register")
    first = fetch.fetch_sipri(tmp_path / "a", client=client_for(replay), today=DAY)
    # A new client, as a new process would build: only the on-disk cache is shared.
    second = fetch.fetch_sipri(tmp_path / "b", client=client_for(replay), today=DAY)
    assert len(replay.requests) == 1
    assert second.read_bytes() == first.read_bytes() == (RECORDED / "register.csv").read_bytes()


def test_a_rejected_answer_is_not_cached(
    tmp_path: Path, client_for: Callable[..., httpx.Client]
) -> None:
    replay = Replay("html_page", "register")
    client = client_for(replay)
    with pytest.raises(FetchError):
        fetch.fetch_sipri(tmp_path, client=client, today=DAY)
    path = fetch.fetch_sipri(tmp_path, client=client, today=DAY)
    assert len(replay.requests) == 2
    assert path.read_bytes() == (RECORDED / "register.csv").read_bytes()
