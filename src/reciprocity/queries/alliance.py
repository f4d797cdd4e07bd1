"""Whether two countries are allied, since when, and by which obligations (ATOP v4).

A pair is allied in a year when both are members of one ATOP alliance that year (the years
from a member's entry to its exit, both counted; a member still in an alliance when the data
end counts to the last year ATOP covers). ``allied_since`` is the first
year of the unbroken run of allied years that holds the reference year (the latest year
ATOP covers, or ``year``), whatever the treaties that make it up: U.S.–Japan 1951 (the 1951
Security Treaty, followed without a gap by the 1960 treaty). Obligations are per member,
since ATOP codes them per member and they can be one-sided.

The last year covered and the credit line are read from the store's ``datasets`` row, written
at ingest from ATOP's description (``sources/data/atop.yaml``); the table and its obligation
columns from :mod:`reciprocity.sources.atop_members`. Answering a pair imports neither the
source module nor its description. A store made before ``datasets.last_year`` was recorded
(or opened read-only since) gets the year from the description itself (a slower import).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reciprocity import countries
from reciprocity.sources.atop_members import NAME, OBLIGATIONS, TABLE, cow_codes_of, cow_states
from reciprocity.store.db import Store


@dataclass(frozen=True)
class Atop:
    """The store's ATOP dataset: its id, credit line and the last year its data cover."""

    dataset: str
    credit: str
    coverage_end: int


def atop_in(store: Store) -> Atop | None:
    """The store's ATOP dataset when it holds a vintage of it, else None (one lookup: the
    ingest that writes the dataset's row creates its table in the same transaction)."""
    cur = store.run("SELECT d.* FROM datasets d WHERE d.source = ? AND EXISTS "
                    "(SELECT 1 FROM vintages v WHERE v.dataset = d.dataset)", [NAME])
    names = [c[0] for c in cur.description]
    row = cur.fetchone()
    if row is None:
        return None
    found_row = dict(zip(names, row, strict=True))
    end = found_row.get("last_year")
    if end is None:  # a store made before the datasets row recorded the years covered
        from reciprocity.sources import atop
        end = atop.COVERAGE_END
    return Atop(found_row["dataset"], found_row["credit"], int(end))


def has_atop(store: Store, vintage: str | None = None) -> bool:
    """True when the store holds an active ATOP vintage (cheap: one lookup)."""
    return atop_in(store) is not None


def _records(store: Store, cows: list[int], vintage: str | None,
             end: int) -> list[dict[str, Any]]:
    marks = ", ".join("?" for _ in cows)
    sql = store.active_flows_sql(vintage) + f"""
        SELECT r.atopid, r.cow_code, r.phase, r.start_year,
               coalesce(r.end_year, {int(end)}) AS last_year, r.end_year IS NULL
               AS open_end, {", ".join("r." + o for o in OBLIGATIONS)}, r.vintage_id
        FROM {TABLE} r JOIN active a USING (vintage_id)
        WHERE r.cow_code IN ({marks}) ORDER BY r.atopid, r.start_year, r.phase"""
    cur = store.run(sql, cows)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def alliance(store: Store, a: str, b: str, year: int | None = None,
             vintage: str | None = None) -> dict[str, Any] | None:
    """The pair's ATOP alliances; None when the store holds no ATOP vintage.

    ``{"allied_since": year or None, "as_of": reference year, "treaties": [{"atopid",
    "start", "end" (None: in effect when the data end), "obligations": {code: [...]},
    "phases" (only for a treaty whose terms changed)}], "vintage", "credit"}``. A treaty's
    ``start``/``end`` are the years both were members.
    """
    found = atop_in(store)
    if found is None:
        return None
    end = found.coverage_end
    ca, cb = countries.resolve(a).code, countries.resolve(b).code
    cows = {ca: cow_codes_of(ca), cb: cow_codes_of(cb)}
    as_of = end if year is None else min(int(year), end)
    rows = _records(store, sorted({*cows[ca], *cows[cb]}), vintage, end) \
        if cows[ca] and cows[cb] else []
    side = {c: code for code in (ca, cb) for c in cows[code]}
    by_treaty: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for r in rows:
        by_treaty.setdefault(r["atopid"], {ca: [], cb: []})[side[r["cow_code"]]].append(r)
    allied: set[int] = set()
    treaties = []
    for atopid, members in by_treaty.items():
        if not members[ca] or not members[cb] or ca == cb:
            continue
        years = {y for r in members[ca] for y in range(r["start_year"], r["last_year"] + 1)} & \
            {y for r in members[cb] for y in range(r["start_year"], r["last_year"] + 1)}
        if not years:
            continue  # members at different times (e.g. one left before the other joined)
        allied |= years
        start, last = min(years), max(years)
        still = last == end and all(
            any(r["open_end"] for r in members[c]) for c in (ca, cb))

        def duties(recs: list[dict[str, Any]]) -> list[str]:
            return [o for o in OBLIGATIONS if any(r[o] for r in recs)]

        within = {c: [r for r in members[c] if r["start_year"] <= last and r["last_year"] >= start]
                  for c in (ca, cb)}
        treaty: dict[str, Any] = {"atopid": int(atopid), "start": start,
                                  "end": None if still else last,
                                  "obligations": {c: duties(within[c]) for c in (ca, cb)}}
        phases = sorted({r["phase"] for c in (ca, cb) for r in within[c] if r["phase"]})
        if len(phases) > 1:
            treaty["phases"] = [{"phase": p, "obligations": {
                c: duties([r for r in within[c] if r["phase"] == p]) for c in (ca, cb)}}
                for p in phases]
        treaties.append(treaty)
    treaties.sort(key=lambda t: (t["start"], t["atopid"]))
    since = None
    if as_of in allied:
        since = as_of
        while since - 1 in allied:
            since -= 1
    vintages = sorted({r["vintage_id"] for r in rows})
    return {"allied_since": since, "as_of": as_of, "coverage_end": end, "treaties": treaties,
            "vintage": vintages[0] if vintages else None, "credit": found.credit}


def allies_of(store: Store, a: str, year: int | None = None,
              vintage: str | None = None) -> set[str] | None:
    """Codes of the countries allied with ``a`` in the reference year (the latest year ATOP
    covers, or ``year``); None when the store holds no ATOP vintage."""
    found = atop_in(store)
    if found is None:
        return None
    end = found.coverage_end
    code = countries.resolve(a).code
    cows = cow_codes_of(code)
    if not cows:
        return set()
    as_of = end if year is None else min(int(year), end)
    marks = ", ".join("?" for _ in cows)
    sql = store.active_flows_sql(vintage) + f"""
        , m AS (SELECT r.* FROM {TABLE} r JOIN active USING (vintage_id)
                WHERE r.start_year <= ? AND coalesce(r.end_year, {int(end)}) >= ?)
        SELECT DISTINCT o.cow_code FROM m o JOIN m s USING (atopid)
        WHERE s.cow_code IN ({marks}) AND o.cow_code NOT IN ({marks})"""
    found = [r[0] for r in store.run(sql, [as_of, as_of, *cows, *cows]).fetchall()]
    states = cow_states()
    out: set[str] = set()
    for cow in found:
        state = states.get(int(cow), {})
        out.update(c for c in (state.get("code"), *state.get("also", ())) if c)
    return out
