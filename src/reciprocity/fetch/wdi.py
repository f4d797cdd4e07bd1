"""``reciprocity fetch wdi INDICATOR…``: World Bank indicators from the API v2, cached on disk.

One indicator for all economies is
``GET https://api.worldbank.org/v2/en/country/all/indicator/<code>?per_page=20000&page=<n>
&format=json``, answered ``[{page, pages, per_page, total, lastupdated, …}, [{indicator,
country, countryiso3code, date, value, …}, …]]`` (the data part is ``null`` when there is
nothing), or ``[{"message": [{id, key, value}]}]`` for a bad request. Pages 1 to ``pages`` of
the first answer are read through :func:`reciprocity.fetch.client.http_client` (on-disk
cache, bounded retries). Each indicator is written in the World Bank's own download layout
(4 preamble lines, then ``Country Name,Country Code,Indicator Name,Indicator Code,1960,…``),
so ``reciprocity ingest wdi FILE`` reads it as it reads a file downloaded by hand.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from reciprocity.errors import FetchError, InputError
from reciprocity.fetch.client import cache_dir, client_or_default, get_json, write_atomically

API = "https://api.worldbank.org/v2"
#: Rows per page. Every country and year of one indicator (~17,000 rows) fits in one page.
PER_PAGE = 20000
_CODE = re.compile(r"^[A-Za-z0-9_.]+$")


def _manual(code: str, reason: str) -> FetchError:
    return FetchError(
        f"Could not download World Bank indicator {code}: {reason}.\n"
        "Get the file by hand instead:\n"
        f"  1. Open https://data.worldbank.org/indicator/{code} in a web browser.\n"
        "  2. Choose Download → CSV; unzip it.\n"
        f"  3. Run: reciprocity ingest wdi API_{code}_DS2_en_csv_v2_….csv")


def _page(body: Any, url: str, code: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The header and the rows of one answer; the API's error message as a FetchError."""
    header = body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else None
    if header is None:
        raise _manual(code, f"{url} answered JSON that is not a World Bank API v2 page")
    if header.get("message"):
        messages = header["message"] if isinstance(header["message"], list) else []
        said = "; ".join(f"{m.get('key', '')}: {m.get('value', '')}".strip(": ")
                         for m in messages if isinstance(m, dict))
        raise _manual(code, f"the World Bank API answered: {said or header['message']} ({url})")
    rows = body[1] if len(body) > 1 else None
    if rows is None:
        rows = []
    if not isinstance(rows, list):
        raise _manual(code, f"{url} answered a page whose data part is not a list")
    return header, rows


def fetch_rows(code: str, client: httpx.Client) -> tuple[list[dict[str, Any]], str | None]:
    """Every observation of one indicator, and the API's ``lastupdated`` date."""
    url = f"{API}/en/country/all/indicator/{code}"
    rows: list[dict[str, Any]] = []
    updated: str | None = None
    page, pages = 1, 1
    while page <= pages:
        params = {"per_page": PER_PAGE, "page": page, "format": "json"}
        shown = f"{url}?per_page={PER_PAGE}&page={page}&format=json"
        header, found = _page(
            get_json(client, url, lambda reason: _manual(code, reason), params=params),
            shown, code)
        if page == 1:
            try:
                pages = int(header.get("pages") or 0)
            except (TypeError, ValueError):
                raise _manual(code, f"{shown} gave no page count ({header!r})") from None
        updated = updated or header.get("lastupdated") or None
        rows += found
        page += 1
    return rows, updated


def to_csv(rows: list[dict[str, Any]], updated: str | None) -> bytes:
    """The rows in the World Bank download layout (UTF-8 with BOM, 4 preamble lines)."""
    by_economy: dict[tuple[str, str], dict[int, Any]] = {}
    names: dict[str, str] = {}
    years: set[int] = set()
    for r in rows:
        ind = r.get("indicator") or {}
        names[ind.get("id", "")] = ind.get("value", "")
        country = r.get("country") or {}
        code = r.get("countryiso3code") or country.get("id") or ""
        key = (country.get("value") or code, code)
        year = int(str(r.get("date"))[:4])
        years.add(year)
        cell = by_economy.setdefault(key, {})
        if r.get("value") is not None:
            cell[year] = r["value"]
    span = list(range(min(1960, *years), max(years) + 1)) if years else []
    ind_code, ind_name = next(iter(names.items())) if names else ("", "")
    out = io.StringIO()
    out.write('"Data Source","World Development Indicators",\n\n')
    out.write(f'"Last Updated Date","{updated or ""}",\n\n')
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator=",\n")
    writer.writerow(["Country Name", "Country Code", "Indicator Name", "Indicator Code",
                     *map(str, span)])
    for (name, code), values in sorted(by_economy.items(), key=lambda kv: kv[0][0]):
        writer.writerow([name, code, ind_name, ind_code,
                         *("" if values.get(y) is None else repr(float(values[y]))
                           for y in span)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def fetch_wdi(codes: list[str], dest_dir: Path | None = None, *,
              client: httpx.Client | None = None, today: date | None = None) -> list[Path]:
    """Download each WDI indicator and write it as a World Bank download CSV; the paths.

    The file is ``API_<code>_wbgapi_<last updated>.csv`` (the name is kept from the
    versions that used wbgapi, so scripts that look for it still find it).
    """
    bad = [c for c in codes if not _CODE.match(c)]
    if bad or not codes:
        raise InputError(f"indicator codes look like BM.GSR.ROYL.CD; found {bad or 'none'}")
    directory = Path(dest_dir) if dest_dir is not None else cache_dir() / "wdi"
    written = []
    with client_or_default(client) as http:
        for code in codes:
            rows, updated = fetch_rows(code, http)
            if not rows or not any(r.get("value") is not None for r in rows):
                raise _manual(code, "the API returned no values (is the code right?)")
            label = updated or (today or date.today()).isoformat()
            target = directory / f"API_{code}_wbgapi_{label}.csv"
            try:
                write_atomically(target, to_csv(rows, updated))
            except OSError as exc:
                raise FetchError(
                    f"Downloaded World Bank indicator {code} but could not write {target}: "
                    f"{exc}. Check that the directory is writable, or pass another one with "
                    "--out.") from exc
            written.append(target)
    return written
