"""The bounded YAML loader and the assessment files read through it (settings, weights,
scenarios, needs, alerts all go through ``assess.config.read_yaml``)."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from reciprocity import yamlsafe
from reciprocity.assess.config import read_yaml
from reciprocity.errors import FormatError

BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{b}: &{b} [{','.join([f'*{a}'] * 10)}]\n" for a, b in itertools.pairwise("abcdefghi"))


@pytest.mark.parametrize(("text", "where", "found"), [
    ("weights:\n  arms: !!python/object/new:os.system [ls]\n", "w.yaml:2:9", "unknown tag"),
    ("a: !secret x\n", "w.yaml:1:4", "unknown tag '!secret'"),
    ("a: " + "{b: " * 3000 + "1" + "}" * 3000 + "\n", "w.yaml:1:", "nested deeper"),
    ("- " * 5000 + "x\n", "w.yaml:1:", "nested deeper"),
    (BOMB, "w.yaml:", "aliases that expand"),
    ("a: &x 1\n" + "".join(f"k{i}: *x\n" for i in range(yamlsafe.MAX_ALIASES + 1)),
     f"w.yaml:{yamlsafe.MAX_ALIASES + 2}:", "more than 100 aliases"),
    ("a: [1, 2\n", "w.yaml:", "expected ',' or ']'"),
])
def test_assessment_yaml_refused_with_file_and_line(tmp_path: Path, text: str, where: str,
                                                    found: str) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(FormatError) as info:
        read_yaml(path, "weights.yaml", "a weights mapping")
    assert time.perf_counter() - started < 5
    [problem] = info.value.problems
    assert problem.location.startswith(where), problem
    assert found in problem.found, problem
    assert problem.expected


def test_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlsafe.SafeLoader, "max_chars", 100)
    with pytest.raises(FormatError, match="at most 100 characters"):
        yamlsafe.load("a: " + "x" * 200, "big.yaml")


def test_ordinary_yaml_loads_as_before() -> None:
    text = "a: &n [1, 2]\nb: *n\nc: 2024-01-02\nd: {e: null, f: true}\n"
    import datetime

    assert yamlsafe.load(text, "ok.yaml") == {"a": [1, 2], "b": [1, 2],
                                              "c": datetime.date(2024, 1, 2),
                                              "d": {"e": None, "f": True}}
    assert yamlsafe.load("", "empty.yaml") is None
