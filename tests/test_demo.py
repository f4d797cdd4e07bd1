"""The demo: a fresh store from the data folder, the U.S.–Japan brief and its CSV files."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from reciprocity import demo as demo_mod
from reciprocity.errors import NotFoundError, ReciprocityError
from reciprocity.sources import registry
from reciprocity.store.db import Store
from sipri_helpers import CREDIT, RECIPIENT, SUPPLIER, TIV_DELIVERED, YEARS, shared_path, snapshot

EXPECTED_FILES = {
    "usa_jpn_arms_by_year.csv", "usa_jpn_arms_by_decade.csv", "usa_jpn_arms_by_mode.csv",
    "usa_jpn_arms_rolling_5y.csv", "jpn_to_usa_arms_records.csv", "jpn_arms_partners.csv",
    "CREDITS.txt",
}


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory, shared_raw):
    """``reciprocity --db DB demo --out DIR`` run once, through the console-script entry point."""
    from typer.testing import CliRunner

    from reciprocity.cli.app import main

    tmp = tmp_path_factory.mktemp("demo")
    db, out = tmp / "demo.duckdb", tmp / "out"
    runner = CliRunner()
    with runner.isolation(env={"RECIPROCITY_DATA": str(shared_raw), "RECIPROCITY_DB": None,
                               "COLUMNS": "200"}) as (stdout, stderr, _):
        try:
            with pytest.raises(SystemExit) as exc:
                main(["--db", str(db), "demo", "--out", str(out)])
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        text, err = stdout.getvalue().decode(), stderr.getvalue().decode()
    return exc.value.code, text, err, db, out


def test_demo_exits_cleanly_and_prints_the_brief(demo_run):
    code, text, err, db, _ = demo_run
    assert code in (0, None), err
    assert "United States ⇄ Japan" in text
    assert CREDIT in text
    assert "reciprocity diff sipri" in text  # the two full vintages were compared
    assert db.is_file()


def test_demo_prints_the_briefing_headline(demo_run):
    """The demo opens with the same headline sentence as the briefing's page 1."""
    from reciprocity.api import Reciprocity
    from reciprocity.report.headline import sentence

    _, text, _, db, _ = demo_run
    with Reciprocity(db, read_only=True) as r:
        expected = sentence(r.dyad("USA", "JPN").to_dict(),
                            r.composite_index("USA", "JPN").answer().model_dump(mode="json"))
    assert expected[:60] in " ".join(text.split())
    assert " ".join(expected.split()) in " ".join(text.split())


def test_demo_writes_csv_files_with_the_credit_line(demo_run):
    _, _, _, _, out = demo_run
    assert {p.name for p in out.iterdir()} >= EXPECTED_FILES
    for name in EXPECTED_FILES - {"CREDITS.txt"}:
        rows = read_csv(out / name)
        assert rows, name
        assert all(CREDIT in r["credit"] for r in rows), name
    assert CREDIT in (out / "CREDITS.txt").read_text(encoding="utf-8")


def test_demo_figures_match_the_register(demo_run, full_rows):
    _, _, _, _, out = demo_run
    ab = sum(float(r[TIV_DELIVERED]) for _, r in full_rows if r[SUPPLIER] == "United States"
             and r[RECIPIENT] == "Japan" and r[YEARS].strip())
    ba = sum(float(r[TIV_DELIVERED]) for _, r in full_rows if r[SUPPLIER] == "Japan"
             and r[RECIPIENT] == "United States" and r[YEARS].strip())
    by_year = read_csv(out / "usa_jpn_arms_by_year.csv")
    assert sum(float(r["flow_ab"]) for r in by_year) == pytest.approx(ab)
    assert sum(float(r["flow_ba"]) for r in by_year) == pytest.approx(ba)
    decades = read_csv(out / "usa_jpn_arms_by_decade.csv")
    assert sum(float(r["flow_ab"]) for r in decades) == pytest.approx(ab)
    reverse = read_csv(out / "jpn_to_usa_arms_records.csv")
    assert sum(float(r["magnitude"]) for r in reverse) == pytest.approx(ba)
    assert {r["designation"] for r in reverse} == {"MIM-104 PAC-3 MSE", "Beechjet-400",
                                                   "DC-10-40"}
    partners = {r["partner"]: r for r in read_csv(out / "jpn_arms_partners.csv")}
    assert float(partners["USA"]["flow_ab"]) == pytest.approx(ba)


