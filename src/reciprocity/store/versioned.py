"""Versioned, audited records: the part the ledger and the events timeline share.

A versioned table holds one row per *version* of a record: a change adds a row (who, when,
why) and nothing is updated in place; a deletion is a version with ``is_deleted``. The
current state is the newest version of each id. Tables declare the audit columns with
:data:`AUDIT_FIELDS`; writers stamp rows with :func:`audit_meta` and number them with
:func:`next_versions`; readers list a record's trail with :func:`trail`.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from reciprocity.store.schema import Field


class Recordlike(Protocol):
    """A record that can be shown as a plain mapping (ledger programs, events: pydantic
    models)."""

    def model_dump(self, *, mode: str = "python") -> dict[str, Any]: ...


AUDIT_FIELDS = (
    Field("version", "INTEGER", "Version of the record, 1 for the first; each change adds one.",
          False),
    Field("changed_at", "TIMESTAMP", "When this version was written (UTC).", False),
    Field("changed_by", "VARCHAR", "Who wrote it (`--by`, default $USER).", False),
    Field("reason", "VARCHAR", "Why it was written (the import, the status change, …).", False),
    Field("is_deleted", "BOOLEAN", "True for a version that deletes the record (its content is "
          "the last content, kept for the trail).", False),
)
"""The audit columns every versioned table declares after its id column."""


def default_user() -> str:
    """Who a change is recorded as when ``--by`` is not given: $USER, else 'unknown'."""
    try:
        return os.environ.get("USER") or getpass.getuser() or "unknown"
    except Exception:
        return "unknown"


def audit_meta(by: str | None, reason: str, deleted: bool = False) -> dict[str, Any]:
    """The audit columns of the versions written now (UTC, naive as the store keeps it)."""
    return {"changed_at": datetime.now(UTC).replace(tzinfo=None),
            "changed_by": (by or default_user()).strip() or "unknown",
            "reason": reason, "is_deleted": deleted}


def current_sql(table: str, key: str) -> str:
    """SQL for the newest version of every record (deleted ones included)."""
    return (f"SELECT * FROM {table} QUALIFY row_number() OVER "
            f"(PARTITION BY {key} ORDER BY version DESC) = 1")


def next_versions(con: Any, table: str, key: str) -> dict[str, int]:
    """The next version number of every id already in ``table`` (new ids start at 1)."""
    return {rid: version + 1 for rid, version in con.execute(
        f"SELECT {key}, max(version) FROM {table} GROUP BY ALL").fetchall()}


class Version(BaseModel):
    """One version of a record (a pydantic model: a program, a transfer, an event), with who
    wrote it, when and why (its dump is the JSON of ``ledger history``)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    version: int
    changed_at: datetime
    changed_by: str
    reason: str
    is_deleted: bool
    changes: tuple[str, ...] = ()
    record: Any


class ImportResult(BaseModel):
    """What an import did: ids added and changed; unchanged ones got no new version (its
    dump is the JSON of ``ledger import`` and ``events import``)."""

    added: list[str] = []
    changed: list[str] = []
    unchanged: list[str] = []
    vintage_id: str | None = None


def sort_import(records: Iterable[Recordlike], current: Mapping[str, Recordlike],
                key: Callable[[Any], str] = lambda r: r.id) -> tuple[ImportResult, list[Any]]:
    """Which records of an import are new, changed or equal to their current version;
    the new and changed ones are returned to be written."""
    result = ImportResult()
    todo = []
    for record in records:
        old = current.get(key(record))
        if old == record:
            result.unchanged.append(key(record))
            continue
        (result.changed if old is not None else result.added).append(key(record))
        todo.append(record)
    return result, todo


def trail(rows: Iterable[tuple[Mapping[str, Any], Any]]) -> list[Version]:
    """Versions, oldest first, from (row, record) pairs, each with the fields it changed:
    ``created`` for the first, ``deleted`` for a deletion, ``restored`` for a version that
    brings back a deleted record unchanged."""
    out: list[Version] = []
    previous: dict[str, Any] | None = None
    for row, record in rows:
        now = record.model_dump(mode="json")
        if previous is None:
            changes: tuple[str, ...] = ("created",)
        elif row["is_deleted"]:
            changes = ("deleted",)
        else:
            keys = sorted(set(now) | set(previous))
            changes = tuple(k for k in keys if now.get(k) != previous.get(k))
            if not changes:
                changes = ("restored",) if out and out[-1].is_deleted else ()
        out.append(Version(record=record, version=row["version"],
                           changed_at=row["changed_at"], changed_by=row["changed_by"],
                           reason=row["reason"], is_deleted=row["is_deleted"],
                           changes=changes))
        previous = now
    return out
