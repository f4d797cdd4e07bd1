"""The timeline inside the store: versioned writes and the audit trail (shared with the
ledger through :mod:`reciprocity.store.versioned`), and a pair's events.

Every write is one transaction: validate first (every problem listed, nothing written), then
add the new versions. Importing the same file again adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from reciprocity import countries
from reciprocity.errors import InputError, NotFoundError, ReciprocityError
from reciprocity.events import io
from reciprocity.events.model import Event, date_text, parse_events
from reciprocity.events.schema import CURRENT_SQL, EVENTS, KINDS
from reciprocity.store.db import Store
from reciprocity.store.versioned import (
    ImportResult,
    Version,
    audit_meta,
    next_versions,
    sort_import,
    trail,
)

COLUMNS = ["id", "date", "kind", "countries", "title", "programs", "sources"]
"""Columns of the listing (``reciprocity events A B``)."""


class Timeline:
    """The events of one store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.con = store.con

    # -- reading ----------------------------------------------------------------------------
    def _has_table(self) -> bool:
        return bool(self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
            [EVENTS.name]).fetchone()[0])

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        if not self._has_table():
            return []
        cur = self.con.execute(sql, list(params))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def linking(self, program_id: str) -> list[str]:
        """Ids of the current events that link a ledger program (docs/events.md)."""
        rows = self._rows(f"SELECT event_id FROM ({CURRENT_SQL}) WHERE NOT is_deleted AND "
                          "list_contains(programs, ?) ORDER BY event_id", [program_id])
        return [r["event_id"] for r in rows]

    def current(self) -> list[Event]:
        """Current events (newest version of each id, deleted ones left out), by date."""
        rows = self._rows(f"SELECT * FROM ({CURRENT_SQL}) WHERE NOT is_deleted "
                          "ORDER BY date, event_id")
        return [_event(r) for r in rows]

    def get(self, event_id: str) -> Event:
        """The current version of an event."""
        for event in self.current():
            if event.id == event_id:
                return event
        deleted = bool(self._rows("SELECT 1 FROM policy_events WHERE event_id = ?",
                                  [event_id]))
        raise NotFoundError(f"no event {event_id!r} in the timeline"
                            + (" (it was deleted; see its history)" if deleted else "")
                            + "; list a pair's events with: reciprocity events A B")

    def history(self, event_id: str) -> list[Version]:
        """Every version of an event, oldest first, with the fields each one changed."""
        rows = self._rows("SELECT * FROM policy_events WHERE event_id = ? ORDER BY version",
                          [event_id])
        if not rows:
            raise NotFoundError(f"no event {event_id!r} in the timeline")
        return trail((row, _event(row)) for row in rows)

    def for_pair(self, a: str, b: str, *, kind: str | None = None, since: int | None = None,
                 until: int | None = None, joint_only: bool = False) -> list[Event]:
        """A pair's events by date: those concerning both A and B, and (unless
        ``joint_only``) A's or B's own (one-country) events. See docs/events.md."""
        a, b = countries.resolve(a).code, countries.resolve(b).code
        if a == b:
            raise InputError(f"a pair needs two different countries; both are {a}")
        if kind is not None and kind not in KINDS:
            raise InputError(f"--kind must be one of {', '.join(KINDS)}; found {kind!r}")
        for name, year in (("--since", since), ("--until", until)):
            if year is not None and not 1900 <= year <= 2100:
                raise InputError(f"{name} must be a year between 1900 and 2100; found {year}")
        if since is not None and until is not None and since > until:
            raise InputError(f"--since {since} is after --until {until}")
        return [e for e in self.current()
                if e.concerns(a, b, joint_only) and (kind is None or e.kind == kind)
                and (since is None or e.year >= since) and (until is None or e.year <= until)]

    def export(self) -> str:
        """The current timeline as YAML (the interchange format)."""
        return io.dumps_yaml(self.current())

    # -- writing ----------------------------------------------------------------------------
    def _programs(self) -> set[str]:
        from reciprocity.ledger.store import Ledger

        return {p.id for p in Ledger(self.store).current().programs}

    def import_file(self, path: str | Path, by: str | None = None,
                    reason: str | None = None) -> ImportResult:
        """Validate an events YAML and add a version of each new or changed event (all or
        nothing). Idempotent: events equal to their current version get no new version."""
        path = Path(path)
        events = io.load(path, programs=self._programs())
        return self.import_events(events, by, reason or f"import {path.name}")

    def import_events(self, events: list[Event], by: str | None = None,
                      reason: str = "import") -> ImportResult:
        """Add already validated events (see :meth:`import_file`)."""
        result, todo = sort_import(events, {e.id: e for e in self.current()})
        if todo:
            self._write(todo, by, reason)
        return result

    def save(self, data: Mapping[str, Any], by: str | None = None,
             reason: str = "edited") -> Event:
        """Validate one event given as plain data (a web form) and write it as a new
        version; refused with every problem, nothing written."""
        events, problems = parse_events({"events": [dict(data)]},
                                        lambda path: path.removeprefix("events[0]")
                                        .lstrip(".") or "event", self._programs())
        if problems:
            raise InputError(f"{len(problems)} problem(s) in the event; nothing was written",
                             problems)
        self.import_events(events, by, reason)
        return events[0]

    def delete(self, event_id: str, reason: str, by: str | None = None) -> None:
        """Delete an event by adding a version that marks it deleted (the trail stays)."""
        event = self.get(event_id)
        if not reason or not reason.strip():
            raise InputError("a deletion needs a reason (--reason)")
        self._write([event], by, reason.strip(), deleted=True)

    def _write(self, events: list[Event], by: str | None, reason: str,
               deleted: bool = False) -> None:
        meta = audit_meta(by, reason, deleted)
        versions = next_versions(self.con, EVENTS.name, "event_id") if self._has_table() else {}
        frame = pd.DataFrame([{**_row(e), **meta, "version": versions.get(e.id, 1)}
                              for e in events], columns=EVENTS.columns)
        frame["version"] = frame["version"].astype("Int64")
        problems = self.store.check(EVENTS, frame)
        if problems:
            raise ReciprocityError("event rows that do not fit the store's schema (a bug; "
                                   "please report it): " + "; ".join(map(str, problems)))
        self.con.begin()
        try:
            self.store.append(EVENTS, frame)
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise


