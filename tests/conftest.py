"""Shared fixtures: the data folder, small composed registers, stores and a CLI runner.

The full SIPRI registers live in ``../shared/data/raw`` (third-party files, read in place and
never copied). A test that needs them carries the ``requires_shared`` marker (added by itself to
every test that uses the ``shared_raw`` fixture) or asks :func:`sipri_helpers.shared_path` for a
file: it skips when the data are absent, and fails instead under ``RECIPROCITY_REQUIRE_SHARED=1``
(set by ``.ci/run``). The store built from the two full registers is made once per session,
because ingesting them takes a few seconds.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reciprocity.api import open_store
from reciprocity.sources import registry
from reciprocity.store.db import Store
from sipri_helpers import (
    FIXTURES,
    FULL_REGISTER,
    NEW_FORMAT_SAMPLE,
    REGISTER_2025,
    SHARED_RAW,
    classic_v2_bytes,
    read_classic_rows,
    shared_path,
    snapshot,
)


# -- the requires_shared marker ------------------------------------------------------------------
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses ``shared_raw`` (directly or through another fixture) is marked."""
    for item in items:
        if "shared_raw" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.requires_shared)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """``@pytest.mark.requires_shared("rel/path", ...)``: the files the test needs (default: the
    data folder itself) must be present, else the test skips (or fails)."""
    for mark in item.iter_markers("requires_shared"):
        if not mark.args:
            shared_path(kind="dir")
        for rel in mark.args:
            shared_path(rel)


# -- data folder -------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def shared_raw() -> Path:
    """``../shared/data/raw`` beside the project (skips the test when it is absent, or fails it
    under ``RECIPROCITY_REQUIRE_SHARED=1``)."""
    shared_path(FULL_REGISTER)
    return SHARED_RAW


@pytest.fixture(scope="session")
def full_register(shared_raw: Path) -> Path:
    return shared_raw / FULL_REGISTER


@pytest.fixture(scope="session")
def register_2025(shared_raw: Path) -> Path:
    return shared_path(REGISTER_2025)


@pytest.fixture(scope="session")
def new_format_sample(shared_raw: Path) -> Path:
    return shared_path(NEW_FORMAT_SAMPLE)


@pytest.fixture(scope="session")
def full_rows(full_register: Path) -> list[tuple[int, list[str]]]:
    """Rows of the full (May 2026) register, read independently with ``csv``."""
    return read_classic_rows(full_register)


@pytest.fixture(scope="session")
def rows_2025(register_2025: Path) -> list[tuple[int, list[str]]]:
    """Rows of the March 2025 register, read independently with ``csv``."""
    return read_classic_rows(register_2025)


# -- stores ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def full_store_path(tmp_path_factory: pytest.TempPathFactory, full_register: Path,
                    register_2025: Path) -> Path:
    """A store holding the full May 2026 register and the March 2025 register (built once)."""
    path = tmp_path_factory.mktemp("full") / "full.duckdb"
    with open_store(path) as store:
        store.ingest(registry.get("sipri"), full_register)
        store.ingest(registry.get("sipri"), register_2025)
    return path


@pytest.fixture(scope="session")
def full_store(full_store_path: Path) -> Iterator[Store]:
    """The session store, opened read-only (tests must not change it)."""
    store = Store(full_store_path, read_only=True)
    yield store
    store.close()


@pytest.fixture
def fixture_file() -> Callable[[str], Path]:
    """Path of a file in tests/fixtures/sipri."""
    def get(name: str) -> Path:
        path = FIXTURES / name
        assert path.is_file(), path
        return path
    return get


@pytest.fixture
def classic_file() -> Path:
    return FIXTURES / "classic.csv"


@pytest.fixture
def new_layout_file() -> Path:
    return FIXTURES / "per_delivery_year.csv"


@pytest.fixture
def classic_v2(tmp_path: Path) -> Path:
    path = tmp_path / "classic-2026-03.csv"
    path.write_bytes(classic_v2_bytes())
    return path


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"


@pytest.fixture(scope="session")
def store_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Closed store files made once: ``classic`` (classic.csv) and ``classic2`` (plus its newer
    export). Tests get copies, which is much faster than ingesting again."""
    folder = tmp_path_factory.mktemp("templates")
    v2 = folder / "classic-2026-03.csv"
    v2.write_bytes(classic_v2_bytes())
    out = {}
    for name, files in (("classic", [FIXTURES / "classic.csv"]),
                        ("classic2", [FIXTURES / "classic.csv", v2])):
        out[name] = folder / f"{name}.duckdb"
        with open_store(out[name]) as store:
            for path in files:
                store.ingest(registry.get("sipri"), path)
        assert not out[name].with_name(out[name].name + ".wal").exists()
    return out


@pytest.fixture
def classic_db(tmp_path: Path, store_templates: dict[str, Path]) -> Path:
    """A closed store file holding the composed classic register (vintage 2026-01-12)."""
    path = tmp_path / "classic.duckdb"
    shutil.copyfile(store_templates["classic"], path)
    return path


@pytest.fixture
def classic2_db(tmp_path: Path, store_templates: dict[str, Path]) -> Path:
    """A closed store file holding classic.csv and its newer export (2026-01-12, 2026-03-14)."""
    path = tmp_path / "store2.duckdb"
    shutil.copyfile(store_templates["classic2"], path)
    return path


@pytest.fixture
def classic_store(classic_db: Path) -> Iterator[Store]:
    """An open store holding the composed classic register."""
    with open_store(classic_db) as store:
        yield store


@pytest.fixture
def classic2_store(classic2_db: Path) -> Iterator[Store]:
    """An open store holding both vintages of the composed classic register."""
    with open_store(classic2_db) as store:
        yield store


@pytest.fixture(scope="session")
def ncses_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed store holding composed NCSES tables 10003 (co-authored articles, a
    ``snapshot`` unit) and 10006 (co-authorship index, an ``index`` unit), each for 2003 and
    2022 only: the years between have no data. Open it read-only or copy it."""
    from ev_helpers import ncses_matrix

    folder = tmp_path_factory.mktemp("ncses")
    path = folder / "ncses.duckdb"
    with open_store(path) as store:
        for table in ("10003", "10006"):
            data = folder / f"{table}_data.csv"
            data.write_text(ncses_matrix(table), encoding="utf-8")
            store.ingest(registry.get("ncses"), data)
    return path


