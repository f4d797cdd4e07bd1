"""The active-vintage SQL knows whether the store's vintages have ``held_back`` (a store made
before the column, opened read-only, has none) from a result's columns, not the catalogue."""

from __future__ import annotations

from pathlib import Path

import duckdb

from atop_helpers import member_row, write_members
from reciprocity.sources import registry
from reciprocity.store.db import Store


def _store(tmp_path: Path) -> Path:
    path = write_members(tmp_path / "atop-member-level.csv", [
        member_row(3375, 2, 1960), member_row(3375, 740, 1960)])
    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        s.ingest(registry.get("atop"), path)
    return db


def test_held_back_orders_the_vintages_where_the_column_exists(tmp_path: Path):
    db = _store(tmp_path)
    with Store(db, read_only=True) as s:
        assert s._held_back_sql() == "held_back IS NULL DESC,"
        assert s.run(s.active_flows_sql() + "SELECT count(*) FROM active").fetchone() == (1,)


def test_a_store_made_before_the_column_still_answers(tmp_path: Path):
    db = _store(tmp_path)
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE vintages DROP COLUMN held_back")
    con.close()
    with Store(db, read_only=True) as s:
        assert s._held_back_sql() == ""
        assert s.run(s.active_flows_sql() + "SELECT count(*) FROM active").fetchone() == (1,)
