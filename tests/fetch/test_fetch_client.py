"""The one HTTP client: on-disk cache, bounded retries with backoff, errors as FetchError."""

from __future__ import annotations

import email.utils
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from reciprocity import fetch
from reciprocity.errors import FetchError
from reciprocity.fetch import client as fetch_client


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the on-disk cache at a temp dir so tests never touch the real one."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("RECIPROCITY_CACHE", str(cache))
    return cache


def _fail(reason: str) -> FetchError:
    return FetchError(f"Could not get the thing: {reason}. Get it by hand.")


def test_backoff_doubles_without_retry_after() -> None:
    sleeps: list[float] = []
    answers = iter([httpx.Response(429), httpx.Response(429), httpx.Response(200, text="ok")])
    transport = httpx.MockTransport(lambda request: next(answers))
    with fetch.http_client(transport, backoff=0.5, sleep=sleeps.append) as client:
        assert client.get("https://example.org/").text == "ok"
    assert sleeps == [0.5, 1.0]




def test_post_without_opt_in_is_never_cached() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, text="ok")

    with fetch.http_client(httpx.MockTransport(handler)) as client:
        client.post("https://example.org/", json={"a": 1})
        client.post("https://example.org/", json={"a": 1})
    assert len(calls) == 2


def test_get_is_cached_by_hishel() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, text="ok")

    with fetch.http_client(httpx.MockTransport(handler)) as client:
        assert client.get("https://example.org/x").text == "ok"
        assert client.get("https://example.org/x").text == "ok"
    assert len(calls) == 1


def test_cache_dir_honours_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RECIPROCITY_CACHE", str(tmp_path / "here"))
    assert fetch.cache_dir() == tmp_path / "here"
    monkeypatch.delenv("RECIPROCITY_CACHE")
    assert fetch.cache_dir().name in {"reciprocity", "Cache"}


def test_retries_wait_at_most_max_delay_and_honour_an_http_date() -> None:
    sleeps: list[float] = []
    later = email.utils.format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    answers = iter([httpx.Response(503, headers={"Retry-After": "3600"}),
                    httpx.Response(429, headers={"Retry-After": later}),
                    httpx.Response(504), httpx.Response(200, text="ok")])
    transport = httpx.MockTransport(lambda request: next(answers))
    with fetch.http_client(transport, backoff=2.0, max_delay=5.0, sleep=sleeps.append) as client:
        assert client.get("https://example.org/").text == "ok"
    assert sleeps == [5.0, 5.0, 5.0]  # each asked or doubled delay is capped at max_delay


def test_other_errors_are_not_retried() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500)

    with fetch.http_client(httpx.MockTransport(handler), sleep=lambda s: None) as client:
        assert client.get("https://example.org/").status_code == 500
    assert len(calls) == 1


def test_a_failed_answer_is_not_cached() -> None:
    answers = iter([httpx.Response(500), httpx.Response(200, json={"ok": 1})])
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return next(answers)

    with fetch.http_client(httpx.MockTransport(handler)) as client:
        with pytest.raises(FetchError):
            fetch_client.get_json(client, "https://example.org/j", _fail)
        assert fetch_client.get_json(client, "https://example.org/j", _fail) == {"ok": 1}
        assert fetch_client.get_json(client, "https://example.org/j", _fail) == {"ok": 1}
    assert len(calls) == 2


@pytest.mark.parametrize(("answer", "needles"), [
    (httpx.Response(404, text="no such thing"),
     ["https://example.org/j?a=1 answered HTTP 404 Not Found", "(no such thing)"]),
    (httpx.Response(200, text="<html>maintenance</html>"),
     ["https://example.org/j?a=1 did not answer JSON", "<html>maintenance"]),
])
def test_get_json_says_what_where_and_what_to_do(answer: httpx.Response,
                                                 needles: list[str]) -> None:
    with (fetch.http_client(httpx.MockTransport(lambda request: answer)) as client,
          pytest.raises(FetchError) as caught):
        fetch_client.get_json(client, "https://example.org/j", _fail, params={"a": 1})
    message = str(caught.value)
    assert message.startswith("Could not get the thing: ") and message.endswith("by hand.")
    for needle in needles:
        assert needle in message
    assert caught.value.exit_code == 4


def test_get_json_shows_the_url_it_is_told_to() -> None:
    answer = httpx.Response(401, text="bad key")
    with (fetch.http_client(httpx.MockTransport(lambda request: answer)) as client,
          pytest.raises(FetchError) as caught):
        fetch_client.get_json(client, "https://example.org/j?api_key=SECRET", _fail,
                              shown_url="https://example.org/j")
    assert "SECRET" not in str(caught.value)
    assert "https://example.org/j answered HTTP 401" in str(caught.value)


def test_get_json_turns_no_connection_into_fetch_error() -> None:
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to host", request=request)

    with (fetch.http_client(httpx.MockTransport(offline)) as client,
          pytest.raises(FetchError) as caught):
        fetch_client.get_json(client, "https://example.org/j", _fail, params={"a": 1})
    assert "no answer from https://example.org/j?a=1 (ConnectError: no route to host)" in str(
        caught.value)


class _Busy(BaseHTTPRequestHandler):
    """Answers 503 (Retry-After: 0) to every first request of a path, then JSON."""

    seen: list[str] = []  # noqa: RUF012 (reset per test)

    def do_GET(self) -> None:
        first = self.path not in self.seen
        self.seen.append(self.path)
        body = b'{"path": "%s"}' % self.path.encode()
        self.send_response(503 if first else 200)
        if first:
            self.send_header("Retry-After", "0")
            body = b"busy"
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[str]:
    _Busy.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Busy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_real_transport_on_loopback_retries_then_caches_across_clients(loopback: str) -> None:
    sleeps: list[float] = []
    with fetch.http_client(sleep=sleeps.append) as client:
        assert fetch_client.get_json(client, f"{loopback}/x", _fail) == {"path": "/x"}
    with fetch.http_client(sleep=sleeps.append) as client:  # a new process, the same disk
        assert fetch_client.get_json(client, f"{loopback}/x", _fail) == {"path": "/x"}
    assert _Busy.seen == ["/x", "/x"]  # the 503, its retry; the second client read the cache
    assert sleeps == [0.0]
