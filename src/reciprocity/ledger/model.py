"""Ledger records as pydantic models, and the one validator every input goes through.

:func:`parse_registry` turns the plain data of an interchange file (dicts and lists, as
YAML or the transfers CSV give them) into a :class:`Registry`, collecting *every* problem
with its location (``registry.yaml:42 programs[3].workshare[0].planned_pct``) instead of
stopping at the first: each record is validated by its model (field types and constraints
in :mod:`reciprocity.ledger.fields`, rules across fields as validators), and pydantic's
errors become :class:`~reciprocity.errors.Problem` s (:func:`reciprocity.validation.problems_from`).
Records are immutable; a change makes a new record (and, in the store, a new version). The
same models are the web API's bodies, so /openapi.json documents them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any, ClassVar, Literal

import pycountry
from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from reciprocity.errors import Problem
from reciprocity.ledger.fields import (
    Amount,
    Country,
    Date,
    Ident,
    Model,
    Percent,
    RequiredText,
    Text,
    Texts,
    Year,
    choice,
    listed,
    parse_date,
)
from reciprocity.ledger.schema import (
    FORMS,
    KINDS,
    PROGRAM_STATUSES,
    RATINGS,
    SIGNIFICANCE,
    STATUSES,
)
from reciprocity.validation import dotted, invalid, invalid_items, problems_from, show

__all__ = ["parse_date"]

FORMAT = "reciprocity-ledger/1"

NEXT_STATUS: dict[str | None, tuple[str, ...]] = {
    None: STATUSES,  # a history starts where the sources start
    "proposed": ("approved", "not_carried_out", "cancelled"),
    "approved": ("executed", "not_carried_out", "cancelled"),
    "executed": (),
    "not_carried_out": (),
    "cancelled": (),
}
"""Allowed next statuses: proposed → approved → executed, or not_carried_out / cancelled."""

Locate = Callable[[str], str]
"""Maps a record path (``transfers[2].status_history[1].date``) to a location text."""


def _at_least_one(what: str, expected: str) -> Any:
    """A before-validator refusing an empty list, saying ``what`` was found."""
    def check(value: object) -> object:
        if value is None or value == "" or value == [] or value == ():
            raise invalid(what, expected)
        return value
    return BeforeValidator(check)


# -- records -------------------------------------------------------------------------------

class Citation(Model):
    """A public source: at least a title and who published or wrote it."""

    KEEP: ClassVar[tuple[str, ...]] = ()
    title: RequiredText
    author: Text = None
    publisher: Text = None
    year: Year = None
    url: Text = None
    page: Text = None
    note: Text = None

    @model_validator(mode="after")
    def _who(self) -> Citation:
        if self.publisher is None and self.author is None:
            raise invalid("no publisher or author", "who published or wrote it")
        return self


def _currency(value: object, info: ValidationInfo) -> str:
    from reciprocity.ledger.fields import _required

    code = _required(value, info).upper()
    if pycountry.currencies.get(alpha_3=code) is None:
        raise invalid(repr(code), "an ISO 4217 currency code such as USD or JPY")
    return code


class Money(Model):
    """An amount in millions of a currency, in then-year money unless ``price_year`` is set."""

    amount_millions: Amount
    currency: Annotated[str, BeforeValidator(_currency)]
    price_year: Year = None

    @property
    def unit(self) -> str:
        """Flow unit for this kind of money, e.g. ``value_usd_millions``, never mixed."""
        year = "" if self.price_year is None else str(self.price_year)
        return f"value_{self.currency.lower()}{year}_millions"


class WorkshareLine(Model):
    """One party's share of the work in percent; an empty actual means it is not tracked."""

    country: Country
    planned_pct: Percent = None
    actual_pct: Percent = None


class ValueLine(Model):
    """Planned and actual value for one country, or the whole program (``country`` None)."""

    KEEP: ClassVar[tuple[str, ...]] = ("country", "planned", "actual")
    country: Annotated[Country | None, BeforeValidator(lambda v: None if v == "" else v)] = None
    planned: Money | None = None
    actual: Money | None = None
    note: Text = None

    @field_validator("actual")
    @classmethod
    def _same_unit(cls, actual: Money | None, info: ValidationInfo) -> Money | None:
        planned = info.data.get("planned")
        if planned and actual and planned.unit != actual.unit:
            raise invalid(f"{actual.currency} {actual.price_year}",
                          f"the currency and price year of the planned value "
                          f"({planned.currency} {planned.price_year})")
        return actual


