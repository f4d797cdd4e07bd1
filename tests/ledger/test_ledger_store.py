"""The ledger in the store: versions, the audit trail, refused writes leave nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from reciprocity.api import Reciprocity
from reciprocity.errors import InputError, NotFoundError, ReciprocityError
from reciprocity.ledger.model import Transfer


def test_import_is_idempotent(ledger_r: Reciprocity, ledger_yaml: Path) -> None:
    first = ledger_r.ledger_import(ledger_yaml, by="alice")
    assert sorted(first.added) == ["prog-a", "prog-b", "t-jp-1", "t-jp-2", "t-jp-3", "t-us-1",
                                   "t-us-2", "t-us-3"]
    assert first.vintage_id is not None
    versions = ledger_r.store.con.execute("SELECT count(*) FROM ledger_transfers").fetchone()
    vintages = ledger_r.store.vintages("reciprocity_ledger")
    again = ledger_r.ledger_import(ledger_yaml, by="alice")
    assert again.added == [] and again.changed == [] and len(again.unchanged) == 8
    assert again.vintage_id is None
    assert ledger_r.store.con.execute(
        "SELECT count(*) FROM ledger_transfers").fetchone() == versions
    assert len(ledger_r.store.vintages("reciprocity_ledger")) == len(vintages)


def test_history_shows_every_version(ledger_r: Reciprocity, ledger_yaml: Path,
                                     ledger_write) -> None:
    ledger_r.ledger_import(ledger_yaml, by="alice", reason="first load")
    ledger_r.ledger_set_status("t-jp-3", "executed", "2002-03-04", "delivered", by="bob")
    edited = ledger_yaml.read_text().replace("technology: Epsilon seeker",
                                             "technology: Epsilon seeker head")
    edited = edited.replace('      - {status: approved, date: "2001"}\n',
                            '      - {status: approved, date: "2001"}\n'
                            '      - {status: executed, date: "2002-03-04", '
                            'reason: delivered}\n')
    result = ledger_r.ledger_import(ledger_write("edited.yaml", edited), by="carol",
                                    reason="fix the name")
    assert result.changed == ["t-jp-3"]
    history = ledger_r.ledger_history("t-jp-3")
    assert [v.version for v in history] == [1, 2, 3]
    assert [v.changed_by for v in history] == ["alice", "bob", "carol"]
    assert [v.reason for v in history] == ["first load", "delivered", "fix the name"]
    assert history[0].changes == ("created",)
    assert history[1].changes == ("status_history",)
    assert history[2].changes == ("technology",)
    assert [v.record.status for v in history] == ["approved", "executed", "executed"]
    assert ledger_r.ledger_show("t-jp-3").technology == "Epsilon seeker head"
    # nothing is updated in place: version 1 is still as it was
    assert history[0].record.technology == "Epsilon seeker"


def test_set_status_out_of_order_is_refused_and_nothing_written(
        ledger_r: Reciprocity, ledger_yaml: Path, ledger_snap) -> None:
    ledger_r.ledger_import(ledger_yaml)
    before = ledger_snap(ledger_r.store)
    with pytest.raises(InputError) as info:  # already executed: nothing comes after it
        ledger_r.ledger_set_status("t-us-2", "approved", "1996-01-01", "late approval")
    assert "nothing was written" in info.value.message
    assert info.value.problems[0].location == "t-us-2.status_history[2]"
    with pytest.raises(InputError):  # proposed → executed skips approval
        ledger_r.ledger_set_status("t-jp-3", "proposed", "2002-01-01", "again")
    with pytest.raises(InputError) as info:  # dated before the approval of 2001
        ledger_r.ledger_set_status("t-jp-3", "executed", "2000-12-31", "backwards")
    assert "before approved" in info.value.problems[0].found
    with pytest.raises(InputError) as info:  # unknown status, bad date, no reason
        ledger_r.ledger_set_status("t-jp-3", "done", "31/12/2002", " ")
    assert len(info.value.problems) == 3
    with pytest.raises(InputError):  # a program is not a transfer
        ledger_r.ledger_set_status("prog-a", "executed", "2000", "x")
    with pytest.raises(NotFoundError):
        ledger_r.ledger_set_status("nope", "executed", "2000", "x")
    assert ledger_snap(ledger_r.store) == before


def test_set_status_same_year_is_allowed(ledger_r: Reciprocity, ledger_yaml: Path) -> None:
    ledger_r.ledger_import(ledger_yaml)
    updated = ledger_r.ledger_set_status("t-jp-3", "executed", "2001-11-30", "fast")
    assert isinstance(updated, Transfer)
    assert updated.status == "executed" and updated.executed_on == "2001-11-30"


def test_bad_import_writes_nothing(ledger_r: Reciprocity, ledger_yaml: Path, ledger_write,
                                   ledger_snap) -> None:
    ledger_r.ledger_import(ledger_yaml)
    before = ledger_snap(ledger_r.store)
    bad = ledger_yaml.read_text().replace("planned_pct: 60", "planned_pct: 70").replace(
        "to: JPN\n    program: prog-a", "to: Atlantis\n    program: prog-a")
    with pytest.raises(InputError) as info:
        ledger_r.ledger_import(ledger_write("bad.yaml", bad))
    where = [p.location for p in info.value.problems]
    assert any(w.endswith("programs[0].workshare") for w in where)
    assert any(w.endswith("transfers[0].to") for w in where)
    assert ledger_snap(ledger_r.store) == before


def test_import_refers_to_programs_in_the_ledger(ledger_r: Reciprocity, ledger_yaml: Path,
                                                 ledger_write) -> None:
    ledger_r.ledger_import(ledger_yaml)
    extra = """\
