"""alliance reads ATOP's coverage and credit from the store, not from the source module."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from atop_helpers import member_row, write_members
from reciprocity.queries.alliance import alliance, allies_of
from reciprocity.sources import atop, atop_members, registry
from reciprocity.store.db import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    path = write_members(tmp_path / "atop-member-level.csv", [
        member_row(3375, 2, 1960, obligations=("defense", "nonagg", "consul")),
        member_row(3375, 740, 1960, obligations=("nonagg", "consul")),
    ])
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest(registry.get("atop"), path)
        yield s


def test_ingest_records_the_years_covered_from_the_description(store: Store):
    row = store.run("SELECT first_year, last_year, credit FROM datasets "
                    "WHERE dataset = 'atop'").fetchone()
    assert row == (atop.INFO.coverage.first_year, atop.INFO.coverage.last_year,
                   atop.INFO.credit)


def test_the_reference_year_and_credit_come_from_the_datasets_row(store: Store):
    store.con.execute("UPDATE datasets SET last_year = 2000, credit = 'ATOP (test)' "
                      "WHERE dataset = 'atop'")
    got = alliance(store, "USA", "JPN")
    assert (got["as_of"], got["allied_since"], got["credit"]) == (2000, 1960, "ATOP (test)")
    assert got["treaties"][0]["end"] is None  # still in effect when the data (2000) end
    assert allies_of(store, "USA", year=2010) == {"JPN"}


@pytest.mark.parametrize("older", ["UPDATE datasets SET last_year = NULL",
                                   "ALTER TABLE datasets DROP COLUMN last_year"])
def test_a_store_made_before_the_years_were_recorded_still_answers(store: Store, older: str):
    store.con.execute(older)
    got = alliance(store, "USA", "JPN")
    assert got["as_of"] == atop.COVERAGE_END
    assert got["allied_since"] == 1960


def test_the_light_declarations_are_the_readers():
    assert atop.RECORDS.name == atop_members.TABLE
    assert set(atop_members.OBLIGATIONS) <= set(atop.RECORDS.columns)
    assert set(atop_members.OBLIGATIONS) <= set(atop.quirks()["required_columns"])
    assert atop.INFO.name == atop_members.NAME


def test_the_pair_query_imports_no_source_module_yaml_or_pydantic():
    code = ("import sys, reciprocity.queries.alliance, reciprocity.queries.dyad\n"
            "print(' '.join(m for m in ('reciprocity.sources.atop', 'reciprocity.sources.base',"
            " 'yaml', 'pydantic', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""