class Clause(Model):
    """A reciprocity clause, e.g. ``kind: flowback``."""

    kind: RequiredText
    text: RequiredText


class Plan(Model):
    """A reciprocal-flow plan, set before negotiations (NRC 1995, pp. 82 and 86)."""

    desired_contributions: Texts = ()
    protected_technologies: Texts = ()
    licensed_parts: Texts = ()
    reciprocity_target: Text = None


class StatusChange(Model):
    """One step of a transfer's life: status, date (may be unknown) and why."""

    KEEP: ClassVar[tuple[str, ...]] = ("status", "date")
    status: choice(STATUSES, required=True)  # type: ignore[valid-type]
    date: Date = None
    reason: Text = None


class Impact(Model):
    """What a transfer did for the receiving side, and who judged it."""

    KEEP: ClassVar[tuple[str, ...]] = ()
    rating: choice(RATINGS, required=True)  # type: ignore[valid-type]
    rationale: Text = None
    assessor: Text = None
    date: Date = None


_NO_SOURCES = ("no sources", "at least one public source (title, publisher or author, year, url)")
Sources = Annotated[listed(Citation), _at_least_one(*_NO_SOURCES),
                    Field(validate_default=True)]


def _partners(value: object) -> object:
    if not isinstance(value, list) or len(value) < 2:
        raise invalid(show(value), "a list of at least two partner countries")
    return value


class Program(Model):
    """A cooperation program between partner countries."""

    KEEP: ClassVar[tuple[str, ...]] = ("id", "name", "partners", "form", "sources")
    record_kind: ClassVar[str] = "programs"
    id: Ident
    name: RequiredText
    partners: Annotated[tuple[Country, ...], BeforeValidator(_partners)]
    form: choice(FORMS, required=True)  # type: ignore[valid-type]
    systems: Texts = ()
    areas: Texts = ()
    start_year: Year = None
    end_year: Year = None
    status: choice(PROGRAM_STATUSES) = None  # type: ignore[valid-type]
    workshare: listed(WorkshareLine) = ()  # type: ignore[valid-type]
    value: listed(ValueLine) = ()  # type: ignore[valid-type]
    clauses: listed(Clause) = ()  # type: ignore[valid-type]
    plan: Plan | None = None
    sources: Sources = ()
    notes: Text = None

    @field_validator("partners")
    @classmethod
    def _each_once(cls, partners: tuple[str, ...]) -> tuple[str, ...]:
        twice = [((i,), f"{c} twice", "each partner once")
                 for i, c in enumerate(partners) if c in partners[:i]]
        if twice:
            raise invalid_items(twice)
        return partners

    @field_validator("end_year")
    @classmethod
    def _after_start(cls, end: int | None, info: ValidationInfo) -> int | None:
        start = info.data.get("start_year")
        if start is not None and end is not None and end < start:
            raise invalid(f"{end}, before start_year {start}",
                          "an end year on or after the start year")
        return end

    @field_validator("workshare")
    @classmethod
    def _shares(cls, lines: tuple[WorkshareLine, ...],
                info: ValidationInfo) -> tuple[WorkshareLine, ...]:
        partners = info.data.get("partners") or ()
        problems: list[tuple[tuple[Any, ...], str, str]] = []
        seen: set[str] = set()
        for i, w in enumerate(lines):
            if partners and w.country not in partners:
                problems.append(((i, "country"), w.country,
                                 "one of the partners " + ", ".join(partners)))
            if w.country in seen:
                problems.append(((i, "country"), f"{w.country} twice", "one line per country"))
            seen.add(w.country)
        for key, label in (("planned_pct", "planned"), ("actual_pct", "actual")):
            total = sum(getattr(w, key) or 0.0 for w in lines)
            if total > 100.0 + 1e-9:
                problems.append(((), f"{label} shares adding up to {total:g}%",
                                 "shares adding up to at most 100%"))
        if problems:
            raise invalid_items(problems)
        return lines

    @field_validator("value")
    @classmethod
    def _value_of_partners(cls, lines: tuple[ValueLine, ...],
                           info: ValidationInfo) -> tuple[ValueLine, ...]:
        partners = info.data.get("partners") or ()
        problems = [((i, "country"), v.country, "one of the partners " + ", ".join(partners))
                    for i, v in enumerate(lines)
                    if v.country is not None and partners and v.country not in partners]
        if problems:
            raise invalid_items(problems)
        return lines