transfers:
  - id: t-new
    from: JPN
    to: USA
    program: prog-b
    technology: New thing
    status_history: [{status: executed, date: "1996"}]
    sources: [{title: S, publisher: P}]
"""
    assert ledger_r.ledger_import(ledger_write("extra.yaml", extra)).added == ["t-new"]
    clash = extra.replace("id: t-new", "id: prog-a")
    with pytest.raises(InputError) as info:
        ledger_r.ledger_import(ledger_write("clash.yaml", clash))
    assert "already the id" in info.value.problems[0].found


def test_delete_leaves_a_trace(ledger_r: Reciprocity, ledger_yaml: Path) -> None:
    ledger_r.ledger_import(ledger_yaml)
    with pytest.raises(InputError):  # still referred to by t-us-2
        ledger_r.ledger_delete("prog-b", "no longer needed")
    ledger_r.ledger_delete("t-us-3", "duplicate of another record", by="dave")
    assert "t-us-3" not in set(ledger_r.ledger_list("transfers")["id"])
    history = ledger_r.ledger_history("t-us-3")
    assert [v.is_deleted for v in history] == [False, True]
    assert history[-1].changes == ("deleted",)
    with pytest.raises(NotFoundError) as info:
        ledger_r.ledger_show("t-us-3")
    assert "deleted" in str(info.value)
    with pytest.raises(NotFoundError):
        ledger_r.ledger_history("never-there")


def test_list_frames(ledger_r: Reciprocity, ledger_yaml: Path) -> None:
    ledger_r.ledger_import(ledger_yaml)
    programs = ledger_r.ledger_list("programs")
    assert list(programs["id"]) == ["prog-a", "prog-b"]
    assert list(programs["transfers"]) == [2, 1]
    transfers = ledger_r.ledger_list("transfers")
    assert len(transfers) == 6
    assert transfers.set_index("id").loc["t-jp-3", "status"] == "approved"
    with pytest.raises(InputError):
        ledger_r.ledger_list("widgets")


def test_read_only_session_on_an_old_store(tmp_path: Path) -> None:
    """A store made before the ledger existed reads as an empty ledger."""
    from reciprocity.store.db import Store

    path = tmp_path / "old.duckdb"
    with Store(path) as store:  # the core tables, then without the ledger's
        for (name,) in store.con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_name LIKE "
                "'ledger%'").fetchall():
            store.con.execute(f"DROP TABLE {name}")
    with Reciprocity(path, read_only=True) as r:
        assert r.ledger.current().transfers == []
        assert r.ledger_check().unmatched == []


def test_rows_that_break_the_schema_are_refused_and_nothing_written(
        ledger_r: Reciprocity, ledger_yaml: Path, ledger_snap, monkeypatch) -> None:
    from reciprocity.ledger import flows

    ledger_r.ledger_import(ledger_yaml)
    before = ledger_snap(ledger_r.store)
    original = flows.build

    def bad_build(transfers, programs):
        flow_frame, record_frame, notes = original(transfers, programs)
        flow_frame.loc[0, "mode"] = "stolen"
        flow_frame.loc[1, "origin"] = None
        return flow_frame, record_frame, notes

    monkeypatch.setattr(flows, "build", bad_build)
    with pytest.raises(ReciprocityError, match="do not fit the store's schema") as info:
        ledger_r.ledger_set_status("t-jp-3", "executed", "2002-03-04", "delivered")
    message = str(info.value)
    assert "flows.mode: found values ['stolen']" in message
    assert "flows.origin rows [1]: found 1 empty value(s); expected a value" in message
    assert ledger_snap(ledger_r.store) == before
