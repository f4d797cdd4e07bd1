"""Checks over the ledger's current records: pure functions, no I/O.

* :func:`tech_for_tech` — the Technology-for-Technology principle (NRC 1995, p. 84: "no
  significant transfers of U.S. military technology to Japan without a reciprocal flow of
  Japanese technology"), applied both ways: every *executed major* A→B transfer must be
  matched by an executed B→A transfer in the same program, or executed within ``years``
  years of it. Matching is one to one, so one reverse transfer cannot excuse many.
* :func:`variances` — planned versus actual workshare and value, per program and party,
  flagging actuals the ledger does not have (``tracked`` false).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from reciprocity.ledger.model import Program, Transfer

DEFAULT_YEARS = 5
"""Default matching window, in years (SIPRI's five-year trend convention)."""


class _Answer(BaseModel):
    """A part of ``ledger check``'s JSON: every key listed; ``from`` written as ``from``."""

    model_config = ConfigDict(extra="forbid", validate_by_name=True, serialize_by_alias=True)


class MatchAnswer(_Answer):
    """A matched transfer: its id, direction and year, the counterpart and the basis."""

    transfer_id: str
    from_: str = Field(alias="from")
    to: str
    year: int | None
    counterpart_id: str
    counterpart_year: int | None
    basis: str


class UnmatchedAnswer(_Answer):
    """An executed major transfer without a reciprocal one, and why."""

    transfer_id: str
    from_: str = Field(alias="from")
    to: str
    year: int | None
    program: str | None
    technology: str
    reason: str


class VarianceAnswer(_Answer):
    """Planned versus actual for one program, party and measure."""

    program: str
    country: str | None
    measure: str
    planned: int | float | None
    actual: int | float | None
    difference: int | float | None
    tracked: bool


class CheckAnswer(_Answer):
    """``reciprocity ledger check [A B]`` (and ``/api/ledger/check``)."""

    a: str | None
    b: str | None
    years: int
    tested: int
    unmatched: list[UnmatchedAnswer]
    variances: list[VarianceAnswer]
    matched: list[MatchAnswer]


@dataclass(frozen=True)
class Match:
    """A major transfer and the reverse transfer that matches it."""

    transfer: Transfer
    counterpart: Transfer
    basis: str  # "program" or "window"

    def answer(self) -> MatchAnswer:
        return MatchAnswer(transfer_id=self.transfer.id, from_=self.transfer.origin,
                           to=self.transfer.destination, year=_year(self.transfer),
                           counterpart_id=self.counterpart.id,
                           counterpart_year=_year(self.counterpart), basis=self.basis)


@dataclass(frozen=True)
class Unmatched:
    """An executed major transfer with no reciprocal transfer, and why."""

    transfer: Transfer
    reason: str

    def answer(self) -> UnmatchedAnswer:
        t = self.transfer
        return UnmatchedAnswer(transfer_id=t.id, from_=t.origin, to=t.destination,
                               year=_year(t), program=t.program, technology=t.technology,
                               reason=self.reason)


@dataclass(frozen=True)
class Variance:
    """Planned versus actual for one program, party and measure."""

    program: str
    country: str | None
    measure: str
    planned: float | None
    actual: float | None

    @property
    def tracked(self) -> bool:
        return self.actual is not None

    @property
    def difference(self) -> float | None:
        if self.planned is None or self.actual is None:
            return None
        return self.actual - self.planned

    def answer(self) -> VarianceAnswer:
        return VarianceAnswer(program=self.program, country=self.country,
                              measure=self.measure, planned=self.planned, actual=self.actual,
                              difference=self.difference, tracked=self.tracked)


@dataclass
class CheckResult:
    """What ``reciprocity ledger check`` reports."""

    a: str | None
    b: str | None
    years: int
    matched: list[Match] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    variances: list[Variance] = field(default_factory=list)
    tested: int = 0

    def answer(self) -> CheckAnswer:
        """The answer of ``reciprocity ledger check``: dump it for its JSON."""
        return CheckAnswer(a=self.a, b=self.b, years=self.years, tested=self.tested,
                           unmatched=[u.answer() for u in self.unmatched],
                           variances=[v.answer() for v in self.variances],
                           matched=[m.answer() for m in self.matched])


def _year(t: Transfer) -> int | None:
    date = t.executed_on
    return int(date[:4]) if date else None


def _order(t: Transfer) -> tuple[int, str]:
    year = _year(t)
    return (year if year is not None else 10**6, t.id)


def tech_for_tech(transfers: Iterable[Transfer], a: str | None = None, b: str | None = None,
                  years: int = DEFAULT_YEARS) -> tuple[list[Match], list[Unmatched], int]:
    """Matches, unmatched transfers, and how many executed major transfers were tested.

    With ``a`` and ``b`` only transfers between those two countries count; otherwise every
    pair of countries in the ledger is checked.
    """
    if years < 0:
        raise ValueError("years must be zero or more")
    executed = [t for t in transfers if t.is_executed]
    pairs = [(a, b)] if a is not None and b is not None else pairs_of(executed)
    matches: list[Match] = []
    unmatched: list[Unmatched] = []
    tested = 0
    for x, y in pairs:
        xy = sorted((t for t in executed if (t.origin, t.destination) == (x, y)), key=_order)
        yx = sorted((t for t in executed if (t.origin, t.destination) == (y, x)), key=_order)
        used: set[str] = set()
        for forward, backward in ((xy, yx), (yx, xy)):
            majors = [t for t in forward if t.significance == "major"]
            tested += len(majors)
            done = {m.transfer.id for m in matches} | {m.counterpart.id for m in matches}
            todo = [t for t in majors if t.id not in done]
            pair_matches, left = _match(todo, backward, used, years)
            matches += pair_matches
            unmatched += [Unmatched(t, _reason(t, backward, used, years)) for t in left]
    return matches, unmatched, tested


def _match(todo: list[Transfer], pool: list[Transfer], used: set[str],
           years: int) -> tuple[list[Match], list[Transfer]]:
    """Same program first (for all), then the nearest year within the window."""
    out: list[Match] = []
    left: list[Transfer] = []
    for t in todo:
        same = [c for c in pool if c.id not in used and t.program and c.program == t.program]
        if same:
            pick = min(same, key=lambda c: (_distance(t, c), _order(c)))
            used.update((pick.id, t.id))
            out.append(Match(t, pick, "program"))
        else:
            left.append(t)
    still: list[Transfer] = []
    for t in left:
        year = _year(t)
        near = [c for c in pool if c.id not in used and year is not None
                and _year(c) is not None and abs(_year(c) - year) <= years]
        if near:
            pick = min(near, key=lambda c: (_distance(t, c), _order(c)))
            used.update((pick.id, t.id))
            out.append(Match(t, pick, "window"))
        else:
            still.append(t)
    return out, still


def _distance(t: Transfer, c: Transfer) -> int:
    a, b = _year(t), _year(c)
    return abs(a - b) if a is not None and b is not None else 10**6


def _reason(t: Transfer, pool: list[Transfer], used: set[str], years: int) -> str:
    back = f"{t.destination}→{t.origin}"
    year = _year(t)
    where = f"in program {t.program!r} or " if t.program else ""
    if year is None:
        return (f"executed on an unknown date, and no executed {back} transfer "
                + (f"in program {t.program!r}" if t.program else "shares its program"))
    within = [c for c in pool if _year(c) is not None and abs(_year(c) - year) <= years]
    if not within:
        nearest = min((c for c in pool if _year(c) is not None),
                      key=lambda c: abs(_year(c) - year), default=None)
        extra = (f" (nearest: {nearest.id}, {_year(nearest)})" if nearest is not None
                 else f" (the ledger has no executed {back} transfer)")
        return f"no executed {back} transfer {where}within {years} years of {year}{extra}"
    taken = ", ".join(c.id for c in within)
    return (f"no executed {back} transfer {where}within {years} years of {year} is free: "
            f"{taken} already matched other transfers")


def variances(programs: Iterable[Program], a: str | None = None,
              b: str | None = None) -> list[Variance]:
    """Planned versus actual workshare and value of each program (with A and B, if given)."""
    out: list[Variance] = []
    for p in programs:
        if a is not None and b is not None and not {a, b} <= set(p.partners):
            continue
        for w in p.workshare:
            if w.planned_pct is None and w.actual_pct is None:
                continue
            out.append(Variance(p.id, w.country, "workshare_pct", w.planned_pct, w.actual_pct))
        for v in p.value:
            money = v.planned or v.actual
            if money is None:
                continue
            out.append(Variance(p.id, v.country, money.unit,
                                v.planned.amount_millions if v.planned else None,
                                v.actual.amount_millions if v.actual else None))
    return out


def check(programs: Iterable[Program], transfers: Iterable[Transfer], a: str | None = None,
          b: str | None = None, years: int = DEFAULT_YEARS) -> CheckResult:
    """Both checks at once, as ``reciprocity ledger check`` reports them."""
    matches, unmatched, tested = tech_for_tech(transfers, a, b, years)
    return CheckResult(a, b, years, matches, unmatched, variances(programs, a, b), tested)


def pairs_of(transfers: Iterable[Transfer]) -> list[tuple[str, str]]:
    """Every unordered pair of countries with transfers between them."""
    found = {tuple(sorted((t.origin, t.destination))) for t in transfers}
    return sorted(p for p in found if len(p) == 2)