def test_demo_store_is_marked_and_holds_every_vintage(demo_run):
    _, _, _, db, _ = demo_run
    with Store(db, read_only=True) as store:
        marker = store.con.execute(
            "SELECT value FROM store_info WHERE key = 'created_by'").fetchone()
        assert marker == ("demo",)
        vintages = store.vintages().set_index("vintage_id")
    assert {"sipri_arms_transfers/2026-05-18", "sipri_arms_transfers/2025-03-13",
            "sipri_arms_transfers/2025-02-17"} <= set(vintages.index)
    sipri = vintages[vintages["dataset"] == "sipri_arms_transfers"]
    assert sipri["is_default"].sum() == 1
    assert bool(vintages.at["sipri_arms_transfers/2026-05-18", "is_default"])


def test_demo_reads_every_sipri_export_and_answers_from_the_newest_register(demo_run,
                                                                           shared_raw):
    """The per-year exports are vintages too (April 2024 in two parts, a partial Feb 2026
    copy); the default stays the complete May 2026 register, and --vintage reaches them."""
    from reciprocity.queries.dyad import dyad

    _, _, _, db, _ = demo_run
    per_year, feb = "sipri_arms_transfers/2024-04-16", "sipri_arms_transfers/2026-02-12"
    with Store(db, read_only=True) as store:
        v = store.vintages().set_index("vintage_id")
        shared_path("sipri_register_per_year_all", kind="dir")
        assert v.at[per_year, "layout"] == v.at[feb, "layout"] == "per_delivery_year"
        assert v.at[per_year, "rows_read"] == 59_157
        assert bool(v.at[per_year, "is_complete"]) and not bool(v.at[feb, "is_complete"])
        assert not v.at[per_year, "is_default"] and not v.at[feb, "is_default"]
        assert dyad(store, "USA", "JPN", channel="arms").vintages == [
            "sipri_arms_transfers/2026-05-18"]
        chosen = dyad(store, "USA", "JPN", channel="arms", vintage="2024-04-16")
        assert chosen.vintages == [per_year]
        by_year = chosen.by_year.set_index("year")["flow_ab"]
        assert by_year[1985] == pytest.approx(1_846.0, abs=0.05)
        assert by_year[2020] == pytest.approx(928.2, abs=0.05)
        feb_by_year = dyad(store, "USA", "JPN", channel="arms",
                           vintage=feb).by_year.set_index("year")
        assert feb_by_year.at[2022, "flow_ab"] == pytest.approx(1_506.9, abs=0.05)
        estimated = store.query("SELECT count(*) AS n FROM flows WHERE vintage_id IN (?, ?) "
                                "AND is_estimated", [per_year, feb])
        assert estimated.at[0, "n"] == 0


def test_demo_refuses_to_wipe_a_store_it_did_not_create(run_main, tmp_path, classic_file,
                                                        shared_raw):
    db = tmp_path / "mine.duckdb"
    with Store(db) as store:
        store.ingest(registry.get("sipri"), classic_file)
        before = snapshot(store)
    result = run_main("--db", db, "demo", "--out", tmp_path / "out",
                      env={"RECIPROCITY_DATA": str(shared_raw)})
    assert result.exit_code == ReciprocityError.exit_code == 1
    assert "was not made by the demo" in result.stderr
    assert "--db" in result.stderr  # it says what to do instead
    with Store(db, read_only=True) as store:
        assert snapshot(store) == before
    assert not (tmp_path / "out").exists()


