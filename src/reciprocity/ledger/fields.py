"""Field types of the interchange files (ledger, events): text, ids, countries, years, dates,
amounts and lists, each a pydantic type whose errors say what was found and expected.

Files are written by hand, so values are read the way a person means them: a number where text
is expected is text, an empty value is no value, one text where a list is expected is a list
of one. Bounds are pydantic constraints; :mod:`reciprocity.validation` words their errors.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from annotated_types import Ge, Le
from pydantic import AllowInfNan, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo
from pydantic import model_serializer as _serializer

from reciprocity import countries
from reciprocity.validation import invalid, show

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
DATE_EXPECTED = "a date YYYY, YYYY-MM or YYYY-MM-DD (or empty when unknown)"


class Model(BaseModel):
    """A record or part of one: immutable, no unknown keys; dumped without empty values
    (``None``, ``[]``, ``""``) except the fields in ``keep`` (all of them when None)."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_by_name=True,
                              validate_by_alias=True, serialize_by_alias=True)
    KEEP: ClassVar[tuple[str, ...] | None] = None

    @_serializer(mode="wrap")
    def _compact(self, handler: Any):  # no return type: the JSON schema stays the model's
        data = handler(self)
        keep = type(self).KEEP
        if keep is None:
            return data
        return {k: v for k, v in data.items() if k in keep or v not in (None, [], {}, "")}


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


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | Mapping | list):
        raise invalid(show(value), "text")
    return str(value).strip()


def _required(value: object, info: ValidationInfo) -> str:
    text = _text(value)
    if text is None:
        raise invalid("nothing", f"a value for {info.field_name}")
    return text


def choice(options: tuple[str, ...], required: bool = False) -> Any:
    """One of ``options`` (a schema enum), read as text."""
    kind: Any = Literal[options]  # type: ignore[valid-type]
    return Annotated[kind if required else kind | None,
                     BeforeValidator(_required if required else _text)]


def _ident(value: object, info: ValidationInfo) -> str:
    text = _required(value, info)
    if not ID_PATTERN.match(text):
        raise invalid(repr(text), "an id of letters, digits, '.', '_' or '-' (at most 80 "
                      "characters)")
    return text


def _country(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid(show(value), "a country: ISO 3166 alpha-3 code or name")
    found = countries.lookup(value)
    if found is None:
        raise invalid(f"unknown country {value!r}",
                      "an ISO 3166 alpha-3 code or a known country name (e.g. USA, Japan)")
    return found.code


def _date(value: object) -> str | None:
    try:
        return parse_date(value)
    except ValueError:
        raise invalid(show(value), DATE_EXPECTED) from None


def _number(value: object, what: str = "a number") -> object:
    """Empty is no value; true/false is not a number (pydantic would read it as 1/0)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise invalid(repr(value), what)
    return value


def _whole(value: object) -> object:
    return _number(value, "a whole number")


def _list(value: object) -> object:
    """No value is an empty list; one text is a list of one."""
    if value is None or value == "":
        return []
    return [value] if isinstance(value, str) else value


def _item(value: object) -> str:
    if value is None or isinstance(value, Mapping | list | bool):
        raise invalid(show(value), "text")
    return str(value).strip()


Text = Annotated[str | None, BeforeValidator(_text)]
RequiredText = Annotated[str, BeforeValidator(_required)]
Ident = Annotated[str, BeforeValidator(_ident)]
Country = Annotated[str, BeforeValidator(_country)]
Date = Annotated[str | None, BeforeValidator(_date), Field(description=DATE_EXPECTED)]
Year = Annotated[Annotated[int, Ge(1000), Le(2200)] | None, BeforeValidator(_whole),
                 Field(description="a year")]
Percent = Annotated[Annotated[float, Ge(0), Le(100), AllowInfNan(False)] | None,
                    BeforeValidator(_number), Field(description="a share in percent")]
Amount = Annotated[float, Ge(0), AllowInfNan(False), BeforeValidator(_number),
                   Field(description="an amount in millions")]
Texts = Annotated[tuple[Annotated[str, BeforeValidator(_item)], ...], BeforeValidator(_list)]


def _blank(value: object) -> object:
    return [] if value is None or value == "" else value


def listed(kind: Any) -> Any:
    """A list of ``kind`` where no value means an empty list."""
    return Annotated[tuple[kind, ...], BeforeValidator(_blank)]
