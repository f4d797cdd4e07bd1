"""Ledger records as dataclasses, and the one validator every input goes through.

:func:`parse_registry` turns the plain data of an interchange file (dicts and lists, as
YAML or the transfers CSV give them) into a :class:`Registry`, collecting *every* problem
with its location (``registry.yaml:42 programs[3].workshare[0].planned_pct``) instead of
stopping at the first. Records are immutable; a change makes a new record (and, in the
store, a new version).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pycountry

from reciprocity import countries
from reciprocity.errors import Problem
from reciprocity.ledger.schema import (
    FORMS,
    KINDS,
    PROGRAM_STATUSES,
    RATINGS,
    SIGNIFICANCE,
    STATUSES,
)

FORMAT = "reciprocity-ledger/1"
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

NEXT_STATUS: dict[str | None, tuple[str, ...]] = {
    None: STATUSES,  # a history starts where the sources start
    "proposed": ("approved", "not_carried_out", "cancelled"),
    "approved": ("executed", "not_carried_out", "cancelled"),
    "executed": (),
    "not_carried_out": (),
    "cancelled": (),
}
"""Allowed next statuses: proposed → approved → executed, or not_carried_out / cancelled."""


# -- records -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Citation:
    """A public source: at least a title and who published or wrote it."""

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
class Money:
    """An amount in millions of a currency, in then-year money unless ``price_year`` is set."""

    amount_millions: float
    currency: str
    price_year: int | None = None

    @property
    def unit(self) -> str:
        """Flow unit for this kind of money, e.g. ``value_usd_millions``, never mixed."""
        year = "" if self.price_year is None else str(self.price_year)
        return f"value_{self.currency.lower()}{year}_millions"

    def to_dict(self) -> dict[str, Any]:
        return {"amount_millions": self.amount_millions, "currency": self.currency,
                "price_year": self.price_year}


@dataclass(frozen=True)
class WorkshareLine:
    """One party's share of the work in percent; an empty actual means it is not tracked."""

    country: str
    planned_pct: float | None = None
    actual_pct: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"country": self.country, "planned_pct": self.planned_pct,
                "actual_pct": self.actual_pct}


@dataclass(frozen=True)
class ValueLine:
    """Planned and actual value for one country, or the whole program (``country`` None)."""

    country: str | None = None
    planned: Money | None = None
    actual: Money | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _compact({"country": self.country,
                         "planned": self.planned.to_dict() if self.planned else None,
                         "actual": self.actual.to_dict() if self.actual else None,
                         "note": self.note}, keep=("country", "planned", "actual"))


@dataclass(frozen=True)
class Clause:
    """A reciprocity clause, e.g. ``kind: flowback``."""

    kind: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text}


@dataclass(frozen=True)
class Plan:
    """A reciprocal-flow plan, set before negotiations (NRC 1995, pp. 82 and 86)."""

    desired_contributions: tuple[str, ...] = ()
    protected_technologies: tuple[str, ...] = ()
    licensed_parts: tuple[str, ...] = ()
    reciprocity_target: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"desired_contributions": list(self.desired_contributions),
                "protected_technologies": list(self.protected_technologies),
                "licensed_parts": list(self.licensed_parts),
                "reciprocity_target": self.reciprocity_target}


@dataclass(frozen=True)
class StatusChange:
    """One step of a transfer's life: status, date (may be unknown) and why."""

    status: str
    date: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _compact({"status": self.status, "date": self.date, "reason": self.reason},
                        keep=("status", "date"))


@dataclass(frozen=True)
class Impact:
    """What a transfer did for the receiving side, and who judged it."""

    rating: str
    rationale: str | None = None
    assessor: str | None = None
    date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _compact({"rating": self.rating, "rationale": self.rationale,
                         "assessor": self.assessor, "date": self.date})


@dataclass(frozen=True)
class Program:
    """A cooperation program between partner countries."""

    id: str
    name: str
    partners: tuple[str, ...]
    form: str
    sources: tuple[Citation, ...]
    systems: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    start_year: int | None = None
    end_year: int | None = None
    status: str | None = None
    workshare: tuple[WorkshareLine, ...] = ()
    value: tuple[ValueLine, ...] = ()
    clauses: tuple[Clause, ...] = ()
    plan: Plan | None = None
    notes: str | None = None

    record_kind = "programs"

    def to_dict(self) -> dict[str, Any]:
        return _compact({
            "id": self.id, "name": self.name, "partners": list(self.partners),
            "form": self.form, "systems": list(self.systems), "areas": list(self.areas),
            "start_year": self.start_year, "end_year": self.end_year, "status": self.status,
            "workshare": [w.to_dict() for w in self.workshare],
            "value": [v.to_dict() for v in self.value],
            "clauses": [c.to_dict() for c in self.clauses],
            "plan": self.plan.to_dict() if self.plan else None,
            "sources": [s.to_dict() for s in self.sources], "notes": self.notes,
        }, keep=("id", "name", "partners", "form", "sources"))


