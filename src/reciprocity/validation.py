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
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
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


_BOUNDS = {"greater_than_equal": "at least", "greater_than": "more than",
           "less_than_equal": "at most", "less_than": "less than"}


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
                  prefix: Loc = (), model: type[BaseModel] | None = None) -> list[Problem]:
    """Every problem in ``error``, located by ``location`` (default: the dotted path) below
    ``prefix``. With the ``model`` validated, the words come from its fields too: the
    description (``a share in percent``), both bounds, the keys a mapping may have."""
    problems: list[Problem] = []
    for item in error.errors(include_url=False):
        rel = _clean(item["loc"])
        loc = (*prefix, *rel)
        ctx = item.get("ctx") or {}
        if item["type"] == CUSTOM and "items" in ctx:
            problems += [Problem(location((*loc, *sub)), found, expected)
                         for sub, found, expected in ctx["items"]]
            continue
        found, expected = _words(item, rel, model)
        problems.append(Problem(location(loc), found, expected))
    return problems


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``Model``, ``Model | None``, ``tuple[Model, ...]``, ``Annotated[…]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _fields(model: type[BaseModel]) -> dict[str, FieldInfo]:
    return {(f.alias or name): f for name, f in model.model_fields.items()}


def _field_at(model: type[BaseModel] | None, loc: Loc) -> tuple[FieldInfo | None,
                                                                type[BaseModel] | None]:
    """The field at ``loc`` and the model holding it (None, None when not found)."""
    field = None
    holder = None
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None:
            return None, None
        holder = model
        field = _fields(model).get(str(part))
        if field is None:
            return None, holder
        model = _model_in(field.annotation)
    return field, holder


def _bounds(field: FieldInfo) -> tuple[float | None, float | None]:
    """The lower and upper bounds of a field, also when they sit on ``X`` in ``X | None``."""
    lo = hi = None
    metadata = list(field.metadata)
    for arg in get_args(field.annotation):
        metadata += getattr(arg, "__metadata__", ())
    for meta in metadata:
        lo = getattr(meta, "ge", getattr(meta, "gt", lo))
        hi = getattr(meta, "le", getattr(meta, "lt", hi))
    return lo, hi


def _clean(loc: Sequence[Any]) -> Loc:
    """Drop the parts pydantic adds for unions and validators (``function-after[...]``)."""
    return tuple(p for p in loc if isinstance(p, int) or not (
        "[" in str(p) or str(p) in ("str", "int", "float", "none", "list", "tuple")))


def _words(item: Mapping[str, Any], loc: Loc,
           model: type[BaseModel] | None) -> tuple[str, str]:
    kind = item["type"]
    ctx = item.get("ctx") or {}
    value = item.get("input")
    field, holder = _field_at(model, loc)
    what = field.description if field is not None else None
    if kind == CUSTOM:
        return str(ctx["found"]), str(ctx["expected"])
    if kind == "missing":
        name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "it")
        return "nothing", what or f"a value for {name}"
    if kind == "extra_forbidden":
        keys = ("one of " + ", ".join(_fields(holder))) if holder is not None else "a known key"
        return f"unknown key {loc[-1]!r}" if loc else "an unknown key", keys
    if what and field is not None and kind in _BOUNDS:
        lo, hi = _bounds(field)
        number = f"{value:g}" if isinstance(value, int | float) else show(value)
        if lo is not None and hi is not None:
            return number, f"{what} between {lo:g} and {hi:g}"
        limit = f"of at least {lo:g}" if lo is not None else f"of at most {hi:g}"
        return number, f"{what} {limit}"
    if what and kind == "finite_number":
        return show(value), f"{what}: a finite number"
    if what and kind in ("float_type", "float_parsing"):
        return show(value), what
    if kind in ("literal_error", "enum"):
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return show(value), "one of " + ", ".join(options)
    if kind in _BOUNDS:
        limit = next(iter(ctx.values()))
        return show(value), f"a number {_BOUNDS[kind]} {limit:g}" if isinstance(
            limit, int | float) else f"{_BOUNDS[kind]} {limit}"
    if kind in ("too_short", "too_long", "string_too_short", "string_too_long"):
        return show(value), str(item.get("msg", "")).replace("should have", "").strip()
    return show(value), _EXPECTED.get(kind, str(item.get("msg", kind)))
