"""Policy events endpoints: a pair's events and one event with its versions (open); create
or replace an event (editor or admin). Format: docs/events.md (JSON instead of YAML)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool

from reciprocity.web import deps
from reciprocity.web.api.core import ERRORS, ErrorBody

router = APIRouter()

WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    401: {"model": ErrorBody, "description": "Not signed in (send Basic credentials)"},
    403: {"model": ErrorBody, "description": "Role may not write, or CSRF token missing"},
}
Writer = Annotated[Any, Depends(deps.require_writer)]
EventBody = Annotated[dict[str, Any], Body(description="One event in the interchange format "
                                                       "of docs/events.md.")]


async def _run(request: Request, fn: Any, write: bool = False) -> Any:
    def run() -> Any:
        backend = deps.backend(request)
        with (backend.write() if write else backend.read()) as r:
            return fn(r)
    return await run_in_threadpool(run)


@router.get("", summary="A pair's policy events", responses=ERRORS)
async def pair_events(
        request: Request,
        a: Annotated[str, Query(description="Country A (code or name).")],
        b: Annotated[str, Query(description="Country B.")],
        kind: Annotated[str | None, Query(description="Only this kind.")] = None,
        since: Annotated[int | None, Query(description="First year.", ge=1900, le=2100)] = None,
        until: Annotated[int | None, Query(description="Last year.", ge=1900, le=2100)] = None,
        joint_only: Annotated[bool, Query(description="Only events of both countries.")
                              ] = False) -> dict[str, Any]:
    """The pair's events by date (``reciprocity events A B --format json``)."""
    def run(r: Any) -> dict[str, Any]:
        from reciprocity import countries

        found = r.events(a, b, kind=kind or None, since=since, until=until,
                         joint_only=joint_only)
        return {"a": countries.resolve(a).code, "b": countries.resolve(b).code,
                "events": [e.to_dict() for e in found]}
    return await _run(request, run)


@router.get("/{event_id}", summary="One event and its versions", responses=ERRORS)
async def one_event(request: Request, event_id: str) -> dict[str, Any]:
    """The event and its audit trail (``reciprocity events show ID --format json``)."""
    def run(r: Any) -> dict[str, Any]:
        event = r.event(event_id)
        return {"event": event.to_dict(),
                "versions": [{k: v for k, v in ver.to_dict().items() if k != "record"}
                             for ver in r.event_history(event_id)]}
    return await _run(request, run)


@router.post("", summary="Create or replace an event (new version)", status_code=201,
             responses=WRITE_ERRORS)
async def save_event(request: Request, user: Writer, event: EventBody,
                     reason: Annotated[str | None, Query(description="Why (for the audit "
                                                                     "trail).")] = None
                     ) -> dict[str, Any]:
    """Validate the event (every problem listed, nothing written) and write it as a new
    version; an unchanged event adds nothing."""
    def run(r: Any) -> dict[str, Any]:
        saved = r.timeline.save(event, by=user.name, reason=reason or "saved through the API")
        return {"event": saved.to_dict(), "version": r.event_history(saved.id)[-1].version}
    return await _run(request, run, write=True)
