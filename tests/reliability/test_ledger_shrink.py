"""A ledger YAML cut at a line boundary (issue 15): valid YAML, but its last record is cut
short. The import refuses records that would lose what they have unless forced."""

from __future__ import annotations

from pathlib import Path

import pytest

from reciprocity.api import Reciprocity
from reciprocity.cli.app import main
from reciprocity.errors import InputError
from reciprocity.ledger import shrink
from reciprocity.ledger.starter import starter_text


def versions(r: Reciprocity) -> tuple:
    return tuple(r.store.con.execute(
        "SELECT count(*) FROM ledger_programs UNION ALL SELECT count(*) FROM ledger_transfers"
    ).fetchall())


def cut_inside_last_record(text: str) -> str:
    """The starter cut one line before the end of a record (from the middle on): the first
    such cut that is still a valid registry, its last record short of a line."""
    from reciprocity.ledger import io

    lines = text.splitlines(keepends=True)
    starts = [i for i, ln in enumerate(lines) if ln.startswith("  - id: ")]
    for start, end in zip(starts[len(starts) // 2:], starts[len(starts) // 2 + 1:],
                          strict=False):
        last = max(i for i in range(start, end) if lines[i].strip()
                   and not lines[i].lstrip().startswith("#"))
        cut = "".join(lines[:last])
        try:
            io.loads_yaml(cut)
        except InputError:
            continue
        return cut
    raise AssertionError("no cut inside a record gives a valid registry")


@pytest.fixture
def r(tmp_path: Path) -> Reciprocity:
    base = tmp_path / "us_japan.yaml"
    base.write_text(starter_text(), encoding="utf-8")
    with Reciprocity(tmp_path / "s.duckdb") as rec:
        rec.ledger_import(base, by="t")
        yield rec


def test_cut_inside_a_record_is_refused_and_writes_nothing(r: Reciprocity,
                                                           tmp_path: Path) -> None:
    cut = tmp_path / "cut" / "us_japan.yaml"
    cut.parent.mkdir()
    cut.write_text(cut_inside_last_record(starter_text()), encoding="utf-8")
    before = versions(r)
    with pytest.raises(InputError) as err:
        r.ledger_import(cut, by="t")
    assert "would lose" in str(err.value) and "--force" in str(err.value)
    assert len(err.value.problems) == 1
    assert err.value.problems[0].location.startswith("us_japan.yaml ")
    assert versions(r) == before
    result = r.ledger_import(cut, by="t", force=True)  # an intended removal
    assert len(result.changed) == 1 and versions(r) != before


def test_cut_between_records_changes_nothing(r: Reciprocity, tmp_path: Path) -> None:
    text = starter_text()
    lines = text.splitlines(keepends=True)
    starts = [i for i, ln in enumerate(lines) if ln.startswith("  - id: ")]
    cut = tmp_path / "between.yaml"
    cut.write_text("".join(lines[:starts[len(starts) // 2]]), encoding="utf-8")
    before = versions(r)
    result = r.ledger_import(cut, by="t")
    assert not result.added and not result.changed and result.unchanged
    assert versions(r) == before


def test_changed_values_are_no_shrink() -> None:
    old = {"id": "t", "technology": "radar", "firms": ["A", "B"],
           "value": {"amount_millions": 5, "currency": "USD"}, "notes": "long note"}
    assert shrink.lost(old, {**old, "technology": "sonar", "firms": ["A", "C"],
                             "value": {"amount_millions": 7, "currency": "EUR"}}) == []
    assert shrink.lost(old, {**old, "firms": ["A"], "value": None, "notes": "long"}) == [
        "firms[1]", "value.amount_millions", "value.currency", "notes (text cut short)"]


def test_cli_refuses_with_exit_2_and_force_accepts(r: Reciprocity, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    cut = tmp_path / "cut.yaml"
    cut.write_text(cut_inside_last_record(starter_text()), encoding="utf-8")
    db = r.store.path
    r.close()
    with pytest.raises(SystemExit) as refused:
        main(["--db", str(db), "ledger", "import", str(cut)])
    assert refused.value.code == 2
    assert "--force" in capsys.readouterr().err
    with pytest.raises(SystemExit) as forced:
        main(["--db", str(db), "ledger", "import", str(cut), "--force"])
    assert not forced.value.code
    assert "1 changed" in capsys.readouterr().out


def test_the_shipped_starter_may_drop_what_a_store_has(r: Reciprocity, tmp_path: Path) -> None:
    """The package's own registry is whole: re-importing it (demo) takes its records as they
    are, even where a store's version has a field more (here a local note)."""
    import yaml

    from reciprocity.ledger.starter import load_starter

    record = r.ledger.current().programs[0].model_dump(mode="json")
    record["notes"] = (record.get("notes") or "") + " A local note."
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump({"programs": [record]}), encoding="utf-8")
    r.ledger_import(edited, by="t")
    result = load_starter(r)
    assert [x for x in result.changed] == [record["id"]]
