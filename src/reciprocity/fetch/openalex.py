"""``reciprocity fetch openalex --pair A B --since Y``: a pair's co-authored works from OpenAlex.

The works are ``GET https://api.openalex.org/works?filter=institutions.country_code:<a>+<b>,
from_publication_date:<Y>-01-01&select=…&cursor=<c>&per-page=200`` (``+`` inside a filter
value is AND: works with authors in both countries), read with cursor paging from ``*`` until
``meta.next_cursor`` is null (OpenAlex refuses page paging past 10,000 results). The works
they cite are then fetched by id, 50 per request (``filter=openalex_id:W1|W2|…``, the ``|``
sent as ``%7C``), and written too, marked as citation targets (``_reciprocity_role:
referenced``), so the file's citation flows can be placed. Every request goes through
:func:`reciprocity.fetch.client.http_client`: raw pages cached on disk, 429/502/503/504
retried with bounded backoff (``Retry-After`` honoured).

``OPENALEX_API_KEY`` and ``OPENALEX_EMAIL``, when set, are sent as OpenAlex documents them,
the ``api_key`` and ``mailto`` query parameters; error messages show the URL without the key.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import httpx
import pycountry

from reciprocity import countries
from reciprocity.errors import FetchError, InputError
from reciprocity.fetch.client import cache_dir, client_or_default, get_json, write_atomically
from reciprocity.sources import openalex as source

API = "https://api.openalex.org"
SELECT = ["id", "doi", "title", "publication_year", "publication_date", "type", "authorships",
          "primary_topic", "referenced_works", "updated_date"]
PER_PAGE = 200
REFERENCE_BATCH = 50


def alpha2(name_or_code: str) -> str:
    """The ISO alpha-2 code OpenAlex uses for a country given as a name or code."""
    country = countries.resolve(name_or_code)
    extra = {v: k for k, v in source.quirks()["alpha2_extra"].items()}
    if country.code in extra:
        return extra[country.code].lower()
    found = pycountry.countries.get(alpha_3=country.code)
    if found is None:
        raise InputError(f"{country.name} ({country.code}) has no ISO alpha-2 code, so "
                         "OpenAlex cannot be asked about it")
    return found.alpha_2.lower()


class _Works:
    """``/works`` requests with one filter; the answers' ``results`` and ``meta``."""

    def __init__(self, client: httpx.Client, what: str) -> None:
        self.client = client
        self.what = what
        self.credentials = [(name, os.environ[var]) for name, var in
                            (("mailto", "OPENALEX_EMAIL"), ("api_key", "OPENALEX_API_KEY"))
                            if os.environ.get(var)]

    def fail(self, reason: str) -> FetchError:
        return FetchError(
            f"Could not fetch OpenAlex works for {self.what}: {reason}.\n"
            "OpenAlex may need an API key (free): set OPENALEX_API_KEY and try again, or "
            "download works as JSON Lines (https://docs.openalex.org) and run: "
            "reciprocity ingest openalex FILE")

    def get(self, filter_: str, **extra: str | int) -> tuple[list[dict[str, Any]], dict]:
        # The query is written out, not left to httpx's params: OpenAlex reads ``+`` in a
        # filter as AND, and form encoding would turn it into %2B.
        query = [f"filter={filter_}", f"select={','.join(SELECT)}",
                 *(f"{k}={quote_plus(str(v))}" for k, v in extra.items())]
        shown = f"{API}/works?" + "&".join(query)
        url = f"{API}/works?" + "&".join(
            [*query, *(f"{k}={quote_plus(v)}" for k, v in self.credentials)])
        body = get_json(self.client, url, self.fail, shown_url=shown)
        results = body.get("results") if isinstance(body, dict) else None
        meta = body.get("meta") if isinstance(body, dict) else None
        if not isinstance(results, list) or not isinstance(meta, dict):
            raise self.fail(f"{shown} answered JSON without 'results' and 'meta'")
        return results, meta

    def pages(self, filter_: str, max_works: int | None) -> Iterator[list[dict[str, Any]]]:
        """Cursor paging; stops at a null cursor, an empty page, or once ``max_works`` are in."""
        cursor: str | None = "*"
        n = 0
        while cursor is not None and not (max_works and n >= max_works):
            results, meta = self.get(filter_, cursor=cursor, **{"per-page": PER_PAGE})
            yield results
            n += len(results)
            cursor = meta.get("next_cursor") if results else None


def fetch_openalex(a: str, b: str, since: int, dest_dir: Path | None = None, *,
                   client: httpx.Client | None = None, max_works: int | None = None,
                   references: bool = True, max_references: int | None = 5000) -> Path:
    """Fetch works co-authored by A and B published since ``since``; the JSON Lines path.

    ``max_works`` stops the paging once that many works are in (the last page is kept
    whole); ``references`` also fetches the works they cite, at most ``max_references``.
    """
    a2, b2 = alpha2(a), alpha2(b)
    if a2 == b2:
        raise InputError("--pair needs two different countries")
    directory = Path(dest_dir) if dest_dir is not None else cache_dir() / "openalex"
    codes = sorted([countries.resolve(a).code, countries.resolve(b).code])
    target = directory / f"openalex-{codes[0]}-{codes[1]}-since-{since}.jsonl"
    role_key, role = source.quirks()["role_key"], source.quirks()["referenced_role"]
    pair_filter = (f"institutions.country_code:{quote_plus(a2)}+{quote_plus(b2)},"
                   f"from_publication_date:{since}-01-01")
    lines: list[str] = []
    with client_or_default(client) as http:
        works = _Works(http, f"{codes[0]}–{codes[1]}")
        seen: set[str] = set()
        cited: list[str] = []
        for page in works.pages(pair_filter, max_works):
            for work in page:
                wid = source.short_id(work.get("id"))
                if not wid or wid in seen:
                    continue
                seen.add(wid)
                lines.append(json.dumps(work, ensure_ascii=False))
                cited += [r for r in map(source.short_id, work.get("referenced_works") or [])
                          if r]
        wanted = list(dict.fromkeys(r for r in cited if r not in seen))
        if max_references is not None:
            wanted = wanted[:max_references]
        if references:
            for i in range(0, len(wanted), REFERENCE_BATCH):
                batch = wanted[i:i + REFERENCE_BATCH]
                ids = "%7C".join(quote_plus(w) for w in batch)  # "|": OR
                found, _ = works.get(f"openalex_id:{ids}", **{"per-page": len(batch)})
                for work in found:
                    lines.append(json.dumps({**work, role_key: role}, ensure_ascii=False))
    if not lines:
        raise FetchError(f"OpenAlex returned no works co-authored by {codes[0]} and "
                         f"{codes[1]} since {since}")
    try:
        write_atomically(target, ("\n".join(lines) + "\n").encode("utf-8"))
    except OSError as exc:
        raise FetchError(
            f"Fetched OpenAlex works for {codes[0]}–{codes[1]} but could not write {target}: "
            f"{exc}. Check that the directory is writable, or pass another one with "
            "--out.") from exc
    return target
