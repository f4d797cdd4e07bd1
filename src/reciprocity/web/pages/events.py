"""Policy events pages: a pair's timeline with sources, one event with its versions, and the
create/edit form for editors (problems beside their fields, nothing written). docs/events.md."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reciprocity.errors import InputError, ReciprocityError
from reciprocity.events.schema import KINDS
from reciprocity.report import timeline
from reciprocity.web import deps
from reciprocity.web.pages.common import render
from reciprocity.web.pages.deleting import delete_with_reason
from reciprocity.web.pages.ledger import need_writer_page

router = APIRouter()

SOURCE_ROWS = 3
SOURCE_FIELDS = ("title", "publisher", "author", "year", "url", "page")


@router.get("/events", response_class=HTMLResponse)
def events_index(request: Request) -> HTMLResponse:
    """A pair's events by date, with their sources (``reciprocity events A B``)."""
    q = request.query_params
    a, b = (q.get("a") or "USA").strip(), (q.get("b") or "JPN").strip()
    kind = (q.get("kind") or "").strip()
    errors: dict[str, str] = {}
    years: dict[str, int | None] = {}
    for name in ("since", "until"):
        raw = (q.get(name) or "").strip()
        years[name] = int(raw) if raw.isdigit() else None
        if raw and years[name] is None:
            errors[name] = f"not a year: {raw!r}"
    section = None
    if not errors:
        try:
            with deps.backend(request).read() as r:
                section = timeline.section(r.events(a, b, kind=kind or None, **years))
        except ReciprocityError as exc:
            errors["form"] = str(exc)
    return render(request, "events_index.html.j2", {
        "a": a, "b": b, "kind": kind, "since": q.get("since") or "",
        "until": q.get("until") or "", "kinds": KINDS, "section": section, "errors": errors},
        status_code=422 if errors else 200)


def _form_values(data: dict[str, Any]) -> dict[str, str]:
    """An event's fields as the form shows them (lists comma-separated, one row a source)."""
    values = {k: str(data.get(k) or "") for k in ("id", "date", "kind", "title", "label",
                                                  "summary", "notes")}
    values["countries"] = ", ".join(data.get("countries", []))
    values["programs"] = ", ".join(data.get("programs", []))
    for i, source in enumerate(data.get("sources", [])):
        for f in SOURCE_FIELDS:
            values[f"sources-{i}-{f}"] = str(source.get(f) or "")
    return values


def _from_form(values: dict[str, str]) -> dict[str, Any]:
    """The plain data of an event from the form (empty fields left out)."""
    def items(name: str) -> list[str]:
        return [x.strip() for x in values.get(name, "").split(",") if x.strip()]

    data: dict[str, Any] = {k: values[k].strip() for k in (
        "id", "date", "kind", "title", "label", "summary", "notes")
        if values.get(k, "").strip()}
    data["countries"] = items("countries")
    if items("programs"):
        data["programs"] = items("programs")
    sources = []
    rows = sorted({int(k.split("-")[1]) for k in values if k.startswith("sources-")
                   and k.split("-")[1].isdigit()})
    for i in rows:
        source = {f: values.get(f"sources-{i}-{f}", "").strip() for f in SOURCE_FIELDS}
        if any(source.values()):
            sources.append({f: v for f, v in source.items() if v})
    data["sources"] = sources
    return data


def _problems(exc: InputError) -> dict[str, str]:
    """Problems by form field (``countries[1]`` → ``countries``, ``sources[0].title`` →
    ``sources-0-title``)."""
    out: dict[str, str] = {}
    for p in exc.problems:
        field = p.location.split(" ")[-1]
        if field.startswith("sources["):  # a source without who published it: publisher
            index, _, rest = field[len("sources["):].partition("]")
            field = f"sources-{index}-{rest.lstrip('.') or 'publisher'}"
        else:
            field = field.split("[")[0].split(".")[0] or "form"
        out.setdefault(field, f"found {p.found}; expected {p.expected}")
    return out or {"form": exc.message}


def _form_page(request: Request, values: dict[str, str], errors: dict[str, str], *,
               event_id: str | None = None, status_code: int = 200) -> HTMLResponse:
    rows = max(SOURCE_ROWS, 1 + max([int(k.split("-")[1]) for k in values
                                     if k.startswith("sources-")] or [-1]))
    return render(request, "events_form.html.j2", {
        "v": values, "errors": errors, "event_id": event_id, "kinds": KINDS,
        "source_rows": range(rows), "source_fields": SOURCE_FIELDS},
        status_code=status_code)


@router.get("/events/new", response_class=HTMLResponse)
def new_form(request: Request) -> Response:
    """An empty form for a new event."""
    redirect = need_writer_page(request)
    return redirect if redirect is not None else _form_page(request, {}, {})


async def _submit(request: Request, event_id: str | None) -> Response:
    """Validate and save the form as a new version; on any problem show it again."""
    user = await deps.require_writer(request)
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    if event_id is not None:
        values["id"] = event_id
    reason = values.get("reason", "").strip() or (
        "created in the web app" if event_id is None else "edited in the web app")

    def run() -> tuple[str | None, dict[str, str]]:
        try:
            with deps.backend(request).write() as w:
                return w.timeline.save(_from_form(values), by=user.name, reason=reason).id, {}
        except InputError as exc:
            return None, _problems(exc)

    saved, errors = await run_in_threadpool(run)
    if saved is None:
        return _form_page(request, values, errors, event_id=event_id, status_code=422)
    return RedirectResponse(f"/events/{quote(saved)}?saved=1", status_code=303)


@router.post("/events/new", response_class=HTMLResponse)
async def create(request: Request) -> Response:
    return await _submit(request, None)


@router.get("/events/{event_id}", response_class=HTMLResponse)
def detail(request: Request, event_id: str) -> HTMLResponse:
    """An event with its sources and its versions (who, when, why, what changed)."""
    with deps.backend(request).read() as r:
        event = r.event(event_id)
        versions = [v.model_dump(mode="json") for v in r.event_history(event_id)]
    return render(request, "events_detail.html.j2", {
        "event": event, "data": event.model_dump(mode="json"), "versions": list(reversed(versions)),
        "saved": request.query_params.get("saved"), "kind": event.kind, "errors": {}})


@router.get("/events/{event_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, event_id: str) -> Response:
    redirect = need_writer_page(request)
    if redirect is not None:
        return redirect
    with deps.backend(request).read() as r:
        event = r.event(event_id)
    return _form_page(request, _form_values(event.model_dump(mode="json")), {}, event_id=event_id)


@router.post("/events/{event_id}/edit", response_class=HTMLResponse)
async def edit(request: Request, event_id: str) -> Response:
    with deps.backend(request).read() as r:
        r.event(event_id)  # 404 for an unknown event
    return await _submit(request, event_id)


@router.post("/events/{event_id}/delete", response_class=HTMLResponse)
async def delete(request: Request, event_id: str) -> Response:
    """Delete with a reason (a version marked deleted; the trail stays)."""
    error = await delete_with_reason(
        request, lambda w, reason, by: w.timeline.delete(event_id, reason, by=by))
    if error is None:
        return RedirectResponse("/events?deleted=" + quote(event_id), status_code=303)
    with deps.backend(request).read() as r:
        event = r.event(event_id)
        versions = [v.model_dump(mode="json") for v in r.event_history(event_id)]
    return render(request, "events_detail.html.j2", {
        "event": event, "data": event.model_dump(mode="json"), "versions": list(reversed(versions)),
        "saved": None, "kind": event.kind, "errors": {"delete": error}}, status_code=422)
