"""The JSON API under ``/api`` (OpenAPI docs at ``/docs``)."""

from __future__ import annotations

from fastapi import APIRouter

from reciprocity.web.api import assess, core, events, ledger

router = APIRouter()
router.include_router(core.router, tags=["flows"])
router.include_router(ledger.router, prefix="/ledger", tags=["ledger"])
router.include_router(assess.router, tags=["assessment"])
router.include_router(events.router, prefix="/events", tags=["events"])
