"""One JSON error shape for the API, and error pages for the HTML side.

Every error under ``/api`` has the body (documented in docs/web.md)::

    {"error": "NotFoundError", "status": 404, "message": "unknown channel 'x'; …",
     "problems": [{"location": "…", "found": "…", "expected": "…"}]}

``error`` is the kind of error (the package's error class, or the HTTP kind for errors the
framework raises), ``problems`` lists what was wrong with the input (possibly empty).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from reciprocity.errors import FetchError, InputError, NotFoundError, Problem, ReciprocityError

HTTP_KINDS = {400: "BadRequest", 401: "AuthenticationError", 403: "PermissionDeniedError",
              404: "NotFoundError", 405: "MethodNotAllowed", 409: "ConflictError",
              413: "ContentTooLarge", 422: "InputError", 429: "TooManyAttemptsError"}


def status_of(exc: ReciprocityError) -> int:
    """HTTP status for a package error: bad input 422, not found 404, auth 401/403."""
    explicit = getattr(exc, "status", None)
    if isinstance(explicit, int):
        return explicit
    if isinstance(exc, InputError):
        return 422
    if isinstance(exc, NotFoundError):
        return 404
    if type(exc).__name__ == "ReadOnlyStoreError":
        return 409
    if isinstance(exc, FetchError):
        return 502
    return 500


def error_body(kind: str, status: int, message: str,
               problems: list[Problem] | list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The one error shape."""
    rows = [p.to_dict() if isinstance(p, Problem) else p for p in (problems or [])]
    return {"error": kind, "status": status, "message": message, "problems": rows}


def body_of(exc: ReciprocityError) -> dict[str, Any]:
    status = status_of(exc)
    if isinstance(exc, InputError):
        return error_body(type(exc).__name__, status, exc.message, exc.problems)
    return error_body(type(exc).__name__, status, str(exc))


def validation_problems(exc: RequestValidationError) -> list[Problem]:
    """FastAPI's validation errors as problems (``query.since``: found 'abc', expected …)."""
    out = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err.get("loc", ()))
        found = "nothing" if err.get("type") == "missing" else repr(err.get("input"))
        out.append(Problem(loc or "request", found, str(err.get("msg", "a valid value"))))
    return out


def too_large(request: Request) -> list[Problem]:
    """What a body over the server's limit (:mod:`reciprocity.web.bodylimit`) was."""
    from reciprocity.web.bodylimit import SCOPE_KEY

    limit = request.scope.get(SCOPE_KEY)
    if not isinstance(limit, int):
        return []
    length = request.headers.get("content-length", "")
    found = f"a body of {int(length):,} bytes" if length.isdigit() else \
        f"a body of more than {limit:,} bytes"
    return [Problem("body", found, f"at most {limit:,} bytes (reciprocity serve --max-body)")]


def wants_json(request: Request) -> bool:
    """API paths answer in JSON; pages answer in HTML."""
    return request.url.path.startswith("/api") or request.url.path in ("/openapi.json",)


def install(app: FastAPI) -> None:
    """Register the handlers: JSON under /api, the error page elsewhere."""

    def respond(request: Request, body: dict[str, Any], headers: dict[str, str] | None = None
                ) -> Response:
        if wants_json(request):
            return JSONResponse(body, status_code=body["status"], headers=headers)
        from reciprocity.web.pages.common import error_page

        return error_page(request, body, headers=headers)

    @app.exception_handler(ReciprocityError)
    async def on_reciprocity_error(request: Request, exc: ReciprocityError) -> Response:
        body = body_of(exc)
        headers = None
        retry_after = getattr(exc, "retry_after", None)
        if isinstance(retry_after, int):  # 429: how long to wait
            headers = {"Retry-After": str(retry_after)}
        if body["status"] == 401 and wants_json(request) and not request.headers.get(
                "sec-fetch-mode"):
            # Basic credentials are for scripts; a browser (which sends Sec-Fetch-Mode) would
            # answer the challenge with a password dialog instead of the sign-in page.
            headers = {"WWW-Authenticate": 'Basic realm="reciprocity"'}
        return respond(request, body, headers)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> Response:
        return respond(request, error_body("InputError", 422, "invalid request parameters",
                                           validation_problems(exc)))

    @app.exception_handler(Exception)
    async def on_bug(request: Request, exc: Exception) -> Response:
        # a bug, not bad input: same shape, no details (they go to the server's log)
        return respond(request, error_body("InternalError", 500, "unexpected error on the "
                                           "server; the details are in its log"))

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        kind = HTTP_KINDS.get(exc.status_code, "HTTPError")
        message = exc.detail if isinstance(exc.detail, str) else kind
        if exc.status_code == 404 and message == "Not Found":
            message = f"no page or endpoint at {request.url.path}"
        problems = too_large(request) if exc.status_code == 413 else None
        if problems:
            message = "the request body is larger than this server accepts; nothing was read"
        return respond(request, error_body(kind, exc.status_code, message, problems),
                       dict(exc.headers) if exc.headers else None)
