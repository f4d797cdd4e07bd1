"""Pieces every query shares: resolving a pair, filters, credit lines."""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral

from reciprocity import countries
from reciprocity.errors import InputError, Problem
from reciprocity.store.db import Store


@dataclass(frozen=True)
class Pair:
    """Two resolved countries."""

    a: countries.Country
    b: countries.Country

    @classmethod
    def of(cls, a: str, b: str) -> Pair:
        ca, cb = countries.resolve(a), countries.resolve(b)
        if ca.code == cb.code:
            raise InputError(f"a pair needs two different countries; both are {ca.code}")
        return cls(ca, cb)


def check_mode(mode: str | None) -> None:
    """A ``--mode`` must be one of the store's modes (``tables.MODES``): an unknown one is
    refused with the closest, never answered with "no flows"."""
    from reciprocity.errors import unknown_name
    from reciprocity.store.tables import MODES

    if mode is not None and mode not in MODES:
        raise unknown_name("mode", mode, MODES)


def check_years(**years: int | None) -> None:
    """Years asked for (``since=…``, ``until=…``, ``year=…``) must lie in the store's fixed
    outer range (``schema.YEAR_MIN``–``YEAR_MAX``), which every stored year lies in (the
    ingest refuses others): a year outside it is refused at once, before any work, so an
    answer never has more than that range's years."""
    from reciprocity.store.schema import YEAR_MAX, YEAR_MIN

    problems = [Problem(f"--{name}", str(value), f"a year from {YEAR_MIN} to {YEAR_MAX}")
                for name, value in years.items() if value is not None
                and not (isinstance(value, Integral) and YEAR_MIN <= value <= YEAR_MAX)]
    if problems:
        raise InputError(f"year(s) outside {YEAR_MIN}-{YEAR_MAX}, the range of the store's "
                         "data", problems)


def span_filter(since: int | None, until: int | None, channel: str | None = None,
                mode: str | None = None, area: str | None = None) -> tuple[str, list]:
    """``AND …`` clauses and their parameters for the usual filters."""
    check_years(since=since, until=until)
    if since is not None and until is not None and since > until:
        raise InputError(f"--since {since} is after --until {until}")
    check_mode(mode)
    clauses, params = [], []
    for column, value in (("channel", channel), ("mode", mode), ("area", area)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if since is not None:
        clauses.append("year >= ?")
        params.append(since)
    if until is not None:
        clauses.append("year <= ?")
        params.append(until)
    return "".join(f" AND {c}" for c in clauses), params


def credits_for(store: Store, datasets: list[str]) -> list[str]:
    """Credit lines of the given datasets, in a stable order."""
    if not datasets:
        return []
    marks = ", ".join("?" for _ in datasets)
    rows = store.run(
        f"SELECT DISTINCT credit FROM datasets WHERE dataset IN ({marks}) ORDER BY credit",
        datasets).fetchall()
    return [r[0] for r in rows]


def channel_credits(store: Store, channel: str, units: list[str] | None = None) -> list[str]:
    """Credit lines of the datasets that feed ``channel`` (in ``units``, when given): what
    the CLI prints under a channel's table and the web API returns with it."""
    rows = store.run(
        "SELECT DISTINCT dataset FROM flows WHERE channel = ?"
        + (f" AND unit IN ({', '.join('?' for _ in units)})" if units else ""),
        [channel, *(units or [])]).fetchall()
    return credits_for(store, sorted(d for (d,) in rows))


def credit_map(store: Store, key: str = "dataset", vintages: list[str] | None = None,
               **where: str | list[str] | None) -> dict[object, str]:
    """The credit line(s) of exactly the datasets behind each value of ``key`` (``dataset``,
    ``channel`` or ``(channel, unit)`` as ``"channel,unit"``): for a CSV's ``credit``
    column, so that each row carries the credits of its own data. Flows are those of
    ``vintages`` (default: every vintage) matching ``where`` (column = value or values).
    Several credit lines of one key are joined with `` · ``."""
    keys = [k.strip() for k in key.split(",")]
    clauses, params = [], []
    if vintages is not None:
        if not vintages:
            return {}
        clauses.append(f"f.vintage_id IN ({', '.join('?' for _ in vintages)})")
        params += list(vintages)
    for column, value in where.items():
        if value is None:
            continue
        values = [value] if isinstance(value, str) else list(value)
        clauses.append(f"f.{column} IN ({', '.join('?' for _ in values)})")
        params += values
    if keys == ["dataset"] and not clauses:
        rows = store.con.execute("SELECT dataset, credit FROM datasets").fetchall()
    else:
        rows = store.run(
            f"SELECT DISTINCT {', '.join('f.' + k for k in keys)}, d.credit FROM flows f "
            "JOIN datasets d USING (dataset)"
            + (f" WHERE {' AND '.join(clauses)}" if clauses else ""), params).fetchall()
    found: dict[object, set[str]] = {}
    for row in rows:
        k = row[0] if len(keys) == 1 else tuple(row[:-1])
        found.setdefault(k, set()).add(row[-1])
    return {k: " · ".join(sorted(v)) for k, v in found.items()}
