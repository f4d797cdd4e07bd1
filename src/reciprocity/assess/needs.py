"""Declared needs: the technology areas an analyst says a country needs, with why and where
it comes from.

A needs file (``format: reciprocity-needs/1``) or a ledger YAML with a ``needs:`` list holds
entries ``{country, area, priority, rationale, source}``; every entry is checked (known
country, taxonomy area, priority high/medium/low, a rationale, a source with a title and a
publisher or author) and all problems are reported at once. The shipped example,
``data/assess/needs_us_1995.yaml``, holds the U.S. needs of the 1995 NRC report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reciprocity import countries, taxonomy
from reciprocity.assess.config import PRIORITIES, read_yaml, show
from reciprocity.errors import InputError, Problem

NEEDS_FORMAT = "reciprocity-needs/1"
LEDGER_FORMAT = "reciprocity-ledger/1"
DEFAULT = "needs_us_1995.yaml"
_SOURCE_KEYS = ("title", "author", "publisher", "year", "url", "page", "doi", "note")


@dataclass(frozen=True)
class Need:
    """One declared need of a country in a technology area."""

    country: str
    area: str
    priority: str
    rationale: str
    source: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"country": self.country, "area": self.area, "priority": self.priority,
                "rationale": self.rationale, "source": dict(self.source)}

    def citation(self) -> str:
        """``Title (Publisher, Year), p. N`` for tables."""
        s = self.source
        who = s.get("publisher") or s.get("author") or ""
        year = f", {s['year']}" if s.get("year") else ""
        page = f", p. {s['page']}" if s.get("page") else ""
        return f"{s.get('title', '')} ({who}{year}){page}"


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
    areas = taxonomy.areas()
    out: list[Need] = []
    seen: dict[tuple[str, str], int] = {}
    for i, item in enumerate(raw):
        where = f"{name} needs[{i}]"
        if not isinstance(item, Mapping):
            problems.append(Problem(where, show(item), "a mapping"))
            continue
        before = len(problems)
        for key in item:
            if key not in ("country", "area", "priority", "rationale", "source"):
                problems.append(Problem(f"{where}.{key}", "an unknown key",
                                        "country, area, priority, rationale, source"))
        country = countries.lookup(str(item.get("country") or ""))
        if country is None:
            problems.append(Problem(f"{where}.country", show(item.get("country")),
                                    "a known country (ISO 3166 alpha-3 code or name)"))
        area = item.get("area")
        if area not in areas:
            problems.append(Problem(f"{where}.area", show(area),
                                    "a technology area id (reciprocity taxonomy): "
                                    + ", ".join(areas)))
        priority = item.get("priority")
        if priority not in PRIORITIES:
            problems.append(Problem(f"{where}.priority", show(priority),
                                    "one of " + ", ".join(PRIORITIES)))
        rationale = item.get("rationale")
        if not isinstance(rationale, str) or not rationale.strip():
            problems.append(Problem(f"{where}.rationale", show(rationale),
                                    "text saying why the country needs the area"))
        source = item.get("source")
        if not isinstance(source, Mapping):
            problems.append(Problem(f"{where}.source", show(source),
                                    "a source: title, publisher or author, year, url, page"))
        else:
            for key in source:
                if key not in _SOURCE_KEYS:
                    problems.append(Problem(f"{where}.source.{key}", "an unknown key",
                                            ", ".join(_SOURCE_KEYS)))
            if not str(source.get("title") or "").strip():
                problems.append(Problem(f"{where}.source.title", "nothing", "a title"))
            if not (source.get("publisher") or source.get("author")):
                problems.append(Problem(f"{where}.source", "no publisher or author",
                                        "who published or wrote it"))
        if len(problems) > before or country is None:
            continue
        key = (country.code, str(area))
        if key in seen:
            problems.append(Problem(f"{where}", f"{country.code} {area} twice",
                                    f"one need per country and area (first at needs[{seen[key]}])"))
            continue
        seen[key] = i
        out.append(Need(country.code, str(area), str(priority), " ".join(str(rationale).split()),
                        {k: v for k, v in dict(source).items() if v is not None}))
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
