"""Creating and editing single ledger records from the web, on the ledger's own validator.

The ledger's API imports whole files; a form edits one record. This module turns form
fields into the interchange format (docs/ledger.md), validates it with
:func:`reciprocity.ledger.model.parse_registry` (the same checks as ``ledger import``), and
writes with :meth:`reciprocity.ledger.store.Ledger.import_registry` (a new version, with who
and why). Problems come back keyed by form field (``sources-0-title``), so each message can
sit beside its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reciprocity.api import Reciprocity
from reciprocity.errors import InputError, NotFoundError, Problem
from reciprocity.ledger.model import Program, Record, Transfer, parse_registry
from reciprocity.ledger.store import ImportResult

KINDS = ("programs", "transfers")
SOURCE_ROWS = 3
WORKSHARE_ROWS = 4
MAX_ROWS = 50
SOURCE_FIELDS = ("title", "publisher", "author", "year", "url", "page", "note")


class ConflictError(InputError):
    """A record with this id exists already (create) — HTTP 409."""

    status = 409


def field_name(path: str) -> str:
    """Form field of a record path: ``sources[0].title`` → ``sources-0-title``."""
    return re.sub(r"\[(\d+)\]", r"-\1", path).replace(".", "-")


def problems_by_field(problems: list[Problem]) -> dict[str, str]:
    """Messages keyed by form field (the first problem per field)."""
    out: dict[str, str] = {}
    for p in problems:
        path = re.sub(r"^(programs|transfers)\[\d+\]\.?", "", p.location)
        key = field_name(path) or "form"
        out.setdefault(key, f"found {p.found}; expected {p.expected}")
    return out


def validate(kind: str, data: Mapping[str, Any], known: Mapping[str, Record]
             ) -> tuple[Record | None, list[Problem]]:
    """One record of ``kind`` through the ledger's validator (every problem listed)."""
    if kind not in KINDS:
        raise InputError(f"kind must be one of {list(KINDS)}; found {kind!r}")
    registry, problems = parse_registry({kind: [dict(data)]}, lambda path: path, known)
    records = registry.programs if kind == "programs" else registry.transfers
    return (records[0] if records and not problems else None), problems


def save(r: Reciprocity, kind: str, data: Mapping[str, Any], *, by: str, reason: str,
         record_id: str | None = None) -> tuple[Record, ImportResult]:
    """Create (``record_id`` None) or replace one record; InputError lists every problem.

    Creating an id that exists is refused (409); replacing checks that the id in the data
    is the record's and that the record is of the same kind.
    """
    ledger = r.ledger
    known = ledger.known()
    data = dict(data)
    if record_id is None:
        rid = str(data.get("id") or "").strip()
        if rid and rid in known:
            raise ConflictError(f"{rid!r} exists in the ledger; nothing was written", [Problem(
                "id", repr(rid), "an id not yet used (edit the existing record instead)")])
    else:
        current = known.get(record_id)
        if current is None:
            ledger.get(record_id)  # raises NotFoundError with the ledger's message
            raise NotFoundError(f"no record {record_id!r}")
        if current.record_kind != kind:
            raise InputError(f"{record_id!r} is one of the {current.record_kind}, not "
                             f"{kind}", [Problem("kind", kind, current.record_kind)])
        if str(data.get("id") or record_id).strip() != record_id:
            raise InputError("the id of a record cannot change; nothing was written", [Problem(
                "id", repr(data.get("id")), f"{record_id!r} (create a new record instead)")])
        data["id"] = record_id
    if not reason.strip():
        raise InputError("a change needs a reason; nothing was written",
                         [Problem("reason", "nothing", "why the record is created or "
                                  "changed (kept in its history)")])
    record, problems = validate(kind, data, known)
    if problems or record is None:
        raise InputError(f"{len(problems)} problem(s); nothing was written", problems)
    from reciprocity.ledger.model import Registry

    registry = (Registry(programs=[record]) if isinstance(record, Program)
                else Registry(transfers=[record]))
    result = ledger.import_registry(registry, by=by, reason=reason.strip())
    return record, result


# -- forms -------------------------------------------------------------------------------------

