"""Validation: every bad input is reported, each problem with its place in the file."""

from __future__ import annotations

import csv
import io as io_

import pytest

from reciprocity.errors import FormatError, InputError
from reciprocity.ledger import io
from reciprocity.ledger.model import (
    StatusChange,
    is_before,
    parse_date,
    transition_problems,
)

BAD = """\
programs:
  - id: p1
    name: One
    partners: [USA, JPN]
    form: co_development
    workshare:
      - {country: USA, planned_pct: 60}
      - {country: JPN, planned_pct: 50}
    sources: []
  - id: p2
    name: Two
    partners: [USA, JPN]
    form: licensed_production
    workshare:
      - {country: USA, planned_pct: 120}
    sources:
      - {title: S, publisher: P}
transfers:
  - id: t1
    from: USA
    to: Atlantis
    technology: X
    status_history:
      - {status: executed, date: "1990"}
      - {status: approved, date: "1991"}
    sources:
      - {title: S, publisher: P}
  - id: t2
    from: JPN
    to: USA
    program: p2
    technology: Y
    status_history:
      - {status: approved, date: 1990-05-01}
      - {status: executed, date: 1989-12-31}
    sources:
      - {title: S, publisher: P}
  - id: t2
    from: JPN
    to: USA
    technology: Z
    status_history:
      - {status: proposed}
  - id: t3
    from: JPN
    to: USA
    technology: W
    program: nowhere
    kind: hardware
    status_history:
      - {status: executed, date: 2024-13-01}
    sources:
      - {title: S, publisher: P}
"""


APPROVED_1991 = 'status: approved, date: "1991"'


