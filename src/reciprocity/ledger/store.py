"""The ledger inside the store: versioned writes, the audit trail, and the ledger's flows.

Every write is one transaction: validate first (every problem listed, nothing written),
then add the new versions and rebuild the ``programs`` flows as a new vintage of dataset
``reciprocity_ledger``, so that ``dyad`` and ``explain`` see the change at once.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from reciprocity import countries
from reciprocity.errors import InputError, NotFoundError, Problem, ReciprocityError
from reciprocity.ledger import checks, flows, io, shrink
from reciprocity.ledger.model import (
    Program,
    Record,
    Registry,
    StatusChange,
    Transfer,
    parse_date,
    transition_problems,
    validate,
)
from reciprocity.ledger.schema import CURRENT_SQL, FLOW_RECORDS, PROGRAMS, STATUSES, TRANSFERS
from reciprocity.store import tables
from reciprocity.store.db import Store
from reciprocity.store.schema import Table
from reciprocity.store.versioned import (
    ImportResult,
    Version,
    audit_meta,
    next_versions,
    sort_import,
    trail,
)

KINDS = ("programs", "transfers")


class Ledger:
    """The ledger of one store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.con = store.con

    # -- reading ----------------------------------------------------------------------------
    def _has_tables(self) -> bool:
        names = {r[0] for r in self.con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        return {PROGRAMS.name, TRANSFERS.name} <= names

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, list(params))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def _current_rows(self, kind: str, deleted: bool = False) -> list[dict[str, Any]]:
        if not self._has_tables():
            return []
        key = "program_id" if kind == "programs" else "transfer_id"
        where = "" if deleted else " WHERE NOT is_deleted"
        return self._rows(f"SELECT * FROM ({CURRENT_SQL[kind]}){where} ORDER BY {key}")

    def current(self) -> Registry:
        """The ledger's current records (newest version of each id, deleted ones left out)."""
        return Registry(programs=[_program(r) for r in self._current_rows("programs")],
                        transfers=[_transfer(r) for r in self._current_rows("transfers")])

    def known(self) -> dict[str, Record]:
        reg = self.current()
        return {r.id: r for r in [*reg.programs, *reg.transfers]}

    def get(self, record_id: str) -> Record:
        """The current version of a program or transfer."""
        found = self.known().get(record_id)
        if found is None:
            raise NotFoundError(f"no program or transfer {record_id!r} in the ledger"
                                + (" (it was deleted; see history)"
                                   if self._versions(record_id) else "")
                                + "; list them with: reciprocity ledger list")
        return found

    def _versions(self, record_id: str) -> list[tuple[str, dict[str, Any]]]:
        if not self._has_tables():
            return []
        out = [("programs", r) for r in self._rows(
            "SELECT * FROM ledger_programs WHERE program_id = ? ORDER BY version", [record_id])]
        out += [("transfers", r) for r in self._rows(
            "SELECT * FROM ledger_transfers WHERE transfer_id = ? ORDER BY version",
            [record_id])]
        return out

    def history(self, record_id: str) -> list[Version]:
        """Every version of a record, oldest first, with the fields each one changed."""
        rows = self._versions(record_id)
        if not rows:
            raise NotFoundError(f"no program or transfer {record_id!r} in the ledger")
        return trail((row, _program(row) if kind == "programs" else _transfer(row))
                     for kind, row in rows)

    def frame(self, kind: str) -> pd.DataFrame:
        """Current programs or transfers as a table (the ``ledger list`` view)."""
        if kind not in KINDS:
            raise InputError(f"--kind must be one of {list(KINDS)}; found {kind!r}")
        rows = self._current_rows(kind)
        if kind == "programs":
            counts: dict[str, int] = {}
            for t in self._current_rows("transfers"):
                if t["program_id"]:
                    counts[t["program_id"]] = counts.get(t["program_id"], 0) + 1
            data = [{"id": r["program_id"], "name": r["name"], "form": r["form"],
                     "partners": ", ".join(r["partners"]), "start_year": r["start_year"],
                     "end_year": r["end_year"], "status": r["status"],
                     "transfers": counts.get(r["program_id"], 0), "version": r["version"],
                     "changed_at": r["changed_at"]} for r in rows]
            cols = ["id", "name", "form", "partners", "start_year", "end_year", "status",
                    "transfers", "version", "changed_at"]
        else:
            data = [{"id": r["transfer_id"], "from": r["origin"], "to": r["destination"],
                     "program": r["program_id"], "technology": r["technology"],
                     "kind": r["kind"], "significance": r["significance"],
                     "status": r["status"], "status_date": r["status_date"],
                     "version": r["version"], "changed_at": r["changed_at"]} for r in rows]
            cols = ["id", "from", "to", "program", "technology", "kind", "significance",
                    "status", "status_date", "version", "changed_at"]
        frame = pd.DataFrame(data, columns=cols)
        for c in ("start_year", "end_year", "transfers", "version"):
            if c in frame:
                frame[c] = frame[c].astype("Int64")
        return frame

    def export(self, fmt: str = "yaml") -> str:
        """The current ledger as YAML (programs and transfers) or CSV (transfers)."""
        reg = self.current()
        if fmt == "yaml":
            return io.dumps_yaml(reg)
        if fmt == "csv":
            return io.dumps_csv(reg.transfers)
        raise InputError(f"--format must be yaml or csv; found {fmt!r}")

    def check(self, a: str | None = None, b: str | None = None,
              years: int = checks.DEFAULT_YEARS) -> checks.CheckResult:
        """Technology-for-technology and planned-versus-actual checks (for A and B, if given)."""
        if (a is None) != (b is None):
            raise InputError("give two countries (A B) or none")
        if years < 0:
            raise InputError(f"--years must be zero or more; found {years}")
        if a is not None and b is not None:
            a, b = countries.resolve(a).code, countries.resolve(b).code
            if a == b:
                raise InputError(f"a pair needs two different countries; both are {a}")
        reg = self.current()
        return checks.check(reg.programs, reg.transfers, a, b, years)

    # -- writing ----------------------------------------------------------------------------
    def import_file(self, path: str | Path, by: str | None = None,
                    reason: str | None = None, force: bool = False) -> ImportResult:
        """Validate a YAML registry or transfers CSV and add a version of each changed record.

        Idempotent: records equal to their current version get no new version. A record
        that would lose a field, a list item or the end of a text is refused (a file cut
        short?) unless ``force`` (:mod:`reciprocity.ledger.shrink`).
        """
        path = Path(path)
        known = self.known()
        registry = io.load(path, known=known)
        if not force:
            shrink.refuse_shrink([*registry.programs, *registry.transfers], known, path.name)
        return self.import_registry(registry, by, reason or f"import {path.name}")

    def import_registry(self, registry: Registry, by: str | None = None,
                        reason: str = "import") -> ImportResult:
        """Add the records of an already validated registry (see :meth:`import_file`)."""
        result, todo = sort_import([*registry.programs, *registry.transfers], self.known())
        programs = [r for r in todo if isinstance(r, Program)]
        transfers = [r for r in todo if isinstance(r, Transfer)]
        if programs or transfers:
            result.vintage_id = self._write(programs, transfers, by, reason)
        return result

    def set_status(self, transfer_id: str, status: str, date: object, reason: str,
                   by: str | None = None) -> Transfer:
        """Append a status to a transfer's history; refused (nothing written) when out of
        order or dated before the previous status."""
        record = self.get(transfer_id)
        if not isinstance(record, Transfer):
            raise InputError(f"{transfer_id!r} is a program; set-status takes a transfer id")
        where = f"{transfer_id}.status_history[{len(record.history)}]"
        problems: list[Problem] = []
        if status not in STATUSES:
            problems.append(Problem(f"{where}.status", repr(status),
                                    "one of " + ", ".join(STATUSES)))
        try:
            when = parse_date(date)
            if when is None:
                problems.append(Problem(f"{where}.date", "nothing", "a date YYYY-MM-DD"))
        except ValueError:
            when = None
            problems.append(Problem(f"{where}.date", repr(date),
                                    "a date YYYY, YYYY-MM or YYYY-MM-DD"))
        if not reason or not reason.strip():
            problems.append(Problem(f"{where}.reason", "nothing", "why the status changed"))
        if not problems:
            updated = record.with_status(StatusChange(status=status, date=when,
                                                          reason=reason.strip()))
            last = len(updated.history) - 1
            problems += [Problem(where, found, expected)
                         for i, found, expected in transition_problems(updated.history)
                         if i == last]
        if problems:
            raise InputError(f"status change of {transfer_id} refused; nothing was written",
                             problems)
        self._write([], [updated], by, reason.strip())
        return updated

    def delete(self, record_id: str, reason: str, by: str | None = None) -> None:
        """Delete a record by adding a version that marks it deleted (the trail stays).
        Policy events linking a program are checked one layer up
        (:meth:`reciprocity.api.Reciprocity.ledger_delete`): the ledger knows no events."""
        record = self.get(record_id)
        if not reason or not reason.strip():
            raise InputError("a deletion needs a reason (--reason)")
        if isinstance(record, Program):
            users = [t.id for t in self.current().transfers if t.program == record.id]
            if users:
                raise InputError(f"program {record.id} is referred to by transfers "
                                 f"{', '.join(users)}; delete or re-point them first")
        programs = [record] if isinstance(record, Program) else []
        transfers = [record] if isinstance(record, Transfer) else []
        self._write(programs, transfers, by, reason.strip(), deleted=True)

    def _write(self, programs: list[Program], transfers: list[Transfer], by: str | None,
               reason: str, deleted: bool = False) -> str | None:
        """New versions of the given records and a new flows vintage, in one transaction."""
        meta = audit_meta(by, reason, deleted)
        now = meta["changed_at"]
        next_version = self._next_versions()
        frames = {
            PROGRAMS: pd.DataFrame([{**_program_row(p), **meta,
                                     "version": next_version.get(("programs", p.id), 1)}
                                    for p in programs], columns=PROGRAMS.columns),
            TRANSFERS: pd.DataFrame([{**_transfer_row(t), **meta,
                                      "version": next_version.get(("transfers", t.id), 1)}
                                     for t in transfers], columns=TRANSFERS.columns),
        }
        for table, frame in frames.items():
            for c in ("version", "start_year", "end_year"):
                if c in frame:
                    frame[c] = frame[c].astype("Int64")
            self._check(table, frame)
        self.con.begin()
        try:
            for table, frame in frames.items():
                if len(frame):
                    self.store.append(table, frame)
            vintage = self._rebuild_flows(now)
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise
        return vintage

    def _next_versions(self) -> dict[tuple[str, str], int]:
        return {(kind, rid): v for kind, table, key in (
            ("programs", PROGRAMS, "program_id"), ("transfers", TRANSFERS, "transfer_id"))
            for rid, v in next_versions(self.con, table.name, key).items()}

    def _rebuild_flows(self, now: datetime) -> str | None:
        """A new vintage of the ledger's flows when the current state differs from the last."""
        from reciprocity.ledger.source import SOURCE as source
        info = source.info
        reg = self.current()
        content = io.dumps_yaml(reg).encode("utf-8")
        digest = hashlib.sha256(content).hexdigest()
        last = self.con.execute(
            "SELECT sha256 FROM vintages WHERE dataset = ? ORDER BY generated_at DESC NULLS "
            "LAST, ingested_at DESC LIMIT 1", [info.dataset]).fetchone()
        if last is not None and last[0] == digest:
            return None
        versions = {r["transfer_id"]: r["version"] for r in self._current_rows("transfers")}
        flow_frame, record_frame, notes = flows.build(
            [(t, versions.get(t.id)) for t in reg.transfers], {p.id: p for p in reg.programs})
        n = self.con.execute("SELECT count(*) FROM vintages WHERE dataset = ?",
                             [info.dataset]).fetchone()[0] + 1
        vintage_id = f"{info.dataset}/{now:%Y-%m-%d}-v{n}"
        while self.con.execute("SELECT count(*) FROM vintages WHERE vintage_id = ?",
                               [vintage_id]).fetchone()[0]:
            n += 1
            vintage_id = f"{info.dataset}/{now:%Y-%m-%d}-v{n}"
        flow_frame = flow_frame.assign(dataset=info.dataset, vintage_id=vintage_id)
        record_frame = record_frame.assign(vintage_id=vintage_id)
        self._check(tables.FLOWS, flow_frame)
        self._check(FLOW_RECORDS, record_frame)
        vintage = pd.DataFrame([{
            "vintage_id": vintage_id, "dataset": info.dataset, "generated_at": now,
            "ingested_at": now, "sha256": digest, "file_name": "ledger.yaml",
            "layout": "ledger_managed",
            "scope": f"{len(reg.programs)} programs, {len(reg.transfers)} transfers "
                     f"({notes['executed']} executed)",
            "is_complete": True, "rows_read": len(reg.programs) + len(reg.transfers),
            "records_loaded": len(record_frame), "flows_loaded": len(flow_frame),
            "notes": "; ".join(f"{k}: {v}" for k, v in sorted(notes.items())),
        }])
        self.store.record_dataset(info.dataset, source)
        self.con.execute("INSERT INTO raw_files VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                         [digest, len(content), zlib.compress(content, 6)])
        self.store.append(tables.VINTAGES, vintage)
        if len(flow_frame):
            self.store.append(tables.FLOWS, flow_frame)
        if len(record_frame):
            self.store.append(FLOW_RECORDS, record_frame)
        return vintage_id

    def _check(self, table: Table, frame: pd.DataFrame) -> None:
        """Refuse rows that do not fit ``table`` (checked by the store's SQL validator)."""
        problems = self.store.check(table, frame)
        if problems:
            raise ReciprocityError("ledger rows that do not fit the store's schema (a bug; "
                                   "please report it): " + "; ".join(map(str, problems)))


# -- rows <-> records ----------------------------------------------------------------------


def _dumps(value: Any) -> str | None:
    return None if value in (None, [], {}) else json.dumps(value, ensure_ascii=False,
                                                           sort_keys=True)


def _program_row(p: Program) -> dict[str, Any]:
    d = p.model_dump(mode="json")
    return {"program_id": p.id, "name": p.name, "partners": list(p.partners), "form": p.form,
            "systems": list(p.systems), "areas": list(p.areas), "start_year": p.start_year,
            "end_year": p.end_year, "status": p.status,
            "workshare": _dumps(d.get("workshare")), "value": _dumps(d.get("value")),
            "clauses": _dumps(d.get("clauses")), "plan": _dumps(d.get("plan")),
            "sources": _dumps(d["sources"]), "notes": p.notes}


def _transfer_row(t: Transfer) -> dict[str, Any]:
    d = t.model_dump(mode="json")
    return {"transfer_id": t.id, "origin": t.origin, "destination": t.destination,
            "program_id": t.program, "technology": t.technology, "area": t.area,
            "firms": list(t.firms), "kind": t.kind, "significance": t.significance,
            "status": t.status, "status_date": t.status_date,
            "status_history": _dumps(d["status_history"]), "value": _dumps(d.get("value")),
            "impact": _dumps(d.get("impact")), "sources": _dumps(d["sources"]),
            "notes": t.notes}


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _rebuild(kind: str, data: Mapping[str, Any], rid: str) -> Record:
    record, problems = validate(kind, data, lambda path: f"stored {kind[:-1]} {rid}: {path}")
    if record is None:
        raise ReciprocityError(f"stored {kind[:-1]} {rid} does not validate: "
                               + "; ".join(map(str, problems)))
    return record


def _program(row: Mapping[str, Any]) -> Program:
    data = {"id": row["program_id"], "name": row["name"], "partners": list(row["partners"]),
            "form": row["form"], "systems": list(row["systems"] or []),
            "areas": list(row["areas"] or []), "start_year": row["start_year"],
            "end_year": row["end_year"], "status": row["status"],
            "workshare": _loads(row["workshare"]), "value": _loads(row["value"]),
            "clauses": _loads(row["clauses"]), "plan": _loads(row["plan"]),
            "sources": _loads(row["sources"]), "notes": row["notes"]}
    return _rebuild("programs", data, row["program_id"])  # type: ignore[return-value]


def _transfer(row: Mapping[str, Any]) -> Transfer:
    data = {"id": row["transfer_id"], "from": row["origin"], "to": row["destination"],
            "program": row["program_id"], "technology": row["technology"],
            "area": row["area"], "firms": list(row["firms"] or []), "kind": row["kind"],
            "significance": row["significance"],
            "status_history": _loads(row["status_history"]), "value": _loads(row["value"]),
            "impact": _loads(row["impact"]), "sources": _loads(row["sources"]),
            "notes": row["notes"]}
    return _rebuild("transfers", data, row["transfer_id"])  # type: ignore[return-value]