class Transfer(Model):
    """A directional transfer of technology from one country to another."""

    KEEP: ClassVar[tuple[str, ...]] = ("id", "from", "to", "technology", "status_history",
                                       "sources")
    record_kind: ClassVar[str] = "transfers"
    id: Ident
    origin: Country = Field(alias="from")
    destination: Country = Field(alias="to")
    program: Text = None
    technology: RequiredText
    area: Text = None
    firms: Texts = ()
    kind: choice(KINDS) = None  # type: ignore[valid-type]
    significance: choice(SIGNIFICANCE) = None  # type: ignore[valid-type]
    history: Annotated[listed(StatusChange),  # type: ignore[valid-type]
                       _at_least_one("no status",
                                     "at least one status: proposed, approved, executed, …"),
                       Field(validate_default=True)] = Field((), alias="status_history")
    value: Money | None = None
    impact: Impact | None = None
    sources: Sources = ()
    notes: Text = None

    @field_validator("destination")
    @classmethod
    def _not_origin(cls, destination: str, info: ValidationInfo) -> str:
        if destination == info.data.get("origin"):
            raise invalid(destination, "a country other than the origin")
        return destination

    @field_validator("history")
    @classmethod
    def _in_order(cls, history: tuple[StatusChange, ...]) -> tuple[StatusChange, ...]:
        problems = transition_problems(history)
        if problems:
            raise invalid_items([((i,), found, expected) for i, found, expected in problems])
        return history

    @property
    def status(self) -> str:
        return self.history[-1].status

    @property
    def status_date(self) -> str | None:
        return self.history[-1].date

    @property
    def executed_on(self) -> str | None:
        """Date of the ``executed`` step (None when not executed or undated)."""
        for step in self.history:
            if step.status == "executed":
                return step.date
        return None

    @property
    def is_executed(self) -> bool:
        return any(step.status == "executed" for step in self.history)

    def with_status(self, step: StatusChange) -> Transfer:
        return self.model_copy(update={"history": (*self.history, step)})


Record = Program | Transfer


class Registry(BaseModel):
    """A set of programs and transfers (a file, or the ledger's current state)."""

    format: Literal["reciprocity-ledger/1"] = FORMAT
    programs: list[Program] = []
    transfers: list[Transfer] = []

    def program(self, program_id: str) -> Program | None:
        return next((p for p in self.programs if p.id == program_id), None)


# -- dates and transitions -----------------------------------------------------------------

def date_key(date: str) -> tuple[int, ...]:
    return tuple(int(p) for p in date.split("-"))


def is_before(later: str, earlier: str) -> bool:
    """True when ``later`` is strictly before ``earlier`` at their common precision."""
    a, b = date_key(later), date_key(earlier)
    n = min(len(a), len(b))
    return a[:n] < b[:n]


def transition_problems(history: Iterable[StatusChange]) -> list[tuple[int, str, str]]:
    """(index, found, expected) for every step out of order or dated before the one before."""
    out: list[tuple[int, str, str]] = []
    previous: str | None = None
    last_date: tuple[str, str] | None = None  # (date, status)
    for i, step in enumerate(history):
        allowed = NEXT_STATUS.get(previous, ())
        if step.status not in allowed:
            expected = ("nothing after " + previous) if not allowed else (
                "one of " + ", ".join(allowed) + (f" after {previous}" if previous else ""))
            out.append((i, f"{step.status!r} after {previous!r}", expected))
        if step.date is not None and last_date is not None and is_before(step.date,
                                                                          last_date[0]):
            out.append((i, f"{step.status} dated {step.date}, before {last_date[1]} on "
                           f"{last_date[0]}", f"a date on or after {last_date[0]}"))
        if step.date is not None:
            last_date = (step.date, step.status)
        previous = step.status
    return out


