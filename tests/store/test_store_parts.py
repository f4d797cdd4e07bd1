"""The store and the CLI with an export in parts: one vintage, every part archived, idempotent,
atomic, and how such a vintage stands beside the classic register in the default selection."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from reciprocity.errors import InputError
from reciprocity.queries.diff import diff
from reciprocity.queries.dyad import dyad
from reciprocity.queries.explain import explain
from reciprocity.sources import registry
from reciprocity.store.db import Store, digest_of_files
from sipri_helpers import FIXTURES

PARTS = FIXTURES / "per_year_parts"
EARLY = PARTS / "part-1950-1989.csv"
LATE = PARTS / "part-1990-2023.csv"
SEMICOLONS = FIXTURES / "per_year_semicolons.csv"
PER_YEAR = "sipri_arms_transfers/2024-04-16"
FEB_2026 = "sipri_arms_transfers/2026-02-12"
CLASSIC = "sipri_arms_transfers/2026-01-12"


def later_variant(tmp_path: Path, old: str, new: str) -> Path:
    text = LATE.read_text(encoding="utf-8")
    assert old in text
    out = tmp_path / "later.csv"
    out.write_text(text.replace(old, new), encoding="utf-8")
    return out


def test_parts_are_ingested_as_one_vintage(store_path):
    with Store(store_path) as store:
        result = store.ingest(registry.get("sipri"), [LATE, EARLY])
        assert result.added and result.vintage_id == PER_YEAR
        assert (result.rows_read, result.records_loaded, result.flows_loaded) == (11, 11, 11)
        assert result.sha256 == digest_of_files([EARLY, LATE])[0]
        v = store.vintages().iloc[0]
        assert v["layout"] == "per_delivery_year"
        assert bool(v["is_complete"]) and bool(v["is_default"])
        assert v["file_name"] == f"{EARLY.name} + {LATE.name}"
        assert "dated by the latest part" in v["scope"]
        assert "parts: 2" in v["notes"] and "parts_generated_days_apart: 3" in v["notes"]
        ids = store.query("SELECT record_id, source_file, line FROM sipri_transfers")
        assert ids["record_id"].is_unique and len(ids) == 11
        # flows are SIPRI's own yearly figures, each traceable to its record
        flows = store.query("SELECT f.is_estimated, r.source_file, r.line FROM flows f "
                            "JOIN sipri_transfers r USING (vintage_id, record_id)")
        assert len(flows) == 11 and not flows["is_estimated"].any()


def test_every_part_is_archived_byte_for_byte(store_path):
    with Store(store_path) as store:
        result = store.ingest(registry.get("sipri"), [LATE, EARLY])
        assert store.raw_parts(result.sha256) == [(EARLY.name, EARLY.read_bytes()),
                                                  (LATE.name, LATE.read_bytes())]
        for path in (EARLY, LATE):
            assert store.raw_bytes(hashlib.sha256(path.read_bytes()).hexdigest()) == (
                path.read_bytes())
        parts = store.query("SELECT * FROM raw_parts ORDER BY part")
        assert parts["line_offset"].tolist() == [0, len(EARLY.read_bytes().splitlines())]
        assert parts["size_bytes"].tolist() == [EARLY.stat().st_size, LATE.stat().st_size]
        # a record's line in its part, recovered from the archive
        rec = store.query("SELECT * FROM sipri_transfers WHERE deal_id = 80005").iloc[0]
        part = parts[parts["file_name"] == rec["source_file"]].iloc[0]
        assert rec["record_id"] == rec["line"] + part["line_offset"]
        text = store.raw_bytes(part["file_sha256"]).decode("utf-8").splitlines()
        assert text[rec["line"] - 1].startswith("80005,Japan,United States,Beechjet-400,")
        assert store.query("SELECT count(*) AS n FROM raw_references").at[0, "n"] == 0


def test_same_parts_again_in_any_order_or_as_the_folder_add_nothing(store_path, tmp_path,
                                                                    store_snapshot):
    with Store(store_path) as store:
        first = store.ingest(registry.get("sipri"), [EARLY, LATE])
        before = store_snapshot(store)
        for again in ([LATE, EARLY], (EARLY, LATE), PARTS, str(PARTS)):
            result = store.ingest(registry.get("sipri"), again)
            assert not result.added
            assert result.vintage_id == first.vintage_id and result.sha256 == first.sha256
        # a copy of the folder holding the same files is the same input
        copy = tmp_path / "copy"
        copy.mkdir()
        for path in (EARLY, LATE):
            shutil.copy(path, copy / path.name)
        assert not store.ingest(registry.get("sipri"), copy).added
        assert store_snapshot(store) == before


def test_a_single_file_in_a_list_is_that_file(store_path):
    with Store(store_path) as store:
        alone = store.ingest(registry.get("sipri"), [LATE])
        assert alone.sha256 == hashlib.sha256(LATE.read_bytes()).hexdigest()
        assert not store.ingest(registry.get("sipri"), LATE).added
        assert store.raw_bytes(alone.sha256) == LATE.read_bytes()


@pytest.mark.parametrize(("old", "new", "fragment"), [
    ("year range '1990' to '2023'", "year range '1985' to '2023'", "which overlap"),
    ("year range '1990' to '2023'", "year range '1992' to '2023'", "with a gap"),
    ("SIPRI AT Database ID,Supplier", "SIPRI AT Database Id,Supplier",
     "is not a SIPRI trade-register export"),
])
def test_parts_that_do_not_fit_write_nothing(classic_store, tmp_path, store_snapshot, old, new,
                                              fragment):
    before = store_snapshot(classic_store)
    later = later_variant(tmp_path, old, new)
    with pytest.raises(InputError) as exc:
        classic_store.ingest(registry.get("sipri"), [EARLY, later])
    assert fragment in str(exc.value)
    assert store_snapshot(classic_store) == before


def test_parts_of_different_layouts_write_nothing(classic_store, classic_file, store_snapshot):
    before = store_snapshot(classic_store)
    with pytest.raises(InputError, match="found layouts") as exc:
        classic_store.ingest(registry.get("sipri"), [EARLY, classic_file])
    assert EARLY.name in str(exc.value) and classic_file.name in str(exc.value)
    assert store_snapshot(classic_store) == before


def test_failure_while_writing_parts_rolls_everything_back(classic_store, monkeypatch,
                                                           store_snapshot):
    before = store_snapshot(classic_store)
    original = Store.append

    def failing(self, table, frame, constants=None):
        if table.name == "sipri_transfers":  # after the raw parts, vintage and flows
            raise duckdb.IOException("disk full (simulated)")
        return original(self, table, frame, constants)

    monkeypatch.setattr(Store, "append", failing)
    with pytest.raises(duckdb.IOException):
        classic_store.ingest(registry.get("sipri"), [EARLY, LATE])
    assert store_snapshot(classic_store) == before
    monkeypatch.setattr(Store, "append", original)
    assert classic_store.ingest(registry.get("sipri"), [EARLY, LATE]).added


def test_sources_that_do_not_read_parts_refuse_several_files(store_path):
    with Store(store_path) as store, pytest.raises(InputError, match="one input"):
        store.ingest(registry.get("wdi"), [EARLY, LATE])


# -- default vintage -----------------------------------------------------------------------------
def test_classic_register_stays_default_beside_per_year_vintages(classic_store):
    """Both layouts are vintages of one dataset: the newest complete one is the default."""
    classic_store.ingest(registry.get("sipri"), PARTS)       # complete, generated 16 Apr 2024
    # partial (from 1995), generated 12 Feb 2026
    classic_store.ingest(registry.get("sipri"), SEMICOLONS)
    v = classic_store.vintages().set_index("vintage_id")
    assert v["is_default"].to_dict() == {PER_YEAR: False, CLASSIC: True, FEB_2026: False}
    assert v["is_complete"].to_dict() == {PER_YEAR: True, CLASSIC: True, FEB_2026: False}
    assert v["layout"].to_dict() == {PER_YEAR: "per_delivery_year", CLASSIC: "classic",
                                     FEB_2026: "per_delivery_year"}
    assert dyad(classic_store, "USA", "JPN").vintages == [CLASSIC]
    # --vintage selects the per-year export (by date or id)
    chosen = dyad(classic_store, "USA", "JPN", vintage="2024-04-16")
    assert chosen.vintages == [PER_YEAR]
    by_year = chosen.by_year.set_index("year")["flow_ab"]
    assert by_year[1985] == 807.5 and by_year[2018] == 330.0
    assert dyad(classic_store, "USA", "JPN", vintage=FEB_2026).vintages == [FEB_2026]


def test_a_complete_per_year_export_is_default_when_newest(store_path, classic_file):
    with Store(store_path) as store:
        store.ingest(registry.get("sipri"), SEMICOLONS)
        store.ingest(registry.get("sipri"), PARTS)
        # partial extracts give way to a complete vintage even when they are newer
        assert store.vintages().query("is_default")["vintage_id"].tolist() == [PER_YEAR]
        store.ingest(registry.get("sipri"), classic_file)
        assert store.vintages().query("is_default")["vintage_id"].tolist() == [CLASSIC]


def test_explain_names_the_part_and_line(classic_store):
    classic_store.ingest(registry.get("sipri"), [EARLY, LATE])
    frame = explain(classic_store, "USA", "JPN", channel="arms", vintage="2024-04-16")
    cobra = frame[frame["designation"] == "AH-1S Cobra"].sort_values("year")
    assert cobra["year"].tolist() == [1989, 1990]
    assert cobra["source_file"].tolist() == [EARLY.name, LATE.name]
    assert cobra["line"].tolist() == [17, 13]
    assert not frame["is_estimated"].any()


def test_diff_compares_exports_of_one_layout_by_default(tmp_path, classic_file, classic_v2):
    """A per-year vintage dated between two classic ones is passed over by the default diff."""
    dated = tmp_path / "parts"
    dated.mkdir()
    for path, stamp in ((EARLY, "16 Apr 2024 10:05:18 PM"), (LATE, "13 Apr 2024 3:44:54 PM")):
        text = path.read_text(encoding="utf-8").replace(stamp, "10 Feb 2026 9:00:00 AM")
        (dated / path.name).write_text(text.replace("'1990' to '2023'", "'1990' to '2025'"),
                                       encoding="utf-8")
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest(registry.get("sipri"), classic_file)        # 2026-01-12
        parts = store.ingest(registry.get("sipri"), dated)       # 2026-02-10, complete
        store.ingest(registry.get("sipri"), classic_v2)          # 2026-03-14
        assert bool(store.vintages().set_index("vintage_id").at[parts.vintage_id,
                                                                "is_complete"])
        frame = diff(store, "sipri")
        assert (frame.attrs["from"], frame.attrs["to"]) == (CLASSIC,
                                                            "sipri_arms_transfers/2026-03-14")
        named = diff(store, "sipri", from_vintage=parts.vintage_id,
                     to_vintage="2026-03-14")
        assert named.attrs["from"] == parts.vintage_id


def test_a_store_made_before_the_file_and_line_columns_still_works(classic_db):
    """Stores made before `source_file` and `line` existed: explain reads them as they are,
    and opening them to write adds the columns (empty in the old rows)."""
    with Store(classic_db) as store:
        store.con.execute("ALTER TABLE sipri_transfers DROP COLUMN source_file")
        store.con.execute("ALTER TABLE sipri_transfers DROP COLUMN line")
    with Store(classic_db, read_only=True) as store:
        frame = explain(store, "USA", "JPN", channel="arms")
        assert len(frame) and "source_file" not in frame.columns
    with Store(classic_db) as store:
        assert store.ingest(registry.get("sipri"), PARTS).added
        rows = store.query("SELECT vintage_id, count(source_file) AS named, count(*) AS n "
                           "FROM sipri_transfers GROUP BY ALL ORDER BY vintage_id")
        assert rows.values.tolist() == [[PER_YEAR, 11, 11], [CLASSIC, 0, 22]]


# -- command line --------------------------------------------------------------------------------
def test_cli_ingests_parts_and_sources_shows_the_layout(run_main, tmp_path):
    db = tmp_path / "cli.duckdb"
    result = run_main("--db", db, "ingest", "sipri", LATE, EARLY)
    assert result.exit_code == 0, result.output
    assert f"Ingested {LATE.name} + {EARLY.name} as vintage {PER_YEAR}" in result.stdout
    assert "11 rows read" in result.stdout
    assert "dated by the latest part" in result.stdout
    again = run_main("--db", db, "ingest", "sipri", PARTS)
    assert again.exit_code == 0 and "nothing added" in again.stdout
    run_main("--db", db, "ingest", "sipri", SEMICOLONS)
    shown = run_main("--db", db, "sources", "--format", "csv")
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert "layout" in lines[0].split(",")
    assert sum("per_delivery_year" in ln for ln in lines[1:]) == 2
    table = run_main("--db", db, "sources")
    assert table.exit_code == 0
    rows = [ln for ln in table.stdout.splitlines() if "sipri_arms_transf" in ln]
    assert len(rows) == 2
    assert [ln.split("│")[3].strip() for ln in rows] == ["default", "kept, partial"]
    wide = run_main("--db", db, "sources", "--wide", env={"COLUMNS": "400"})
    rows = [ln for ln in wide.stdout.splitlines() if "sipri_arms_transf" in ln]
    assert len(rows) == 2 and all("per_delivery_year" in ln for ln in rows)


def test_cli_explain_names_the_part_and_line_of_an_export_in_parts(run_main, tmp_path,
                                                                    classic_db):
    db = tmp_path / "cli.duckdb"
    assert run_main("--db", db, "ingest", "sipri", PARTS).exit_code == 0
    shown = run_main("--db", db, "explain", "USA", "JPN", "--year", "1989")
    assert shown.exit_code == 0, shown.output
    header = shown.stdout.split("┏")[1].split("┡")[0]  # the headings, without the title
    assert "File" in header and "Line" in header and "Record" not in header
    row = next(ln for ln in shown.stdout.splitlines() if "USA→JPN" in ln)
    cells = [c.strip() for c in row.split("│")]
    assert cells[-3] in (LATE.name, EARLY.name) and cells[-2] == "17"  # whole, not folded
    # a single-file vintage's record id is its line: no extra columns
    classic = run_main("--db", classic_db, "explain", "USA", "JPN")
    classic_header = classic.stdout.split("┏")[1].split("┡")[0]
    assert classic.exit_code == 0 and "File" not in classic_header
    assert "Record" in classic_header


def test_cli_refuses_parts_that_do_not_fit(run_main, tmp_path):
    db = tmp_path / "cli.duckdb"
    later = later_variant(tmp_path, "year range '1990' to '2023'", "year range '1989' to '2023'")
    result = run_main("--db", db, "ingest", "sipri", EARLY, later)
    assert result.exit_code == InputError.exit_code == 2
    assert "are not the parts of one SIPRI export" in result.stderr
    assert EARLY.name in result.stderr and "later.csv" in result.stderr
    assert "expected adjoining ranges" in result.stderr
    with Store(db, read_only=True) as store:
        assert store.vintages().empty
