"""Technology-for-technology and planned-versus-actual, as pure functions."""

from __future__ import annotations

import pytest

from reciprocity.ledger import io
from reciprocity.ledger.checks import check, tech_for_tech, variances
from reciprocity.ledger.model import Citation, Registry, StatusChange, Transfer

SRC = (Citation(title="S", publisher="P"),)


def _t(tid: str, origin: str, dest: str, year: int | None, *, program: str | None = None,
       significance: str | None = "major", executed: bool = True) -> Transfer:
    history = (StatusChange(status="approved", date="1900"),
               *((StatusChange(status="executed", date=str(year) if year else None),)
                 if executed else ()))
    return Transfer(id=tid, origin=origin, destination=dest, technology=f"tech {tid}",
                    history=history, sources=SRC, program=program,
                    significance=significance)


@pytest.fixture
def registry(ledger_yaml_text: str) -> Registry:
    return io.loads_yaml(ledger_yaml_text)


def test_window_is_configurable(registry: Registry) -> None:
    _, unmatched, tested = tech_for_tech(registry.transfers, "USA", "JPN", years=5)
    assert tested == 3  # t-us-1, t-us-2, t-us-3 (t-jp-3 is major but not executed)
    assert [u.transfer.id for u in unmatched] == ["t-us-2", "t-us-3"]
    matches, unmatched, _ = tech_for_tech(registry.transfers, "USA", "JPN", years=10)
    assert {(m.transfer.id, m.counterpart.id, m.basis) for m in matches} == {
        ("t-us-1", "t-jp-1", "program"), ("t-us-2", "t-jp-2", "window")}
    # t-jp-2 (2003) is within 10 years of t-us-3 (2010) but already matches t-us-2 (1995)
    [left] = unmatched
    assert left.transfer.id == "t-us-3"
    assert "t-jp-2 already matched" in left.reason
    _, unmatched, _ = tech_for_tech(registry.transfers, "USA", "JPN", years=15)
    assert [u.transfer.id for u in unmatched] == ["t-us-3"]  # one to one


def test_reasons_name_program_window_and_nearest(registry: Registry) -> None:
    _, unmatched, _ = tech_for_tech(registry.transfers, "USA", "JPN", years=5)
    reasons = {u.transfer.id: u.reason for u in unmatched}
    # t-jp-1 (1992) is within 5 years of 1995 but matches t-us-1 in their program
    assert reasons["t-us-2"] == ("no executed JPN→USA transfer in program 'prog-b' or within "
                                 "5 years of 1995 is free: t-jp-1 already matched other "
                                 "transfers")
    _, unmatched, _ = tech_for_tech(registry.transfers, "USA", "JPN", years=2)
    reasons = {u.transfer.id: u.reason for u in unmatched}
    assert reasons["t-us-2"] == ("no executed JPN→USA transfer in program 'prog-b' or within "
                                 "2 years of 1995 (nearest: t-jp-1, 1992)")
    assert reasons["t-us-3"].startswith("no executed JPN→USA transfer within 2 years of 2010")


def test_both_directions_and_pairs_counted_once() -> None:
    ts = [_t("a1", "USA", "JPN", 2000), _t("b1", "JPN", "USA", 2001),
          _t("b2", "JPN", "USA", 2020), _t("k1", "USA", "KOR", 2000)]
    matches, unmatched, tested = tech_for_tech(ts, years=3)
    # a1↔b1 satisfies both; b2 (major, JPN→USA) has no USA→JPN left; k1 has no KOR→USA
    assert tested == 4
    assert [{m.transfer.id, m.counterpart.id} for m in matches] == [{"a1", "b1"}]
    assert sorted(u.transfer.id for u in unmatched) == ["b2", "k1"]
    only_pair = tech_for_tech(ts, "USA", "JPN", years=3)[1]
    assert [u.transfer.id for u in only_pair] == ["b2"]


def test_minor_and_unexecuted_transfers_are_not_tested() -> None:
    ts = [_t("m", "USA", "JPN", 2000, significance="minor"),
          _t("u", "USA", "JPN", 2000, executed=False),
          _t("n", "USA", "JPN", 2000, significance=None)]
    assert tech_for_tech(ts, "USA", "JPN") == ([], [], 0)


def test_undated_execution_matches_only_by_program() -> None:
    ts = [_t("a", "USA", "JPN", None, program="p"), _t("b", "JPN", "USA", 1990, program="p"),
          _t("c", "USA", "JPN", None)]
    matches, unmatched, _ = tech_for_tech(ts, "USA", "JPN")
    assert [(m.transfer.id, m.basis) for m in matches] == [("a", "program")]
    assert [u.transfer.id for u in unmatched] == ["c"]
    assert "unknown date" in unmatched[0].reason


def test_variances_flag_untracked_actuals(registry: Registry) -> None:
    rows = [v.answer().model_dump() for v in variances(registry.programs)]
    assert rows == [
        {"program": "prog-a", "country": "USA", "measure": "workshare_pct", "planned": 40.0,
         "actual": 35.0, "difference": -5.0, "tracked": True},
        {"program": "prog-a", "country": "JPN", "measure": "workshare_pct", "planned": 60.0,
         "actual": None, "difference": None, "tracked": False},
        {"program": "prog-a", "country": None, "measure": "value_usd_millions",
         "planned": 100.0, "actual": 120.0, "difference": 20.0, "tracked": True},
    ]
    assert variances(registry.programs, "USA", "KOR") == []


def test_check_json_shape(registry: Registry) -> None:
    result = check(registry.programs, registry.transfers, "USA", "JPN")
    data = result.answer().model_dump(mode="json")
    # the published keys, in their published order ("from", not the model's from_)
    assert list(data) == ["a", "b", "years", "tested", "unmatched", "variances", "matched"]
    assert list(data["unmatched"][0]) == ["transfer_id", "from", "to", "year", "program",
                                          "technology", "reason"]
    assert list(data["variances"][0]) == ["program", "country", "measure", "planned", "actual",
                                          "difference", "tracked"]
