"""Route libraries built on ``requests`` (wbgapi, pyalex) through :func:`fetch.http_client`.

The project's httpx client brings the on-disk cache (hishel, GET responses keyed by URL), the
retries on 429/502/503/504 (honouring ``Retry-After``) and the User-Agent; tests pass an
``httpx.MockTransport`` to it, so recorded responses replay through the same stack. A
:class:`HttpxAdapter` mounted on a ``requests.Session`` sends every request through it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

_DROP = {"content-encoding", "content-length", "transfer-encoding"}


class HttpxAdapter(BaseAdapter):
    """A ``requests`` transport adapter that sends through an ``httpx.Client``."""

    def __init__(self, client: httpx.Client) -> None:
        super().__init__()
        self.client = client

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        headers = {k: v for k, v in request.headers.items()
                   if not (k.lower() == "user-agent" and v.startswith("python-requests"))}
        try:
            answer = self.client.request(request.method or "GET", request.url or "",
                                         headers=headers, content=request.body)
        except httpx.TimeoutException as exc:
            raise requests.Timeout(str(exc), request=request) from exc
        except httpx.HTTPError as exc:
            raise requests.ConnectionError(str(exc), request=request) from exc
        response = requests.Response()
        response.status_code = answer.status_code
        response.reason = answer.reason_phrase
        response.headers = CaseInsensitiveDict(
            {k: v for k, v in answer.headers.items() if k.lower() not in _DROP})
        response._content = answer.content
        response.encoding = answer.encoding
        response.url = str(answer.url)
        response.request = request
        return response

    def close(self) -> None:
        """The client belongs to the caller, who closes it."""


def session(client: httpx.Client) -> requests.Session:
    """A ``requests.Session`` whose every request goes through ``client``."""
    s = requests.Session()
    adapter = HttpxAdapter(client)
    s.mount("https://", adapter)
    s.mount("http://", adapter)
    return s


@contextmanager
def patched(obj: Any, name: str, value: Any) -> Iterator[None]:
    """Set ``obj.name`` to ``value`` for the duration of the block, then restore it."""
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)
