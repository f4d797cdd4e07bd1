"""partners --allies-only: only the partners allied with A (ATOP) in the span's last year."""

from __future__ import annotations

import json
from pathlib import Path

from atop_helpers import member_row, write_members


def test_partners_allies_only(run_main, classic_db: Path, tmp_path: Path):
    # Japan's partners in the composed register are USA and GBR (tests/queries/test_partners)
    everyone = json.loads(run_main("--db", classic_db, "partners", "JPN", "--format",
                                   "json").stdout)
    assert {r["partner"] for r in everyone} == {"USA", "GBR"}
    refused = run_main("--db", classic_db, "partners", "JPN", "--allies-only")
    assert refused.exit_code == 3 and "ingest atop" in refused.output
    atop_file = write_members(tmp_path / "atop-member-level.csv", [
        member_row(3375, 2, 1960, obligations=("defense", "consul")),
        member_row(3375, 740, 1960),
        member_row(2095, 200, 1921, 1931), member_row(2095, 740, 1921, 1931),
    ])
    assert run_main("--db", classic_db, "ingest", "atop", atop_file).exit_code == 0
    allies = run_main("--db", classic_db, "partners", "JPN", "--allies-only", "--format", "json")
    assert allies.exit_code == 0, allies.output
    rows = json.loads(allies.stdout)
    assert [(r["rank"], r["partner"]) for r in rows] == [(1, "USA")]
    csv_out = run_main("--db", classic_db, "partners", "JPN", "--allies-only", "--format",
                       "csv").stdout
    assert "Alliance Treaty Obligations and Provisions" in csv_out


def test_dyad_table_says_since_when_the_pair_is_allied(run_main, classic_db: Path,
                                                      tmp_path: Path):
    before = run_main("--db", classic_db, "dyad", "USA", "JPN")
    assert before.exit_code == 0 and "Allied since" not in before.output
    atop_file = write_members(tmp_path / "atop-member-level.csv", [
        member_row(3375, 2, 1960, obligations=("defense", "consul")),
        member_row(3375, 740, 1960, obligations=("consul",)),
    ])
    assert run_main("--db", classic_db, "ingest", "atop", atop_file).exit_code == 0
    out = " ".join(run_main("--db", classic_db, "dyad", "USA", "JPN").output.split())
    assert "Allied since 1960" in out and "3375 (from 1960)" in out
    assert "one-sided: defence by the United States only" in out
