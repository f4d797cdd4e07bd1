"""Fixtures of the events tests: a store holding the starter ledger (events link to its
programs) and small composed event files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reciprocity.api import Reciprocity
from reciprocity.ledger.starter import load_starter

EVENTS_YAML = """\
format: reciprocity-events/1
events:
  - id: ev-treaty
    date: "1960-01-19"
    countries: [USA, Japan]
    kind: treaty
    title: A treaty of both
    summary: Composed for the tests.
    sources:
      - {title: Test source, publisher: Test publisher, year: 1960, url: https://example.org/t}
  - id: ev-national
    date: 1967
    countries: [JPN]
    kind: export_control
    title: Japan's own policy
    label: JPN policy
    summary: Composed for the tests.
    sources:
      - {title: Test source, author: Test author}
  - id: ev-program
    date: 1988-11
    countries: [USA, JPN]
    kind: agreement
    title: A program's agreement
    summary: Composed for the tests.
    programs: [fsx-development]
    sources:
      - {title: Test source, publisher: Test publisher}
  - id: ev-third
    date: 1990
    countries: [JPN, GBR]
    kind: agreement
    title: Japan and the United Kingdom
    summary: Composed for the tests; not about the U.S.–Japan pair.
    sources:
      - {title: Test source, publisher: Test publisher}
"""


@pytest.fixture
def events_yaml() -> str:
    """The composed events file's text."""
    return EVENTS_YAML


@pytest.fixture
def events_db(tmp_path: Path) -> Path:
    """A store holding the starter ledger (its programs are what events link to)."""
    db = tmp_path / "events.duckdb"
    with Reciprocity(db) as r:
        load_starter(r)
    return db


@pytest.fixture
def events_file(tmp_path: Path) -> Callable[[str], Path]:
    """Write YAML text to a file (default: the composed events) and return its path."""
    def write(text: str = EVENTS_YAML, name: str = "events.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write
