"""Ledger pages: browse and search, detail with version history, create and edit forms with
messages beside their fields, status transitions, deletion and the ledger checks."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reciprocity import accounts
from reciprocity.errors import InputError, NotFoundError, ReciprocityError
from reciprocity.ledger.model import NEXT_STATUS, Program, Transfer
from reciprocity.ledger.schema import (
    FORMS,
    KINDS,
    PROGRAM_STATUSES,
    RATINGS,
    SIGNIFICANCE,
    STATUSES,
)
from reciprocity.web import deps, ledger_ops
from reciprocity.web.api.ledger import filter_transfers, search
from reciprocity.web.pages.common import render
from reciprocity.web.pages.deleting import delete_with_reason

router = APIRouter()

CHOICES = {"forms": FORMS, "program_statuses": PROGRAM_STATUSES, "statuses": STATUSES,
           "kinds": KINDS, "significance": SIGNIFICANCE, "ratings": RATINGS}


def _signin(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


def need_writer_page(request: Request) -> Response | None:
    """For GET of a form: send people who may not write to sign in (or say why not)."""
    user = deps.current_user(request)
    if user is None:
        return _signin(request)
    if not user.can_write:
        raise accounts.PermissionDeniedError(f"user {user.name!r} has the role {user.role!r}; "
                                         "editing needs the role editor or admin")
    return None


@router.get("/ledger", response_class=HTMLResponse)
def ledger_index(request: Request) -> HTMLResponse:
    """Programs or transfers, searchable."""
    q = request.query_params
    kind = q.get("kind") if q.get("kind") in ledger_ops.KINDS else "transfers"
    text = (q.get("q") or "").strip()
    status = (q.get("status") or "").strip()
    country = (q.get("country") or "").strip()
    errors: dict[str, str] = {}
    with deps.backend(request).read() as r:
        frame = r.ledger_list(kind)
        total = len(frame)
        if kind == "transfers":
            try:
                frame = filter_transfers(frame, status or None, country or None, None)
            except InputError:
                errors["country"] = f"unknown country {country!r}"
        frame = search(frame, text)
        rows = frame.to_dict("records")
    return render(request, "ledger_index.html.j2", {
        "kind": kind, "q": text, "status": status, "country": country, "rows": rows,
        "total": total, "errors": errors, "choices": CHOICES},
        status_code=422 if errors else 200)


@router.get("/ledger/check", response_class=HTMLResponse)
def ledger_check(request: Request) -> HTMLResponse:
    """Technology-for-technology matches and planned-versus-actual variances."""
    q = request.query_params
    a, b = (q.get("a") or "").strip(), (q.get("b") or "").strip()
    raw_years = (q.get("years") or "5").strip()
    errors: dict[str, str] = {}
    result = None
    years = int(raw_years) if raw_years.isdigit() else None
    if years is None:
        errors["years"] = f"not a number of years: {raw_years!r}"
    else:
        try:
            with deps.backend(request).read() as r:
                check = r.ledger_check(a or None, b or None, years)
            result = check.answer().model_dump(mode="json")
        except ReciprocityError as exc:
            errors["form"] = str(exc)
    return render(request, "ledger_check.html.j2", {"a": a, "b": b, "years": raw_years,
                                                    "result": result, "errors": errors},
                  status_code=422 if errors else 200)


def field_label(key: str) -> str:
    """``sources-0-title`` → ``source 1 title``; ``status_history-0-date`` → ``status date``."""
    parts = key.split("-")
    words = []
    for part in parts:
        if part.isdigit():
            if words and words[-1] in ("sources", "workshare"):
                words[-1] = words[-1].removesuffix("s")
                words.append(str(int(part) + 1))
            continue
        words.append({"status_history": "status", "planned_pct": "planned %",
                      "actual_pct": "actual %", "amount_millions": "amount"}.get(
            part, part.replace("_", " ")))
    return " ".join(words)


def field_anchor(key: str) -> str:
    """Id of the input a problem points at (the group's first input for a group)."""
    if key in ("sources", "status_history", "value", "impact", "workshare"):
        return {"sources": "sources-fieldset"}.get(key, "record-form")
    first = {"sources": "title", "workshare": "country", "status_history": "status"}
    parts = key.split("-")
    if len(parts) == 2 and parts[1].isdigit() and parts[0] in first:
        return f"f-{key}-{first[parts[0]]}"
    return f"f-{key}"


def _form_page(request: Request, kind: str, values: dict[str, Any], errors: dict[str, str],
               *, record_id: str | None = None, status_code: int = 200,
               reason: str = "") -> HTMLResponse:
    with deps.backend(request).read() as r:
        programs = r.ledger_list("programs")[["id", "name"]].to_dict("records")
    return render(request, "ledger_form.html.j2", {
        "kind": kind, "v": values, "errors": errors, "record_id": record_id,
        "programs": programs, "choices": CHOICES, "reason": reason,
        "source_rows": ledger_ops.rows_of(values, "sources", ledger_ops.SOURCE_ROWS),
        "workshare_rows": ledger_ops.rows_of(values, "workshare", 3),
        "source_fields": ledger_ops.SOURCE_FIELDS, "field_label": field_label,
        "field_anchor": field_anchor}, status_code=status_code)


@router.get("/ledger/new/{kind}", response_class=HTMLResponse)
def new_form(request: Request, kind: str) -> Response:
    """An empty form for a new program or transfer."""
    if kind not in ("program", "transfer"):
        raise NotFoundError(f"no form for {kind!r}; expected program or transfer")
    redirect = need_writer_page(request)
    if redirect is not None:
        return redirect
    values = {"status_history-0-status": "proposed"} if kind == "transfer" else {}
    return _form_page(request, kind + "s", values, {})


async def _submit(request: Request, kind: str, record_id: str | None) -> Response:
    """Validate and save a form; on any problem show the form again, nothing written."""
    user = await deps.require_writer(request)
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    reason = values.get("reason", "").strip()

    def run() -> tuple[Any, dict[str, str], int]:
        current = None
        if record_id is not None:
            with deps.backend(request).read() as r:
                current = r.ledger_show(record_id)
        data = (ledger_ops.transfer_from_form(values, current) if kind == "transfers"  # type: ignore[arg-type]
                else ledger_ops.program_from_form(values, current))  # type: ignore[arg-type]
        try:
            with deps.backend(request).write() as w:
                record, _ = ledger_ops.save(w, kind, data, by=user.name,
                                            reason=reason or ("created in the web app"
                                                              if record_id is None else ""),
                                            record_id=record_id)
            return record, {}, 200
        except InputError as exc:
            return None, ledger_ops.problems_by_field(exc.problems) or {"form": exc.message}, \
                getattr(exc, "status", 422)

    record, errors, status = await run_in_threadpool(run)
    if record is None:
        return _form_page(request, kind, values, errors, record_id=record_id,
                          status_code=status, reason=reason)
    return RedirectResponse(f"/ledger/{quote(record.id)}?saved=1", status_code=303)


@router.post("/ledger/new/{kind}", response_class=HTMLResponse)
async def create(request: Request, kind: str) -> Response:
    if kind not in ("program", "transfer"):
        raise NotFoundError(f"no form for {kind!r}; expected program or transfer")
    return await _submit(request, kind + "s", None)


@router.get("/ledger/{record_id}", response_class=HTMLResponse)
def detail(request: Request, record_id: str) -> HTMLResponse:
    """A record with its sources, status history, version history and (for a transfer)
    the status transition form."""
    with deps.backend(request).read() as r:
        record = r.ledger_show(record_id)
        versions = [v.model_dump(mode="json") for v in r.ledger_history(record_id)]
        related: list[dict[str, Any]] = []
        if isinstance(record, Program):
            frame = r.ledger_list("transfers")
            related = frame[frame["program"] == record.id].to_dict("records")
    return render(request, "ledger_detail.html.j2", _detail_ctx(request, record, versions,
                                                                related))


def _detail_ctx(request: Request, record: Any, versions: list[dict[str, Any]],
                related: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    next_statuses: tuple[str, ...] = ()
    if isinstance(record, Transfer):
        next_statuses = NEXT_STATUS.get(record.status, ())
    return {"record": record, "data": record.model_dump(mode="json"), "kind": record.record_kind,
            "versions": list(reversed(versions)), "related": related,
            "next_statuses": next_statuses, "saved": request.query_params.get("saved"),
            "errors": {}, "status_form": {}, **extra}


@router.get("/ledger/{record_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, record_id: str) -> Response:
    redirect = need_writer_page(request)
    if redirect is not None:
        return redirect
    with deps.backend(request).read() as r:
        record = r.ledger_show(record_id)
    return _form_page(request, record.record_kind, ledger_ops.form_values(record), {},
                      record_id=record_id)


@router.post("/ledger/{record_id}/edit", response_class=HTMLResponse)
async def edit(request: Request, record_id: str) -> Response:
    def kind() -> str:
        with deps.backend(request).read() as r:
            return r.ledger_show(record_id).record_kind
    return await _submit(request, await run_in_threadpool(kind), record_id)


@router.post("/ledger/{record_id}/status", response_class=HTMLResponse)
async def change_status(request: Request, record_id: str) -> Response:
    """Move a transfer to its next status; refused with the reason beside the field."""
    user = await deps.require_writer(request)
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}

    def run() -> dict[str, str]:
        try:
            with deps.backend(request).write() as w:
                w.ledger_set_status(record_id, values.get("status", ""),
                                    values.get("date", ""), values.get("reason", ""),
                                    by=user.name)
        except InputError as exc:
            out = {}
            for p in exc.problems:
                field = p.location.rsplit(".", 1)[-1] if "." in p.location else "status"
                if field not in ("status", "date", "reason"):  # a problem with the step
                    field = "date" if p.expected.startswith("a date") else "status"
                out.setdefault(field, f"found {p.found}; expected {p.expected}")
            return out or {"status": exc.message}
        return {}

    errors = await run_in_threadpool(run)
    if not errors:
        return RedirectResponse(f"/ledger/{quote(record_id)}?saved=1", status_code=303)
    with deps.backend(request).read() as r:
        record = r.ledger_show(record_id)
        versions = [v.model_dump(mode="json") for v in r.ledger_history(record_id)]
    ctx = _detail_ctx(request, record, versions, [], errors=errors, status_form=values)
    return render(request, "ledger_detail.html.j2", ctx, status_code=422)


@router.post("/ledger/{record_id}/delete", response_class=HTMLResponse)
async def delete(request: Request, record_id: str) -> Response:
    """Delete with a reason (a version marked deleted; the trail stays)."""
    error = await delete_with_reason(
        request, lambda w, reason, by: w.ledger_delete(record_id, reason, by=by))
    if error is None:
        return RedirectResponse("/ledger?deleted=" + quote(record_id), status_code=303)
    with deps.backend(request).read() as r:
        record = r.ledger_show(record_id)
        versions = [v.model_dump(mode="json") for v in r.ledger_history(record_id)]
    return render(request, "ledger_detail.html.j2", _detail_ctx(
        request, record, versions, [], errors={"delete": error}), status_code=422)
