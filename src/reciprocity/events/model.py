"""Events as pydantic models on the ledger's field types, read through one validator.

:func:`parse_events` turns the plain data of an interchange file into :class:`Event` records,
collecting *every* problem with its location (``us_japan.yaml:42 events[3].date``) through
:func:`reciprocity.validation.problems_from`. Ids, countries, dates and sources are the
ledger's field types (:mod:`reciprocity.ledger.fields`; a source is the ledger's
:class:`~reciprocity.ledger.model.Citation`). The same models are the web API's bodies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from reciprocity.errors import Problem
from reciprocity.events.schema import KINDS
from reciprocity.ledger.fields import (
    Country,
    Ident,
    Model,
    RequiredText,
    Text,
    Texts,
    choice,
    parse_date,
)
from reciprocity.ledger.model import Citation, Sources
from reciprocity.validation import Loc, dotted, invalid, invalid_items, problems_from, show

Locate = Callable[[str], str]
"""Maps a record path (``events[2].date``) to a location text."""

FORMAT = "reciprocity-events/1"
LABEL_MAX = 24
"""Longest chart label: markers stay readable on a chart of 70 years."""
FIRST_YEAR, LAST_YEAR = 1900, 2100

Source = Citation
"""A public source: a title and who published or wrote it (the ledger's citation)."""


def _event_date(value: object) -> str:
    try:
        date = parse_date(value)
    except ValueError:
        raise invalid(show(value), "a date YYYY, YYYY-MM or YYYY-MM-DD") from None
    if date is None:
        raise invalid("nothing", "a date: YYYY, YYYY-MM or YYYY-MM-DD (the year at least)")
    if not FIRST_YEAR <= int(date[:4]) <= LAST_YEAR:
        raise invalid(repr(date), f"a year between {FIRST_YEAR} and {LAST_YEAR}")
    return date


def _some_countries(value: object) -> object:
    if not isinstance(value, list | tuple) or not value:
        raise invalid(repr(value) if value not in (None, []) else "nothing",
                      "a list of one or more countries (ISO 3166 alpha-3 codes or names)")
    return value


def _each_once(codes: tuple[str, ...]) -> tuple[str, ...]:
    twice = [((i,), f"{c} twice", "each country once")
             for i, c in enumerate(codes) if c in codes[:i]]
    if twice:
        raise invalid_items(twice)
    return codes


def _chart_label(label: str | None) -> str | None:
    if label is not None and len(label) > LABEL_MAX:
        raise invalid(f"{len(label)} characters",
                      f"a chart label of at most {LABEL_MAX} characters")
    return label


EventDate = Annotated[str, BeforeValidator(_event_date), Field(
    description="a date: YYYY, YYYY-MM or YYYY-MM-DD (the year at least)")]
Countries = Annotated[tuple[Country, ...], BeforeValidator(_some_countries),
                      AfterValidator(_each_once), Field(
    description="a list of one or more countries (ISO 3166 alpha-3 codes or names)")]
Label = Annotated[Text, AfterValidator(_chart_label)]


class Event(Model):
    """One dated, cited policy event concerning one or more countries."""

    KEEP: ClassVar[tuple[str, ...]] = ()
    id: Ident
    date: EventDate
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: as much as the sources give."""
    countries: Countries
    kind: choice(KINDS, required=True)  # type: ignore[valid-type]
    title: RequiredText
    label: Label = None
    summary: RequiredText
    programs: Texts = ()
    sources: Sources = ()
    notes: Text = None

    @field_validator("programs")
    @classmethod
    def _known(cls, links: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        """Links to the ledger's programs (``programs`` in the context; none: unchecked)."""
        known = (info.context or {}).get("programs")
        unknown = [((i,), f"unknown program {p!r}", "the id of a program in the ledger "
                    "(reciprocity ledger list --kind programs); import the ledger first")
                   for i, p in enumerate(links) if known is not None and p not in known]
        if unknown:
            raise invalid_items(unknown)
        return tuple(dict.fromkeys(links))

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


class EventsFile(BaseModel):
    """The top level of an events file; each event is validated on its own
    (:func:`parse_events`), so one bad event does not hide the others' problems."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["reciprocity-events/1"] | None = None
    events: Annotated[list[Any], BeforeValidator(
        lambda v: [] if v is None or v == "" else v)] = []


def date_text(first_day: dt.date, precision: str) -> str:
    """The interchange date of a stored (first day, precision) pair."""
    text = first_day.isoformat()
    return {"year": text[:4], "month": text[:7], "day": text}[precision]


def parse_events(data: object, locate: Locate, programs: Collection[str] | None = None
                 ) -> tuple[list[Event], list[Problem]]:
    """Events in ``data`` and every problem with them (empty list: all good).

    ``programs`` holds the ledger's program ids (None: links are not checked)."""
    def where(loc: Loc) -> str:
        return locate(dotted(loc))

    data = {} if data is None else data
    problems: list[Problem] = []
    try:
        items = EventsFile.model_validate(data).events
    except ValidationError as error:
        problems += problems_from(error, where, model=EventsFile)
        raw = data.get("events") if isinstance(data, Mapping) else None
        items = raw if isinstance(raw, list) else []
    context = {"programs": None if programs is None else set(programs)}
    events: list[Event] = []
    seen: dict[str, str] = {}
    for i, item in enumerate(items):
        path = f"events[{i}]"
        event: Event | None = None
        try:
            event = Event.model_validate(item, context=context)
        except ValidationError as error:
            problems += problems_from(error, where, ("events", i), model=Event)
        raw_id = item.get("id") if isinstance(item, Mapping) else None
        if raw_id is not None:
            key = str(raw_id).strip()
            if key in seen:
                problems.append(Problem(locate(f"{path}.id"), f"duplicate id {key!r}",
                                        f"ids unique in the file (first at {seen[key]})"))
                event = None
            seen.setdefault(key, path)
        if event is not None:
            events.append(event)
    if not items and not problems:
        problems.append(Problem(locate("events"), "no events",
                                "a list of events (events: - id: …)"))
    return events, problems