@dataclass(frozen=True)
class Transfer:
    """A directional transfer of technology from one country to another."""

    id: str
    origin: str
    destination: str
    technology: str
    history: tuple[StatusChange, ...]
    sources: tuple[Citation, ...]
    program: str | None = None
    area: str | None = None
    firms: tuple[str, ...] = ()
    kind: str | None = None
    significance: str | None = None
    value: Money | None = None
    impact: Impact | None = None
    notes: str | None = None

    record_kind = "transfers"

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
        return replace(self, history=(*self.history, step))

    def to_dict(self) -> dict[str, Any]:
        return _compact({
            "id": self.id, "from": self.origin, "to": self.destination,
            "program": self.program, "technology": self.technology, "area": self.area,
            "firms": list(self.firms), "kind": self.kind, "significance": self.significance,
            "status_history": [s.to_dict() for s in self.history],
            "value": self.value.to_dict() if self.value else None,
            "impact": self.impact.to_dict() if self.impact else None,
            "sources": [s.to_dict() for s in self.sources], "notes": self.notes,
        }, keep=("id", "from", "to", "technology", "status_history", "sources"))


Record = Program | Transfer


@dataclass
class Registry:
    """A set of programs and transfers (a file, or the ledger's current state)."""

    programs: list[Program] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "programs": [p.to_dict() for p in self.programs],
                "transfers": [t.to_dict() for t in self.transfers]}

    def program(self, program_id: str) -> Program | None:
        return next((p for p in self.programs if p.id == program_id), None)


def _compact(data: dict[str, Any], keep: Iterable[str] = ()) -> dict[str, Any]:
    """Drop empty values (None, empty lists) except the keys in ``keep``."""
    keep = set(keep)
    return {k: v for k, v in data.items() if k in keep or v not in (None, [], {}, "")}


# -- dates and transitions -----------------------------------------------------------------

