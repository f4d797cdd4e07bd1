"""docs/ledger.md stays honest: its examples validate and its figures match the registry."""

from __future__ import annotations

import re
from pathlib import Path

from reciprocity.ledger import checks, io
from reciprocity.ledger.starter import starter_text

DOC = Path(__file__).resolve().parents[2] / "docs" / "ledger.md"


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def test_yaml_example_is_complete_and_valid() -> None:
    [example] = _blocks(DOC.read_text(encoding="utf-8"), "yaml")
    registry = io.loads_yaml(example, "docs/ledger.md")
    assert registry.programs and registry.transfers
    # the example shows every field of the format
    assert set(registry.programs[0].model_dump(mode="json")) | {"status"} >= set(
        ["id", "name", "partners", "form", "systems", "areas", "start_year", "workshare",
         "value", "clauses", "plan", "sources", "notes"])
    keys = set().union(*(t.model_dump(mode="json") for t in registry.transfers))
    assert keys >= {"id", "from", "to", "program", "technology", "area", "firms", "kind",
                    "significance", "status_history", "value", "impact", "sources"}


def test_csv_example_is_valid() -> None:
    text = DOC.read_text(encoding="utf-8")
    [block] = _blocks(text, "csv")
    registry = io.loads_csv(block, "example.csv", check_programs=False)
    assert [t.id for t in registry.transfers] == ["beechjet-400-t1a"]


def test_starter_figures_in_the_doc() -> None:
    text = " ".join(DOC.read_text(encoding="utf-8").split())
    reg = io.loads_yaml(starter_text())
    result = checks.check(reg.programs, reg.transfers, "USA", "JPN")
    assert f"{len(reg.programs)} programs and {len(reg.transfers)} transfers" in text
    have = result.tested - len(result.unmatched)
    assert (f"tests {result.tested} executed major transfers: {have} have a reciprocal "
            f"transfer ({len(result.matched)} pairs") in text
    assert f"and {len(result.unmatched)} U.S. licences to Japan are unmatched" in text
    untracked = sum(not v.tracked for v in result.variances)
    assert f"{untracked} planned workshares and values have no tracked actual" in text