def test_demo_refuses_a_file_that_is_not_a_store(tmp_path):
    other = tmp_path / "notes.duckdb"
    other.write_text("my notes")
    with pytest.raises(ReciprocityError, match="was not made by the demo"):
        demo_mod.run(other, None, log=lambda m: None)
    assert other.read_text() == "my notes"


def test_demo_rebuilds_its_own_store(tmp_path):
    db = tmp_path / "own.duckdb"
    with Store(db) as store:
        store.con.execute("INSERT INTO store_info VALUES ('created_by', 'demo')")
    demo_mod._fresh(db)
    assert not db.exists()


def test_demo_data_folder_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RECIPROCITY_DATA", str(tmp_path))
    assert demo_mod.data_dir() == tmp_path
    monkeypatch.setenv("RECIPROCITY_DATA", str(tmp_path / "absent"))
    with pytest.raises(NotFoundError):
        demo_mod.data_dir()


def test_demo_says_how_much_was_made_in_japan_and_whose_design_went_back(demo_run):
    _, text, _, db, out = demo_run
    flat = " ".join(text.split())
    with Store(db, read_only=True) as store:
        modes = store.query(
            "SELECT mode, sum(magnitude) AS tiv FROM flows WHERE vintage_id = "
            "'sipri_arms_transfers/2026-05-18' AND origin = 'USA' AND destination = 'JPN' "
            "GROUP BY mode").set_index("mode")["tiv"]
        flag = store.query(
            "SELECT sum(magnitude) FILTER (WHERE mode = 'licensed_production') AS lp, "
            "sum(magnitude) AS total FROM flows WHERE vintage_id = "
            "'sipri_arms_transfers/2024-04-16' AND origin = 'USA' AND destination = 'JPN'")
    lp, total = modes["licensed_production"], modes.sum()
    assert 0.6 < lp / total < 0.65          # 42,586 of 68,143 in the May 2026 register
    assert (f"Licensed or local production in Japan: {lp:,.0f} of {total:,.0f} million TIV "
            f"({100 * lp / total:.0f}%)") in flat
    assert f"{flag.at[0, 'lp']:,.0f} of {flag.at[0, 'total']:,.0f}" in flat   # SIPRI's flag
    # Beechjet-400 (Japan's design built under licence in the USA) and PAC-3 MSE (a U.S.
    # design built in Japan) split Japan → U.S. by design
    assert ("Japan → United States: 703 million TIV, of which 648 carried a Japanese design"
            in flat)
    assert "15 a U.S. design built in Japan" in flat
    design = read_csv(out / "usa_jpn_arms_by_design.csv")
    back = {r["design"]: float(r["value"]) for r in design if r["direction"] == "b_to_a"}
    assert back == pytest.approx({"supplier_licensed": 648.0, "recipient": 15.0,
                                  "not_stated": 40.0})
    assert "Largest arms exporters 2021–2025" in flat


def test_demo_ends_with_the_next_commands_and_they_work_as_printed(demo_run, run_main):
    """The last lines are what to type next; each works exactly as printed (``serve`` keeps
    running, so it is only checked to be there)."""
    import shlex

    code, text, _, db, _ = demo_run
    assert code in (0, None)
    tail = text.rsplit("Next", 1)[1]
    lines = [line.strip() for line in tail.splitlines()
             if line.strip().startswith(("reciprocity ", ". "))]
    commands = [line for line in lines if line.startswith("reciprocity ")]
    assert commands and commands[-1].endswith(" serve"), lines
    assert all(lines.index(c) > 0 or not lines[0].startswith(". ") for c in commands)
    for command in commands[:-1]:
        args = shlex.split(command)[1:]
        result = run_main(*args)
        assert result.exit_code == 0, f"{command}\n{result.output}"
        assert result.stdout.strip(), command
    assert str(db.name) in " ".join(commands) or all("--db" not in c for c in commands)
