"""Download publishers' files into an on-disk cache.

SIPRI trade register: which request, and why
--------------------------------------------
SIPRI replaced the old form at ``armstrade.sipri.org/armstrade/page/trade_register.php`` (a
form POST of ``low_year``, ``high_year``, ``seller_country_code``, ``filetype=csv`` … to
``…/armstrade/html/export_trade_register.php``, as public R and Python scripts show) with the
JavaScript app at https://armstransfers.sipri.org (one public note dates the change to March
2024). That app calls a JSON backend:

    POST https://atbackend.sipri.org/api/p/trades/trade-register-csv/
    Content-Type: application/json
    {"filters": [{"field": …, "oldField": "", "condition": …, "value1": …, "value2": …,
                  "listData": [entity ids]}, …],
     "logic": "AND"}

and answers ``200 application/json`` with ``{"bytes": "<base64 of the CSV file>"}``.
Public code that uses it (read for the request shape, none of it copied):

* datapumpernickel/Rat.db (an R package), ``R/atdb_request.R`` builds this POST;
  ``R/atdb_process.R`` decodes ``bytes`` and skips 11 preamble lines; its recorded response
  ``tests/testthat/test_data/atbackend.sipri.org/api/p/trades/trade-register-csv-e05b15-POST.R``
  (10 Feb 2025) shows the exact ``{"bytes": …}`` envelope and the response headers. Rat.db also
  sends an ``exportOption`` filter, and its recording shows what that does: a different,
  per-delivery layout (header ``SIPRI AT Database ID,Supplier,Recipient,…``). So this module
  does not send it.
* QDThead/weapons-tracker, ``src/ingestion/sipri_transfers.py`` (httpx; its project notes
  record moving to this backend in March 2026), and a Pacific-dashboard build script (User-Agent
  ``pacific-links/0.1``; the index did not name its repository) both POST ``filters`` +
  ``"logic": "AND"`` with the ``opendeals`` filter to this URL, decode ``bytes``, and parse the
  classic header ``Recipient,Supplier,Year of order,…``. The Pacific script names
  https://armstransfers.sipri.org/ArmsTransfer/TransferRegister as the page for people;
  :data:`SIPRI_PAGE_URL` points there.
* tjmisko/sspi-data-webapp uses the sibling endpoint ``/api/p/trades/import-export-csv-str/``
  (TIV tables) with the same filter schema, which confirms the schema is shared.

"All suppliers, all recipients, all years" means sending no Supplier, Recipient or year
filter. The manual full export this project already holds
(``data/raw/sipri_trade_register/trade-register.csv``) has the preamble
"… year range 'Not specified' to 'Not specified'", so it was made with no year filter, and it
has 1,220 deals with no deliveries, so open deals were included. The body is therefore just
the ``opendeals`` filter. **Not seen in any recording**: that the backend accepts a body with
no year filter at all (every recording found has one). If it does not, :func:`fetch_sipri`
fails with :class:`~reciprocity.errors.FetchError` and its manual-download instructions.

Caching
-------
:func:`http_client` stacks, from the outside in: a body-keyed cache for POST requests that
opt in; hishel 2.0's ``hishel.httpx.CacheTransport`` (its default, non-RFC mode caches GET
and HEAD by method and URL); retries on 429/502/503/504; the network (or an injected
transport). Both caches use one hishel ``SqliteStorage`` file under ``cache_dir()/http``.
The POST layer exists because hishel 2.0 wraps any transport cleanly but will not cache a
POST: its non-RFC mode passes every method other than GET and HEAD through, and its RFC 9111
mode obeys SIPRI's ``Cache-Control: no-store``. Entries live :data:`DEFAULT_TTL` seconds.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import email.utils
import hashlib
import json
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import hishel
import httpx
from hishel.httpx import CacheTransport

from reciprocity.errors import FetchError

SIPRI_PAGE_URL = "https://armstransfers.sipri.org/ArmsTransfer/TransferRegister"
SIPRI_REGISTER_URL = "https://atbackend.sipri.org/api/p/trades/trade-register-csv/"
SIPRI_REGISTER_BODY: dict[str, Any] = {
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

#: Request extension that opts a POST into the cache: ``{"ttl": seconds, "accept": fn}``,
#: both optional. ``accept(body) -> bool`` decides whether a 2xx body is worth keeping.
CACHE_EXTENSION = "reciprocity.cache"
DEFAULT_TTL = 24 * 60 * 60.0
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# SIPRI takes several seconds even for tiny answers, and the full register is ~5 MB of JSON.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, read=300.0)
_HEADER_PREFIX = "Recipient,Supplier"
_PREAMBLE_MAX_LINES = 30
_SNIFF_BYTES = 65536


def cache_dir() -> Path:
    """Where downloads and the HTTP cache live: ``$RECIPROCITY_CACHE`` or the OS cache dir."""
    override = os.environ.get("RECIPROCITY_CACHE")
    if override:
        return Path(override).expanduser()
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


def _manual_download_error(reason: str) -> FetchError:
    return FetchError(
        f"Could not download the SIPRI trade register from {SIPRI_REGISTER_URL}: {reason}.\n"
        "Get the file by hand instead:\n"
        f"  1. Open {SIPRI_PAGE_URL} in a web browser.\n"
        "  2. Choose all suppliers, all recipients and all years (leave the year range empty),\n"
        "     and keep open deals (orders with nothing delivered yet) included.\n"
        "  3. Download the trade register as CSV: the classic 'trade register' layout, whose\n"
        "     header row starts 'Recipient,Supplier,Year of order'.\n"
        "  4. Run: reciprocity ingest sipri FILE"
    )


def _check_register(csv: bytes) -> None:
    """Raise ValueError, saying what was found, unless ``csv`` looks like a classic export."""
    text = csv[:_SNIFF_BYTES].decode("latin-1")  # SIPRI's encoding; decodes any byte
    lines = text.splitlines()
    head = lines[:_PREAMBLE_MAX_LINES]
    header_at = next((i for i, line in enumerate(head) if line.startswith(_HEADER_PREFIX)), None)
    if header_at is None:
        if any(line.startswith("SIPRI AT Database ID,") for line in head):
            raise ValueError(
                "the CSV is SIPRI's per-delivery layout ('SIPRI AT Database ID,…'), not the "
                "classic trade register"
            )
        first = lines[0][:80] if lines else ""
        raise ValueError(
            f"no header row starting {_HEADER_PREFIX!r} in the first {_PREAMBLE_MAX_LINES} "
            f"lines (first line: {first!r})"
        )
    preamble = "\n".join(lines[:header_at])
    for marker in ("SIPRI", "Data generated:"):
        if marker not in preamble:
            raise ValueError(f"the lines before the header do not contain {marker!r}")
    if not any(line.strip() for line in lines[header_at + 1 :]):
        raise ValueError("the CSV has a header but no data rows")


def _register_csv(body: bytes) -> bytes:
    """The register CSV carried by a backend answer, checked; ValueError says what was wrong.

    The backend wraps the file as ``{"bytes": base64}``; a bare CSV body is accepted too.
    """
    stripped = body.lstrip()
    if stripped.startswith(b"{"):
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise ValueError(f"the answer is not valid JSON ({exc})") from exc
        encoded = payload.get("bytes") if isinstance(payload, dict) else None
        if not isinstance(encoded, str):
            keys = sorted(payload) if isinstance(payload, dict) else type(payload).__name__
            raise ValueError(f"the JSON answer has no 'bytes' string (found {keys})")
        try:
            csv = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"'bytes' is not valid base64 ({exc})") from exc
    elif stripped[:1] == b"<":
        snippet = stripped[:80].decode("latin-1")
        raise ValueError(f"the answer is an HTML page, not the CSV export (starts {snippet!r})")
    else:
        csv = body
    if csv.startswith(b"\xef\xbb\xbf"):
        csv = csv[3:]
    _check_register(csv)
    return csv


def _is_register_answer(body: bytes) -> bool:
    try:
        _register_csv(body)
    except ValueError:
        return False
    return True


def _write_atomically(target: Path, data: bytes) -> None:
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


def fetch_sipri(
    dest_dir: Path | None = None,
    *,
    client: httpx.Client | None = None,
    today: date | None = None,
) -> Path:
    """Download SIPRI's full trade register CSV and return the path it was written to.

    Writes ``<dest_dir or cache_dir()/sipri>/trade-register-<YYYY-MM-DD>.csv`` atomically,
    with the bytes exactly as SIPRI sent them (Latin-1 in every export seen). ``client``
    defaults to :func:`http_client` and is then closed here; a client of your own is used
    as is. Raises :class:`FetchError` with manual-download steps if the download fails or
    is not a classic trade-register export; no file is written then.
    """
    directory = Path(dest_dir) if dest_dir is not None else cache_dir() / "sipri"
    target = directory / f"trade-register-{(today or date.today()).isoformat()}.csv"
    http = client if client is not None else http_client()
    try:
        response = http.post(
            SIPRI_REGISTER_URL,
            json=SIPRI_REGISTER_BODY,
            headers={"Accept": "application/json"},
            extensions={CACHE_EXTENSION: {"accept": _is_register_answer}},
        )
    except httpx.HTTPError as exc:
        raise _manual_download_error(f"{type(exc).__name__}: {exc}") from exc
    finally:
        if client is None:
            http.close()
    if response.status_code != 200:
        raise _manual_download_error(
            f"SIPRI answered HTTP {response.status_code} {response.reason_phrase}".rstrip()
        )
    try:
        csv = _register_csv(response.content)
    except ValueError as exc:
        raise _manual_download_error(str(exc)) from exc
    try:
        _write_atomically(target, csv)
    except OSError as exc:
        raise FetchError(
            f"Downloaded the SIPRI trade register but could not write {target}: {exc}. "
            "Check that the directory is writable, or pass another destination directory."
        ) from exc
    return target
