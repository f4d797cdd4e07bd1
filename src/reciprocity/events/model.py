"""Events as dataclasses, and the validator every input goes through.

:func:`parse_events` turns the plain data of an interchange file into :class:`Event` records,
collecting *every* problem with its location (``us_japan.yaml:42 events[3].date``). Ids,
countries, dates and sources follow the ledger's conventions (docs/ledger.md): the same id
pattern, country lookup, date parser and citation fields.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from reciprocity import countries
from reciprocity.errors import Problem
from reciprocity.events.schema import KINDS
from reciprocity.ledger.model import parse_date

Locate = Callable[[str], str]
"""Maps a record path (``events[2].date``) to a location text."""

FORMAT = "reciprocity-events/1"
LABEL_MAX = 24
"""Longest chart label: markers stay readable on a chart of 70 years."""

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_SOURCE_KEYS = ("title", "author", "publisher", "year", "url", "page", "note")
_EVENT_KEYS = ("id", "date", "countries", "kind", "title", "label", "summary", "programs",
               "sources", "notes")
_TOP_KEYS = ("format", "events")


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, [], {}, "")}


@dataclass(frozen=True)
class Source:
    """A public source: a title and who published or wrote it (the ledger's citation)."""

    title: str
    publisher: str | None = None
    author: str | None = None
    year: int | None = None
    url: str | None = None
    page: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _compact({"title": self.title, "author": self.author,
                         "publisher": self.publisher, "year": self.year, "url": self.url,
                         "page": self.page, "note": self.note})


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
    sources: tuple[Source, ...]
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


class _Reader:
    """Reads plain data, collecting every problem with its location."""

    def __init__(self, locate: Locate) -> None:
        self.locate = locate
        self.problems: list[Problem] = []

    def problem(self, path: str, found: str, expected: str) -> None:
        self.problems.append(Problem(self.locate(path.lstrip(".")), found, expected))

    def mapping(self, value: object, path: str, allowed: tuple[str, ...]) -> dict | None:
        if not isinstance(value, Mapping):
            self.problem(path, _show(value), "a mapping (key: value lines)")
            return None
        for key in value:
            if key not in allowed:
                self.problem(f"{path}.{key}", f"unknown key {key!r}",
                             "one of " + ", ".join(allowed))
        return dict(value)

    def text(self, data: Mapping, key: str, path: str, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(f"{path}.{key}", "nothing", f"a value for {key}")
            return None
        if isinstance(value, bool | Mapping | list):
            self.problem(f"{path}.{key}", _show(value), "text")
            return None
        return str(value).strip()

    def items(self, data: Mapping, key: str, path: str) -> list[tuple[str, Any]]:
        value = data.get(key)
        if value is None or value == "":
            return []
        if not isinstance(value, list):
            self.problem(f"{path}.{key}", _show(value), "a list (lines starting with '- ')")
            return []
        return [(f"{path}.{key}[{i}]", item) for i, item in enumerate(value)]

    def year(self, data: Mapping, key: str, path: str) -> int | None:
        value = data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not str(value).strip().isdigit():
            self.problem(f"{path}.{key}", _show(value), "a year (a whole number)")
            return None
        year = int(str(value).strip())
        if not 1000 <= year <= 2200:
            self.problem(f"{path}.{key}", str(year), "a year between 1000 and 2200")
            return None
        return year

    def sources(self, data: Mapping, path: str) -> tuple[Source, ...]:
        entries = self.items(data, "sources", path)
        if not entries:
            if data.get("sources") in (None, [], ""):
                self.problem(f"{path}.sources", "no sources", "at least one public source "
                             "(title, publisher or author, year, url)")
            return ()
        out = []
        for where, item in entries:
            src = self.mapping(item, where, _SOURCE_KEYS)
            if src is None:
                continue
            title = self.text(src, "title", where, required=True)
            publisher, author = self.text(src, "publisher", where), self.text(src, "author",
                                                                              where)
            if publisher is None and author is None:
                self.problem(where, "no publisher or author", "who published or wrote it")
            year = self.year(src, "year", where)
            if title is not None:
                out.append(Source(title, publisher, author, year, self.text(src, "url", where),
                                  self.text(src, "page", where), self.text(src, "note", where)))
        return tuple(out)


def _show(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def read_event(reader: _Reader, value: object, path: str,
               programs: Collection[str] | None) -> Event | None:
    """One event from plain data (None, with problems recorded, when it does not validate).

    ``programs`` holds the ledger's program ids (None: links are not checked).
    """
    data = reader.mapping(value, path, _EVENT_KEYS)
    if data is None:
        return None
    before = len(reader.problems)
    eid = reader.text(data, "id", path, required=True)
    if eid is not None and not ID_PATTERN.match(eid):
        reader.problem(f"{path}.id", repr(eid), "an id of letters, digits, '.', '_' or '-' "
                       "(at most 80 characters)")
    date = None
    try:
        date = parse_date(data.get("date"))
    except ValueError:
        reader.problem(f"{path}.date", _show(data.get("date")),
                       "a date YYYY, YYYY-MM or YYYY-MM-DD")
    else:
        if date is None:
            reader.problem(f"{path}.date", "nothing", "a date: YYYY, YYYY-MM or YYYY-MM-DD "
                           "(the year at least)")
        elif not 1900 <= int(date[:4]) <= 2100:
            reader.problem(f"{path}.date", repr(date), "a year between 1900 and 2100")
    codes: list[str] = []
    raw = data.get("countries")
    if not isinstance(raw, list) or not raw:
        reader.problem(f"{path}.countries", repr(raw) if raw not in (None, []) else "nothing",
                       "a list of one or more countries (ISO 3166 alpha-3 codes or names)")
    else:
        for i, item in enumerate(raw):
            found = countries.lookup(item) if isinstance(item, str) and item.strip() else None
            if found is None:
                reader.problem(f"{path}.countries[{i}]", f"unknown country {item!r}",
                               "an ISO 3166 alpha-3 code or a known country name (e.g. USA, "
                               "Japan)")
            elif found.code in codes:
                reader.problem(f"{path}.countries[{i}]", f"{found.code} twice",
                               "each country once")
            else:
                codes.append(found.code)
    kind = reader.text(data, "kind", path, required=True)
    if kind is not None and kind not in KINDS:
        reader.problem(f"{path}.kind", repr(kind), "one of " + ", ".join(KINDS))
    title = reader.text(data, "title", path, required=True)
    label = reader.text(data, "label", path)
    if label is not None and len(label) > LABEL_MAX:
        reader.problem(f"{path}.label", f"{len(label)} characters",
                       f"a chart label of at most {LABEL_MAX} characters")
    summary = reader.text(data, "summary", path, required=True)
    links: list[str] = []
    for where, item in reader.items(data, "programs", path):
        pid = str(item).strip() if isinstance(item, str | int) else None
        if pid is None or (programs is not None and pid not in programs):
            reader.problem(where, f"unknown program {item!r}", "the id of a program in the "
                           "ledger (reciprocity ledger list --kind programs); import the "
                           "ledger first")
        else:
            links.append(pid)
    sources = reader.sources(data, path)
    if len(reader.problems) > before:
        return None
    return Event(eid, date, tuple(codes), kind, title, summary, sources,  # type: ignore[arg-type]
                 label, tuple(dict.fromkeys(links)), reader.text(data, "notes", path))


def parse_events(data: object, locate: Locate, programs: Collection[str] | None = None
                 ) -> tuple[list[Event], list[Problem]]:
    """Events in ``data`` and every problem with them (empty list: all good)."""
    reader = _Reader(locate)
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
