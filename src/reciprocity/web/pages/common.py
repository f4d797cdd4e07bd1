"""Templates and what every page shares: the signed-in user, the CSRF token, credit lines."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from reciprocity import __version__, labels
from reciprocity.report import builder
from reciprocity.report import figures as figs
from reciprocity.web import deps


def _query(params: dict[str, Any], **changes: Any) -> str:
    """``?a=…&b=…`` from a dict (empty values dropped), with ``changes`` applied."""
    merged = {**params, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v not in (None, "")})


@cache
def templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reciprocity.web", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True, lstrip_blocks=True)
    env.filters.update(**builder.NUMBER_FILTERS, by_unit=labels.figure,
                       cell=builder.fmt_cell, plain=builder.fmt_plain, unit=figs.unit_label,
                       label=labels.label, credit=credit_line)
    env.globals.update(version=__version__, query=_query, cell_for=builder.cell_for,
                       column_heading=builder.heading)
    return Jinja2Templates(env=env)


def credit_line(text: str) -> str:
    """A credit line as a sentence: one full stop at its end (ATOP's already has one)."""
    return text if text.endswith(".") else text + "."


def credits(request: Request) -> list[str]:
    """Credit lines of every dataset in the store (cached until the next write)."""
    backend = deps.backend(request)

    def load() -> list[str]:
        with backend.read() as r:
            frame = r.store.datasets()
        return sorted(set(frame["credit"])) if len(frame) else []

    return backend.cache.get_or_compute(("credits",), load)


def render(request: Request, name: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """A page: the template with the user, CSRF token, credits and navigation filled in."""
    user = deps.current_user(request)
    ctx = {
        "request": request, "user": user, "csrf_token": deps.csrf_token(request),
        "credits": credits(request), "read_only": request.app.state.read_only,
        "path": request.url.path, **(context or {}),
    }
    return templates().TemplateResponse(request, name, ctx, status_code=status_code,
                                        headers=headers)


def fragment(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    """A partial page (no layout) for in-place updates."""
    ctx = {"request": request, "csrf_token": deps.csrf_token(request), **context}
    return templates().TemplateResponse(request, name, ctx)


def error_page(request: Request, body: dict[str, Any], headers: dict[str, str] | None = None
               ) -> HTMLResponse:
    """The error page for a failed page request (same content as the API's error body)."""
    try:
        return render(request, "error.html.j2", {"error": body}, status_code=body["status"],
                      headers=headers)
    except Exception:  # the layout itself failed (e.g. the store is gone): plain text
        text = f"{body['status']} {body['error']}: {body['message']}"
        return HTMLResponse(f"<!doctype html><title>Error</title><pre>{_esc(text)}</pre>",
                            status_code=body["status"], headers=headers)


def _esc(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
