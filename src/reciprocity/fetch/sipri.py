"""``reciprocity fetch sipri``: SIPRI's full trade register, through the one HTTP client.

Which request, and why
----------------------
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
The POST goes through :func:`reciprocity.fetch.client.http_client` and opts into its
body-keyed POST cache (:data:`~reciprocity.fetch.client.CACHE_EXTENSION`) with a check, so
only an answer that carries a classic register is kept; SIPRI sends
``Cache-Control: no-store``, which an RFC 9111 cache would obey.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from reciprocity.errors import FetchError
from reciprocity.fetch.client import CACHE_EXTENSION, cache_dir, http_client, write_atomically

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

_HEADER_PREFIX = "Recipient,Supplier"
_PREAMBLE_MAX_LINES = 30
_SNIFF_BYTES = 65536


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
        write_atomically(target, csv)
    except OSError as exc:
        raise FetchError(
            f"Downloaded the SIPRI trade register but could not write {target}: {exc}. "
            "Check that the directory is writable, or pass another destination directory."
        ) from exc
    return target