@pytest.fixture
def ncses_store(ncses_db: Path) -> Iterator[Store]:
    """The composed NCSES store (:func:`ncses_db`), opened read-only."""
    with Store(ncses_db, read_only=True) as store:
        yield store


@pytest.fixture
def store_snapshot() -> Callable[[Store], dict[str, object]]:
    return snapshot


# -- bad inputs --------------------------------------------------------------------------------
@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, Path]:
    """Broken SIPRI files, each a different way a download goes wrong.

    ``truncated`` is cut in the middle of its last row (an unquoted field); ``truncated_quote``
    inside a quoted comment; ``utf16`` and ``utf8`` are the classic fixture re-saved in the
    wrong encoding (the latter keeps a multi-byte 'ö' on line 31).
    """
    classic = (FIXTURES / "classic.csv").read_bytes()
    text = classic.decode("latin-1")
    out = {
        "not_sipri": FIXTURES / "not_sipri.csv",
        "ragged": FIXTURES / "ragged.csv",
        "unknown_names": FIXTURES / "unknown_names.csv",
    }
    last = classic.rstrip(b"\n").rfind(b"\n") + 1  # start of the last data line (line 35)
    cut = classic.index(b",2,120", last)           # in the middle of its numbers
    (tmp_path / "truncated.csv").write_bytes(classic[:cut + 2])
    out["truncated"] = tmp_path / "truncated.csv"
    quoted = classic.index(b'"$2.35 b deal')
    (tmp_path / "truncated_quote.csv").write_bytes(classic[:quoted + 10])
    out["truncated_quote"] = tmp_path / "truncated_quote.csv"
    (tmp_path / "utf16.csv").write_bytes(text.encode("utf-16"))
    out["utf16"] = tmp_path / "utf16.csv"
    (tmp_path / "utf8.csv").write_bytes(text.encode("utf-8"))
    out["utf8"] = tmp_path / "utf8.csv"
    (tmp_path / "preamble_only.csv").write_bytes(b"\n".join(classic.split(b"\n")[:6]))
    out["preamble_only"] = tmp_path / "preamble_only.csv"
    return out


# -- command line ------------------------------------------------------------------------------
@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def run_app() -> Callable[..., object]:
    """Invoke the Typer app (``reciprocity.cli.app.app``) with CliRunner.

    Errors the package raises on purpose surface as ``result.exception``; use ``run_main`` to
    see the exit codes the console script gives them.
    """
    from reciprocity.cli.app import app

    runner = CliRunner()

    def run(*args: object, env: dict[str, str | None] | None = None):
        return runner.invoke(app, [str(a) for a in args], env={"RECIPROCITY_DB": None,
                                                               "COLUMNS": "200", **(env or {})})
    return run


_COMMANDS: dict[int, object] = {}


@pytest.fixture
def run_main(monkeypatch: pytest.MonkeyPatch) -> Callable[..., CliResult]:
    """Run the console-script entry point ``reciprocity.cli.app.main`` as a user would.

    ``main`` always ends with SystemExit (Click's standalone mode on success; the error's
    ``exit_code`` when a ReciprocityError escapes a command). Typer rebuilds the Click command
    tree from the app's signatures on every call (about 0.2 s); the tree is the same every
    time, so it is built once per session here to keep the suite fast.
    """
    import typer.main

    from reciprocity.cli.app import main

    build = typer.main.get_command

    def cached(instance):
        if id(instance) not in _COMMANDS:
            _COMMANDS[id(instance)] = build(instance)
        return _COMMANDS[id(instance)]

    monkeypatch.setattr(typer.main, "get_command", cached)

    runner = CliRunner()

    def run(*args: object, env: dict[str, str | None] | None = None) -> CliResult:
        with runner.isolation(env={"RECIPROCITY_DB": None, "COLUMNS": "200", **(env or {})}
                              ) as (out, err, _):
            try:
                with pytest.raises(SystemExit) as exc:
                    main([str(a) for a in args])
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
            code = exc.value.code
            return CliResult(0 if code is None else int(code),
                             out.getvalue().decode("utf-8", "replace"),
                             err.getvalue().decode("utf-8", "replace"))
    return run
