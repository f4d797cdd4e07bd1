"""The events' pydantic model read through validation.problems_from: every problem of a file
with its place, what was found and what was expected; one bad event hides no other's."""

from __future__ import annotations

from reciprocity.events.model import Event, parse_events

GOOD = {"id": "ev-a", "date": "1960-01-19", "countries": ["USA", "Japan"], "kind": "treaty",
        "title": "A treaty", "summary": "Composed.",
        "sources": [{"title": "T", "publisher": "P"}]}


def _problems(data: object, programs: set[str] | None = None) -> dict[str, tuple[str, str]]:
    _, problems = parse_events(data, lambda path: f"f.yaml {path}", programs)
    return {p.location: (p.found, p.expected) for p in problems}


def test_every_problem_is_located_with_found_and_expected() -> None:
    bad = {**GOOD, "id": "ev-b", "date": "1850", "countries": ["USA", "JPN", "Japan"],
           "kind": "alliance", "label": "x" * 30, "programs": ["nope"], "sources": [],
           "extra": 1}
    found = _problems({"format": "reciprocity-events/1", "events": [bad, GOOD,
                                                                  {**GOOD, "date": "1961"}]},
                      programs={"fsx-development"})
    assert found == {
        "f.yaml events[0].date": ("'1850'", "a year between 1900 and 2100"),
        "f.yaml events[0].countries[2]": ("JPN twice", "each country once"),
        "f.yaml events[0].kind": ("'alliance'", "one of treaty, agreement, export_control, "
                                  "program_milestone, dispute, report"),
        "f.yaml events[0].label": ("30 characters", "a chart label of at most 24 characters"),
        "f.yaml events[0].programs[0]": ("unknown program 'nope'", "the id of a program in "
                                         "the ledger (reciprocity ledger list --kind "
                                         "programs); import the ledger first"),
        "f.yaml events[0].sources": ("no sources", "at least one public source (title, "
                                     "publisher or author, year, url)"),
        "f.yaml events[0].extra": ("unknown key 'extra'", "one of " + ", ".join(
            Event.model_fields)),
        "f.yaml events[2].id": ("duplicate id 'ev-a'",
                                "ids unique in the file (first at events[1])"),
    }


def test_top_level_and_missing_values() -> None:
    found = _problems({"format": "other/1", "events": [{"id": "ev-x"}]})
    assert found["f.yaml format"][0] == "'other/1'"
    assert found["f.yaml events[0].date"] == (
        "nothing", "a date: YYYY, YYYY-MM or YYYY-MM-DD (the year at least)")
    assert found["f.yaml events[0].title"] == ("nothing", "a value for title")
    assert found["f.yaml events[0].sources"][0] == "no sources"
    assert _problems({"events": []}) == {"f.yaml events": ("no events", "a list of events "
                                                           "(events: - id: …)")}


def test_a_valid_event_keeps_its_values_and_dumps_compact() -> None:
    events, problems = parse_events({"events": [{**GOOD, "programs": ["p1", "p1"]}]},
                                    str, programs=None)
    assert problems == []
    (event,) = events
    assert event.countries == ("USA", "JPN") and event.programs == ("p1",)
    assert (event.year, event.precision, event.short) == (1960, "day", "A treaty")
    assert list(event.model_dump(mode="json")) == ["id", "date", "countries", "kind", "title",
                                                   "summary", "programs", "sources"]