def frame(events: list[Event]) -> pd.DataFrame:
    """Events as a table (the listing): one row each, sources as their titles."""
    rows = [{"id": e.id, "date": e.date, "kind": e.kind, "countries": ", ".join(e.countries),
             "title": e.title, "programs": ", ".join(e.programs),
             "sources": "; ".join(citation(s) for s in e.sources)} for e in events]
    return pd.DataFrame(rows, columns=COLUMNS)


def citation(source: Any) -> str:
    """A source as one line: author or publisher, title, year."""
    who = source.author or source.publisher
    return ", ".join(str(p) for p in (who, source.title, source.year) if p)


# -- rows <-> records ----------------------------------------------------------------------

def _row(e: Event) -> dict[str, Any]:
    d = e.model_dump(mode="json")
    return {"event_id": e.id, "date": e.first_day, "date_precision": e.precision,
            "countries": list(e.countries), "kind": e.kind, "title": e.title,
            "label": e.label, "summary": e.summary, "programs": list(e.programs),
            "sources": json.dumps(d["sources"], ensure_ascii=False, sort_keys=True),
            "notes": e.notes}


def _event(row: Mapping[str, Any]) -> Event:
    data = {"id": row["event_id"], "date": date_text(row["date"], row["date_precision"]),
            "countries": list(row["countries"]), "kind": row["kind"], "title": row["title"],
            "label": row["label"], "summary": row["summary"],
            "programs": list(row["programs"] or []),
            "sources": json.loads(row["sources"]), "notes": row["notes"]}
    events, problems = parse_events({"events": [data]},
                                    lambda path: f"stored event {row['event_id']}: {path}")
    if problems:
        raise ReciprocityError(f"stored event {row['event_id']} does not validate: "
                               + "; ".join(map(str, problems)))
    return events[0]
