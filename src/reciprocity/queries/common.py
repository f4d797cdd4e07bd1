"""Pieces every query shares: resolving a pair, filters, credit lines."""

from __future__ import annotations

from dataclasses import dataclass

from reciprocity import countries
from reciprocity.errors import InputError
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


def span_filter(since: int | None, until: int | None, channel: str | None = None,
                mode: str | None = None, area: str | None = None) -> tuple[str, list]:
    """``AND …`` clauses and their parameters for the usual filters."""
    if since is not None and until is not None and since > until:
        raise InputError(f"--since {since} is after --until {until}")
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
    rows = store.con.execute(
        f"SELECT DISTINCT credit FROM datasets WHERE dataset IN ({marks}) ORDER BY credit",
        datasets).fetchall()
    return [r[0] for r in rows]
