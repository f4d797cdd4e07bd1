"""Query parameters written into the SQL text as literals.

DuckDB's Python client imports pandas and NumPy the first time it binds a parameter (any
value but ``None``; see duckdb/duckdb#11871), which costs a command that reads a few rows
more than the rest of its work. :func:`bind` replaces each ``?`` placeholder outside quotes
and line comments with the SQL literal of its value instead: text quoted with its quotes doubled
(DuckDB's string literals know no backslash escapes), numbers as written, ``None`` as NULL.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime

from reciprocity.errors import InputError


def literal(value: object) -> str:
    """``value`` as a DuckDB SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"a query parameter must be a finite number; found {value}")
        return f"CAST({value!r} AS DOUBLE)"
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, str):
        if "\x00" in value:
            raise InputError("a query parameter holds a NUL character; text must not")
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {type(value).__name__} {value!r}")


def bind(sql: str, params: Sequence[object]) -> str:
    """``sql`` with its ``?`` placeholders replaced, in order, by the literals of ``params``;
    a ``?`` inside a quoted string or identifier, or a line comment, is left as it is."""
    out: list[str] = []
    values = iter(params)
    used = 0
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"":
            end = i + 1
            while end < n:  # a doubled quote inside is part of the text
                if sql[end] == ch and not (end + 1 < n and sql[end + 1] == ch):
                    break
                end += 2 if sql[end] == ch else 1
            out.append(sql[i:end + 1])
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end])
            i = end
        elif ch == "?":
            try:
                out.append(literal(next(values)))
            except StopIteration:
                raise ValueError(f"the query has more placeholders than the {used} "
                                 "parameter(s) given") from None
            used += 1
            i += 1
        else:
            out.append(ch)
            i += 1
    if used != len(params):
        raise ValueError(f"{len(params)} parameters given for {used} placeholder(s)")
    return "".join(out)
