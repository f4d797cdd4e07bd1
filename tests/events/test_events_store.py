"""The events store: import/export round trip, bad input refused whole, audit trail,
idempotent re-import, and which events a pair gets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reciprocity.api import Reciprocity
from reciprocity.errors import InputError, NotFoundError
from reciprocity.events import io


def _count(r: Reciprocity) -> int:
    return r.store.con.execute("SELECT count(*) FROM policy_events").fetchone()[0]


def test_import_export_round_trip(events_db: Path, events_file: Callable[..., Path],
                                  tmp_path: Path) -> None:
    with Reciprocity(events_db) as r:
        result = r.events_import(events_file(), by="tester")
        assert sorted(result.added) == ["ev-national", "ev-program", "ev-third", "ev-treaty"]
        exported = r.events_export()
        again = io.loads_yaml(exported, "exported.yaml")
        assert again == r.timeline.current()
        # re-importing the export into a fresh store gives the same events
    other = tmp_path / "other.duckdb"
    with Reciprocity(other) as r2:
        from reciprocity.ledger.starter import load_starter

        load_starter(r2)
        r2.events_import(events_file(exported, "exported.yaml"))
        assert r2.timeline.current() == again


def test_dates_stored_with_their_precision(events_db: Path,
                                           events_file: Callable[..., Path]) -> None:
    with Reciprocity(events_db) as r:
        r.events_import(events_file())
        rows = dict(r.store.con.execute(
            "SELECT event_id, date_precision || ' ' || CAST(date AS VARCHAR) "
            "FROM policy_events").fetchall())
        assert rows["ev-treaty"] == "day 1960-01-19"
        assert rows["ev-program"] == "month 1988-11-01"
        assert rows["ev-national"] == "year 1967-01-01"
        assert [e.date for e in r.timeline.current()][:3] == ["1960-01-19", "1967", "1988-11"]
        # countries given by name are stored as codes
        assert r.event("ev-treaty").countries == ("USA", "JPN")


def test_reimport_adds_nothing_and_changes_add_versions(
        events_db: Path, events_file: Callable[..., Path], events_yaml: str) -> None:
    with Reciprocity(events_db) as r:
        r.events_import(events_file(), by="first")
        assert _count(r) == 4
        again = r.events_import(events_file())
        assert again.added == [] and again.changed == [] and len(again.unchanged) == 4
        assert _count(r) == 4
        edited = events_yaml.replace("title: A treaty of both", "title: A treaty, retitled")
        result = r.events_import(events_file(edited, "edited.yaml"), by="second")
        assert result.changed == ["ev-treaty"] and _count(r) == 5
        trail = r.event_history("ev-treaty")
        assert [(v.version, v.changed_by, v.changes) for v in trail] == [
            (1, "first", ("created",)), (2, "second", ("title",))]
        assert trail[1].reason == "import edited.yaml"
        assert r.event("ev-treaty").title == "A treaty, retitled"
        r.timeline.delete("ev-treaty", "composed duplicate", by="third")
        assert [v.changes for v in r.event_history("ev-treaty")][-1] == ("deleted",)
        with pytest.raises(NotFoundError, match="deleted"):
            r.event("ev-treaty")
        assert "ev-treaty" not in [e.id for e in r.timeline.current()]


@pytest.mark.parametrize(("old", "new", "where", "found"), [
    ("kind: treaty", "kind: alliance", "events[0].kind", "'alliance'"),
    ('date: "1960-01-19"', 'date: "1960-13-01"', "events[0].date", "'1960-13-01'"),
    ('date: "1960-01-19"', "date: ''", "events[0].date", "nothing"),
    ("countries: [USA, Japan]", "countries: [USA, Atlantis]", "events[0].countries[1]",
     "unknown country 'Atlantis'"),
    ("programs: [fsx-development]", "programs: [no-such-program]", "events[2].programs[0]",
     "unknown program 'no-such-program'"),
    ("      - {title: Test source, author: Test author}\n", "      []\n",
     "events[1].sources", "no sources"),
])
def test_bad_input_refused_whole(events_db: Path, events_file: Callable[..., Path],
                                 events_yaml: str, old: str, new: str, where: str,
                                 found: str) -> None:
    text = events_yaml.replace(old, new)
    assert text != events_yaml
    with Reciprocity(events_db) as r:
        with pytest.raises(InputError) as info:
            r.events_import(events_file(text, "bad.yaml"))
        problems = [p for p in info.value.problems if where in p.location]
        assert problems, [str(p) for p in info.value.problems]
        assert problems[0].location.startswith("bad.yaml:")
        assert found in problems[0].found
        assert "nothing was written" in str(info.value)
        assert r.timeline.current() == []


def test_missing_source_line_and_expectation(events_db: Path,
                                             events_file: Callable[..., Path],
                                             events_yaml: str) -> None:
    text = events_yaml.replace(
        "    sources:\n      - {title: Test source, author: Test author}\n", "")
    with Reciprocity(events_db) as r, pytest.raises(InputError) as info:
        r.events_import(events_file(text, "nosrc.yaml"))
    (problem,) = info.value.problems
    assert problem.location == "nosrc.yaml:11 events[1].sources"
    assert "at least one public source" in problem.expected


def test_pair_listing_rules(events_db: Path, events_file: Callable[..., Path]) -> None:
    with Reciprocity(events_db) as r:
        r.events_import(events_file())
        ids = [e.id for e in r.events("USA", "JPN")]
        assert ids == ["ev-treaty", "ev-national", "ev-program"]  # not Japan–UK
        assert [e.id for e in r.events("JPN", "USA", joint_only=True)] == [
            "ev-treaty", "ev-program"]
        assert [e.id for e in r.events("USA", "JPN", kind="agreement")] == ["ev-program"]
        assert [e.id for e in r.events("USA", "JPN", since=1961, until=1980)] == [
            "ev-national"]
        assert [e.id for e in r.events("GBR", "JPN")] == ["ev-national", "ev-third"]
        with pytest.raises(InputError, match="--kind"):
            r.events("USA", "JPN", kind="alliance")
        with pytest.raises(InputError, match="after --until"):
            r.events("USA", "JPN", since=1990, until=1980)


def test_starter_timeline_loads_and_is_cited(events_db: Path) -> None:
    from reciprocity.events.starter import load_starter

    with Reciprocity(events_db) as r:
        first = load_starter(r)
        assert len(first.added) >= 20
        assert load_starter(r).added == []
        events = r.events("USA", "JPN")
        assert len(events) == len(first.added)
        assert all(e.sources for e in events)
        ids = {e.id for e in events}
        for needed in ("security-treaty-1951", "security-treaty-1960", "mda-agreement-1954",
                       "arms-export-principles-1967", "arms-export-guideline-1976",
                       "exchange-of-notes-1983", "toshiba-kongsberg-1987", "fsx-mou-1988",
                       "nrc-defense-task-force-1995", "three-principles-2014",
                       "atla-established-2015", "defense-guidelines-2015",
                       "licensed-exports-revision-2023"):
            assert needed in ids
        programs = {p.id for p in r.ledger.current().programs}
        linked = {pid for e in events for pid in e.programs}
        assert linked and linked <= programs
        assert r.event("security-treaty-1960").date == "1960-01-19"
        assert r.event("fsx-mou-1988").programs == ("fsx-development",)


def test_ledger_program_linked_by_an_event_is_not_deleted(
        events_db: Path, events_file: Callable[..., Path], events_yaml: str) -> None:
    with Reciprocity(events_db) as r:
        ledger = r.ledger.current()
        used = {t.program for t in ledger.transfers}
        free = sorted(p.id for p in ledger.programs if p.id not in used)[0]
        r.events_import(events_file(events_yaml.replace("programs: [fsx-development]",
                                                        f"programs: [{free}]")))
        with pytest.raises(InputError, match="linked by policy events ev-program"):
            r.ledger_delete(free, "test", by="tester")
        assert free in {p.id for p in r.ledger.current().programs}
        r.timeline.delete("ev-program", "test", by="tester")
        r.ledger_delete(free, "no event links it now", by="tester")
        assert free not in {p.id for p in r.ledger.current().programs}
