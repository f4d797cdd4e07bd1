"""The interchange format: a YAML registry (programs and transfers) or a CSV of transfers.

Reading validates everything at once and raises one :class:`~reciprocity.errors.InputError`
whose problems carry the file, line and field (``registry.yaml:42 transfers[3].to``).
Writing produces files that read back to the same records. Format: ``docs/ledger.md``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from reciprocity import yamlsafe
from reciprocity.errors import FormatError, InputError, Problem
from reciprocity.ledger.model import (
    FORMAT,
    Locate,
    Record,
    Registry,
    Transfer,
    parse_registry,
)

CSV_COLUMNS = ("id", "from", "to", "program", "technology", "area", "firms", "kind",
               "significance", "status_history", "value_amount_millions", "value_currency",
               "value_price_year", "impact_rating", "impact_rationale", "impact_assessor",
               "impact_date", "sources", "notes")
CSV_REQUIRED = ("id", "from", "to", "technology", "status_history", "sources")
HEADER = ("# Reciprocity cooperation ledger ({fmt}); format: docs/ledger.md.\n"
          "# Every record cites its public sources; edit, then: reciprocity ledger import FILE\n")


class _Loader(yamlsafe.SafeLoader):
    """Bounded safe YAML with dates kept as text (the ledger validates them itself)."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp",
                        lambda loader, node: loader.construct_scalar(node))


def read_text(path: Path, what: str) -> str:
    """The UTF-8 text of an interchange file; InputError when there is no such file (``what``
    was expected), FormatError naming the line of the first byte that is not UTF-8."""
    if not path.is_file():
        raise InputError(f"{path}: no such file", [Problem(str(path), "no such file", what)])
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise FormatError(f"{path.name}: not UTF-8 text", [Problem(
            f"{path.name}:{line}", f"byte {raw[exc.start]:#04x}", "UTF-8 text")]) from None


def load(path: str | Path, known: Mapping[str, Record] | None = None,
         check_programs: bool = True) -> Registry:
    """Read and validate a YAML registry or a transfers CSV (by extension).

    ``check_programs`` False lets a CSV refer to programs that are not known.
    """
    path = Path(path)
    text = read_text(path, "a ledger YAML or CSV file")
    if path.suffix.lower() == ".csv":
        return loads_csv(text, path.name, known, check_programs)
    return loads_yaml(text, path.name, known)


def loads_yaml(text: str, name: str = "registry.yaml",
               known: Mapping[str, Record] | None = None) -> Registry:
    """Validate YAML text; raise InputError listing every problem with its line."""
    data, locate, problems = read_located(text, name, "a mapping with programs: and/or "
                                          "transfers:")
    registry, found = parse_registry(data, locate, known)
    problems += found
    if problems:
        raise InputError(f"{name}: {len(problems)} problem(s); nothing was written",
                         problems)
    return registry


def read_located(text: str, name: str, expected: str) -> tuple[Any, Locate, list[Problem]]:
    """Bounded safe YAML (dates kept as text) with a locator of record paths
    (``events[3].date`` → ``file.yaml:42 events[3].date``) and keys given twice.

    An empty file is refused, saying ``expected``.
    """
    node = yamlsafe.compose(text, name, _Loader)  # size, depth and alias limits
    if node is None:
        raise InputError(f"{name}: empty file", [Problem(f"{name}:1", "an empty file",
                                                         expected)])
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    _walk(node, "", lines, problems, name)
    data = yamlsafe.construct(node, name, _Loader)  # unknown tags refused

    def locate(path: str) -> str:
        near = path
        while near and near not in lines:
            near = _parent(near)
        return f"{name}:{lines.get(near, 1)} {path}".rstrip()

    return data, locate, problems


def _walk(node: yaml.Node, path: str, lines: dict[str, int], problems: list[Problem],
          name: str, depth: int = 0) -> None:
    """Record the line of every path; report keys given twice."""
    lines[path] = node.start_mark.line + 1
    if depth > 40:
        return
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(Problem(f"{name}:{line} {child}", f"key {key!r} twice",
                                        f"each key once (first on line {seen[key]})"))
            seen.setdefault(key, line)
            _walk(value_node, child, lines, problems, name, depth + 1)
            lines[child] = line  # a key's problems point at the key, not its first item
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, f"{path}[{i}]", lines, problems, name, depth + 1)


def _parent(path: str) -> str:
    match = re.match(r"^(.*?)(?:\.[^.\[\]]+|\[\d+\])$", path)
    return match.group(1) if match else ""


