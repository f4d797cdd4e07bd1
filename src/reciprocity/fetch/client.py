"""The one HTTP client every download goes through: cache on disk, bounded retries, errors.

:func:`http_client` stacks, from the outside in: a body-keyed cache for POST requests that
opt in; hishel 2.0's ``hishel.httpx.CacheTransport`` (its default, non-RFC mode caches GET
and HEAD by method and URL); retries on 429/502/503/504; the network (or an injected
transport). Both caches use one hishel ``SqliteStorage`` file under ``cache_dir()/http``.
The POST layer exists because hishel 2.0 wraps any transport cleanly but will not cache a
POST: its non-RFC mode passes every method other than GET and HEAD through, and its RFC 9111
mode obeys SIPRI's ``Cache-Control: no-store``. Entries live :data:`DEFAULT_TTL` seconds.

Retries wait what a ``Retry-After`` header asks (seconds or an HTTP date), otherwise
``backoff · 2**attempt``, never more than ``max_delay`` seconds, at most ``max_retries``
times. :func:`get_json` turns what can go wrong with one JSON request (no connection, an
HTTP error status, a body that is not JSON) into a :class:`~reciprocity.errors.FetchError`
built by the caller, who knows what was being fetched and how to get it by hand.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import hishel
import httpx
from hishel.httpx import CacheTransport

from reciprocity import settings
from reciprocity.errors import FetchError

#: Request extension that opts a POST into the cache: ``{"ttl": seconds, "accept": fn}``,
#: both optional. ``accept(body) -> bool`` decides whether a 2xx body is worth keeping.
CACHE_EXTENSION = "reciprocity.cache"
DEFAULT_TTL = 24 * 60 * 60.0
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# SIPRI takes several seconds even for tiny answers, and the full register is ~5 MB of JSON.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, read=300.0)


def cache_dir() -> Path:
    """Where downloads and the HTTP cache live: ``$RECIPROCITY_CACHE`` or the OS cache dir."""
    override = settings.current().cache
    if override:
        return override.expanduser()
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        base = Path(local) if local else Path.home() / "AppData" / "Local"
        return base / "reciprocity" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "reciprocity"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "reciprocity"


def _user_agent() -> str:
    try:
        version = metadata.version("reciprocity")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"reciprocity/{version} (research data fetcher; python-httpx/{httpx.__version__})"


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta or HTTP date), if any."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class _RetryTransport(httpx.BaseTransport):
    """Resend a request answered 429/502/503/504, with bounded exponential backoff."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        max_retries: int,
        backoff: float,
        max_delay: float,
        sleep: Callable[[float], None],
    ) -> None:
        self.inner = inner
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_delay = max_delay
        self.sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        while True:
            response = self.inner.handle_request(request)
            if response.status_code not in RETRY_STATUSES or attempt >= self.max_retries:
                return response
            asked = _retry_after(response)
            delay = asked if asked is not None else self.backoff * 2**attempt
            response.close()
            self.sleep(min(delay, self.max_delay))
            attempt += 1

    def close(self) -> None:
        self.inner.close()


def _to_httpx_headers(headers: hishel.Headers) -> list[tuple[str, str]]:
    return [(name, value) for name in headers for value in headers.get_list(name) or []]


def _to_hishel_headers(headers: httpx.Headers) -> hishel.Headers:
    grouped: dict[str, list[str]] = {}
    for name, value in headers.multi_items():
        grouped.setdefault(name, []).append(value)
    return hishel.Headers(grouped)


def _decoded_headers(headers: httpx.Headers) -> httpx.Headers:
    """Headers for a body already read and decoded: no encoding or length of the wire form."""
    dropped = {"content-encoding", "content-length", "transfer-encoding"}
    return httpx.Headers([(k, v) for k, v in headers.multi_items() if k.lower() not in dropped])


