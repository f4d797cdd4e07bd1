"""The web app: FastAPI with server-rendered pages and a JSON API under ``/api``.

``create_app(db_path)`` builds the app on one store; ``reciprocity serve`` runs it with
uvicorn. Pages and API call the same Python API as the CLI, so the numbers match.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reciprocity import __version__, settings
from reciprocity.web import errors
from reciprocity.web.backend import Backend
from reciprocity.web.bodylimit import BodyLimit
from reciprocity.web.sessions import CredentialCache, SessionStore
from reciprocity.web.throttle import Throttle

SESSION_COOKIE = "reciprocity_session"
SESSION_MAX_AGE = 12 * 3600
MAX_BODY_BYTES = 8 << 20
"""Largest request body (JSON, form or any other) the app reads; a larger one is refused with
413 before it is read whole (:mod:`reciprocity.web.bodylimit`). The largest body expected is
a ledger registry posted to ``/api/ledger/import``; the YAML importer bounds a registry at
5,000,000 characters, and its JSON is somewhat longer."""

DESCRIPTION = """\
Technology flows between pairs of countries, with their two-way index, the source records
behind every figure, the datasets and vintages they come from, and the cooperation ledger.

Reading is open. Writing (the ledger) needs a user with the role `editor` or `admin`
(`reciprocity users add NAME --role editor`): send HTTP Basic credentials, or sign in at
`/login` and send the page's CSRF token in `X-CSRF-Token`. Errors have one shape:
`{"error", "status", "message", "problems": [{"location", "found", "expected"}]}`.
"""


CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
"""Content-Security-Policy of pages and API: scripts only from the app's own files (the pages
have no inline script; chart data sits in ``application/json`` blocks), inline styles allowed
(Plotly sets style attributes on the SVG it draws), nothing from elsewhere, no framing."""
CSP_DOCS = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
"""``/docs``: Swagger UI (from the installed fastapi-offline) starts with an inline script."""
CSP_BRIEFING = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                "img-src data: blob:; font-src data:; base-uri 'none'; form-action 'none'; "
                "frame-ancestors 'none'; sandbox allow-scripts allow-downloads allow-popups")
"""``/report``: the briefing is one self-contained file with Plotly and its drawing code
inline; it may run them, but in a sandbox (an origin of its own: no cookies, no API) and with
no network access at all."""


class SecurityHeaders:
    """Plain ASGI middleware adding security headers to every response: CSP, nosniff, no
    framing, same-origin referrers, and Strict-Transport-Security when served over HTTPS."""

    HEADERS = ((b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
               (b"referrer-policy", b"same-origin"),
               (b"cross-origin-opener-policy", b"same-origin"),
               (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"))
    HSTS = (b"strict-transport-security", b"max-age=31536000")

    def __init__(self, app: ASGIApp, https: bool = False) -> None:
        self.app = app
        self.https = https

    @staticmethod
    def policy(path: str) -> str:
        if path == "/docs" or path.startswith("/docs/"):
            return CSP_DOCS
        if path == "/report":
            return CSP_BRIEFING
        return CSP

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [*self.HEADERS, (b"content-security-policy",
                                 self.policy(scope.get("path", "")).encode("ascii"))]
        if self.https:
            extra.append(self.HSTS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def plotly_js_path() -> Path:
    """Plotly's JavaScript inside the installed ``plotly`` package (never copied)."""
    return Path(str(resources.files("plotly").joinpath("package_data", "plotly.min.js")))


def create_app(db_path: str | Path, *, read_only: bool = False, secret: str | None = None,
               pool_size: int = 4, cache_size: int = 512, https: bool = False,
               throttle: Throttle | None = None, max_body_bytes: int = MAX_BODY_BYTES
               ) -> FastAPI:
    """The app on the store at ``db_path``.

    ``secret`` signs session cookies and CSRF tokens (default ``$RECIPROCITY_SECRET``, else a
    random one per start, which signs everyone out when the server restarts).
    ``read_only`` opens the store read-only: every write answers 409.
    ``https``: the app is served over HTTPS (directly or behind a proxy that terminates TLS):
    the session cookie is marked ``Secure`` and responses carry Strict-Transport-Security.
    ``throttle`` counts failed sign-ins (default: :data:`throttle.DEFAULT_RULES`).
    ``max_body_bytes``: larger request bodies are refused with 413 (:data:`MAX_BODY_BYTES`).
    """
    backend = Backend(db_path, read_only=read_only, pool_size=pool_size, cache_size=cache_size)
    secret = secret or settings.current().secret or secrets.token_urlsafe(32)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        backend.close()

    app = FastAPIOffline(
        title="Reciprocity", version=__version__, description=DESCRIPTION,
        docs_url="/docs", redoc_url=None, static_url="/static/docs", lifespan=lifespan,
        swagger_ui_parameters={"validatorUrl": None, "defaultModelsExpandDepth": 0})
    app.state.backend = backend
    app.state.secret = secret
    app.state.read_only = read_only
    app.state.https = https
    app.state.throttle = throttle or Throttle()
    app.state.sessions = SessionStore(backend, SESSION_MAX_AGE)
    app.state.credentials = CredentialCache(secret)

    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie=SESSION_COOKIE,
                       max_age=SESSION_MAX_AGE, same_site="lax", https_only=https)
    app.add_middleware(GZipMiddleware, minimum_size=4096, compresslevel=5)
    app.add_middleware(SecurityHeaders, https=https)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    errors.install(app)

    from reciprocity.web.api import router as api_router
    from reciprocity.web.pages import router as pages_router

    app.include_router(api_router, prefix="/api")
    app.include_router(pages_router)

    plotly_path = plotly_js_path()

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(plotly_path, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    static = Path(str(resources.files("reciprocity.web").joinpath("static")))
    app.mount("/static/app", StaticFiles(directory=static), name="static")
    return app
