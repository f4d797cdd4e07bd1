"""Table schemas, declared once and used for DDL, validation and the docs.

Every table the store holds is a :class:`Table` registered in :data:`REGISTRY`. The same
declaration produces the ``CREATE TABLE`` statement, checks a frame before it is written,
and renders the reference in ``docs/schema.md`` (a test keeps that file in step).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reciprocity.errors import Problem

_KINDS = {
    "VARCHAR": "string",
    "INTEGER": "integer",
    "BIGINT": "integer",
    "DOUBLE": "number",
    "BOOLEAN": "boolean",
    "TIMESTAMP": "timestamp",
    "DATE": "timestamp",
    "BLOB": "bytes",
    "JSON": "string",
    "VARCHAR[]": "list",
    "INTEGER[]": "list",
}
"""What kind of value each DuckDB type holds (for the type check of a column)."""

_EMPTY = "empty value(s)"

YEAR_MIN, YEAR_MAX = 1900, 2100
"""The fixed outer range of every year the store holds or a query asks for: it holds every
real source's years (SIPRI orders from 1940, WDI from 1960) with room on both sides."""

YEAR_BOUNDS = {"min": YEAR_MIN, "max": YEAR_MAX}
"""``Field(..., **YEAR_BOUNDS)`` for a year column."""


def _null_rows(con: Any, relation: str, names: list[str]) -> dict[str, list[int]]:
    """The first five rows (from 0, in the relation's order) where each column is empty."""
    if not names:
        return {}
    cells = ", ".join(f"(list(_row ORDER BY _row) FILTER (WHERE {n} IS NULL))[1:5]"
                      for n in names)
    found = con.execute(f"SELECT {cells} FROM (SELECT row_number() OVER () - 1 AS _row, * "
                        f"FROM {relation})").fetchone()
    return dict(zip(names, found, strict=True))


@dataclass(frozen=True)
class Field:
    """One column: name, DuckDB type, meaning, and constraints."""

    name: str
    type: str
    description: str
    nullable: bool = True
    enum: tuple[str, ...] | None = None
    unit: str | None = None
    min: float | None = None
    """Smallest plausible value (checked at every ingest, not in the DDL)."""
    max: float | None = None
    """Largest plausible value (checked at every ingest, not in the DDL)."""
    finite: bool = True
    """A DOUBLE column holds finite numbers only (no NaN, no infinity)."""

    def ddl(self) -> str:
        parts = [self.name, self.type]
        if not self.nullable:
            parts.append("NOT NULL")
        if self.enum:
            values = ", ".join("'" + v.replace("'", "''") + "'" for v in self.enum)
            parts.append(f"CHECK ({self.name} IN ({values}))")
        return " ".join(parts)