def parse_date(value: object) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` from text, a year or a date; ValueError else."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        raise ValueError(repr(value))
    text = str(value).strip()
    match = DATE_PATTERN.match(text)
    if not match:
        raise ValueError(repr(value))
    year, month, day = match.groups()
    if month is not None:
        dt.date(int(year), int(month), int(day or 1))  # raises on 2024-13 or 2024-02-30
    return text


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

Locate = Callable[[str], str]
"""Maps a record path (``transfers[2].status_history[1].date``) to a location text."""

_PROGRAM_KEYS = ("id", "name", "partners", "form", "systems", "areas", "start_year",
                 "end_year", "status", "workshare", "value", "clauses", "plan", "sources",
                 "notes")
_TRANSFER_KEYS = ("id", "from", "to", "program", "technology", "area", "firms", "kind",
                  "significance", "status_history", "value", "impact", "sources", "notes")
_SOURCE_KEYS = ("title", "author", "publisher", "year", "url", "page", "note")
# `needs` belongs to the assessment (reciprocity.assess.needs reads it from the same file).
_TOP_KEYS = ("format", "programs", "transfers", "needs")


class _Reader:
    """Reads plain data into records, collecting every problem with its location."""

    def __init__(self, locate: Locate) -> None:
        self.locate = locate
        self.problems: list[Problem] = []

    def problem(self, path: str, found: str, expected: str) -> None:
        self.problems.append(Problem(self.locate(path.lstrip(".")), found, expected))

    # scalar helpers: each returns None (and records a problem) when the value is bad
    def mapping(self, value: object, path: str, allowed: Iterable[str]) -> dict | None:
        if not isinstance(value, Mapping):
            self.problem(path, _show(value), "a mapping (key: value lines)")
            return None
        allowed = tuple(allowed)
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

    def ident(self, data: Mapping, path: str) -> str | None:
        value = self.text(data, "id", path, required=True)
        if value is not None and not ID_PATTERN.match(value):
            self.problem(f"{path}.id", repr(value), "an id of letters, digits, '.', '_' or "
                         "'-' (at most 80 characters)")
            return None
        return value

    def integer(self, data: Mapping, key: str, path: str, lo: int = 1000,
                hi: int = 2200) -> int | None:
        value = data.get(key)
        if value is None or value == "":
            return None
        try:
            if isinstance(value, bool) or float(value) != int(float(value)):
                raise ValueError
            number = int(float(value))
        except (TypeError, ValueError, OverflowError):
            self.problem(f"{path}.{key}", _show(value), "a whole number")
            return None
        if not lo <= number <= hi:
            self.problem(f"{path}.{key}", str(number), f"a year between {lo} and {hi}")
            return None
        return number

    def number(self, data: Mapping, key: str, path: str, lo: float = 0.0,
               hi: float | None = None, what: str = "a number") -> float | None:
        value = data.get(key)
        if value is None or value == "":
            return None
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            self.problem(f"{path}.{key}", _show(value), what)
            return None
        if not math.isfinite(number):
            self.problem(f"{path}.{key}", _show(value), f"{what}: a finite number")
            return None
        if number < lo or (hi is not None and number > hi):
            rng = f"between {lo:g} and {hi:g}" if hi is not None else f"at least {lo:g}"
            self.problem(f"{path}.{key}", f"{number:g}", f"{what} {rng}")
            return None
        return number

    def choice(self, data: Mapping, key: str, path: str, options: tuple[str, ...],
               required: bool = False) -> str | None:
        value = self.text(data, key, path, required)
        if value is not None and value not in options:
            self.problem(f"{path}.{key}", repr(value), "one of " + ", ".join(options))
            return None
        return value

    def country(self, value: object, path: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.problem(path, _show(value), "a country: ISO 3166 alpha-3 code or name")
            return None
        found = countries.lookup(value)
        if found is None:
            self.problem(path, f"unknown country {value!r}",
                         "an ISO 3166 alpha-3 code or a known country name (e.g. USA, Japan)")
            return None
        return found.code

    def strings(self, data: Mapping, key: str, path: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None or value == "":
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(f"{path}.{key}", _show(value), "a list of text")
            return ()
        out = []
        for i, item in enumerate(value):
            if item is None or isinstance(item, Mapping | list | bool):
                self.problem(f"{path}.{key}[{i}]", _show(item), "text")
            else:
                out.append(str(item).strip())
        return tuple(out)

    def items(self, data: Mapping, key: str, path: str) -> list[tuple[str, Any]]:
        value = data.get(key)
        if value is None or value == "":
            return []
        if not isinstance(value, list):
            self.problem(f"{path}.{key}", _show(value), "a list (lines starting with '- ')")
            return []
        return [(f"{path}.{key}[{i}]", item) for i, item in enumerate(value)]

    def date(self, data: Mapping, key: str, path: str) -> str | None:
        try:
            return parse_date(data.get(key))
        except ValueError:
            self.problem(f"{path}.{key}", _show(data.get(key)),
                         "a date YYYY, YYYY-MM or YYYY-MM-DD (or empty when unknown)")
            return None

    # compound values
    def money(self, value: object, path: str) -> Money | None:
        if value is None:
            return None
        data = self.mapping(value, path, ("amount_millions", "currency", "price_year"))
        if data is None:
            return None
        amount = self.number(data, "amount_millions", path, what="an amount in millions")
        if data.get("amount_millions") is None:
            self.problem(f"{path}.amount_millions", "nothing", "an amount in millions")
        currency = self.text(data, "currency", path, required=True)
        if currency is not None:
            currency = currency.upper()
            if pycountry.currencies.get(alpha_3=currency) is None:
                self.problem(f"{path}.currency", repr(currency),
                             "an ISO 4217 currency code such as USD or JPY")
                currency = None
        price_year = self.integer(data, "price_year", path)
        if amount is None or currency is None:
            return None
        return Money(amount, currency, price_year)

    def citations(self, data: Mapping, path: str) -> tuple[Citation, ...]:
        entries = self.items(data, "sources", path)
        if not entries and "sources" in data and data.get("sources") not in (None, [], ""):
            return ()  # a non-list: already reported
        if not entries:
            self.problem(f"{path}.sources", "no sources",
                         "at least one public source (title, publisher or author, year, url)")
            return ()
        out = []
        for where, item in entries:
            src = self.mapping(item, where, _SOURCE_KEYS)
            if src is None:
                continue
            title = self.text(src, "title", where, required=True)
            publisher = self.text(src, "publisher", where)
            author = self.text(src, "author", where)
            if publisher is None and author is None:
                self.problem(where, "no publisher or author", "who published or wrote it")
            year = self.integer(src, "year", where)
            if title is not None:
                out.append(Citation(title, publisher, author, year, self.text(src, "url", where),
                                    self.text(src, "page", where), self.text(src, "note",
                                                                              where)))
        return tuple(out)

    # records
    def program(self, value: object, path: str) -> Program | None:
        data = self.mapping(value, path, _PROGRAM_KEYS)
        if data is None:
            return None
        before = len(self.problems)
        pid = self.ident(data, path)
        name = self.text(data, "name", path, required=True)
        partners: list[str] = []
        raw_partners = data.get("partners")
        if not isinstance(raw_partners, list) or len(raw_partners) < 2:
            self.problem(f"{path}.partners", _show(raw_partners),
                         "a list of at least two partner countries")
        else:
            for i, item in enumerate(raw_partners):
                code = self.country(item, f"{path}.partners[{i}]")
                if code is not None and code in partners:
                    self.problem(f"{path}.partners[{i}]", f"{code} twice", "each partner once")
                elif code is not None:
                    partners.append(code)
        form = self.choice(data, "form", path, FORMS, required=True)
        start = self.integer(data, "start_year", path)
        end = self.integer(data, "end_year", path)
        if start is not None and end is not None and end < start:
            self.problem(f"{path}.end_year", f"{end}, before start_year {start}",
                         "an end year on or after the start year")
        status = self.choice(data, "status", path, PROGRAM_STATUSES)
        workshare = self._workshare(data, path, partners)
        value = self._value(data, path, partners)
        clauses = []
        for where, item in self.items(data, "clauses", path):
            c = self.mapping(item, where, ("kind", "text"))
            if c is not None:
                kind = self.text(c, "kind", where, required=True)
                text = self.text(c, "text", where, required=True)
                if kind and text:
                    clauses.append(Clause(kind, text))
        plan = None
        if data.get("plan") is not None:
            p = self.mapping(data["plan"], f"{path}.plan", (
                "desired_contributions", "protected_technologies", "licensed_parts",
                "reciprocity_target"))
            if p is not None:
                where = f"{path}.plan"
                plan = Plan(self.strings(p, "desired_contributions", where),
                            self.strings(p, "protected_technologies", where),
                            self.strings(p, "licensed_parts", where),
                            self.text(p, "reciprocity_target", where))
        sources = self.citations(data, path)
        if len(self.problems) > before or pid is None or name is None or form is None:
            return None
        return Program(pid, name, tuple(partners), form, sources,
                       self.strings(data, "systems", path), self.strings(data, "areas", path),
                       start, end, status, workshare, value, tuple(clauses), plan,
                       self.text(data, "notes", path))

    def _workshare(self, data: Mapping, path: str,
                   partners: list[str]) -> tuple[WorkshareLine, ...]:
        lines: list[WorkshareLine] = []
        seen: set[str] = set()
        for where, item in self.items(data, "workshare", path):
            w = self.mapping(item, where, ("country", "planned_pct", "actual_pct"))
            if w is None:
                continue
            code = self.country(w.get("country"), f"{where}.country")
            planned = self.number(w, "planned_pct", where, 0, 100, "a share in percent")
            actual = self.number(w, "actual_pct", where, 0, 100, "a share in percent")
            if code is None:
                continue
            if partners and code not in partners:
                self.problem(f"{where}.country", code, "one of the partners " + ", ".join(
                    partners))
            if code in seen:
                self.problem(f"{where}.country", f"{code} twice", "one line per country")
            seen.add(code)
            lines.append(WorkshareLine(code, planned, actual))
        for key, label in (("planned_pct", "planned"), ("actual_pct", "actual")):
            total = sum(getattr(w, key) or 0.0 for w in lines)
            if total > 100.0 + 1e-9:
                self.problem(f"{path}.workshare", f"{label} shares adding up to {total:g}%",
                             "shares adding up to at most 100%")
        return tuple(lines)

    def _value(self, data: Mapping, path: str, partners: list[str]) -> tuple[ValueLine, ...]:
        lines: list[ValueLine] = []
        for where, item in self.items(data, "value", path):
            v = self.mapping(item, where, ("country", "planned", "actual", "note"))
            if v is None:
                continue
            code = None
            if v.get("country") not in (None, ""):
                code = self.country(v.get("country"), f"{where}.country")
                if code is not None and partners and code not in partners:
                    self.problem(f"{where}.country", code, "one of the partners "
                                 + ", ".join(partners))
            planned = self.money(v.get("planned"), f"{where}.planned")
            actual = self.money(v.get("actual"), f"{where}.actual")
            if planned and actual and planned.unit != actual.unit:
                self.problem(f"{where}.actual", f"{actual.currency} {actual.price_year}",
                             f"the currency and price year of the planned value "
                             f"({planned.currency} {planned.price_year})")
            lines.append(ValueLine(code, planned, actual, self.text(v, "note", where)))
        return tuple(lines)

    def transfer(self, value: object, path: str) -> Transfer | None:
        data = self.mapping(value, path, _TRANSFER_KEYS)
        if data is None:
            return None
        before = len(self.problems)
        tid = self.ident(data, path)
        origin = self.country(data.get("from"), f"{path}.from")
        destination = self.country(data.get("to"), f"{path}.to")
        if origin is not None and origin == destination:
            self.problem(f"{path}.to", destination, "a country other than the origin")
        program = self.text(data, "program", path)
        technology = self.text(data, "technology", path, required=True)
        kind = self.choice(data, "kind", path, KINDS)
        significance = self.choice(data, "significance", path, SIGNIFICANCE)
        history: list[StatusChange] = []
        entries = self.items(data, "status_history", path)
        if not entries:
            self.problem(f"{path}.status_history", "no status",
                         "at least one status: proposed, approved, executed, …")
        for where, item in entries:
            s = self.mapping(item, where, ("status", "date", "reason"))
            if s is None:
                continue
            status = self.choice(s, "status", where, STATUSES, required=True)
            date = self.date(s, "date", where)
            if status is not None:
                history.append(StatusChange(status, date, self.text(s, "reason", where)))
        if len(history) == len(entries):
            for i, found, expected in transition_problems(history):
                self.problem(f"{path}.status_history[{i}]", found, expected)
        money = self.money(data.get("value"), f"{path}.value")
        impact = None
        if data.get("impact") is not None:
            where = f"{path}.impact"
            imp = self.mapping(data["impact"], where, ("rating", "rationale", "assessor", "date"))
            if imp is not None:
                rating = self.choice(imp, "rating", where, RATINGS, required=True)
                if rating is not None:
                    impact = Impact(rating, self.text(imp, "rationale", where),
                                    self.text(imp, "assessor", where),
                                    self.date(imp, "date", where))
        sources = self.citations(data, path)
        if (len(self.problems) > before or tid is None or origin is None
                or destination is None or technology is None):
            return None
        return Transfer(tid, origin, destination, technology, tuple(history), sources,
                        program, self.text(data, "area", path),
                        self.strings(data, "firms", path), kind, significance, money, impact,
                        self.text(data, "notes", path))


def _show(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def parse_registry(data: object, locate: Locate, known: Mapping[str, Record] | None = None,
                   check_programs: bool = True) -> tuple[Registry, list[Problem]]:
    """Records in ``data`` and every problem with them (empty list: all good).

    ``known`` holds the ledger's current records by id: a file may refer to programs the
    ledger already has, and may not reuse a program's id for a transfer or the reverse.
    ``check_programs`` False accepts references to programs that are not known (a transfers
    CSV read on its own).
    """
    reader = _Reader(locate)
    registry = Registry()
    if data is None:
        data = {}
    top = reader.mapping(data, "", _TOP_KEYS)
    if top is None:
        return registry, reader.problems
    fmt = top.get("format")
    if fmt is not None and fmt != FORMAT:
        reader.problem("format", repr(fmt), repr(FORMAT))
    ids: dict[str, str] = {}
    parsed: list[tuple[int, Transfer | None, object]] = []
    program_ids: set[str] = set()  # incl. programs with problems: no cascade of errors
    for kind, parse in (("programs", reader.program), ("transfers", reader.transfer)):
        for i, (path, item) in enumerate(reader.items(top, kind, "")):
            path = path.lstrip(".")
            record = parse(item, path)
            raw_id = item.get("id") if isinstance(item, Mapping) else None
            if raw_id is not None:
                key = str(raw_id).strip()
                if kind == "programs":
                    program_ids.add(key)
                if key in ids:
                    reader.problem(f"{path}.id", f"duplicate id {key!r}",
                                   f"ids unique across programs and transfers (first at "
                                   f"{ids[key]})")
                    record = None
                else:
                    ids[key] = path
                    other = (known or {}).get(key)
                    if other is not None and other.record_kind != kind:
                        reader.problem(f"{path}.id", f"{key!r}, already the id of one of the "
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
            reader.problem(where, f"unknown program {ref!r}",
                           "the id of a program in this file or in the ledger")
            continue
        if t is None:
            continue
        missing = [c for c in (t.origin, t.destination) if c not in prog.partners]
        if missing:
            reader.problem(where, f"{t.program}, whose partners are {', '.join(prog.partners)}",
                           f"a program with {' and '.join(missing)} among its partners")
    return registry, reader.problems
