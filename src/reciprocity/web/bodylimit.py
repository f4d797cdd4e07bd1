"""A bound on request bodies: a body over the limit is refused with 413 in the error shape.

FastAPI's own ``max_body_size`` answers a declared ``Content-Length`` over the limit with a
plain-text 413 that replaces any other answer; this middleware raises the 413 as an
``HTTPException`` from the body's reader instead, so the app's handlers answer in the one
error shape (JSON under ``/api``, the error page elsewhere). The body is refused before it
is read: at once when its declared length is over the limit, else as soon as the bytes read
pass it (a body sent in chunks, without a length).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SCOPE_KEY = "reciprocity.max_body_bytes"
"""The limit, in the request's scope (for the error message)."""


class BodyLimit:
    """Plain ASGI middleware: request bodies of at most ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[SCOPE_KEY] = self.max_bytes
        length = Headers(scope=scope).get("content-length", "")
        declared = int(length) if length.isdigit() else None
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            if declared is not None and declared > self.max_bytes:
                raise HTTPException(413, "Content Too Large")
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, "Content Too Large")
            return message

        await self.app(scope, limited, send)
