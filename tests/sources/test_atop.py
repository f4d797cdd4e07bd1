"""ATOP v4 member-level file: the real file, small files in its layout, and every way a bad
file is refused (file, line, field, expected; nothing stored)."""

from __future__ import annotations

from pathlib import Path

import pytest

from atop_helpers import member_row, write_members
from reciprocity.errors import FormatError, InputError
from reciprocity.sources import atop, registry
from reciprocity.store.db import Store
from sipri_helpers import shared_path


@pytest.fixture(scope="session")
def atop_dir(shared_raw: Path) -> Path:
    return shared_path("atop_v4/atop-member-level.csv").parent


# -- the real file ---------------------------------------------------------------------------
def test_real_member_file(atop_dir: Path):
    parsed = atop.SOURCE.read(atop_dir / "atop-member-level.csv")
    rec = parsed.records["atop_members"]
    # SOURCE.md: 2,398 member records, 208 distinct member codes, 745 alliances.
    assert len(rec) == parsed.rows_read == 2398
    assert rec["cow_code"].nunique() == 208
    assert parsed.notes["alliances"] == 745
    assert parsed.flows.empty
    # SOURCE.md: U.S.–Japan in 3220 (1951–1960) and 3375 (1960–), defence on the U.S. side only.
    usjp = rec[rec["atopid"].isin([3220, 3375]) & rec["code"].isin(["USA", "JPN"])]
    got = {(int(r.atopid), r.code): (int(r.start_year), r.end_year, bool(r.defense))
           for r in usjp.itertuples()}
    assert got[(3220, "USA")] == (1951, 1960, True)
    assert got[(3220, "JPN")][2] is False
    assert got[(3375, "USA")][0] == 1960 and pd_na(got[(3375, "USA")][1])
    assert got[(3375, "JPN")][2] is False
    # the first line of data is line 2 (record_id is the line number)
    assert int(rec["record_id"].min()) == 2
    assert set(rec.loc[rec["cow_code"] == 365, "code"]) == {"RUS"}


def pd_na(value: object) -> bool:
    import pandas as pd
    return value is None or value is pd.NA or bool(pd.isna(value))


def test_ingest_a_folder_or_the_file_and_sources(atop_dir: Path, tmp_path: Path):
    with Store(tmp_path / "s.duckdb") as store:
        first = store.ingest(registry.get("atop"), atop_dir)
        assert first.records_loaded == 2398 and first.flows_loaded == 0
        assert store.query("SELECT count(*) AS n FROM atop_members")["n"][0] == 2398
        credit = store.query("SELECT credit FROM datasets WHERE dataset = 'atop'")["credit"][0]
    assert "Leeds" in credit and "International Interactions 28: 237-60" in credit
    assert "atop" in registry.names()
    assert registry.get("atop").sniff((atop_dir / "atop-member-level.csv").read_text()[:500])


# -- small files in the real layout -------------------------------------------------------
def test_fixture_one_sided_and_ongoing(tmp_path: Path):
    path = write_members(tmp_path / "m.csv", [
        member_row(3220, 2, 1951, 1960, obligations=("defense", "consul")),
        member_row(3220, 740, 1951, 1960),
        member_row(9999, 8152, 1874, 1875),  # ATOP's own code: kept without a country code
    ])
    rec = atop.SOURCE.read(path).records["atop_members"]
    assert rec["code"].tolist()[:2] == ["USA", "JPN"]
    assert rec["defense"].tolist() == [True, False, False]
    assert pd_na(rec["code"].iloc[2])


def problems_of(tmp_path: Path, rows: list[dict[str, object]]) -> list[str]:
    path = write_members(tmp_path / "bad.csv", rows)
    with pytest.raises(FormatError) as err:
        atop.SOURCE.read(path)
    return [f"{p.location} | {p.found} | {p.expected}" for p in err.value.problems]


def test_bad_values_listed_with_file_line_field_expected(tmp_path: Path):
    got = problems_of(tmp_path, [
        member_row(1, 2, 1951),
        member_row(1, 99998, 1951),                 # line 3: unknown COW code
        member_row(1, 740, 1700),                   # line 4: year before ATOP's first
        member_row(1, 740, 1951, defense=2),        # line 5: not 0/1
        member_row(1, 740, 1951, 1949),             # line 6: leaves before it enters
        member_row("x", 740, 1951),                 # line 7: atopid not a number
    ])
    assert len(got) == 5
    assert got[0].startswith("bad.csv, line 3, member | '99998'") and "COW state" in got[0]
    assert got[1].startswith("bad.csv, line 4, yrent | '1700'") and "1815" in got[1]
    assert got[2] == "bad.csv, line 5, defense | '2' | 0 or 1"
    assert got[3].startswith("bad.csv, line 6, yrexit | '1949'")
    assert got[4].startswith("bad.csv, line 7, atopid | 'x'")


def test_alliance_level_file_refused_with_a_hint(tmp_path: Path):
    path = tmp_path / "atop-alliance-level.csv"
    path.write_text("atopid,cowid,cow4id,begyr,begmo,begday,endyr,mem1,mem2\n1005,,,1815,1,3,"
                    "1815,200,210\n")
    with pytest.raises(FormatError, match="alliance-level") as err:
        atop.SOURCE.read(path)
    assert err.value.problems[0].location == "atop-alliance-level.csv, line 1"


def test_ragged_row_and_empty_folder(tmp_path: Path):
    path = write_members(tmp_path / "m.csv", [member_row(1, 2, 1951)])
    path.write_text(path.read_text() + "1,,,740\n")
    with pytest.raises(FormatError) as err:
        atop.SOURCE.read(path)
    assert err.value.problems[0].location == "m.csv, line 3"
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"atop-member-level\.csv"):
        atop.SOURCE.read(tmp_path / "empty")


def test_bad_file_stores_nothing(tmp_path: Path):
    path = write_members(tmp_path / "m.csv", [member_row(1, 2, 1951, defense=7)])
    with Store(tmp_path / "s.duckdb") as store:
        with pytest.raises(FormatError):
            store.ingest(registry.get("atop"), path)
        assert store.query("SELECT count(*) AS n FROM vintages")["n"][0] == 0