def _clean(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _list(text: str) -> list[str]:
    return [x.strip() for x in re.split(r"[;\n]", text) if x.strip()]


def _sources_from_form(form: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for i in range(MAX_ROWS):
        row = {k: _clean(form.get(f"sources-{i}-{k}")) for k in SOURCE_FIELDS}
        if any(row.values()):
            out.append({k: v for k, v in row.items() if v})
    return out


def transfer_from_form(form: Mapping[str, Any], current: Transfer | None = None
                       ) -> dict[str, Any]:
    """Interchange data of a transfer from its form; history kept when editing."""
    data: dict[str, Any] = {k: _clean(form.get(k)) for k in (
        "id", "from", "to", "program", "technology", "area", "kind", "significance", "notes")}
    data["firms"] = _list(_clean(form.get("firms")))
    data["sources"] = _sources_from_form(form)
    if current is not None:
        data["status_history"] = [s.model_dump(mode="json") for s in current.history]
    else:
        step = {"status": _clean(form.get("status_history-0-status")),
                "date": _clean(form.get("status_history-0-date")) or None,
                "reason": _clean(form.get("status_history-0-reason")) or None}
        data["status_history"] = [step]
    value = {k: _clean(form.get(f"value-{k}")) for k in ("amount_millions", "currency",
                                                           "price_year")}
    data["value"] = {k: v for k, v in value.items() if v} or None
    impact = {k: _clean(form.get(f"impact-{k}")) for k in ("rating", "rationale", "assessor",
                                                            "date")}
    data["impact"] = {k: v for k, v in impact.items() if v} or None
    return {k: v for k, v in data.items() if v not in ("", None, [])} | {
        "sources": data["sources"], "status_history": data["status_history"]}


def program_from_form(form: Mapping[str, Any], current: Program | None = None
                      ) -> dict[str, Any]:
    """Interchange data of a program from its form; value lines, clauses and plan kept."""
    data: dict[str, Any] = {k: _clean(form.get(k)) for k in (
        "id", "name", "form", "start_year", "end_year", "status", "notes")}
    data["partners"] = [p.strip() for p in re.split(r"[,;\s]+", _clean(form.get("partners")))
                        if p.strip()]
    data["systems"] = _list(_clean(form.get("systems")))
    data["areas"] = _list(_clean(form.get("areas")))
    data["sources"] = _sources_from_form(form)
    workshare = []
    for i in range(MAX_ROWS):
        row = {k: _clean(form.get(f"workshare-{i}-{k}")) for k in ("country", "planned_pct",
                                                                     "actual_pct")}
        if any(row.values()):
            workshare.append({k: v for k, v in row.items() if v})
    data["workshare"] = workshare
    if current is not None:
        kept = current.model_dump(mode="json")
        for key in ("value", "clauses", "plan"):
            if kept.get(key):
                data[key] = kept[key]
    return {k: v for k, v in data.items() if v not in ("", None, [])} | {
        "sources": data["sources"], "partners": data["partners"]}


def rows_of(values: Mapping[str, Any], prefix: str, least: int) -> int:
    """How many rows of ``prefix`` (``sources``, ``workshare``) a form shows: the filled
    ones and one blank, at least ``least``."""
    filled = [int(m.group(1)) for k in values
              if (m := re.match(rf"^{prefix}-(\d+)-", k)) and _clean(values.get(k))]
    return max(least, (max(filled) + 2) if filled else 0)


def form_values(record: Record | None) -> dict[str, str]:
    """Form fields pre-filled from a record (empty for a new one)."""
    if record is None:
        return {}
    d = record.model_dump(mode="json")
    values: dict[str, str] = {}
    for key, value in d.items():
        if isinstance(value, (str, int, float)):
            values[key] = str(value)
    for i, src in enumerate(d.get("sources", [])):
        for k, v in src.items():
            values[f"sources-{i}-{k}"] = str(v)
    if isinstance(record, Transfer):
        values["firms"] = "; ".join(d.get("firms", []))
        for k, v in (d.get("value") or {}).items():
            values[f"value-{k}"] = "" if v is None else str(v)
        for k, v in (d.get("impact") or {}).items():
            values[f"impact-{k}"] = "" if v is None else str(v)
    else:
        values["partners"] = ", ".join(d.get("partners", []))
        values["systems"] = "; ".join(d.get("systems", []))
        values["areas"] = "; ".join(d.get("areas", []))
        for i, w in enumerate(d.get("workshare", [])):
            for k, v in w.items():
                values[f"workshare-{i}-{k}"] = "" if v is None else str(v)
    return values
