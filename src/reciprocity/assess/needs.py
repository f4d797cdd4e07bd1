"""Declared needs: the technology areas an analyst says a country needs, with why and where
it comes from.

A needs file (``format: reciprocity-needs/1``) or a ledger YAML with a ``needs:`` list holds
entries ``{country, area, priority, rationale, source}``; every entry is a :class:`Need`
(pydantic: known country, taxonomy area, priority high/medium/low, a rationale, a source with
a title and a publisher or author) and all problems are reported at once. The shipped example,
``data/assess/needs_us_1995.yaml``, holds the U.S. needs of the 1995 NRC report.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationError

from reciprocity import taxonomy
from reciprocity.assess.config import PRIORITIES, read_yaml, show
from reciprocity.errors import InputError, Problem
from reciprocity.ledger.fields import Country, Model, Text
from reciprocity.ledger.model import Citation
from reciprocity.validation import dotted, invalid, problems_from

NEEDS_FORMAT = "reciprocity-needs/1"
LEDGER_FORMAT = "reciprocity-ledger/1"
DEFAULT = "needs_us_1995.yaml"


class NeedSource(Citation):
    """Where a need is declared: a ledger citation, with a DOI when there is one."""

    doi: Text = None


def _area(value: object) -> str:
    areas = taxonomy.areas()
    if value not in areas:
        raise invalid(show(value), "a technology area id (reciprocity taxonomy): "
                      + ", ".join(areas))
    return str(value)


_WHY = "text saying why the country needs the area"


def _rationale(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid(show(value), _WHY)
    return " ".join(value.split())


class Need(Model):
    """One declared need of a country in a technology area."""

    country: Country
    area: Annotated[str, BeforeValidator(_area)]
    priority: Literal[PRIORITIES] = Field(  # type: ignore[valid-type]
        description="one of " + ", ".join(PRIORITIES))
    rationale: Annotated[str, BeforeValidator(_rationale)] = Field(description=_WHY)
    source: NeedSource = Field(description="a source: title, publisher or author, year, url, "
                                           "page")

    def citation(self) -> str:
        """``Title (Publisher, Year), p. N`` for tables."""
        s = self.source
        who = s.publisher or s.author or ""
        year = f", {s.year}" if s.year else ""
        page = f", p. {s.page}" if s.page else ""
        return f"{s.title} ({who}{year}){page}"


def parse_needs(data: Mapping[str, Any], name: str) -> list[Need]:
    """Needs in ``data`` (a needs file or a ledger YAML); InputError listing every problem."""
    problems: list[Problem] = []
    fmt = data.get("format")
    if fmt not in (None, NEEDS_FORMAT, LEDGER_FORMAT):
        problems.append(Problem(f"{name} format", repr(fmt),
                                f"{NEEDS_FORMAT!r} (or a ledger file, {LEDGER_FORMAT!r})"))
    allowed = ("format", "needs", "programs", "transfers")
    for key in data:
        if key not in allowed:
            problems.append(Problem(f"{name} {key}", "an unknown key", ", ".join(allowed)))
    raw = data.get("needs")
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(f"{name} needs", show(raw),
                                "a list of needs (country, area, priority, rationale, source)"))
        raw = []
    out: list[Need] = []
    seen: dict[tuple[str, str], int] = {}
    for i, item in enumerate(raw):
        try:
            need = Need.model_validate(item)
        except ValidationError as error:
            problems += problems_from(error, lambda loc: f"{name} {dotted(loc)}",
                                      ("needs", i), Need)
            continue
        key = (need.country, need.area)
        if key in seen:
            problems.append(Problem(f"{name} needs[{i}]", f"{need.country} {need.area} twice",
                                    f"one need per country and area (first at needs[{seen[key]}])"))
            continue
        seen[key] = i
        out.append(need)
    if problems:
        raise InputError(f"{name}: {len(problems)} problem(s) in the needs; nothing was "
                         "computed", problems)
    return out


def load_needs(path: str | Path | None = None) -> list[Need]:
    """The needs of ``path`` (a needs file or a ledger YAML with ``needs:``), or the shipped
    1995 U.S. needs when ``path`` is None."""
    data, name = read_yaml(path, DEFAULT, "a needs file (format: reciprocity-needs/1, needs: …)")
    return parse_needs(data, name)


def for_country(needs: list[Need], country: str) -> dict[str, Need]:
    """The needs of one country by area."""
    return {n.area: n for n in needs if n.country == country}
