"""The one converter from pydantic's errors to Problems: located, worded from the model's
fields (description, both bounds, allowed keys), custom words and per-item problems kept."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from reciprocity.ledger.model import Program, Transfer
from reciprocity.validation import dotted, problems_from

GOOD_SOURCE = [{"title": "S", "publisher": "P"}]


def _problems(model: type, data: dict) -> dict[str, tuple[str, str]]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return {p.location: (p.found, p.expected)
            for p in problems_from(info.value, lambda loc: "f.yaml " + dotted(loc),
                                   ("programs", 4), model)}


def test_words_come_from_the_fields() -> None:
    found = _problems(Program, {
        "id": "p", "name": "P", "partners": ["USA", "JPN"], "form": "barter",
        "end_year": "soon", "typo": 1, "sources": GOOD_SOURCE,
        "workshare": [{"country": "USA", "planned_pct": -1, "actual_pct": "half"}],
        "value": [{"planned": {"amount_millions": float("nan"), "currency": "USD"}},
                  {"actual": {"currency": "USD"}}]})
    assert found == {
        "f.yaml programs[4].form": ("'barter'", "one of licensed_production, co_production, "
                                    "co_development, joint_research, procurement, "
                                    "technology_transfer_agreement, data_exchange, other"),
        "f.yaml programs[4].end_year": ("'soon'", "a whole number"),
        "f.yaml programs[4].typo": ("unknown key 'typo'", "one of " + ", ".join(
            Program.model_fields)),
        "f.yaml programs[4].workshare[0].planned_pct": (
            "-1", "a share in percent between 0 and 100"),
        "f.yaml programs[4].workshare[0].actual_pct": ("'half'", "a share in percent"),
        "f.yaml programs[4].value[0].planned.amount_millions": (
            "nan", "an amount in millions: a finite number"),
        "f.yaml programs[4].value[1].actual.amount_millions": (
            "nothing", "an amount in millions"),
    }


def test_rules_across_fields_keep_their_own_places() -> None:
    found = _problems(Transfer, {
        "id": "t", "from": "USA", "to": "United States", "technology": "x",
        "sources": [], "status_history": [{"status": "executed", "date": "1990"},
                                          {"status": "approved", "date": "1989"}]})
    assert found["f.yaml programs[4].to"] == ("USA", "a country other than the origin")
    assert found["f.yaml programs[4].sources"][0] == "no sources"
    # two problems at one place (the dict keeps the later): out of order, and dated backwards
    assert found["f.yaml programs[4].status_history[1]"] == (
        "approved dated 1989, before executed on 1990", "a date on or after 1990")


def test_without_a_model_the_words_come_from_the_error_alone() -> None:
    with pytest.raises(ValidationError) as info:
        Program.model_validate({"id": "p"})
    [name] = [p for p in problems_from(info.value) if p.location == "name"]
    assert (name.found, name.expected) == ("nothing", "a value for name")
