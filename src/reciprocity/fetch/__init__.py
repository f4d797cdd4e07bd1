"""Downloads from the publishers, all through one HTTP client (:mod:`.client`).

- :func:`fetch_sipri` (:mod:`.sipri`): SIPRI's full trade register from its JSON backend;
- :func:`fetch_wdi` (:mod:`.wdi`): World Bank indicators from the API v2;
- :func:`fetch_openalex` (:mod:`.openalex`): a pair's co-authored works from the OpenAlex API.

Each publisher's HTTP API is called directly with :func:`http_client` (httpx, an on-disk
hishel cache, bounded retries); no other library's internals are touched. Every failure is a
:class:`~reciprocity.errors.FetchError` saying what was fetched, from where, and how to get
the file by hand.
"""

from __future__ import annotations

from reciprocity.fetch.client import cache_dir, http_client
from reciprocity.fetch.openalex import fetch_openalex
from reciprocity.fetch.sipri import fetch_sipri
from reciprocity.fetch.wdi import fetch_wdi

__all__ = ["cache_dir", "fetch_openalex", "fetch_sipri", "fetch_wdi", "http_client"]
