"""``reciprocity fetch wdi INDICATOR…``: World Bank indicators through wbgapi, cached on disk.

wbgapi pages through the World Bank API v2 (``/v2/en/country/all/indicator/<code>``, JSON:
``[{page, pages, per_page, total, lastupdated, …}, [{indicator, country, countryiso3code,
date, value, …}, …]]``). Its HTTP requests go through :func:`reciprocity.fetch.http_client`
(on-disk cache, retries), see :mod:`reciprocity.fetch_bridge`. Each indicator is written in
the World Bank's own download layout (4 preamble lines, then ``Country Name,Country Code,
Indicator Name,Indicator Code,1960,…``), so ``reciprocity ingest wdi FILE`` reads it as it
reads a file downloaded by hand.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from reciprocity import fetch_bridge
from reciprocity.errors import FetchError, InputError
from reciprocity.fetch import _write_atomically, cache_dir, http_client

_CODE = re.compile(r"^[A-Za-z0-9_.]+$")


def _manual(code: str, reason: str) -> FetchError:
    return FetchError(
        f"Could not download World Bank indicator {code}: {reason}.\n"
        "Get the file by hand instead:\n"
        f"  1. Open https://data.worldbank.org/indicator/{code} in a web browser.\n"
        "  2. Choose Download → CSV; unzip it.\n"
        f"  3. Run: reciprocity ingest wdi API_{code}_DS2_en_csv_v2_….csv")


class _Requests:
    """Stands in for the ``requests`` module inside wbgapi; keeps each page's header."""

    def __init__(self, client: httpx.Client) -> None:
        self.session = fetch_bridge.session(client)
        self.headers: list[dict[str, Any]] = []

    def get(self, url: str, **kwargs: Any) -> Any:
        response = self.session.get(url, **kwargs)
        try:
            body = response.json()
        except ValueError:
            return response
        if isinstance(body, list) and body and isinstance(body[0], dict):
            self.headers.append(body[0])
        return response


def fetch_rows(code: str, client: httpx.Client) -> tuple[list[dict[str, Any]], str | None]:
    """Every observation of one indicator, and the API's ``lastupdated`` date."""
    import wbgapi

    shim = _Requests(client)
    try:
        with fetch_bridge.patched(wbgapi, "requests", shim):
            rows = list(wbgapi.fetch(f"country/all/indicator/{code}",
                                     params={"per_page": 20000}))
    except wbgapi.APIError as exc:
        raise _manual(code, f"the World Bank API answered: {exc}") from exc
    except (httpx.HTTPError, OSError) as exc:
        raise _manual(code, f"{type(exc).__name__}: {exc}") from exc
    updated = next((h.get("lastupdated") for h in shim.headers if h.get("lastupdated")), None)
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
    """Download each WDI indicator and write it as a World Bank download CSV; the paths."""
    bad = [c for c in codes if not _CODE.match(c)]
    if bad or not codes:
        raise InputError(f"indicator codes look like BM.GSR.ROYL.CD; found {bad or 'none'}")
    directory = Path(dest_dir) if dest_dir is not None else cache_dir() / "wdi"
    http = client if client is not None else http_client()
    written = []
    try:
        for code in codes:
            rows, updated = fetch_rows(code, http)
            if not rows or not any(r.get("value") is not None for r in rows):
                raise _manual(code, "the API returned no values (is the code right?)")
            label = updated or (today or date.today()).isoformat()
            target = directory / f"API_{code}_wbgapi_{label}.csv"
            _write_atomically(target, to_csv(rows, updated))
            written.append(target)
    finally:
        if client is None:
            http.close()
    return written
