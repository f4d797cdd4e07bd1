"""The ledger's part of a briefing: the pair's programs and transfers, and the ledger checks."""

from __future__ import annotations

from typing import Any

import pandas as pd

from reciprocity.api import Reciprocity

PROGRAM_COLUMNS = ["id", "name", "form", "partners", "start_year", "end_year", "status",
                   "transfers"]
TRANSFER_COLUMNS = ["id", "from", "to", "program", "technology", "kind", "significance",
                    "status", "status_date"]


def _records(frame: pd.DataFrame, columns: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    cols = [c for c in columns if c in frame.columns]
    rows = frame.loc[:, cols].astype(object).where(frame.loc[:, cols].notna(), None)
    return cols, rows.to_dict("records")


def pair_programs(r: Reciprocity, a: str, b: str) -> pd.DataFrame:
    """Current programs whose partners include both countries."""
    frame = r.ledger_list("programs")
    if frame.empty:
        return frame
    keep = frame["partners"].fillna("").map(
        lambda s: {a, b} <= {p.strip() for p in str(s).split(",")})
    return frame[keep].reset_index(drop=True)


def pair_transfers(r: Reciprocity, a: str, b: str) -> pd.DataFrame:
    """Current transfers between the two countries, either way."""
    frame = r.ledger_list("transfers")
    if frame.empty:
        return frame
    keep = ((frame["from"] == a) & (frame["to"] == b)) | ((frame["from"] == b) & (frame["to"] == a))
    return frame[keep].reset_index(drop=True)


def ledger_for_pair(r: Reciprocity, a: str, b: str):  # -> builder.Section | None
    """A briefing section, or None when the ledger holds nothing for the pair."""
    from reciprocity.report.builder import Section

    programs = pair_programs(r, a, b)
    transfers = pair_transfers(r, a, b)
    if programs.empty and transfers.empty:
        return None
    section = Section("Ledger")
    section.tables.append((f"Programs with {a} and {b} ({len(programs)})",
                           *_records(programs, PROGRAM_COLUMNS)))
    section.tables.append((f"Transfers between {a} and {b} ({len(transfers)})",
                           *_records(transfers, TRANSFER_COLUMNS)))
    check = r.ledger_check(a, b).answer().model_dump(mode="json")
    section.facts.append(("executed major transfers tested", str(check.get("tested", 0))))
    section.facts.append(("matched by a reverse transfer", str(len(check.get("matched", [])))))
    section.facts.append(("without a reciprocal flow", str(len(check.get("unmatched", [])))))
    for key, title in (("unmatched", "Technology-for-technology: transfers without a "
                                     "reciprocal flow"),
                       ("matched", "Technology-for-technology: matched transfers"),
                       ("variances", "Planned versus actual")):
        rows = check.get(key) or []
        if rows:
            cols = list(dict.fromkeys(k for row in rows for k in row))
            section.tables.append((title, cols, rows))
    return section
