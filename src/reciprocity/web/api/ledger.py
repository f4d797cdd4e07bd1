"""Ledger endpoints: list, search, show, history, check (open); create, replace, status,
delete and import (editor or admin, see docs/web.md).

Bodies and answers are the ledger's pydantic models (:mod:`reciprocity.ledger.model`), so
/openapi.json documents them. A body is validated by the ledger's reader, the same as a file
(every problem at once, with its place: ``transfers[0].sources``, and the checks against the
ledger's other records), so the schema is attached to the raw body
(:func:`~reciprocity.web.api.core.documented`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from reciprocity import accounts
from reciprocity.api import Reciprocity
from reciprocity.errors import InputError
from reciprocity.jsonout import records
from reciprocity.ledger.checks import CheckAnswer
from reciprocity.ledger.model import Program, Registry, Transfer, parse_registry
from reciprocity.store.versioned import ImportResult
from reciprocity.web import deps, ledger_ops
from reciprocity.web.api.core import ERRORS, ErrorBody, documented

router = APIRouter()

WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    401: {"model": ErrorBody, "description": "Not signed in (send Basic credentials)"},
    403: {"model": ErrorBody, "description": "Role may not write, or CSRF token missing"},
    409: {"model": ErrorBody, "description": "Id taken, or the server is read-only"},
}
Writer = Annotated[accounts.User, Depends(deps.require_writer)]


_RECORD_TEXT = "One record in the interchange format of docs/ledger.md (JSON instead of YAML)."
NewProgram = Annotated[dict[str, Any], documented(Program), Body(description=_RECORD_TEXT)]
NewTransfer = Annotated[dict[str, Any], documented(Transfer), Body(description=_RECORD_TEXT)]
Record = Annotated[dict[str, Any], documented(Program, Transfer), Body(
    description=_RECORD_TEXT + " The id may be left out (the path gives it).")]


class RecordOut(BaseModel):
    """A program or transfer with its kind."""

    kind: Literal["programs", "transfers"]
    record: Program | Transfer


class SavedOut(RecordOut):
    """A record as saved, and what the write did (added or changed, the flows' vintage)."""

    result: ImportResult


class StatusChangeIn(BaseModel):
    """The next status of a transfer, when (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) and why."""

    status: str = ""
    date: str = ""
    reason: str = ""


def search(frame: Any, q: str | None) -> Any:
    """Rows whose text contains every word of ``q`` (case-insensitive)."""
    if not q or frame.empty:
        return frame
    # empty cells as "": under pandas 3, astype(str) keeps NaN/None as a missing value
    text = frame.astype(str).fillna("").agg(" ".join, axis=1).str.casefold()
    keep = text.map(lambda t: all(w in t for w in q.casefold().split()))
    return frame[keep]


def filter_transfers(frame: Any, status: str | None, a: str | None, b: str | None) -> Any:
    from reciprocity import countries

    if status:
        frame = frame[frame["status"] == status]
    codes = [countries.resolve(x).code for x in (a, b) if x]
    for code in codes:
        frame = frame[(frame["from"] == code) | (frame["to"] == code)]
    return frame


async def _read(request: Request, fn: Any) -> Any:
    def run() -> Any:
        with deps.backend(request).read() as r:
            return fn(r)
    return await run_in_threadpool(run)


async def _write(request: Request, fn: Any) -> Any:
    def run() -> Any:
        with deps.backend(request).write() as r:
            return fn(r)
    return await run_in_threadpool(run)


@router.get("/programs", summary="Current programs", responses=ERRORS)
async def list_programs(request: Request, q: Annotated[str | None, Query(
        description="Words that must all appear in the row.")] = None) -> list[dict[str, Any]]:
    """Current programs, one row each (``reciprocity ledger list --kind programs``)."""
    return await _read(request, lambda r: records(search(r.ledger_list("programs"), q)))


@router.get("/transfers", summary="Current transfers", responses=ERRORS)
async def list_transfers(request: Request,
                         q: Annotated[str | None, Query(description="Search words.")] = None,
                         status: Annotated[str | None, Query(description="Status.")] = None,
                         a: Annotated[str | None, Query(description="A country.")] = None,
                         b: Annotated[str | None, Query(description="Another country.")
                                      ] = None) -> list[dict[str, Any]]:
    """Current transfers, one row each, optionally searched and filtered."""
    return await _read(request, lambda r: records(search(filter_transfers(
        r.ledger_list("transfers"), status, a, b), q)))


@router.get("/records/{record_id}", summary="One record", responses=ERRORS)
async def show(request: Request, record_id: str) -> RecordOut:
    """The current version of a program or transfer, in the interchange format."""
    def run(r: Reciprocity) -> RecordOut:
        rec = r.ledger_show(record_id)
        return RecordOut(kind=rec.record_kind, record=rec)
    return await _read(request, run)


@router.get("/records/{record_id}/history", summary="Every version of a record",
            responses=ERRORS)
async def history(request: Request, record_id: str) -> list[dict[str, Any]]:
    """Versions oldest first: who, when, why, which fields changed, and the record."""
    return await _read(request, lambda r: [v.model_dump(mode="json")
                                           for v in r.ledger_history(record_id)])


@router.get("/check", summary="Technology-for-technology and planned-versus-actual",
            responses={200: {"model": CheckAnswer, "description": "The check's result"},
                       **ERRORS})
async def check(request: Request,
                a: Annotated[str | None, Query(description="Country A (with B).")] = None,
                b: Annotated[str | None, Query(description="Country B (with A).")] = None,
                years: Annotated[int, Query(ge=0, le=100, description="Matching window.")] = 5
                ) -> dict[str, Any]:
    """The same result as ``reciprocity ledger check [A B]``."""
    return await _read(request, lambda r: r.ledger_check(a, b, years).answer()
                       .model_dump(mode="json"))


@router.post("/programs", summary="Create a program", status_code=201, responses=WRITE_ERRORS)
async def create_program(request: Request, user: Writer, record: NewProgram,
                         reason: Annotated[str, Query(description="Why (kept in the "
                                                      "history).")] = "created in the web app"
                         ) -> SavedOut:
    """Validate and add a new program (409 when the id is taken; nothing written on error)."""
    return await _write(request, lambda r: _saved(*ledger_ops.save(
        r, "programs", record, by=user.name, reason=reason)))


@router.post("/transfers", summary="Create a transfer", status_code=201,
             responses=WRITE_ERRORS)
async def create_transfer(request: Request, user: Writer, record: NewTransfer,
                          reason: Annotated[str, Query(description="Why.")] =
                          "created in the web app") -> SavedOut:
    """Validate and add a new transfer (409 when the id is taken; nothing written on error)."""
    return await _write(request, lambda r: _saved(*ledger_ops.save(
        r, "transfers", record, by=user.name, reason=reason)))


@router.put("/records/{record_id}", summary="Replace a record (new version)",
            responses=WRITE_ERRORS)
async def replace(request: Request, record_id: str, user: Writer, record: Record,
                  reason: Annotated[str, Query(description="Why the record changes.")]
                  ) -> SavedOut:
    """Validate the whole record and add it as a new version (the old one stays in history)."""
    def run(r: Reciprocity) -> SavedOut:
        kind = r.ledger_show(record_id).record_kind
        return _saved(*ledger_ops.save(r, kind, record, by=user.name, reason=reason,
                                       record_id=record_id))
    return await _write(request, run)


@router.post("/transfers/{transfer_id}/status", summary="Change a transfer's status",
             responses=WRITE_ERRORS)
async def set_status(request: Request, transfer_id: str, user: Writer,
                     body: Annotated[StatusChangeIn, Body(
                         examples=[{"status": "executed", "date": "2025-04",
                                    "reason": "first delivery"}])]) -> RecordOut:
    """Append a status (proposed → approved → executed, or not_carried_out / cancelled)."""
    def run(r: Reciprocity) -> RecordOut:
        t = r.ledger_set_status(transfer_id, body.status, body.date, body.reason, by=user.name)
        return RecordOut(kind="transfers", record=t)
    return await _write(request, run)


@router.delete("/records/{record_id}", summary="Delete a record (kept in history)",
               responses=WRITE_ERRORS)
async def delete(request: Request, record_id: str, user: Writer,
                 reason: Annotated[str, Query(description="Why it is deleted.")]
                 ) -> dict[str, Any]:
    """Add a version marking the record deleted; its trail stays."""
    def run(r: Reciprocity) -> dict[str, Any]:
        r.ledger_delete(record_id, reason, by=user.name)
        return {"deleted": record_id}
    return await _write(request, run)


@router.post("/import", summary="Import programs and transfers", responses=WRITE_ERRORS)
async def import_registry(request: Request, user: Writer,
                          body: Annotated[dict[str, Any], documented(Registry), Body(
                              description="A registry: {format?, programs: [...], "
                                          "transfers: [...]}.")],
                          reason: Annotated[str, Query(description="Why.")] =
                          "imported through the API") -> ImportResult:
    """Like ``reciprocity ledger import``: all validated first; unchanged records get no
    new version."""
    def run(r: Reciprocity) -> dict[str, Any]:
        ledger = r.ledger
        registry, problems = parse_registry(body, lambda path: path, ledger.known())
        if problems:
            raise InputError(f"{len(problems)} problem(s); nothing was written", problems)
        return ledger.import_registry(registry, by=user.name, reason=reason)
    return await _write(request, run)


def _saved(record: Program | Transfer, result: ImportResult) -> SavedOut:
    return SavedOut(kind=record.record_kind, record=record, result=result)

