"""The corpus figures of docs/reliability.md, written from the last run's artifacts.

Each corpus test writes ``test-artifacts/reliability/corpus-<parser>.json`` (tried, refused,
accepted with the same figures, held back, store changed). When every corpus test passed in
one pytest session, ``conftest.py`` calls :func:`update`, which rewrites the table between the
markers in docs/reliability.md; ``python tests/reliability/figures.py`` does the same from
the artifacts at hand (it refuses when one is missing).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "reliability"
DOC = REPO / "docs" / "reliability.md"
START, END = "<!-- corpus-figures:start -->", "<!-- corpus-figures:end -->"

PARSERS = {
    "sipri-classic": "SIPRI classic (1,500 rows of the May 2026 register)",
    "sipri-per-delivery-year": "SIPRI per delivery year (the February 2025 sample)",
    "wdi": "WDI (R&D expenditure download, 2026)",
    "ncses": "NCSES (table 10003)",
    "oecd_sti": "OECD STI (IP5 AI families)",
    "ledger-yaml": "ledger YAML (the starter registry)",
    "ledger-csv": "ledger CSV (its transfers)",
    "patentsview": "PatentsView (the test fixture)",
}
"""Artifact name → the parser's row in the table (the order of the table)."""

COLUMNS = ("tried", "refused", "accepted_unchanged", "accepted_held_back", "store_changed")


def table(artifacts: Path = ARTIFACTS, day: date | None = None) -> str:
    """The markdown table of the corpus counts, with the day of the run."""
    rows = []
    totals = dict.fromkeys(COLUMNS, 0)
    for name, label in PARSERS.items():
        path = artifacts / f"corpus-{name}.json"
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no artifact; run tests/reliability/test_corpus.py")
        outcome = json.loads(path.read_text(encoding="utf-8"))
        counts = [int(outcome[c]) for c in COLUMNS]
        for c, n in zip(COLUMNS, counts, strict=True):
            totals[c] += n
        rows.append(f"| {label} | " + " | ".join(f"{n:,}" for n in counts) + " |")
    rows.append("| **all** | " + " | ".join(f"**{totals[c]:,}**" for c in COLUMNS) + " |")
    when = (day or date.today()).isoformat()
    return "\n".join([
        f"Corpus tests, last run {when} (written by the run itself, `tests/reliability/"
        "figures.py`; `test-artifacts/reliability/corpus-*.json` hold each case with its "
        "message):", "",
        "| parser | tried | refused | accepted, same figures | accepted, held back "
        "| store changed |",
        "| --- | ---: | ---: | ---: | ---: | ---: |", *rows])


def update(doc: Path = DOC, artifacts: Path = ARTIFACTS, day: date | None = None) -> bool:
    """Rewrite the table between the markers of ``doc``; True when the text changed."""
    text = doc.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise ValueError(f"{doc}: no {START} … {END} markers")
    new = pattern.sub(lambda _m: f"{START}\n{table(artifacts, day)}\n{END}", text)
    if new != text:
        doc.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    print(f"{DOC}: " + ("updated" if update() else "already up to date"))
