"""Deleting a record from a web form with a reason (ledger records, events): one helper."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from reciprocity.errors import InputError
from reciprocity.web import deps


async def delete_with_reason(request: Request, delete: Callable[[Any, str, str], None]
                             ) -> str | None:
    """Run ``delete(writer, reason, by)`` with the form's reason for a signed-in editor; the
    refusal's message (a reason is required), or None when the record was deleted."""
    user = await deps.require_writer(request)
    form = await request.form()
    reason = str(form.get("reason") or "").strip()

    def run() -> str | None:
        try:
            with deps.backend(request).write() as w:
                delete(w, reason, user.name)
        except InputError as exc:
            return exc.message
        return None

    return await run_in_threadpool(run)