class _BodyKeyedCacheTransport(httpx.BaseTransport):
    """Cache POST responses that opt in with :data:`CACHE_EXTENSION`, keyed by URL and body.

    Only 2xx answers the request's ``accept`` check approves are stored, so a maintenance page
    served with 200 is never replayed. Everything else goes straight to ``inner``.
    """

    def __init__(self, inner: httpx.BaseTransport, storage: hishel.BaseStorage, ttl: float) -> None:
        self.inner = inner
        self.storage = storage
        self.ttl = ttl

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        options = request.extensions.get(CACHE_EXTENSION)
        if request.method != "POST" or options is None:
            return self.inner.handle_request(request)

        body = request.read()
        key = hashlib.sha256(b"POST " + str(request.url).encode() + b"\n" + body).hexdigest()
        for entry in self.storage.get_entries(key):
            stored_body = entry.response.stream
            if entry.request.method != "POST" or not isinstance(stored_body, Iterator):
                continue
            return httpx.Response(
                entry.response.status_code,
                headers=_to_httpx_headers(entry.response.headers),
                content=b"".join(stored_body),
                request=request,
                extensions={"caching": {"from_cache": True, "revalidated": False, "stored": False}},
            )

        response = self.inner.handle_request(request)
        try:
            content = response.read()
        finally:
            response.close()
        headers = _decoded_headers(response.headers)
        accept: Callable[[bytes], bool] | None = options.get("accept")
        stored = False
        if response.is_success and (accept is None or accept(content)):
            entry = self.storage.create_entry(
                hishel.Request("POST", str(request.url), _to_hishel_headers(request.headers)),
                hishel.Response(response.status_code, _to_hishel_headers(headers), iter([content])),
                key,
                ttl=options.get("ttl", self.ttl),
            )
            saving = entry.response.stream
            if isinstance(saving, Iterator):
                for _ in saving:
                    pass  # hishel saves the entry as this stream is read to the end
            stored = True
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=content,
            request=request,
            extensions={
                **response.extensions,
                "caching": {"from_cache": False, "revalidated": False, "stored": stored},
            },
        )

    def close(self) -> None:
        self.inner.close()


def http_client(
    transport: httpx.BaseTransport | None = None,
    *,
    max_retries: int = 3,
    backoff: float = 1.0,
    max_delay: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> httpx.Client:
    """An httpx client with timeouts, a reciprocity User-Agent, retries and an on-disk cache.

    ``transport`` replaces the network (tests pass ``httpx.MockTransport``); caching and
    retries still apply on top of it. GET/HEAD are cached by hishel; a POST is cached only if
    it opts in with the :data:`CACHE_EXTENSION` request extension. Close the client when done.
    """
    storage_dir = cache_dir() / "http"
    storage_dir.mkdir(parents=True, exist_ok=True)
    storage = hishel.SqliteStorage(
        database_path=storage_dir / "hishel-v2.sqlite", default_ttl=DEFAULT_TTL
    )
    network = transport if transport is not None else httpx.HTTPTransport()
    retrying = _RetryTransport(
        network, max_retries=max_retries, backoff=backoff, max_delay=max_delay, sleep=sleep
    )
    cached = _BodyKeyedCacheTransport(
        CacheTransport(next_transport=retrying, storage=storage), storage, DEFAULT_TTL
    )
    return httpx.Client(
        transport=cached,
        timeout=DEFAULT_TIMEOUT,
        headers={"User-Agent": _user_agent()},
        follow_redirects=True,
    )


@contextlib.contextmanager
def client_or_default(client: httpx.Client | None) -> Iterator[httpx.Client]:
    """``client`` as given (the caller closes it), or a new :func:`http_client` closed after."""
    if client is not None:
        yield client
        return
    with http_client() as made:
        yield made


def get_json(
    client: httpx.Client,
    url: str,
    fail: Callable[[str], FetchError],
    *,
    params: Mapping[str, Any] | None = None,
    shown_url: str | None = None,
) -> Any:
    """GET ``url`` and return its JSON body; anything else raises ``fail(reason)``.

    The reason names the URL (``shown_url`` when the real one carries a key), and says
    what came back: the exception for no answer, the status (after the client's retries) and
    the start of the body for an HTTP error, or that the body was not JSON.
    """
    try:
        response = client.get(url, params=params)
    except httpx.HTTPError as exc:
        where = shown_url or str(httpx.URL(url, params=params))
        raise fail(f"no answer from {where} ({type(exc).__name__}: {exc})") from exc
    where = shown_url or str(response.request.url)
    if response.status_code != 200:
        reason = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
        snippet = response.text[:200].strip()
        raise fail(f"{where} answered {reason}" + (f" ({snippet})" if snippet else ""))
    try:
        return response.json()
    except ValueError as exc:
        start = response.text[:80].strip()
        raise fail(f"{where} did not answer JSON (it starts {start!r})") from exc


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to a hidden temp file beside ``target``, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        with open(temp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
