"""Executed transfers as rows of the ``flows`` table, channel ``programs``.

Each executed transfer with a dated ``executed`` step gives one flow of 1 in unit
``transfers`` (origin → destination, in the year it was executed) and, where the transfer
has a value, one more in that value's own unit (``value_usd_millions``,
``value_jpy_millions``, ``value_usd1990_millions`` for constant 1990 dollars, …): amounts in
different currencies or price years are never added together and nothing is converted.
Executed transfers whose date is unknown cannot be placed in a year and are counted in the
notes instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from reciprocity.ledger.model import Program, Transfer
from reciprocity.ledger.schema import FLOW_RECORDS
from reciprocity.sources.base import load_info

INFO = load_info("ledger", "reciprocity.ledger")
"""The ledger's description as a source (``ledger/data/ledger.yaml``)."""
CHANNEL = INFO.channels[0]
COUNT_UNIT = INFO.units["executed transfers"]
DATASET = INFO.dataset

MODE_OF_FORM = {
    "licensed_production": "licensed_production",
    "co_production": "joint",
    "co_development": "joint",
    "joint_research": "joint",
}
"""Flow ``mode`` for a program's form of collaboration; anything else is ``unspecified``."""

FLOW_COLUMNS = ["channel", "origin", "destination", "year", "area", "magnitude", "unit", "mode",
                "is_estimated", "is_uncertain", "design_origin", "record_id"]


def record_id(transfer_id: str, version: int | None) -> int:
    """A stable 62-bit number for one version of a transfer."""
    digest = hashlib.blake2b(f"{transfer_id}@{version or 0}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 2


def build(transfers: Iterable[tuple[Transfer, int | None]],
          programs: Mapping[str, Program]) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """(flows without dataset/vintage columns, flow records without vintage_id, notes)."""
    flows: list[dict] = []
    records: list[dict] = []
    notes = {"transfers": 0, "executed": 0, "executed_without_date": 0}
    for t, version in transfers:
        notes["transfers"] += 1
        if not t.is_executed:
            continue
        notes["executed"] += 1
        executed_on = t.executed_on
        if executed_on is None:
            notes["executed_without_date"] += 1
            continue
        program = programs.get(t.program) if t.program else None
        rid = record_id(t.id, version)
        mode = MODE_OF_FORM.get(program.form, "unspecified") if program else "unspecified"
        base = {"channel": CHANNEL, "origin": t.origin, "destination": t.destination,
                "year": int(executed_on[:4]), "area": None, "mode": mode,
                "is_estimated": False, "is_uncertain": False, "design_origin": None,
                "record_id": rid}
        flows.append({**base, "magnitude": 1.0, "unit": COUNT_UNIT})
        if t.value is not None:
            flows.append({**base, "magnitude": float(t.value.amount_millions),
                          "unit": t.value.unit})
        records.append({
            "record_id": rid, "transfer_id": t.id, "version": version, "origin": t.origin,
            "destination": t.destination, "program_id": t.program,
            "program_form": program.form if program else None, "technology": t.technology,
            "area": t.area, "firms": "; ".join(t.firms) or None, "kind": t.kind,
            "significance": t.significance, "executed_on": executed_on,
            "value_amount_millions": t.value.amount_millions if t.value else None,
            "value_currency": t.value.currency if t.value else None,
            "value_price_year": t.value.price_year if t.value else None,
            "impact_rating": t.impact.rating if t.impact else None,
            "sources": "; ".join(s.title for s in t.sources),
        })
    notes["flows"] = len(flows)
    flow_frame = pd.DataFrame(flows, columns=FLOW_COLUMNS)
    flow_frame["year"] = flow_frame["year"].astype("int64")
    flow_frame["magnitude"] = flow_frame["magnitude"].astype(float)
    flow_frame["record_id"] = flow_frame["record_id"].astype(np.int64)
    flow_frame[["is_estimated", "is_uncertain"]] = flow_frame[
        ["is_estimated", "is_uncertain"]].astype(bool)
    cols = [c for c in FLOW_RECORDS.columns if c != "vintage_id"]
    record_frame = pd.DataFrame(records, columns=cols)
    record_frame["record_id"] = record_frame["record_id"].astype(np.int64)
    record_frame["version"] = record_frame["version"].astype("Int64")
    record_frame["value_amount_millions"] = record_frame["value_amount_millions"].astype(float)
    record_frame["value_price_year"] = record_frame["value_price_year"].astype("Int64")
    return flow_frame, record_frame, notes
