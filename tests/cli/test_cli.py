"""The command line end to end: ingest, dyad, partners, explain, sources, diff; errors."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path

import pytest

from reciprocity.errors import NotFoundError
from reciprocity.store.db import Store
from sipri_helpers import (
    CREDIT,
    FULL_VINTAGE,
    RECIPIENT,
    SUPPLIER,
    TIV_DELIVERED,
    VINTAGE_2025,
    YEARS,
    snapshot,
)

V1 = "sipri_arms_transfers/2026-01-12"
V2 = "sipri_arms_transfers/2026-03-14"
ROW_KEYS = {"flow_ab", "flow_ba", "unit", "balance", "share_b", "gl_index", "coverage_ratio"}


@pytest.fixture
def db(classic_db: Path) -> Path:
    """A closed store file holding the composed classic register."""
    return classic_db


@pytest.fixture
def db2(classic2_db: Path) -> Path:
    """The same store with a newer export of the register as a second vintage."""
    return classic2_db


def state(path: Path) -> dict[str, object]:
    with Store(path, read_only=True) as store:
        return snapshot(store)


def json_out(result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- entry point and exit codes -------------------------------------------------------------------
def test_main_maps_errors_to_exit_codes(run_main, run_app, tmp_path):
    absent = tmp_path / "absent.duckdb"
    result = run_main("--db", absent, "dyad", "USA", "JPN")
    assert result.exit_code == NotFoundError.exit_code == 3
    assert "Error:" in result.stderr and "no store at" in result.stderr
    assert str(absent) in result.stderr.replace("\n", "")
    # the Typer app itself lets the error through; only main() turns it into an exit code
    raw = run_app("--db", absent, "dyad", "USA", "JPN")
    assert isinstance(raw.exception, NotFoundError)
    assert not absent.exists()


def test_version_and_help(run_main):
    result = run_main("--version")
    assert result.exit_code == 0 and result.stdout.startswith("reciprocity ")
    result = run_main("--help")
    assert result.exit_code == 0
    for command in ("ingest", "dyad", "partners", "explain", "sources", "diff", "demo"):
        assert command in result.stdout


def test_db_from_environment(run_main, db):
    result = run_main("sources", "--format", "json", env={"RECIPROCITY_DB": str(db)})
    assert [v["vintage_id"] for v in json_out(result)] == [V1]


# -- ingest ------------------------------------------------------------------------------------
def test_ingest_end_to_end_and_twice(run_main, tmp_path, classic_file):
    path = tmp_path / "new.duckdb"
    first = run_main("--db", path, "ingest", "sipri", classic_file)
    assert first.exit_code == 0, first.output
    assert f"as vintage {V1}" in first.stdout
    assert "22 rows read, 22 records, 43 flows" in first.stdout
    assert "records rejoined after line break in comment: 1" in first.stdout
    assert CREDIT in first.stdout
    before = state(path)
    again = run_main("--db", path, "ingest", "sipri", classic_file)
    assert again.exit_code == 0
    assert f"Already ingested as {V1}" in again.stdout and "nothing added" in again.stdout
    assert state(path) == before


def test_ingest_new_layout(run_main, db, new_layout_file):
    result = run_main("--db", db, "ingest", "sipri", new_layout_file)
    assert result.exit_code == 0, result.output
    assert "as vintage sipri_arms_transfers/2025-02-20" in result.stdout
    out = json_out(run_main("--db", db, "dyad", "USA", "UKR", "--vintage", "2025-02-20",
                            "--format", "json"))
    assert out["channels"]["arms"]["flow_ab"] == pytest.approx(53.2)
    # a partial extract is not the default
    assert json_out(run_main("--db", db, "dyad", "USA", "UKR", "--format", "json"))[
        "channels"] == {}


BAD = {
    "not_sipri": ["not_sipri.csv is not a SIPRI trade-register export", "line 12", "expected"],
    "preamble_only": ["is not a SIPRI trade-register export", "line 12", "expected"],
    "truncated": ["truncated.csv", "line 35", "14 fields at the end of the file",
                  "expected 16 fields"],
    "truncated_quote": ["truncated_quote.csv", "line 17", "broken CSV", "expected"],
    "ragged": ["ragged.csv", "line 15", "17 fields", "expected 16 fields"],
    "utf16": ["utf16.csv: wrong encoding", "line 1", "expected"],
    "utf8": ["utf8.csv: wrong encoding", "line 31", "UTF-8", "expected Latin-1"],
    "unknown_names": ["2 unknown country name(s)", "line 14: found 'Freedonia'",
                      "line 16: found 'Sylvania'", "expected", "--aliases"],
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_input_exits_nonzero_with_message_and_store_unchanged(run_main, db, bad_files,
                                                                  kind):
    before = state(db)
    result = run_main("--db", db, "ingest", "sipri", bad_files[kind])
    assert result.exit_code == 2
    assert result.stderr.lstrip().startswith("Input error:")
    message = " ".join(result.stderr.split())
    for fragment in BAD[kind]:
        assert " ".join(fragment.split()) in message, (fragment, result.stderr)
    assert "Traceback" not in result.output
    assert state(db) == before


def test_unknown_names_are_mapped_by_an_alias_file(run_main, db, fixture_file):
    names = fixture_file("unknown_names.csv")
    aliases = fixture_file("aliases.csv")
    # --force: unknown_names.csv is much smaller than the classic fixture of its layout
    # (held back otherwise, see test_reliability's hold-back tests)
    result = run_main("--db", db, "ingest", "sipri", names, "--aliases", aliases, "--force")
    assert result.exit_code == 0, result.output
    out = json_out(run_main("--db", db, "dyad", "USA", "ITA", "--format", "json"))
    # unknown_names.csv (generated the same day) is the default vintage now
    assert out["channels"]["arms"]["flow_ab"] == 60
    out = json_out(run_main("--db", db, "dyad", "AUT", "JPN", "--format", "json"))
    assert out["channels"]["arms"]["flow_ab"] == 16


def test_bad_alias_file(run_main, db, fixture_file, tmp_path):
    bad = tmp_path / "aliases.csv"
    bad.write_text("name,code\nFreedonia,ITA\nSylvania,XXQ\n")
    before = state(db)
    result = run_main("--db", db, "ingest", "sipri", fixture_file("unknown_names.csv"),
                      "--aliases", bad)
    assert result.exit_code == 2
    assert f"{bad}:3" in result.stderr.replace("\n", "") and "XXQ" in result.stderr
    assert state(db) == before


def test_ingest_unknown_source_and_missing_file(run_main, db, tmp_path, classic_file):
    result = run_main("--db", db, "ingest", "nope", classic_file)
    assert result.exit_code == 2 and "unknown source 'nope'" in result.stderr
    result = run_main("--db", db, "ingest", "sipri", tmp_path / "missing.csv")
    assert result.exit_code == 2 and "no such file" in result.stderr


# -- dyad --------------------------------------------------------------------------------------
def test_dyad_json_has_every_key(run_main, db):
    out = json_out(run_main("--db", db, "dyad", "USA", "JPN", "--format", "json"))
    assert out["a"] == "USA" and out["b"] == "JPN"
    assert isinstance(out["channels"], dict) and set(out["channels"]) == {"arms"}
    arms = out["channels"]["arms"]
    assert ROW_KEYS | {"by_mode", "by_year"} <= set(arms)
    assert arms["unit"] == "tiv_millions"
    assert (arms["flow_ab"], arms["flow_ba"], arms["balance"]) == (159, 663, -504)
    assert arms["gl_index"] == pytest.approx(1 - 504 / 822)
    assert arms["share_b"] == pytest.approx(663 / 822)
    assert arms["coverage_ratio"] == pytest.approx(663 / 159)
    assert set(arms["by_mode"]) == {"new", "second_hand", "second_hand_modernized",
                                    "licensed_production"}
    for mode in arms["by_mode"].values():
        assert set(mode) >= ROW_KEYS
    assert arms["by_mode"]["licensed_production"]["flow_ba"] == 648
    years = [row["year"] for row in arms["by_year"]]
    assert years == list(range(1986, 2026))
    for row in arms["by_year"]:
        assert ROW_KEYS | {"year"} <= set(row)
    y1990 = arms["by_year"][years.index(1990)]
    assert (y1990["flow_ab"], y1990["gl_index"], y1990["coverage_ratio"]) == (0, None, None)
    assert CREDIT in out["credits"]


def test_dyad_filters_and_vintage(run_main, db2):
    out = json_out(run_main("--db", db2, "dyad", "JPN", "USA", "--since", "1990", "--until",
                            "2000", "--format", "json"))
    arms = out["channels"]["arms"]
    assert (arms["flow_ab"], arms["flow_ba"]) == (648, 12)
    assert [r["year"] for r in arms["by_year"]] == list(range(1990, 2001))
    newest = json_out(run_main("--db", db2, "dyad", "USA", "JPN", "--format", "json"))
    oldest = json_out(run_main("--db", db2, "dyad", "USA", "JPN", "--vintage", "2026-01-12",
                               "--format", "json"))
    assert newest["vintages"] == [V2] and oldest["vintages"] == [V1]
    assert newest["channels"]["arms"]["flow_ab"] == pytest.approx(159 + 2.5 + 656)
    assert oldest["channels"]["arms"]["flow_ab"] == 159
    lic = json_out(run_main("--db", db2, "dyad", "USA", "JPN", "--mode", "licensed_production",
                            "--format", "json"))
    assert set(lic["channels"]["arms"]["by_mode"]) == {"licensed_production"}
    win = json_out(run_main("--db", db2, "dyad", "USA", "JPN", "--window", "3", "--format",
                            "json"))
    assert win["window"] == 3


def test_dyad_table_shows_figures_and_credit_line(run_main, db):
    result = run_main("--db", db, "dyad", "USA", "JPN")
    assert result.exit_code == 0, result.output
    assert CREDIT in result.stdout
    assert "United States (USA)" in result.stdout and "Japan (JPN)" in result.stdout
    assert "licensed production" in result.stdout and "licensed_production" not in result.stdout
    assert "USA→JPN 159.0" in result.stdout and "JPN→USA 663.0" in result.stdout


def test_dyad_table_without_flows(run_main, db):
    result = run_main("--db", db, "dyad", "FRA", "JPN")
    assert result.exit_code == 0
    assert "No flows between" in result.stdout


def test_dyad_csv(run_main, db):
    result = run_main("--db", db, "dyad", "USA", "JPN", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {"year", "flow_ab", "flow_ba", "gl_index", "channel", "unit"} <= set(rows[0])
    assert [int(r["year"]) for r in rows] == list(range(1986, 2026))
    assert sum(float(r["flow_ab"]) for r in rows) == pytest.approx(159)
    assert sum(float(r["flow_ba"]) for r in rows) == pytest.approx(663)


@pytest.mark.parametrize(("args", "code", "fragment"), [
    (["dyad", "USA", "Freedonia"], 2, "Freedonia"),
    (["dyad", "USA", "USA"], 2, "two different countries"),
    (["dyad", "USA", "JPN", "--vintage", "1999"], 2, "unknown vintage '1999'"),
    (["dyad", "USA", "JPN", "--channel", "spies"], 2, "unknown channel 'spies'"),
    (["dyad", "USA", "JPN", "--since", "2000", "--until", "1990"], 2, "after --until"),
    (["dyad", "USA", "JPN", "--window", "0"], 2, "--window"),
    (["partners", "JPN", "--sort", "alphabet"], 2, "--sort"),
    (["explain", "USA", "JPN", "--channel", "spies"], 2, "unknown channel"),
    (["diff", "sipri"], 3, "a diff needs two"),
    (["diff", "nope"], 2, "unknown source or dataset 'nope'"),
    (["diff", "sipiri"], 2, "did you mean 'sipri'?"),
])
def test_query_errors_exit_nonzero_with_a_message(run_main, db, args, code, fragment):
    result = run_main("--db", db, *args)
    assert result.exit_code == code, result.output
    assert fragment in result.stderr
    assert "Traceback" not in result.output


# -- partners, explain, sources, diff ------------------------------------------------------------
def test_partners_json(run_main, db):
    out = json_out(run_main("--db", db, "partners", "JPN", "--format", "json"))
    assert isinstance(out, list) and len(out) == 2
    for row in out:
        assert {"partner", "flow_ab", "flow_ba", "gl_index"} <= set(row)
    assert [r["partner"] for r in out] == ["USA", "GBR"]
    assert (out[0]["flow_ab"], out[0]["flow_ba"]) == (663, 159)
    assert out[0]["gl_index"] == pytest.approx(1 - 504 / 822)


def test_partners_table_and_csv(run_main, db):
    table = run_main("--db", db, "partners", "USA")
    assert table.exit_code == 0 and CREDIT in table.stdout and "Egypt" in table.stdout
    result = run_main("--db", db, "partners", "USA", "--format", "csv", "--sort", "volume")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["partner"] for r in rows] == ["EGY", "JPN", "ISR", "UNK"]


def test_explain_json_has_vintage_and_row_ids(run_main, db2):
    out = json_out(run_main("--db", db2, "explain", "USA", "JPN", "--channel", "arms",
                            "--year", "2001", "--format", "json"))
    assert (out["channel"], out["year"]) == ("arms", 2001)
    assert CREDIT in out["credits"]
    [record] = out["records"]
    assert record["vintage_id"] == V2 and record["record_id"] == 14
    assert record["magnitude"] == 7.5 and record["designation"] == "AIM-9M Sidewinder"
    old = json_out(run_main("--db", db2, "explain", "USA", "JPN", "--channel", "arms", "--year",
                            "2001", "--vintage", "2026-01-12", "--format", "json"))
    assert [(r["vintage_id"], r["record_id"], r["magnitude"]) for r in old["records"]] == [
        (V1, 14, 5.0)]


def test_explain_table_and_csv(run_main, db):
    table = run_main("--db", db, "explain", "USA", "JPN", "--channel", "arms", "--year", "1991")
    assert table.exit_code == 0
    assert CREDIT in table.stdout and "Beechjet" in table.stdout
    assert "JPN→USA 216.0 TIV, millions" in table.stdout
    result = run_main("--db", db, "explain", "USA", "JPN", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {"vintage_id", "record_id", "direction", "magnitude"} <= set(rows[0])
    assert sum(float(r["magnitude"]) for r in rows) == pytest.approx(159 + 663)


def test_sources_json_and_table(run_main, db2):
    out = json_out(run_main("--db", db2, "sources", "--format", "json"))
    assert [v["vintage_id"] for v in out] == [V1, V2]
    assert [v["is_default"] for v in out] == [False, True]
    for v in out:
        assert v["credit"] == CREDIT
        assert len(v["sha256"]) == 64 and v["dataset"] == "sipri_arms_transfers"
        assert v["rows_read"] > 0 and v["layout"] == "classic"
    assert out[0]["generated_at"].startswith("2026-01-12")
    table = run_main("--db", db2, "sources")
    assert table.exit_code == 0 and CREDIT in table.stdout
    assert "Datasets and vintages" in table.stdout and "default" in table.stdout
    assert "classic" in run_main("--db", db2, "sources", "--wide").stdout


def test_sources_of_an_empty_store(run_main, tmp_path):
    path = tmp_path / "empty.duckdb"
    Store(path).close()
    assert json_out(run_main("--db", path, "sources", "--format", "json")) == []
    result = run_main("--db", path, "sources")
    assert result.exit_code == 0 and "empty" in result.stdout


def test_diff_json_and_table(run_main, db2):
    out = json_out(run_main("--db", db2, "diff", "sipri", "--format", "json"))
    assert (out["from"], out["to"]) == (V1, V2)
    assert out["summary"]["counts"] == {"added": 1, "removed": 1, "changed": 1}
    assert out["credits"] == [CREDIT] and (out["listed"], out["more"]) == (3, 0)
    by_kind = {c["change"]: c for c in out["changes"]}
    assert by_kind["added"]["designation"] == "F-35A Lightning-2"
    assert by_kind["removed"]["designation"] == "MiG-21F-13"
    assert "tiv_delivered: 5.0 → 7.5" in by_kind["changed"]["changes"]
    back = json_out(run_main("--db", db2, "diff", "sipri", "--from", V2, "--to", V1,
                             "--format", "json"))
    assert {c["change"]: c["designation"] for c in back["changes"]} == {
        "added": "MiG-21F-13", "removed": "F-35A Lightning-2", "changed": "AIM-9M Sidewinder"}
    table = run_main("--db", db2, "diff", "sipri")
    assert table.exit_code == 0 and "1 added, 1 removed, 1 changed" in table.stdout


def test_diff_summary_comes_first_with_units_and_credit(run_main, db2):
    table = run_main("--db", db2, "diff", "sipri", "--pair", "USA", "Japan", "--limit", "1")
    assert table.exit_code == 0, table.output
    text = table.stdout
    # counts, then totals (in TIV, labelled), then the listed changes, then the credit line
    order = [text.index("1 added, 0 removed, 1 changed"), text.index("Totals, arms"),
             text.index("USA→JPN"), text.index("Changes, largest effect"),
             text.index("1 more (--limit 0 lists all"), text.index(CREDIT)]
    assert order == sorted(order)
    assert "trend-indicator values" in text and "TIV, millions" in text
    # units and columns by their labels (the matching rule names the record table's columns)
    assert "tiv_" not in text.split("Matching:")[0]
    assert "F-35A Lightning-2" in text and "AIM-9M" not in text  # one listed: the largest


def test_diff_table_fits_100_columns_and_wide_shows_the_values(run_main, db2):
    narrow = run_main("--db", db2, "diff", "sipri", env={"COLUMNS": "100"})
    assert narrow.exit_code == 0, narrow.output
    shown = narrow.stdout.splitlines()
    assert max(len(line) for line in shown) <= 100
    # who to whom in one column, the changed fields by their labels, each on one line
    heading = next(line for line in shown if "What changed" in line and "┃" in line)
    assert "Flow change" in heading and "Flow before" not in heading
    assert any("number delivered" in line and "AIM-9M" in line for line in shown)
    assert any(line.rstrip(" │").endswith("TIV delivered") for line in shown)
    assert "5.0 → 7.5" not in narrow.stdout and "--wide shows the values" in narrow.stdout
    wide = run_main("--db", db2, "diff", "sipri", "--wide", env={"COLUMNS": "250"})
    assert wide.exit_code == 0, wide.output
    shown = wide.stdout.split("Matching:")[0]
    assert "TIV delivered: 5.0 → 7.5" in shown and "tiv_delivered" not in shown
    assert "Flow before" in wide.stdout and "Record" not in wide.stdout


def test_diff_json_options(run_main, db2):
    out = json_out(run_main("--db", db2, "diff", "sipri", "--country", "India", "--format",
                            "json"))
    assert set(out) == {"dataset", "from", "to", "selection", "summary", "listed", "more",
                        "limit", "changes", "credits"}
    assert out["selection"] == {"pair": None, "country": "IND"}
    assert out["summary"]["counts"] == {"added": 0, "removed": 1, "changed": 0}
    assert set(out["summary"]) == {"counts", "changed_fields", "change_kinds", "shared_keys",
                                   "matching", "totals"}
    (totals,) = out["summary"]["totals"]
    assert {"channel", "unit", "unit_label", "total", "suppliers", "recipients",
            "country"} <= set(totals)
    assert totals["country"]["as_recipient"] == {"before": 430.0, "after": 400.0,
                                                 "change": -30.0}
    (row,) = out["changes"]
    assert (row["designation"], row["unit"], row["flow_change"]) == ("MiG-21F-13",
                                                                    "tiv_millions", -30.0)
    pair = json_out(run_main("--db", db2, "diff", "sipri", "--pair", "JPN", "USA", "-n", "0",
                             "--format", "json"))
    assert pair["selection"]["pair"] == ["JPN", "USA"] and pair["limit"] == 0
    assert pair["summary"]["totals"][0]["pair"]["b_to_a"]["change"] == pytest.approx(658.5)
    assert len(pair["changes"]) == 2
    bad = run_main("--db", db2, "diff", "sipri", "--limit", "-1")
    assert bad.exit_code == 2


def test_diff_csv_lists_the_changes_with_unit_and_credit(run_main, db2):
    result = run_main("--db", db2, "diff", "sipri", "--format", "csv", "--limit", "2")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["change"] for r in rows] == ["added", "removed"]  # the two largest of three
    assert {r["unit"] for r in rows} == {"tiv_millions"}
    assert {r["credit"] for r in rows} == {CREDIT}
    assert rows[0]["designation"] == "F-35A Lightning-2" and float(rows[0]["flow_to"]) == 656


# -- the full register through the command line ----------------------------------------------
def test_full_register_dyad_and_explain_through_the_cli(run_main, full_store, full_store_path,
                                                        full_rows):
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for _, r in full_rows:
        if r[YEARS].strip():
            totals[(r[SUPPLIER], r[RECIPIENT])] += float(r[TIV_DELIVERED])
    out = json_out(run_main("--db", full_store_path, "dyad", "USA", "JPN", "--format", "json"))
    arms = out["channels"]["arms"]
    assert arms["flow_ab"] == pytest.approx(totals[("United States", "Japan")])
    assert arms["flow_ba"] == pytest.approx(totals[("Japan", "United States")])
    assert out["vintages"] == [FULL_VINTAGE]
    old = json_out(run_main("--db", full_store_path, "dyad", "USA", "JPN", "--vintage",
                            "2025-03-13", "--format", "json"))
    assert old["vintages"] == [VINTAGE_2025]
    explained = json_out(run_main("--db", full_store_path, "explain", "USA", "JPN",
                                  "--channel", "arms", "--year", "2025", "--format", "json"))
    reverse = [r for r in explained["records"] if r["direction"] == "b_to_a"]
    assert [(r["designation"], r["magnitude"], r["vintage_id"]) for r in reverse] == [
        ("MIM-104 PAC-3 MSE", 15.0, FULL_VINTAGE)]
    rows = dict(full_rows)
    assert rows[reverse[0]["record_id"]][6] == "MIM-104 PAC-3 MSE"
    sources = json_out(run_main("--db", full_store_path, "sources", "--format", "json"))
    assert [(v["vintage_id"], v["is_default"]) for v in sources] == [
        (VINTAGE_2025, False), (FULL_VINTAGE, True)]


def test_dyad_of_a_snapshot_unit_leaves_years_without_data_empty(run_main, ncses_db):
    """CSV cells of a year without data are empty (not 0, not nan); the table says which
    years have data and gives the latest value instead of a total."""
    out = run_main("--db", ncses_db, "dyad", "USA", "JPN", "--channel", "coauthorship",
                   "--format", "csv")
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    art = {int(r["year"]): r for r in rows if r["unit"] == "articles_whole"}
    assert sorted(art) == list(range(2003, 2023))
    assert float(art[2022]["flow_ab"]) > 0
    for year in range(2004, 2022):
        assert {k: art[year][k] for k in ("flow_ab", "flow_ba", "balance", "gl_index")} == {
            "flow_ab": "", "flow_ba": "", "balance": "", "gl_index": ""}
    assert "nan" not in out.stdout.lower()
    table = run_main("--db", ncses_db, "dyad", "USA", "JPN", "--channel", "coauthorship")
    assert table.exit_code == 0, table.output
    text = " ".join(table.stdout.split())
    assert "Co-authorship: 2 years with data: 2003, 2022" in text
    assert "Co-authorship (snapshot: no total over years) latest, 2022:" in text
    assert "Co-authorship total" not in text