def loads_csv(text: str, name: str = "transfers.csv", known: Mapping[str, Record] | None = None,
              check_programs: bool = True) -> Registry:
    """Validate a transfers CSV (one row per transfer); raise InputError listing problems."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError(f"{name}: empty file", [Problem(
            f"{name}:1", "an empty file", "a header: " + ",".join(CSV_COLUMNS))]) from None
    problems: list[Problem] = []
    missing = [c for c in CSV_REQUIRED if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        problems.append(Problem(f"{name}:1", f"column(s) {repeated} given twice",
                                "each column once"))
    if missing:
        problems.append(Problem(f"{name}:1", f"no column(s) {missing}",
                                "a header with " + ",".join(CSV_COLUMNS)))
    if unknown:
        problems.append(Problem(f"{name}:1", f"unknown column(s) {unknown}",
                                "columns among " + ",".join(CSV_COLUMNS)))
    if problems:
        raise FormatError(f"{name}: not a ledger transfers CSV", problems)
    rows: list[dict[str, Any]] = []
    row_lines: list[int] = []
    start = 2
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problems.append(Problem(f"{name}:{line}", f"{len(cells)} fields",
                                        f"{len(header)} fields as in the header"))
                continue
            cell = {h: (c.strip() or None) for h, c in zip(header, cells, strict=True)}
            rows.append(_csv_record(cell, f"{name}:{line}", problems))
            row_lines.append(line)
    except csv.Error as exc:
        problems.append(Problem(f"{name}:{start}", f"broken CSV ({exc})",
                                "properly quoted fields"))

    def locate(path: str) -> str:
        match = re.match(r"^transfers\[(\d+)\](?:\.([^.\[]+))?(.*)$", path)
        if not match:
            return f"{name}:1"
        i, column, rest = int(match.group(1)), match.group(2) or "", match.group(3)
        column = {"value": "value_" + rest.lstrip(".") if rest else "value_amount_millions",
                  "impact": "impact_" + rest.lstrip(".") if rest else "impact_rating"}.get(
            column, column + rest)
        return f"{name}:{row_lines[i]} {column}".rstrip()

    registry, found = parse_registry({"transfers": rows}, locate, known, check_programs)
    problems += found
    if problems:
        raise InputError(f"{name}: {len(problems)} problem(s); nothing was written",
                         problems)
    return registry


def _csv_record(cell: dict[str, str | None], where: str,
                problems: list[Problem]) -> dict[str, Any]:
    """One CSV row as the plain data the YAML format gives for a transfer."""
    def as_json(column: str) -> Any:
        value = cell.get(column)
        if value is None:
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            problems.append(Problem(f"{where} {column}", f"malformed JSON ({exc.msg})",
                                    "a JSON list, e.g. "
                                    + ('[{"status": "executed", "date": "1990"}]'
                                       if column == "status_history"
                                       else '[{"title": "…", "publisher": "…", "year": 1995}]')))
            return None

    record: dict[str, Any] = {k: cell.get(k) for k in (
        "id", "from", "to", "program", "technology", "area", "kind", "significance", "notes")}
    record["firms"] = [f.strip() for f in (cell.get("firms") or "").split(";") if f.strip()]
    record["status_history"] = as_json("status_history")
    record["sources"] = as_json("sources")
    value = {k: cell.get(f"value_{k}") for k in ("amount_millions", "currency", "price_year")}
    record["value"] = value if any(v is not None for v in value.values()) else None
    impact = {k: cell.get(f"impact_{k}") for k in ("rating", "rationale", "assessor", "date")}
    record["impact"] = impact if any(v is not None for v in impact.values()) else None
    return {k: v for k, v in record.items() if v is not None}


# -- writing -------------------------------------------------------------------------------

def dumps_yaml(registry: Registry) -> str:
    """The registry as YAML that :func:`loads_yaml` reads back to the same records."""
    body = yaml.safe_dump(registry.model_dump(mode="json", by_alias=True), sort_keys=False,
                          allow_unicode=True, width=96, default_flow_style=False)
    return HEADER.format(fmt=FORMAT) + body


def dumps_csv(transfers: list[Transfer]) -> str:
    """Transfers as CSV (status history and sources as JSON lists)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for t in transfers:
        d = t.model_dump(mode="json")
        value = d.get("value") or {}
        impact = d.get("impact") or {}
        row = {
            **{k: d.get(k) for k in ("id", "from", "to", "program", "technology", "area",
                                     "kind", "significance", "notes")},
            "firms": "; ".join(d.get("firms", [])),
            "status_history": json.dumps(d["status_history"], ensure_ascii=False),
            "sources": json.dumps(d["sources"], ensure_ascii=False),
            **{f"value_{k}": value.get(k) for k in ("amount_millions", "currency",
                                                     "price_year")},
            **{f"impact_{k}": impact.get(k) for k in ("rating", "rationale", "assessor",
                                                       "date")},
        }
        writer.writerow(["" if row.get(c) is None else row[c] for c in CSV_COLUMNS])
    return out.getvalue()