# -- reading -------------------------------------------------------------------------------

# `needs` belongs to the assessment (reciprocity.assess.needs reads it from the same file).
_TOP_KEYS = ("format", "programs", "transfers", "needs")
_MODELS: dict[str, type[Model]] = {"programs": Program, "transfers": Transfer}


def validate(kind: str, data: object, locate: Locate, path: str = "") -> tuple[
        Record | None, list[Problem]]:
    """One record of ``kind`` (programs or transfers) from plain data, or its problems."""
    prefix = tuple(p for p in _split(path))
    try:
        return _MODELS[kind].model_validate(data), []  # type: ignore[return-value]
    except ValidationError as error:
        return None, problems_from(error, lambda loc: locate(dotted(loc)), prefix,
                                   model=_MODELS[kind])


def _split(path: str) -> list[str | int]:
    import re

    return [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]


def parse_registry(data: object, locate: Locate, known: Mapping[str, Record] | None = None,
                   check_programs: bool = True) -> tuple[Registry, list[Problem]]:
    """Records in ``data`` and every problem with them (empty list: all good).

    ``known`` holds the ledger's current records by id: a file may refer to programs the
    ledger already has, and may not reuse a program's id for a transfer or the reverse.
    ``check_programs`` False accepts references to programs that are not known (a transfers
    CSV read on its own).
    """
    problems: list[Problem] = []

    def problem(path: str, found: str, expected: str) -> None:
        problems.append(Problem(locate(path), found, expected))

    registry = Registry()
    top = {} if data is None else data
    if not isinstance(top, Mapping):
        problem("", show(top), "a mapping (key: value lines)")
        return registry, problems
    for key in top:
        if key not in _TOP_KEYS:
            problem(str(key), f"unknown key {key!r}", "one of " + ", ".join(_TOP_KEYS))
    fmt = top.get("format")
    if fmt is not None and fmt != FORMAT:
        problem("format", repr(fmt), repr(FORMAT))
    ids: dict[str, str] = {}
    parsed: list[tuple[int, Transfer | None, object]] = []
    program_ids: set[str] = set()  # incl. programs with problems: no cascade of errors
    for kind in _MODELS:
        items = top.get(kind)
        if items is None or items == "":
            items = []
        if not isinstance(items, list):
            problem(kind, show(items), "a list (lines starting with '- ')")
            items = []
        for i, item in enumerate(items):
            path = f"{kind}[{i}]"
            record, found = validate(kind, item, locate, path)
            problems += found
            raw_id = item.get("id") if isinstance(item, Mapping) else None
            if raw_id is not None:
                key = str(raw_id).strip()
                if kind == "programs":
                    program_ids.add(key)
                if key in ids:
                    problem(f"{path}.id", f"duplicate id {key!r}",
                                   f"ids unique across programs and transfers (first at "
                                   f"{ids[key]})")
                    record = None
                else:
                    ids[key] = path
                    other = (known or {}).get(key)
                    if other is not None and other.record_kind != kind:
                        problem(f"{path}.id", f"{key!r}, already the id of one of the "
                                       f"ledger's {other.record_kind}", "an id not used by "
                                       "another record")
                        record = None
            if isinstance(record, Program):
                registry.programs.append(record)
            elif isinstance(record, Transfer):
                registry.transfers.append(record)
            if kind == "transfers" and isinstance(item, Mapping):
                parsed.append((i, record, item.get("program")))
    programs = {p.id: p for p in (known or {}).values() if isinstance(p, Program)}
    programs.update({p.id: p for p in registry.programs})
    for i, t, ref in parsed:
        if ref is None or isinstance(ref, Mapping | list) or not str(ref).strip():
            continue
        ref = str(ref).strip()
        prog = programs.get(ref)
        where = f"transfers[{i}].program"
        if prog is None and (ref in program_ids or not check_programs):
            continue
        if prog is None:
            problem(where, f"unknown program {ref!r}",
                           "the id of a program in this file or in the ledger")
            continue
        if t is None:
            continue
        missing = [c for c in (t.origin, t.destination) if c not in prog.partners]
        if missing:
            problem(where, f"{t.program}, whose partners are {', '.join(prog.partners)}",
                           f"a program with {' and '.join(missing)} among its partners")
    return registry, problems
