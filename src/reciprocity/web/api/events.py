"""Policy events endpoints: a pair's events and one event with its versions (open); create
or replace an event (editor or admin). Format: docs/events.md (JSON instead of YAML).

Bodies and answers are the events' pydantic model (:class:`~reciprocity.events.model.Event`),
so /openapi.json documents them; a body is validated by the events' reader, the same as a file
(every problem at once, with its place), so the schema is attached to the raw body."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from reciprocity.events.model import Event
from reciprocity.store.versioned import Version
from reciprocity.web import deps
from reciprocity.web.api.core import ERRORS, ErrorBody, documented

router = APIRouter()

WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    401: {"model": ErrorBody, "description": "Not signed in (send Basic credentials)"},
    403: {"model": ErrorBody, "description": "Role may not write, or CSRF token missing"},
}
Writer = Annotated[Any, Depends(deps.require_writer)]
EventBody = Annotated[dict[str, Any], documented(Event), Body(
    description="One event in the interchange format of docs/events.md.")]


class PairEvents(BaseModel):
    """A pair's events by date (codes of the pair as resolved)."""

    a: str
    b: str
    events: list[Event]


class EventVersion(Version):
    """One version of an event: who wrote it, when (ISO 8601) and why, what changed (the
    event itself is the history's ``event``)."""

    record: SkipJsonSchema[Any] = Field(default=None, exclude=True)

    @classmethod
    def of(cls, version: Version) -> EventVersion:
        return cls(**{**dict(version), "record": None})


class EventHistory(BaseModel):
    """An event and its audit trail, oldest version first."""

    event: Event
    versions: list[EventVersion]


class SavedEvent(BaseModel):
    """An event as saved and its version number."""

    event: Event
    version: int


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
                              ] = False) -> PairEvents:
    """The pair's events by date (``reciprocity events A B --format json``)."""
    def run(r: Any) -> PairEvents:
        from reciprocity import countries

        found = r.events(a, b, kind=kind or None, since=since, until=until,
                         joint_only=joint_only)
        return PairEvents(a=countries.resolve(a).code, b=countries.resolve(b).code,
                          events=found)
    return await _run(request, run)


@router.get("/{event_id}", summary="One event and its versions", responses=ERRORS)
async def one_event(request: Request, event_id: str) -> EventHistory:
    """The event and its audit trail (``reciprocity events show ID --format json``)."""
    def run(r: Any) -> EventHistory:
        event = r.event(event_id)
        return EventHistory(event=event, versions=[EventVersion.of(v)
                                                   for v in r.event_history(event_id)])
    return await _run(request, run)


@router.post("", summary="Create or replace an event (new version)", status_code=201,
             responses=WRITE_ERRORS)
async def save_event(request: Request, user: Writer, event: EventBody,
                     reason: Annotated[str | None, Query(description="Why (for the audit "
                                                                     "trail).")] = None
                     ) -> SavedEvent:
    """Validate the event (every problem listed, nothing written) and write it as a new
    version; an unchanged event adds nothing."""
    def run(r: Any) -> SavedEvent:
        saved = r.timeline.save(event, by=user.name, reason=reason or "saved through the API")
        return SavedEvent(event=saved, version=r.event_history(saved.id)[-1].version)
    return await _run(request, run, write=True)
