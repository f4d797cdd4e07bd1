"""assess allies A: flows with treaty allies (ATOP, each year) against other partners, the
two-way index with each ally, and no classification after ATOP's last year."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atop_helpers import member_row, write_members
from reciprocity.assess.allies import allies
from reciprocity.assess.config import load_settings
from reciprocity.sources import atop, registry
from reciprocity.store.db import Store

END = atop.COVERAGE_END  # 2016


def flow(origin: str, destination: str, year: int, magnitude: float) -> dict[str, object]:
    return {"channel": "arms", "origin": origin, "destination": destination, "year": year,
            "magnitude": magnitude}


ROWS = ([flow("USA", "JPN", y, 100.0 + y - 2005) for y in range(2005, END + 1)]
        + [flow("JPN", "USA", y, 10.0) for y in (2006, 2009, 2012, 2015)]
        + [flow("GBR", "JPN", 2010, 50.0),     # before GBR and JPN are allied (2012)
           flow("FRA", "JPN", 2011, 30.0),     # never allied
           flow("JPN", "AUS", 2013, 8.0),      # never allied
           flow("USA", "JPN", END + 1, 400.0),  # after ATOP's data end
           flow("USA", "JPN", END + 2, 500.0)])


@pytest.fixture
def allies_db(assess_make_store, tmp_path: Path) -> Path:
    db = assess_make_store(ROWS, name="allies")
    members = write_members(tmp_path / "atop-member-level.csv", [
        member_row(3375, 2, 1960, obligations=("defense", "nonagg", "consul")),
        member_row(3375, 740, 1960, obligations=("nonagg", "consul")),
        member_row(9001, 200, 2012, obligations=("consul",)),
        member_row(9001, 740, 2012, obligations=("consul",)),
    ])
    with Store(db) as store:
        store.ingest(registry.get("atop"), members)
    return db


def test_shares_and_each_ally(allies_db: Path):
    with Store(allies_db, read_only=True) as store:
        result = allies(store, "JPN", since=2005, until=END + 2, cfg=load_settings())
    arms = result.shares.set_index("channel").loc["arms"]
    usa_in = sum(100.0 + y - 2005 for y in range(2005, END + 1))
    assert arms["imports"] == pytest.approx(usa_in + 50 + 30)
    assert arms["imports_from_allies"] == pytest.approx(usa_in)   # GBR's 2010 flow: not yet
    assert arms["import_share_allies"] == pytest.approx(usa_in / (usa_in + 80))
    assert arms["exports"] == pytest.approx(48.0)
    assert arms["export_share_allies"] == pytest.approx(40.0 / 48.0)
    assert arms["not_classified"] == pytest.approx(900.0)
    assert arms["not_classified_years"] == f"{END + 1}–{END + 2}"
    rows = result.allies.set_index("ally")
    assert list(rows.index) == ["USA"]  # GBR is an ally only in years without a flow
    usa = rows.loc["USA"]
    assert usa["flow_ab"] == pytest.approx(40.0) and usa["flow_ba"] == pytest.approx(usa_in)
    assert usa["index"] == pytest.approx(1 - abs(40.0 - usa_in) / (40.0 + usa_in))
    assert usa["ci_low"] < usa["index"] < usa["ci_high"]
    assert usa["sampling_units"] == 12 + 4
    assert usa["obligations_ally"] == "defense, nonagg, consul"
    assert usa["obligations_a"] == "nonagg, consul"   # one-sided: Japan has no defence duty
    assert result.allies_by_year[2011] == ["USA"]
    assert result.allies_by_year[2012] == ["GBR", "USA"]
    assert "not classified" in result.coverage_note()


def test_default_years_end_with_atop(allies_db: Path):
    with Store(allies_db, read_only=True) as store:
        result = allies(store, "JPN", cfg=load_settings())
    assert (result.since, result.until) == (END - 9, END)
    assert result.shares.set_index("channel").loc["arms", "not_classified"] == 0


def test_cli_json_and_refusals(run_main, allies_db: Path, assess_small_db: Path):
    out = run_main("--db", allies_db, "assess", "allies", "JPN", "--since", "2005",
                   "--format", "json", "--replicates", "200")
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["atop_until"] == END and data["channels"]["arms"]["allies_with_flows"] == 1
    assert [a["ally"] for a in data["allies"]] == ["USA"]
    assert any("ATOP" in c for c in data["credits"])
    table = run_main("--db", allies_db, "assess", "allies", "JPN", "--since", "2005",
                     "--replicates", "200")
    assert table.exit_code == 0 and f"cover years to {END}" in table.stdout
    late = run_main("--db", allies_db, "assess", "allies", "JPN", "--since", str(END + 1))
    assert late.exit_code == 2 and "ATOP" in late.stderr
    bad = run_main("--db", allies_db, "assess", "allies", "JPN", "--channel", "armz")
    assert bad.exit_code == 2
    none = run_main("--db", assess_small_db, "assess", "allies", "JPN")
    assert none.exit_code == 3 and "ingest atop" in none.stderr
