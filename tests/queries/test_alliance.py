"""alliance: whether a pair is allied, since when, by which obligations per member (ATOP)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from atop_helpers import member_row, write_members
from reciprocity.queries.alliance import alliance, allies_of
from reciprocity.sources import atop, registry
from reciprocity.store.db import Store

END = atop.COVERAGE_END


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    path = write_members(tmp_path / "atop-member-level.csv", [
        # USA–JPN: two earlier treaties with gaps, then 3220 (1951–1960, defence on the U.S.
        # side only) followed without a gap by 3375 (1960–, still in effect)
        member_row(1455, 2, 1908, 1910), member_row(1455, 740, 1908, 1910),
        member_row(2095, 2, 1921, 1931), member_row(2095, 740, 1921, 1931),
        member_row(3220, 2, 1951, 1960, obligations=("defense", "consul")),
        member_row(3220, 740, 1951, 1960),
        member_row(3375, 2, 1960, obligations=("defense", "nonagg", "consul")),
        member_row(3375, 740, 1960, obligations=("nonagg", "consul")),
        # COW 365 (Soviet Union, then Russia) with India: 1962–64, then 1971–1993 and 1993–
        member_row(3460, 365, 1962, 1964), member_row(3460, 750, 1962, 1964),
        member_row(3675, 365, 1971, 1993, obligations=("neutral", "nonagg", "consul")),
        member_row(3675, 750, 1971, 1993, obligations=("neutral", "nonagg", "consul")),
        member_row(4415, 365, 1993, obligations=("consul",)),
        member_row(4415, 750, 1993, obligations=("consul",)),
        # one alliance, two phases: defence added in phase 2 for Germany only
        member_row(4175, 255, 1992, 2007, phase=1), member_row(4175, 220, 1992, 2007, phase=1),
        member_row(4175, 255, 2007, phase=2, obligations=("defense", "consul")),
        member_row(4175, 220, 2007, phase=2),
        # GBR left before CAN joined: never members at the same time
        member_row(5000, 200, 1950, 1955), member_row(5000, 20, 1960),
    ])
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest(registry.get("atop"), path)
        yield s


def test_allied_since_spans_consecutive_treaties_not_gaps(store: Store):
    got = alliance(store, "USA", "JPN")
    assert got["allied_since"] == 1951
    assert got["as_of"] == END
    assert [(t["atopid"], t["start"], t["end"]) for t in got["treaties"]] == [
        (1455, 1908, 1910), (2095, 1921, 1931), (3220, 1951, 1960), (3375, 1960, None)]
    # as of a year inside an earlier treaty: the run that holds that year
    assert alliance(store, "USA", "JPN", year=1925)["allied_since"] == 1921
    assert alliance(store, "USA", "JPN", year=1940)["allied_since"] is None  # a gap


def test_obligations_are_per_member_and_can_be_one_sided(store: Store):
    treaties = {t["atopid"]: t for t in alliance(store, "JPN", "USA")["treaties"]}
    assert treaties[3220]["obligations"] == {"JPN": ["consul"], "USA": ["defense", "consul"]}
    assert treaties[3375]["obligations"]["USA"] == ["defense", "nonagg", "consul"]
    assert treaties[3375]["obligations"]["JPN"] == ["nonagg", "consul"]


def test_phases_listed_when_terms_changed(store: Store):
    (t,) = alliance(store, "DEU", "FRA")["treaties"]
    assert t["obligations"] == {"DEU": ["defense", "consul"], "FRA": ["consul"]}
    assert t["phases"] == [{"phase": 1, "obligations": {"DEU": ["consul"], "FRA": ["consul"]}},
                           {"phase": 2, "obligations": {"DEU": ["defense", "consul"],
                                                        "FRA": ["consul"]}}]
    assert "phases" not in alliance(store, "USA", "JPN")["treaties"][0]


def test_soviet_union_and_russia_are_one_cow_state(store: Store):
    rus, sun = alliance(store, "RUS", "IND"), alliance(store, "SUN", "IND")
    assert rus["allied_since"] == sun["allied_since"] == 1971
    assert [t["atopid"] for t in rus["treaties"]] == [3460, 3675, 4415]


def test_members_at_different_times_are_not_allied(store: Store):
    got = alliance(store, "GBR", "CAN")
    assert got["allied_since"] is None and got["treaties"] == []
    assert alliance(store, "USA", "IND") == {**alliance(store, "USA", "IND"),
                                            "allied_since": None, "treaties": []}


def test_allies_of_in_the_latest_year(store: Store):
    assert allies_of(store, "USA") == {"JPN"}
    assert allies_of(store, "IND") == {"RUS", "SUN"}
    assert allies_of(store, "GBR") == set()
    assert allies_of(store, "USA", year=1925) == {"JPN"}


def test_no_atop_vintage_gives_none(tmp_path: Path):
    with Store(tmp_path / "empty.duckdb") as s:
        assert alliance(s, "USA", "JPN") is None
        assert allies_of(s, "USA") is None


def test_dyad_json_carries_the_alliance(store: Store, classic_store: Store):
    from reciprocity.queries.dyad import dyad

    data = dyad(store, "USA", "JPN").to_dict()
    got = data["alliance"]
    assert got["allied_since"] == 1951
    assert got["credit"] in data["credits"]   # ATOP's data appear, so does its credit line
    assert [t["atopid"] for t in got["treaties"]][-2:] == [3220, 3375]
    assert dyad(store, "USA", "JPN", until=1925).to_dict()["alliance"]["allied_since"] == 1921
    # no ATOP vintage in the store: the key is there, null
    out = dyad(classic_store, "USA", "JPN").to_dict()
    assert "alliance" in out and out["alliance"] is None
    assert not any("ATOP" in c for c in out["credits"])
