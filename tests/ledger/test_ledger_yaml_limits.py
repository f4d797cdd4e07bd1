"""Hostile ledger YAML (unknown tag, deep nesting, alias bomb): an InputError naming the file
and line, quickly and in little memory, never a traceback; nothing written."""

from __future__ import annotations

import itertools
import time
import tracemalloc
from pathlib import Path

import pytest

from reciprocity.api import Reciprocity
from reciprocity.errors import InputError
from reciprocity.ledger import io

LETTERS = "abcdefghi"
BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{x}: &{x} [{','.join([f'*{prev}'] * 9)}]\n" for prev, x in itertools.pairwise(LETTERS))
"""A 'billion laughs' file: 9 lines, 72 aliases, 9^9 (387 million) values once expanded."""
HOSTILE = {
    "tag.yaml": ("format: reciprocity-ledger/1\ntransfers:\n  - !!python/object/apply:os.system"
                 " [echo hi]\n", 3, "the unknown tag"),
    "custom-tag.yaml": ("programs:\n  - id: !include other.yaml\n", 2, "the unknown tag"),
    "deep.yaml": ("transfers: " + "[" * 5000 + "]" * 5000 + "\n", 1, "nested deeper"),
    "bomb.yaml": (BOMB, 6, "aliases that expand"),
}


def load_measured(path: Path) -> tuple[InputError, float, int]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(InputError) as info:
            io.load(path)
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return info.value, elapsed, peak


def test_the_bomb_is_small_and_would_expand_hugely() -> None:
    assert len(BOMB.encode()) < 400 and BOMB.count("*") == 72


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_yaml_is_an_input_error_with_file_and_line(tmp_path: Path, name: str) -> None:
    text, line, found = HOSTILE[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    error, elapsed, peak = load_measured(path)
    [problem] = error.problems
    assert problem.location.startswith(f"{name}:{line}:"), problem
    assert found in problem.found and problem.expected
    assert str(error).startswith(f"{name}: ")
    assert elapsed < 5 and peak < 64 * 2**20, (elapsed, peak)


def test_cli_refuses_the_bomb_without_writing(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB, encoding="utf-8")
    db = tmp_path / "s.duckdb"
    with Reciprocity(db) as r:
        with pytest.raises(InputError):
            r.ledger_import(path, by="tests", reason="hostile")
        assert r.ledger_list("transfers").empty


def test_a_few_small_aliases_still_work() -> None:
    text = """\
format: reciprocity-ledger/1
transfers:
  - id: t1
    from: JPN
    to: USA
    technology: Test know-how
    status_history: [{status: proposed, date: "2024"}]
    sources: &src [{title: A test source, publisher: Reciprocity tests}]
  - id: t2
    from: USA
    to: JPN
    technology: Other know-how
    status_history: [{status: proposed, date: "2024"}]
    sources: *src
"""
    registry = io.loads_yaml(text, "ok.yaml")
    assert [t.id for t in registry.transfers] == ["t1", "t2"]
