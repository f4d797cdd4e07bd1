"""Declared needs: the shipped 1995 U.S. needs, needs files and ledger YAML, bad entries."""

from __future__ import annotations

import pytest

from reciprocity.assess.needs import for_country, load_needs
from reciprocity.errors import InputError

GOOD = """\
format: reciprocity-needs/1
needs:
  - country: Japan
    area: aerospace
    priority: medium
    rationale: Engines for the next fighter.
    source: {title: A plan, publisher: A ministry, year: 2024}
"""


def test_the_1995_us_needs_ship_with_their_source():
    needs = load_needs()
    assert {n.area for n in needs} == {"microelectronics", "computing_ai",
                                       "advanced_materials", "advanced_manufacturing"}
    assert all(n.country == "USA" and n.priority == "high" for n in needs)
    for n in needs:
        assert "Defense Task Force" in n.source.title
        assert n.source.year == 1995 and "9294" in n.source.url
        assert "57" in str(n.source.page)
        # the JSON of a need's source: what the file gives, nothing empty added
        assert list(n.source.model_dump(mode="json")) == ["title", "publisher", "year", "url",
                                                          "page"]
    assert set(for_country(needs, "USA")) == {n.area for n in needs}
    assert for_country(needs, "JPN") == {}


def test_a_needs_file_and_a_ledger_yaml(tmp_path):
    path = tmp_path / "needs.yaml"
    path.write_text(GOOD, encoding="utf-8")
    (need,) = load_needs(path)
    assert (need.country, need.area, need.priority) == ("JPN", "aerospace", "medium")
    ledger = tmp_path / "ledger.yaml"
    ledger.write_text(GOOD.replace("reciprocity-needs/1", "reciprocity-ledger/1")
                      + "programs: []\n", encoding="utf-8")
    assert load_needs(ledger)[0].area == "aerospace"


def test_every_bad_entry_is_reported(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("""\
needs:
  - country: Atlantis
    area: warp_drive
    priority: urgent
    rationale: ""
    source: {title: X}
  - {country: USA, area: space, priority: low, rationale: ok, source: {title: Y, author: Z},
     colour: blue}
""", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_needs(path)
    where = {p.location for p in exc.value.problems}
    assert {"bad.yaml needs[0].country", "bad.yaml needs[0].area", "bad.yaml needs[0].priority",
            "bad.yaml needs[0].rationale", "bad.yaml needs[0].source",
            "bad.yaml needs[1].colour"} <= where


def test_a_need_twice_is_refused(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text(GOOD + GOOD.split("needs:\n", 1)[1], encoding="utf-8")
    with pytest.raises(InputError, match="1 problem"):
        load_needs(path)