@dataclass(frozen=True)
class Table:
    """A table of the store: its fields, primary key and what a row means."""

    name: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = field(default=())
    # Columns that identify a row, checked when rows are validated instead of by an index:
    # for record tables, written once per vintage, where an index would cost every ingest
    # (and its commit) more than it saves any query.
    unique_key: tuple[str, ...] = ()

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")

    def ddl(self) -> list[str]:
        """Statements that create the table and its indexes if they do not exist."""
        cols = [f.ddl() for f in self.fields]
        if self.primary_key:
            cols.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        body = ",\n  ".join(cols)
        stmts = [f"CREATE TABLE IF NOT EXISTS {self.name} (\n  {body}\n)"]
        for i, cols_ in enumerate(self.indexes):
            stmts.append(
                f"CREATE INDEX IF NOT EXISTS {self.name}_ix{i} ON {self.name} ({', '.join(cols_)})"
            )
        return stmts

    def validate_relation(self, con: Any, relation: str, where: str = "",
                          provided: Iterable[str] = ()) -> list[Problem]:
        """Every problem with a relation registered in DuckDB (a pandas or Arrow frame).

        Missing or unexpected columns; else empty required values (with the first rows, counted
        from 0), values outside an enumeration, and text or booleans in a number column, found
        by one SQL query so that large frames are checked without copying them (the rows of
        empty values by a second one, only when there are any), and keys of ``unique_key``
        held more than once. ``provided`` names columns the store adds itself.
        """
        loc = where or self.name
        given = set(provided)
        have = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
        missing = [c for c in self.columns if c not in have and c not in given]
        extra = [c for c in have if c not in self.columns]
        problems = [Problem(loc, f"{what} columns {cols}", f"columns {self.columns}")
                    for what, cols in (("missing", missing), ("unexpected", extra)) if cols]
        if problems:
            return problems
        checks: list[tuple[str, str, str, str]] = []
        for f in self.fields:
            if f.name in given:
                continue
            if not f.nullable:
                checks.append((f.name, f"count(*) FILTER (WHERE {f.name} IS NULL)",
                               _EMPTY, "a value"))
            if f.enum:
                values = ", ".join("'" + v.replace("'", "''") + "'" for v in f.enum)
                checks.append((f.name, f"list(DISTINCT CAST({f.name} AS VARCHAR)) FILTER "
                               f"(WHERE {f.name} IS NOT NULL AND CAST({f.name} AS VARCHAR) "
                               f"NOT IN ({values}))", "values", f"one of {list(f.enum)}"))
            kind = _KINDS.get(f.type)
            if kind in ("number", "integer") and have[f.name] in ("VARCHAR", "BOOLEAN"):
                checks.append((f.name, f"count(*) FILTER (WHERE {f.name} IS NOT NULL)",
                               f"{have[f.name]} value(s)", f"a {kind} column ({f.type})"))
        problems += self._duplicates(con, relation, loc, given)
        if not checks:
            return problems
        counts = con.execute(
            f"SELECT {', '.join(c[1] for c in checks)} FROM {relation}").fetchone()
        failed = [(check, n) for check, n in zip(checks, counts, strict=True) if n]
        rows = _null_rows(con, relation, [c[0] for c, _ in failed if c[2] == _EMPTY])
        for (name, _, found, expected), n in failed:
            if isinstance(n, list):
                problems.append(Problem(f"{loc}.{name}", f"values {sorted(n)[:5]}", expected))
            elif found == _EMPTY:
                problems.append(Problem(f"{loc}.{name} rows {rows[name]}", f"{n} {found}",
                                        expected))
            else:
                problems.append(Problem(f"{loc}.{name}", f"{n} {found}", expected))
        return problems

    def implausible(self, con: Any, relation: str, where: str = "",
                    provided: Iterable[str] = ()) -> list[Problem]:
        """Values that fit the types but not the world, found in one SQL query: numbers outside
        a field's ``min``/``max``, NaN or infinity in a DOUBLE column (unless ``finite`` is
        False), and NUL characters in text. Each problem names the field, the first record ids
        (for file sources, the lines) and the values found. Run after
        :meth:`validate_relation` found nothing (the columns are then known to be there)."""
        loc = where or self.name
        given = set(provided)
        have = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
        rid = "record_id" if "record_id" in have else "_row"
        checks: list[tuple[str, str, str]] = []
        for f in self.fields:
            if f.name in given or f.name not in have:
                continue
            kind = _KINDS.get(f.type)
            if kind in ("number", "integer") and have[f.name] not in ("VARCHAR", "BOOLEAN"):
                conds, expected = [], []
                if f.type == "DOUBLE" and f.finite and have[f.name] in ("DOUBLE", "FLOAT"):
                    conds.append(f"NOT isfinite({f.name})")
                    expected.append("a finite number")
                if f.min is not None:
                    conds.append(f"{f.name} < {f.min!r}")
                    expected.append(f"at least {f.min:g}")
                if f.max is not None:
                    conds.append(f"{f.name} > {f.max!r}")
                    expected.append(f"at most {f.max:g}")
                if conds:
                    checks.append((f.name, " OR ".join(conds), ", ".join(expected)))
            elif kind == "string" and have[f.name] == "VARCHAR":
                checks.append((f.name, f"contains({f.name}, chr(0))", "text without NUL bytes"))
        if not checks:
            return []
        cells = ", ".join(
            f"count(*) FILTER (WHERE {cond}), "
            f"(list({rid} ORDER BY {rid}) FILTER (WHERE {cond}))[1:5], "
            f"(list(CAST({name} AS VARCHAR) ORDER BY {rid}) FILTER (WHERE {cond}))[1:5]"
            for name, cond, _ in checks)
        found = con.execute(f"SELECT {cells} FROM (SELECT row_number() OVER () - 1 AS _row, * "
                            f"FROM {relation})").fetchone()
        problems = []
        for i, (name, _, expected) in enumerate(checks):
            n, ids, values = found[3 * i: 3 * i + 3]
            if n:
                label = "record_id" if rid == "record_id" else "rows"
                shown = [v[:60].replace("\0", "\\0") if isinstance(v, str) else v
                         for v in values]
                problems.append(Problem(f"{loc}.{name}, {label} {ids}",
                                        f"{n} implausible value(s), e.g. {shown}", expected))
        return problems

    def _duplicates(self, con: Any, relation: str, loc: str, given: set[str]) -> list[Problem]:
        """Keys of :attr:`unique_key` that the relation holds more than once.

        Columns the store provides (one value for the whole relation) are left out.
        """
        cols = [c for c in self.unique_key if c not in given]
        if not cols:
            return []
        keys = ", ".join(cols)
        label = "concat_ws(' | ', " + ", ".join(f"CAST({c} AS VARCHAR)" for c in cols) + ")"
        n, examples = con.execute(
            f"SELECT count(*), list(k ORDER BY k)[1:5] FROM (SELECT {label} AS k FROM "
            f"{relation} GROUP BY {keys} HAVING count(*) > 1)").fetchone()
        if not n:
            return []
        return [Problem(f"{loc} ({keys})", f"{n} key(s) on more than one row, e.g. {examples}",
                        "one row per key")]

    def markdown(self) -> str:
        lines = [f"### `{self.name}`", "", self.description, ""]
        if self.primary_key:
            lines += [f"Primary key: `{', '.join(self.primary_key)}`.", ""]
        if self.unique_key:
            lines += [f"Unique key (checked at every ingest): `{', '.join(self.unique_key)}`.",
                      ""]
        lines += ["| column | type | required | meaning |", "| --- | --- | --- | --- |"]
        for f in self.fields:
            meaning = f.description
            if f.unit:
                meaning += f" Unit: {f.unit}."
            if f.enum:
                meaning += " One of: " + ", ".join(f"`{v}`" for v in f.enum) + "."
            if f.min is not None or f.max is not None:
                lo = "" if f.min is None else _number(f.min)
                hi = "" if f.max is None else _number(f.max)
                meaning += (f" Plausible: {lo} to {hi}." if lo and hi else
                            f" Plausible: at least {lo}." if lo else f" Plausible: at most {hi}.")
            lines.append(f"| `{f.name}` | {f.type} | {'yes' if not f.nullable else 'no'} "
                         f"| {meaning} |")
        return "\n".join(lines) + "\n"


