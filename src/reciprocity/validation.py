"""The one converter from pydantic's :class:`ValidationError` to the project's :class:`Problem`.

Each pydantic error becomes a problem with its location (``programs[3].workshare[0]``, passed
through ``location`` so a reader can prefix the file and line), what was found and what was
expected, in the words the project's messages use (``found 'abc'; expected a number``).
A validator that needs its own words raises :func:`invalid` (found, expected), and one that
checks several items of a list at once raises :func:`invalid_items` (a problem per item).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from reciprocity.errors import Problem

Loc = tuple[str | int, ...]
CUSTOM = "reciprocity"

# pydantic's error type → what was expected (ranges and choices are filled in below)
_EXPECTED = {
    "missing": "a value",
    "string_type": "text",
    "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number", "float_parsing": "a number",
    "finite_number": "a finite number",
    "bool_type": "true or false", "bool_parsing": "true or false",
    "list_type": "a list (lines starting with '- ')",
    "tuple_type": "a list (lines starting with '- ')",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "path_type": "a path",
}


def invalid(found: str, expected: str) -> PydanticCustomError:
    """The error a validator raises when its value is bad, in the project's words."""
    return PydanticCustomError(CUSTOM, "found {found}; expected {expected}",
                               {"found": found, "expected": expected})


def invalid_items(problems: Sequence[tuple[Loc, str, str]]) -> PydanticCustomError:
    """One error carrying several problems, each at a location below the field's."""
    return PydanticCustomError(CUSTOM, "{count} problem(s)",
                               {"count": len(problems), "items": list(problems)})


def show(value: object) -> str:
    """A found value as messages show it: ``nothing``, ``a mapping``, ``a list`` or its repr."""
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return repr(value)


def dotted(loc: Loc) -> str:
    """``('programs', 3, 'workshare', 0)`` → ``programs[3].workshare[0]``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out.lstrip(".")


def problems_from(error: ValidationError, location: Callable[[Loc], str] = dotted,
                  prefix: Loc = ()) -> list[Problem]:
    """Every problem in ``error``, located by ``location`` (default: the dotted path) below
    ``prefix``."""
    problems: list[Problem] = []
    for item in error.errors(include_url=False):
        loc = (*prefix, *_clean(item["loc"]))
        ctx = item.get("ctx") or {}
        if item["type"] == CUSTOM and "items" in ctx:
            problems += [Problem(location((*loc, *sub)), found, expected)
                         for sub, found, expected in ctx["items"]]
            continue
        found, expected = _words(item, loc)
        problems.append(Problem(location(loc), found, expected))
    return problems


def _clean(loc: Sequence[Any]) -> Loc:
    """Drop the parts pydantic adds for unions and validators (``function-after[...]``)."""
    return tuple(p for p in loc if isinstance(p, int) or not (
        "[" in str(p) or str(p) in ("str", "int", "float", "none", "list", "tuple")))


def _words(item: Mapping[str, Any], loc: Loc) -> tuple[str, str]:
    kind = item["type"]
    ctx = item.get("ctx") or {}
    value = item.get("input")
    if kind == CUSTOM:
        return str(ctx["found"]), str(ctx["expected"])
    if kind == "missing":
        name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "it")
        return "nothing", f"a value for {name}"
    if kind == "extra_forbidden":
        return f"unknown key {loc[-1]!r}" if loc else "an unknown key", "a known key"
    if kind in ("literal_error", "enum"):
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return show(value), "one of " + ", ".join(options)
    bounds = {"greater_than_equal": "at least", "greater_than": "more than",
              "less_than_equal": "at most", "less_than": "less than"}
    if kind in bounds:
        limit = next(iter(ctx.values()))
        return show(value), f"a number {bounds[kind]} {limit:g}" if isinstance(
            limit, int | float) else f"{bounds[kind]} {limit}"
    if kind in ("too_short", "too_long", "string_too_short", "string_too_long"):
        return show(value), str(item.get("msg", "")).replace("should have", "").strip()
    return show(value), _EXPECTED.get(kind, str(item.get("msg", kind)))