def _line(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line containing ``needle``."""
    hits = [i + 1 for i, ln in enumerate(text.splitlines()) if needle in ln]
    return hits[nth - 1]


def _step(status: str, date: str | None) -> StatusChange:
    return StatusChange(status=status, date=date)


def test_every_problem_is_listed_with_its_line() -> None:
    with pytest.raises(InputError) as info:
        io.loads_yaml(BAD, "bad.yaml")
    locations = {p.location: p for p in info.value.problems}
    expected = {
        # workshares over 100 %, in total and for one party
        f"bad.yaml:{_line(BAD, 'workshare:')} programs[0].workshare",
        f"bad.yaml:{_line(BAD, 'planned_pct: 120')} programs[1].workshare[0].planned_pct",
        # a record without a source
        f"bad.yaml:{_line(BAD, 'sources: []')} programs[0].sources",
        f"bad.yaml:{_line(BAD, 'id: t2', 2)} transfers[2].sources",
        # unknown country
        f"bad.yaml:{_line(BAD, 'to: Atlantis')} transfers[0].to",
        # transitions out of order, and dated backwards
        f"bad.yaml:{_line(BAD, APPROVED_1991)} transfers[0].status_history[1]",
        f"bad.yaml:{_line(BAD, '1989-12-31')} transfers[1].status_history[1]",
        # duplicate ids
        f"bad.yaml:{_line(BAD, 'id: t2', 2)} transfers[2].id",
        # a program that does not exist, a bad enum, an impossible date
        f"bad.yaml:{_line(BAD, 'program: nowhere')} transfers[3].program",
        f"bad.yaml:{_line(BAD, 'kind: hardware')} transfers[3].kind",
        f"bad.yaml:{_line(BAD, '2024-13-01')} transfers[3].status_history[0].date",
    }
    missing = expected - set(locations)
    assert not missing, (missing, sorted(locations))
    assert "Atlantis" in locations[f"bad.yaml:{_line(BAD, 'to: Atlantis')} transfers[0].to"].found
    assert "nothing was written" in info.value.message
    assert locations[f"bad.yaml:{_line(BAD, 'id: t2', 2)} transfers[2].sources"].found == (
        "no sources")


def test_program_with_a_transfer_outside_its_partners() -> None:
    text = """\
programs:
  - id: p
    name: P
    partners: [USA, JPN]
    form: other
    sources: [{title: S, publisher: P}]
transfers:
  - id: t
    from: USA
    to: KOR
    program: p
    technology: X
    status_history: [{status: executed, date: "2000"}]
    sources: [{title: S, publisher: P}]
"""
    with pytest.raises(InputError) as info:
        io.loads_yaml(text, "f.yaml")
    [problem] = info.value.problems
    assert problem.location == "f.yaml:11 transfers[0].program"
    assert "KOR" in problem.expected


def test_malformed_yaml_says_where() -> None:
    with pytest.raises(FormatError) as info:
        io.loads_yaml("programs:\n  - id: a\n   name: [unclosed\n", "m.yaml")
    [problem] = info.value.problems
    assert problem.location.startswith("m.yaml:")
    assert "well-formed YAML" in problem.expected


def test_empty_and_wrong_top_level() -> None:
    with pytest.raises(InputError):
        io.loads_yaml("", "e.yaml")
    with pytest.raises(InputError) as info:
        io.loads_yaml("- just\n- a list\n", "l.yaml")
    assert "a mapping" in info.value.problems[0].expected
    with pytest.raises(InputError) as info:
        io.loads_yaml("programs: []\nprogrammes: []\n", "k.yaml")
    assert info.value.problems[0].location == "k.yaml:2 programmes"


def test_unknown_keys_and_duplicate_keys_are_reported() -> None:
    text = """\
transfers:
  - id: t
    from: USA
    from: JPN
    to: JPN
    technolgy: typo
    status_history: [{status: executed, date: "2000"}]
    sources: [{title: S, publisher: P}]
"""
    with pytest.raises(InputError) as info:
        io.loads_yaml(text, "d.yaml")
    where = {p.location for p in info.value.problems}
    assert "d.yaml:4 transfers[0].from" in where  # given twice
    assert "d.yaml:6 transfers[0].technolgy" in where  # unknown key
    assert "d.yaml:2 transfers[0].technology" in where  # so the required one is missing


def _csv(rows: list[dict[str, str]]) -> str:
    out = io_.StringIO()
    writer = csv.DictWriter(out, fieldnames=io.CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_bad_csv_rows_name_line_and_column(ledger_write) -> None:
    good = {"id": "t1", "from": "USA", "to": "JPN", "technology": "Tech",
            "status_history": '[{"status": "executed", "date": "1990"}]',
            "sources": '[{"title": "S", "publisher": "P"}]'}
    bad = {"id": "t2", "from": "USA", "to": "Narnia", "technology": "Tech",
           "significance": "huge", "status_history": '[{"status": "executed"',
           "value_amount_millions": "x", "value_currency": "USD", "sources": "[]"}
    path = ledger_write("t.csv", _csv([good, bad]))
    with pytest.raises(InputError) as info:
        io.load(path)
    where = {p.location for p in info.value.problems}
    assert "t.csv:3 to" in where
    assert "t.csv:3 significance" in where
    assert "t.csv:3 status_history" in where  # malformed JSON
    assert "t.csv:3 value_amount_millions" in where
    assert "t.csv:3 sources" in where  # an empty list: no source


def test_csv_with_a_wrong_header(ledger_write) -> None:
    path = ledger_write("w.csv", "id,origin,to\nx,USA,JPN\n")
    with pytest.raises(FormatError) as info:
        io.load(path)
    assert info.value.problems[0].location == "w.csv:1"


def test_dates_and_transitions() -> None:
    assert parse_date(1986) == "1986"
    assert parse_date("1986-09") == "1986-09"
    assert parse_date(None) is None
    for bad in ("86", "1986-9", "2024-02-30", True, "soon"):
        with pytest.raises(ValueError):
            parse_date(bad)
    assert is_before("1989-12-31", "1990")
    assert not is_before("1990-12", "1990")  # same year: not before
    ok = [_step("proposed", "1985"), _step("approved", None),
          _step("executed", "1986-03-01")]
    assert transition_problems(ok) == []
    skipped = [_step("proposed", "1985"), _step("executed", "1986")]
    assert [i for i, *_ in transition_problems(skipped)] == [1]
    after_end = [_step("cancelled", "1985"), _step("approved", "1986")]
    assert "nothing after cancelled" in transition_problems(after_end)[0][2]
    backwards = [_step("approved", "1990-05"), _step("executed", "1990-04-30")]
    assert "before approved" in transition_problems(backwards)[0][1]


def test_valid_file_round_trips(ledger_yaml_text: str) -> None:
    registry = io.loads_yaml(ledger_yaml_text)
    assert [p.id for p in registry.programs] == ["prog-a", "prog-b"]
    assert registry.programs[1].partners == ("USA", "JPN")  # names resolved to codes
    again = io.loads_yaml(io.dumps_yaml(registry))
    assert again == registry
    csv_again = io.loads_csv(io.dumps_csv(registry.transfers), check_programs=False)
    assert csv_again.transfers == registry.transfers
