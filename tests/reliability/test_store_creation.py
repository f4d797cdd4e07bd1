"""A new store is created whole (issue 15: a store killed during its first schema creation
crashed ``sources`` and ``dyad``): a creation that fails after its tables were made leaves no
store and no temporary file, and the next open creates it."""

from __future__ import annotations

from pathlib import Path

import pytest

from reciprocity.store.db import Store


def test_a_creation_that_fails_midway_leaves_no_store(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    original = Store._ensure_schema

    def fails_after_the_tables(self: Store) -> None:
        original(self)   # every table created, then the process "dies"
        raise KeyboardInterrupt

    monkeypatch.setattr(Store, "_ensure_schema", fails_after_the_tables)
    with pytest.raises(KeyboardInterrupt):
        Store(tmp_path / "s.duckdb")
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    monkeypatch.setattr(Store, "_ensure_schema", original)
    with Store(tmp_path / "s.duckdb") as s:
        names = {t for (t,) in s.con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"vintages", "flows", "datasets"} <= names