def _number(value: float) -> str:
    if not float(value).is_integer():
        return f"{value:g}"
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.0f}"  # years stay 1900


REGISTRY: dict[str, Table] = {}


def register(table: Table) -> Table:
    """Add a table to the store's registry (idempotent for the same declaration)."""
    existing = REGISTRY.get(table.name)
    if existing is not None and existing != table:
        raise ValueError(f"table {table.name!r} declared twice with different schemas")
    REGISTRY[table.name] = table
    return table


def tables() -> Iterable[Table]:
    return REGISTRY.values()


def store_tables() -> dict[str, Table]:
    """The store's own tables (:mod:`reciprocity.store.tables`): what a :class:`Store`
    creates unless its caller declares more. The modules above the store declare theirs
    (sources, ledger, events) and the API passes the full list (``api.store_tables``)."""
    from reciprocity.store import tables as own

    return {t.name: t for t in own.TABLES}


def render_docs(tables: Mapping[str, Table]) -> str:
    """The schema reference page of ``tables`` (every table: ``api.store_tables()``)."""
    head = (
        "# Store schema\n\n"
        "Generated from the table declarations (`reciprocity.api.store_tables()`: the store's, "
        "the sources', the ledger's and the events') by "
        "`reciprocity.store.schema.render_docs()`; a test fails when this page and the code "
        "disagree. Regenerate with `make docs`.\n\n"
        "Every ingest also checks plausibility (`Table.implausible`): numbers within a "
        "column's *Plausible* range, finite numbers in every DOUBLE column (no NaN or "
        "infinity), no NUL in text; a file that breaks any is refused with the column and "
        "its first record ids (for files, their lines).\n\n"
    )
    return head + "\n".join(tables[name].markdown() for name in sorted(tables))
