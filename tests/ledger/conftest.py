"""Fixtures of the ledger tests (prefixed ``ledger_`` to stay clear of the shared ones)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reciprocity.api import Reciprocity
from reciprocity.store.db import Store

LEDGER_YAML = """\
format: reciprocity-ledger/1
programs:
  - id: prog-a
    name: Alpha co-development
    partners: [USA, JPN]
    form: co_development
    start_year: 1990
    workshare:
      - {country: USA, planned_pct: 40, actual_pct: 35}
      - {country: JPN, planned_pct: 60}
    value:
      - country: null
        planned: {amount_millions: 100, currency: USD}
        actual: {amount_millions: 120, currency: USD}
    clauses:
      - {kind: flowback, text: Derived technology flows back free of charge.}
    plan:
      desired_contributions: [radar data]
      protected_technologies: [source code]
      licensed_parts: [wing]
      reciprocity_target: one reverse transfer per licence
    sources:
      - {title: Test source A, publisher: Test publisher, year: 1995}
  - id: prog-b
    name: Beta licensed production
    partners: [USA, Japan]
    form: licensed_production
    sources:
      - {title: Test source B, author: Test author}
transfers:
  - id: t-us-1
    from: USA
    to: JPN
    program: prog-a
    technology: Alpha design data
    kind: hard
    significance: major
    status_history:
      - {status: proposed, date: 1989-02-01}
      - {status: approved, date: 1989-06}
      - {status: executed, date: 1990-05-01, reason: data delivered}
    value: {amount_millions: 10, currency: USD}
    sources:
      - {title: Test source A, publisher: Test publisher}
  - id: t-jp-1
    from: JPN
    to: USA
    program: prog-a
    technology: Alpha composite know-how
    kind: soft
    significance: minor
    status_history:
      - {status: executed, date: "1992"}
    value: {amount_millions: 500, currency: JPY}
    impact: {rating: low, rationale: little use, assessor: Test assessor, date: "1995"}
    sources:
      - {title: Test source A, publisher: Test publisher}
  - id: t-us-2
    from: USA
    to: JPN
    program: prog-b
    technology: Beta production licence
    kind: soft
    significance: major
    status_history:
      - {status: approved, date: "1994"}
      - {status: executed, date: "1995"}
    sources:
      - {title: Test source B, author: Test author}
  - id: t-jp-2
    from: JPN
    to: USA
    technology: Gamma sensor
    significance: minor
    status_history:
      - {status: executed, date: "2003"}
    sources:
      - {title: Test source B, author: Test author}
  - id: t-us-3
    from: USA
    to: JPN
    technology: Delta engine licence
    significance: major
    status_history:
      - {status: executed, date: "2010"}
    sources:
      - {title: Test source B, author: Test author}
  - id: t-jp-3
    from: JPN
    to: USA
    technology: Epsilon seeker
    significance: major
    status_history:
      - {status: proposed, date: "2000"}
      - {status: approved, date: "2001"}
    sources:
      - {title: Test source B, author: Test author}
"""

# The classic SIPRI trade-register layout: 11 preamble lines, the header, Latin-1 rows.
SIPRI_PREAMBLE = [
    "Transfers of major conventional arms from All countries  to All countries . Deals with "
    "deliveries made for the year range 'Not specified' to 'Not specified' ",
    "A '?' in a column indicates uncertain data. The 'Number delivered' and the 'Year(s) of "
    "deliveries' refer only to deliveries in the selected year(s).",
    "An empty field for 'Number ordered' indicates that data is not yet available.",
    "SIPRI trend-indicator values (TIVs) are in millions.",
    "An empty field for 'SIPRI TIV for total order' indicates that data (on the number ordered "
    "and/or the TIV per unit) is not available.",
    "A '0' for 'SIPRI TIV of delivered weapons' indicates that the volume of deliveries is "
    "between 0 and 0.5 million SIPRI TIV; and an empty field indicates that no deliveries "
    "have been identified.",
    "Figures may not add up to stated totals due to the conventions of rounding.",
    "For the method used for the SIPRI TIV and explanations of the conventions; abbreviations "
    "and acronyms see <https://www.sipri.org/databases/armstransfers/sources-and-methods>.",
    "",
    "Source: SIPRI Arms Transfers Database (c) SIPRI.",
    "Data generated: 18 May 2026 2:29:20 PM",
]
SIPRI_HEADER = ("Recipient,Supplier,Year of order, ,Number ordered, ,Weapon designation,"
                "Weapon description,Number delivered, ,Year(s) of delivery,status,Comments,"
                "SIPRI TIV per unit,SIPRI TIV for total order,SIPRI TIV of delivered weapons")
SIPRI_ROWS = [
    "Japan,United States,1989,,10,,Test-Fighter,fighter aircraft,10,,1990; 1991,New,"
    "Produced under licence in Japan,10,100,100",
    "United States,Japan,1991,,4,,Test-Trainer,trainer aircraft,4,,1992,New,"
    "produced under licence in USA,2.5,10,10",
]


@pytest.fixture
def ledger_yaml_text() -> str:
    return LEDGER_YAML


@pytest.fixture
def ledger_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "registry.yaml"
    path.write_text(LEDGER_YAML, encoding="utf-8")
    return path


@pytest.fixture
def ledger_write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a file into the test's folder."""
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write


@pytest.fixture
def ledger_db(tmp_path: Path) -> Path:
    return tmp_path / "ledger.duckdb"


@pytest.fixture
def ledger_r(ledger_db: Path) -> Iterator[Reciprocity]:
    """A session on a fresh store."""
    with Reciprocity(ledger_db) as r:
        yield r


@pytest.fixture
def ledger_sipri_csv(tmp_path: Path) -> Path:
    """A tiny SIPRI register in the classic layout: one deal each way, USA ⇄ Japan."""
    path = tmp_path / "trade-register.csv"
    text = "\n".join([*SIPRI_PREAMBLE, SIPRI_HEADER, *SIPRI_ROWS]) + "\n"
    path.write_bytes(text.encode("latin-1"))
    return path


@pytest.fixture
def ledger_runner() -> CliRunner:
    return CliRunner()


def ledger_snapshot(store: Store) -> dict[str, list]:
    """Every table's rows in a stable order (what a refused write must leave unchanged)."""
    out: dict[str, list] = {}
    for (name,) in store.con.execute(
            "SELECT table_name FROM information_schema.tables ORDER BY table_name").fetchall():
        out[name] = sorted(map(repr, store.con.execute(f"SELECT * FROM {name}").fetchall()))
    return out


@pytest.fixture
def ledger_snap() -> Callable[[Store], dict[str, list]]:
    return ledger_snapshot
