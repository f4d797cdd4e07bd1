"""Events as dataclasses, and the validator every input goes through.

:func:`parse_events` turns the plain data of an interchange file into :class:`Event` records,
collecting *every* problem with its location (``us_japan.yaml:42 events[3].date``), with
the ledger's readers (:class:`reciprocity.ledger.model.Reader`): the same ids, countries,
dates and citations as the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from reciprocity.errors import Problem
from reciprocity.events.schema import KINDS
from reciprocity.ledger.model import Citation, Locate, Reader, _compact

FORMAT = "reciprocity-events/1"
LABEL_MAX = 24
"""Longest chart label: markers stay readable on a chart of 70 years."""

_EVENT_KEYS = ("id", "date", "countries", "kind", "title", "label", "summary", "programs",
               "sources", "notes")
_TOP_KEYS = ("format", "events")


@dataclass(frozen=True)
class Event:
    """One dated, cited policy event concerning one or more countries."""

    id: str
    date: str
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: as much as the sources give."""
    countries: tuple[str, ...]
    kind: str
    title: str
    summary: str
    sources: tuple[Citation, ...]
    label: str | None = None
    programs: tuple[str, ...] = ()
    notes: str | None = None

    @property
    def year(self) -> int:
        return int(self.date[:4])

    @property
    def precision(self) -> str:
        """``year``, ``month`` or ``day``."""
        return ("year", "month", "day")[self.date.count("-")]

    @property
    def first_day(self) -> dt.date:
        """First day of the period the date names (how the store keeps it)."""
        parts = [int(p) for p in self.date.split("-")] + [1, 1]
        return dt.date(parts[0], parts[1], parts[2])

    @property
    def short(self) -> str:
        """The chart label: ``label``, else the title."""
        return self.label or self.title

    def concerns(self, a: str, b: str, joint_only: bool = False) -> bool:
        """True for an event of both A and B (others may take part), or, unless
        ``joint_only``, one country's own event (A's or B's alone)."""
        both = a in self.countries and b in self.countries
        single = len(self.countries) == 1 and self.countries[0] in (a, b)
        return both or (single and not joint_only)

    def to_dict(self) -> dict[str, Any]:
        return _compact({"id": self.id, "date": self.date, "countries": list(self.countries),
                         "kind": self.kind, "title": self.title, "label": self.label,
                         "summary": self.summary, "programs": list(self.programs),
                         "sources": [s.to_dict() for s in self.sources],
                         "notes": self.notes})


def date_text(first_day: dt.date, precision: str) -> str:
    """The interchange date of a stored (first day, precision) pair."""
    text = first_day.isoformat()
    return {"year": text[:4], "month": text[:7], "day": text}[precision]


def read_event(reader: Reader, value: object, path: str,
               programs: Collection[str] | None) -> Event | None:
    """One event from plain data (None, with problems recorded, when it does not validate).

    ``programs`` holds the ledger's program ids (None: links are not checked).
    """
    data = reader.mapping(value, path, _EVENT_KEYS)
    if data is None:
        return None
    before = len(reader.problems)
    eid = reader.ident(data, path)
    date = reader.date(data, "date", path)
    if date is None and data.get("date") in (None, ""):
        reader.problem(f"{path}.date", "nothing", "a date: YYYY, YYYY-MM or YYYY-MM-DD "
                       "(the year at least)")
    elif date is not None and not 1900 <= int(date[:4]) <= 2100:
        reader.problem(f"{path}.date", repr(date), "a year between 1900 and 2100")
    codes: list[str] = []
    raw = data.get("countries")
    if not isinstance(raw, list) or not raw:
        reader.problem(f"{path}.countries", repr(raw) if raw not in (None, []) else "nothing",
                       "a list of one or more countries (ISO 3166 alpha-3 codes or names)")
    else:
        for i, item in enumerate(raw):
            code = reader.country(item, f"{path}.countries[{i}]")
            if code is not None and code in codes:
                reader.problem(f"{path}.countries[{i}]", f"{code} twice", "each country once")
            elif code is not None:
                codes.append(code)
    kind = reader.choice(data, "kind", path, KINDS, required=True)
    title = reader.text(data, "title", path, required=True)
    label = reader.text(data, "label", path)
    if label is not None and len(label) > LABEL_MAX:
        reader.problem(f"{path}.label", f"{len(label)} characters",
                       f"a chart label of at most {LABEL_MAX} characters")
    summary = reader.text(data, "summary", path, required=True)
    links = reader.strings(data, "programs", path)
    for i, pid in enumerate(links):
        if programs is not None and pid not in programs:
            reader.problem(f"{path}.programs[{i}]", f"unknown program {pid!r}",
                           "the id of a program in the ledger (reciprocity ledger list "
                           "--kind programs); import the ledger first")
    sources = reader.citations(data, path)
    if len(reader.problems) > before or None in (eid, date, kind, title, summary):
        return None
    return Event(eid, date, tuple(codes), kind, title, summary, sources,  # type: ignore[arg-type]
                 label, tuple(dict.fromkeys(links)), reader.text(data, "notes", path))


def parse_events(data: object, locate: Locate, programs: Collection[str] | None = None
                 ) -> tuple[list[Event], list[Problem]]:
    """Events in ``data`` and every problem with them (empty list: all good)."""
    reader = Reader(locate)
    top = reader.mapping({} if data is None else data, "", _TOP_KEYS)
    if top is None:
        return [], reader.problems
    fmt = top.get("format")
    if fmt is not None and fmt != FORMAT:
        reader.problem("format", repr(fmt), repr(FORMAT))
    events: list[Event] = []
    seen: dict[str, str] = {}
    for path, item in reader.items(top, "events", ""):
        path = path.lstrip(".")
        event = read_event(reader, item, path, programs)
        raw_id = item.get("id") if isinstance(item, Mapping) else None
        if raw_id is not None:
            key = str(raw_id).strip()
            if key in seen:
                reader.problem(f"{path}.id", f"duplicate id {key!r}",
                               f"ids unique in the file (first at {seen[key]})")
                event = None
            seen.setdefault(key, path)
        if event is not None:
            events.append(event)
    if not top.get("events") and not reader.problems:
        reader.problem("events", "no events", "a list of events (events: - id: …)")
    return events, reader.problems
