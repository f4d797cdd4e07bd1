"""``reciprocity fetch openalex --pair A B --since Y``: a pair's co-authored works via pyalex.

pyalex builds the query (``institutions.country_code:<a>+<b>`` — works with authors in both
countries — and ``from_publication_date``) and pages through it with cursor paging (OpenAlex
refuses page paging past 10,000 results). Its HTTP requests go through
:func:`reciprocity.fetch.http_client` (:mod:`reciprocity.fetch_bridge`): every raw page is
cached on disk, and 429/503 answers are retried with backoff (``Retry-After`` honoured).
The works cited by these works are then fetched by id (50 per request) and written too,
marked as citation targets (``_reciprocity_role: referenced``), so the file's citation flows
can be placed. Set ``OPENALEX_API_KEY`` (and ``OPENALEX_EMAIL``) in the environment to send
them with each request.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pycountry

from reciprocity import countries, fetch_bridge
from reciprocity.errors import FetchError, InputError
from reciprocity.fetch import _write_atomically, cache_dir, http_client
from reciprocity.sources import openalex as source

SELECT = ["id", "doi", "title", "publication_year", "publication_date", "type", "authorships",
          "primary_topic", "referenced_works", "updated_date"]
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


def _configure() -> None:
    import pyalex

    if os.environ.get("OPENALEX_API_KEY"):
        pyalex.config.api_key = os.environ["OPENALEX_API_KEY"]
    if os.environ.get("OPENALEX_EMAIL"):
        pyalex.config.email = os.environ["OPENALEX_EMAIL"]


def _pages(query: Any, n_max: int | None) -> Iterator[list[dict[str, Any]]]:
    for page in query.paginate(method="cursor", per_page=200, n_max=n_max):
        yield [dict(w) for w in page]


def fetch_openalex(a: str, b: str, since: int, dest_dir: Path | None = None, *,
                   client: httpx.Client | None = None, max_works: int | None = None,
                   references: bool = True, max_references: int | None = 5000) -> Path:
    """Fetch works co-authored by A and B published since ``since``; the JSON Lines path."""
    import pyalex
    import requests

    a2, b2 = alpha2(a), alpha2(b)
    if a2 == b2:
        raise InputError("--pair needs two different countries")
    _configure()
    directory = Path(dest_dir) if dest_dir is not None else cache_dir() / "openalex"
    codes = sorted([countries.resolve(a).code, countries.resolve(b).code])
    target = directory / f"openalex-{codes[0]}-{codes[1]}-since-{since}.jsonl"
    http = client if client is not None else http_client()
    role_key, role = source.quirks()["role_key"], source.quirks()["referenced_role"]
    lines: list[str] = []
    try:
        with fetch_bridge.patched(pyalex.api, "_get_requests_session",
                                  lambda: fetch_bridge.session(http)):
            query = (pyalex.Works().filter(institutions={"country_code": [a2, b2]})
                     .filter(from_publication_date=f"{since}-01-01").select(SELECT))
            seen: set[str] = set()
            cited: list[str] = []
            for page in _pages(query, max_works):
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
                    found = pyalex.Works().filter_or(openalex_id=batch).select(SELECT).get(
                        per_page=len(batch))
                    for work in found:
                        record = {**dict(work), role_key: role}
                        lines.append(json.dumps(record, ensure_ascii=False))
    except (requests.RequestException, pyalex.api.QueryError, httpx.HTTPError) as exc:
        raise FetchError(
            f"Could not fetch OpenAlex works for {codes[0]}–{codes[1]}: {exc}.\n"
            "OpenAlex may need an API key (free): set OPENALEX_API_KEY and try again, or "
            "download works as JSON Lines (https://docs.openalex.org) and run: "
            "reciprocity ingest openalex FILE") from exc
    finally:
        if client is None:
            http.close()
    if not lines:
        raise FetchError(f"OpenAlex returned no works co-authored by {codes[0]} and "
                         f"{codes[1]} since {since}")
    _write_atomically(target, ("\n".join(lines) + "\n").encode("utf-8"))
    return target
