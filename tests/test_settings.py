"""One settings object: every RECIPROCITY_* variable the code names is a typed, documented field,
each place reads it through :mod:`reciprocity.settings`, and a bad value is bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reciprocity import settings
from reciprocity.errors import InputError

SRC = Path(settings.__file__).resolve().parent
DOC = SRC.parents[1] / "docs" / "settings.md"


def test_every_variable_named_in_the_code_is_a_setting() -> None:
    named = set()
    for path in SRC.rglob("*.py"):
        named |= set(re.findall(r"RECIPROCITY_[A-Z_]*[A-Z]", path.read_text(encoding="utf-8")))
    fields = {settings.env_name(name) for name in settings.Settings.model_fields}
    assert named - fields == set()


def test_the_docs_table_lists_exactly_the_fields() -> None:
    text = DOC.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(RECIPROCITY_[A-Z_]+)` \|", text, flags=re.M)
    assert rows == [settings.env_name(name) for name in settings.Settings.model_fields]
    assert text == settings.docs_page()


def test_the_environment_is_read_at_each_call(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    from reciprocity.cli.common import lock_wait
    from reciprocity.fetch.client import cache_dir
    from reciprocity.store.db import default_path

    monkeypatch.setenv("RECIPROCITY_CACHE", str(tmp_path / "c"))
    monkeypatch.setenv("RECIPROCITY_DB", str(tmp_path / "s.duckdb"))
    monkeypatch.setenv("RECIPROCITY_LOCK_WAIT", " 0.5 ")
    assert cache_dir() == tmp_path / "c"
    assert default_path() == tmp_path / "s.duckdb"
    assert lock_wait() == 0.5
    monkeypatch.setenv("RECIPROCITY_LOCK_WAIT", "")  # empty: unset, the default
    monkeypatch.delenv("RECIPROCITY_DB")
    assert lock_wait() == 3.0
    assert default_path() == Path("reciprocity.duckdb")


def test_spark_python_falls_back_to_pyspark_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RECIPROCITY_SPARK_PYTHON", raising=False)
    monkeypatch.setenv("PYSPARK_PYTHON", "/opt/py")
    assert settings.current().spark_python == "/opt/py"
    monkeypatch.setenv("RECIPROCITY_SPARK_PYTHON", "/opt/mine")
    assert settings.current().spark_python == "/opt/mine"


def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECIPROCITY_LOCK_WAIT", "soon")
    monkeypatch.setenv("RECIPROCITY_SPARK_PARTITIONS", "0")
    with pytest.raises(InputError) as info:
        settings.current()
    found = {p.location: (p.found, p.expected) for p in info.value.problems}
    assert found == {"$RECIPROCITY_LOCK_WAIT": ("'soon'", "a number"),
                     "$RECIPROCITY_SPARK_PARTITIONS": ("'0'", "a number more than 0")}


def test_a_free_store_opens_without_reading_the_settings(run_main, classic_db: Path) -> None:
    # the lock wait is read only when the store is busy (tests/store/test_store_lock.py)
    result = run_main("--db", classic_db, "sources", env={"RECIPROCITY_LOCK_WAIT": "soon"})
    assert result.exit_code == 0, result


def test_no_other_module_reads_these_variables_itself() -> None:
    readers = [path.relative_to(SRC) for path in SRC.rglob("*.py")
               if path.name != "settings.py"
               and re.search(r"(environ|getenv)[^\n]*RECIPROCITY_", path.read_text("utf-8"))]
    assert readers == []
