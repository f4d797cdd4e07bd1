"""The cooperation ledger as a source: dataset ``reciprocity_ledger``, channel ``programs``.

The ledger's own commands (``reciprocity ledger import``, ``set-status``, …) keep programs
and transfers with an audit trail and write the ledger's flows as a new vintage of this
dataset on every change. This source also reads a ledger file directly, so that
``reciprocity ingest ledger registry.yaml`` stores a file's executed transfers as a
snapshot vintage (flows and records, no audit trail); and it tells ``explain`` where the
records behind a ``programs`` flow are (``ledger_flow_records``). It lives in the ledger
package (:mod:`reciprocity.queries.catalog` adds it to the registry's sources), so the
ledger imports no source registry and the sources do not name the ledger.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from reciprocity.ledger import flows, io
from reciprocity.ledger.schema import FLOW_RECORDS
from reciprocity.sources.base import Parsed, Progress, Source


class LedgerSource(Source):
    """Reader for ledger interchange files (YAML registry or transfers CSV)."""

    info = flows.INFO
    record_table = FLOW_RECORDS
    record_key = ("transfer_id",)

    def sniff(self, head: str) -> str | None:
        first = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
        if first.replace(" ", "").startswith("id,from,to"):
            return "transfers_csv"
        for line in head.splitlines():
            if line.startswith(("programs:", "transfers:", "format: reciprocity-ledger")):
                return "registry_yaml"
        return None

    def read(self, path: Path, aliases: Mapping[str, str] | None = None,
             progress: Progress | None = None) -> Parsed:
        path = Path(path)
        registry = io.load(path, check_programs=path.suffix.lower() != ".csv")
        flow_frame, record_frame, notes = flows.build(
            [(t, None) for t in registry.transfers], {p.id: p for p in registry.programs})
        if progress:
            progress(1, 1)
        return Parsed(
            layout="transfers_csv" if path.suffix.lower() == ".csv" else "registry_yaml",
            generated_at=datetime.fromtimestamp(path.stat().st_mtime),
            scope=f"{len(registry.programs)} programs, {len(registry.transfers)} transfers "
                  f"({notes['executed']} executed) from {path.name}",
            is_complete=True,
            rows_read=len(registry.programs) + len(registry.transfers),
            records={FLOW_RECORDS.name: record_frame},
            flows=flow_frame,
            notes=notes,
        )


SOURCE = LedgerSource()
