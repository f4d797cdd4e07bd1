"""The store: schema registry, vintages, atomic and idempotent ingest, the raw archive."""

from __future__ import annotations

import hashlib
import shutil

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from reciprocity.api import open_store, store_tables
from reciprocity.errors import InputError, NotFoundError, Problem
from reciprocity.queries.dyad import dyad
from reciprocity.sources import registry
from reciprocity.store import tables
from reciprocity.store.db import Store
from reciprocity.store.schema import REGISTRY, Field, Table, register, render_docs
from sipri_helpers import FULL_VINTAGE, VINTAGE_2025

V1 = "sipri_arms_transfers/2026-01-12"
V2 = "sipri_arms_transfers/2026-03-14"

DEMO_TABLE = Table(
    name="test_widgets",
    description="A table for the schema tests.",
    primary_key=("widget_id",),
    indexes=(("colour",),),
    fields=(
        Field("widget_id", "BIGINT", "Id.", False),
        Field("colour", "VARCHAR", "Colour.", False, enum=("red", "o'range")),
        Field("weight", "DOUBLE", "Weight.", unit="kg"),
        Field("note", "VARCHAR", "Free text."),
    ),
)


# -- schema registry ---------------------------------------------------------------------------
def test_ddl_declares_types_constraints_and_indexes():
    stmts = DEMO_TABLE.ddl()
    create = stmts[0]
    assert create.startswith("CREATE TABLE IF NOT EXISTS test_widgets (")
    assert "widget_id BIGINT NOT NULL" in create
    assert "colour VARCHAR NOT NULL CHECK (colour IN ('red', 'o''range'))" in create
    assert "weight DOUBLE," in create
    assert "PRIMARY KEY (widget_id)" in create
    assert stmts[1] == "CREATE INDEX IF NOT EXISTS test_widgets_ix0 ON test_widgets (colour)"


def test_ddl_is_enforced_by_duckdb():
    con = duckdb.connect()
    for stmt in DEMO_TABLE.ddl():
        con.execute(stmt)
    for stmt in DEMO_TABLE.ddl():  # idempotent
        con.execute(stmt)
    con.execute("INSERT INTO test_widgets VALUES (1, 'red', 1.5, NULL)")
    con.execute("INSERT INTO test_widgets VALUES (2, 'o''range', NULL, 'x')")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO test_widgets VALUES (3, 'blue', 1, NULL)")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO test_widgets VALUES (4, NULL, 1, NULL)")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO test_widgets VALUES (1, 'red', 1, NULL)")
    assert con.execute("SELECT count(*) FROM test_widgets").fetchone()[0] == 2


def _validate(frame, where: str = "", provided=()) -> list[Problem]:
    """``DEMO_TABLE.validate_relation`` on a frame registered as the store's ingest does."""
    con = duckdb.connect()
    con.register("_incoming", frame)
    try:
        return DEMO_TABLE.validate_relation(con, "_incoming", where=where, provided=provided)
    finally:
        con.unregister("_incoming")


def test_validate_accepts_a_good_frame():
    frame = pd.DataFrame({"widget_id": [1, 2], "colour": ["red", "o'range"],
                          "weight": [1.0, None], "note": [None, "x"]})
    assert _validate(frame) == []
    assert _validate(pa.Table.from_pandas(frame)) == []



RECORDS_TABLE = Table(
    name="test_records",
    description="A record table: its key is checked, not indexed.",
    unique_key=("vintage_id", "record_id", "part"),
    fields=(
        Field("vintage_id", "VARCHAR", "Vintage.", False),
        Field("record_id", "BIGINT", "Line.", False),
        Field("part", "VARCHAR", "Part of the line.", False),
    ),
)


def test_unique_key_is_checked_not_indexed():
    assert "PRIMARY KEY" not in RECORDS_TABLE.ddl()[0] and len(RECORDS_TABLE.ddl()) == 1
    assert "Unique key (checked at every ingest): `vintage_id, record_id, part`" in (
        RECORDS_TABLE.markdown())
    con = duckdb.connect()
    good = pa.table({"record_id": [1, 1, 2], "part": ["a", "b", "a"]})
    bad = pa.table({"record_id": [1, 1, 2, 2, 3], "part": ["a", "a", "b", "b", "a"]})
    for name, frame in (("good", good), ("bad", bad)):
        con.register(name, frame)
    assert RECORDS_TABLE.validate_relation(con, "good", "g.csv", provided=["vintage_id"]) == []
    problems = RECORDS_TABLE.validate_relation(con, "bad", "b.csv", provided=["vintage_id"])
    assert len(problems) == 1
    assert problems[0].location == "b.csv (record_id, part)"
    assert problems[0].found == "2 key(s) on more than one row, e.g. ['1 | a', '2 | b']"
    # with the vintage in the frame, it is part of the key
    con.register("both_parts", pa.table({"vintage_id": ["v1", "v2"], "record_id": [1, 1],
                                   "part": ["a", "a"]}))
    assert RECORDS_TABLE.validate_relation(con, "both_parts") == []

def test_validate_reports_missing_and_extra_columns():
    frame = pd.DataFrame({"widget_id": [1], "colour": ["red"], "extra": [0]})
    problems = _validate(frame, where="f.csv")
    assert [p.found for p in problems] == ["missing columns ['weight', 'note']",
                                           "unexpected columns ['extra']"]
    assert all(p.location == "f.csv" for p in problems)
    assert all(p.expected == f"columns {DEMO_TABLE.columns}" for p in problems)
    # columns the store fills in itself are not missing
    assert [p.found for p in _validate(frame.drop(columns="extra"), where="f.csv",
                                       provided=("weight", "note"))] == []


def test_validate_reports_nulls_enums_and_types_all_at_once():
    frame = pd.DataFrame({"widget_id": [1, None, 3], "colour": ["red", "blue", "green"],
                          "weight": ["heavy", None, None], "note": [None, None, None]})
    problems = _validate(frame, where="w")
    found = {p.location: p for p in problems}
    assert found["w.widget_id rows [1]"].found == "1 empty value(s)"
    assert found["w.widget_id rows [1]"].expected == "a value"
    assert found["w.colour"].found == "values ['blue', 'green']"
    assert found["w.colour"].expected == "one of ['red', \"o'range\"]"
    assert found["w.weight"].found == "1 VARCHAR value(s)"
    assert "a number column (DOUBLE)" in found["w.weight"].expected
    assert len(problems) == 3
    assert all(isinstance(p, Problem) for p in problems)


def test_validate_names_the_first_rows_with_empty_values():
    ids = [float(i) for i in range(100_000)]
    for row in (7, 50_000, 60_000, 70_000, 80_000, 90_000, 99_999):
        ids[row] = None
    frame = pd.DataFrame({"widget_id": ids, "colour": ["red"] * len(ids)}).assign(
        weight=1.0, note=None)
    for given in (frame, pa.Table.from_pandas(frame)):
        (problem,) = _validate(given, where="w")
        assert problem.location == "w.widget_id rows [7, 50000, 60000, 70000, 80000]"
        assert problem.found == "7 empty value(s)"


def test_register_is_idempotent_and_refuses_a_different_declaration():
    try:
        assert register(DEMO_TABLE) is DEMO_TABLE
        assert register(DEMO_TABLE) is DEMO_TABLE
        changed = Table(name="test_widgets", description="other", fields=DEMO_TABLE.fields[:1])
        with pytest.raises(ValueError, match="declared twice"):
            register(changed)
        assert REGISTRY["test_widgets"] is DEMO_TABLE
    finally:
        REGISTRY.pop("test_widgets", None)


def test_core_and_source_tables_are_registered_and_documented():
    docs = render_docs(store_tables())
    for name in ("datasets", "vintages", "raw_files", "flows", "store_info", "sipri_transfers"):
        assert name in REGISTRY
        assert f"### `{name}`" in docs
    assert set(tables.MODES) >= set(REGISTRY["sipri_transfers"].field("mode").enum)
    with pytest.raises(KeyError):
        REGISTRY["flows"].field("nope")


def test_store_creates_the_tables_its_caller_declares(tmp_path):
    """The store knows no registry: it creates what the caller passes (api: every source's)."""
    declared = store_tables()
    with Store(tmp_path / "all.duckdb", tables=lambda: declared) as store:
        have = {r[0] for r in store.con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
    assert set(declared) <= have
    few = {n: REGISTRY[n] for n in ("datasets", "vintages", "flows", "indicators")}
    with Store(tmp_path / "few.duckdb", tables=lambda: few) as store:
        have = {r[0] for r in store.con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
    assert "sipri_transfers" not in have and set(few) <= have


def test_a_store_creates_its_own_tables_and_the_api_every_declared_one(tmp_path, store_path):
    with Store(tmp_path / "own.duckdb") as store:  # the store alone knows only its own
        own = {r[0] for r in store.con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
    assert own == {t.name for t in tables.TABLES}
    every = store_tables()
    # every table any module declared (all are imported by now) is one the API creates
    assert set(REGISTRY) <= set(every)
    assert {"ledger_programs", "ledger_transfers", "ledger_flow_records", "policy_events",
            "sipri_transfers", "patent_country_areas"} <= set(every)
    with open_store(store_path) as store:
        names = {r[0] for r in store.con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        assert set(every) <= names
        cols = store.query("SELECT * FROM flows LIMIT 0").columns.tolist()
        assert cols == tables.FLOWS.columns


def test_read_only_store_that_does_not_exist_is_not_found(tmp_path):
    with pytest.raises(NotFoundError, match="no store at"):
        Store(tmp_path / "absent.duckdb", read_only=True)
    assert not (tmp_path / "absent.duckdb").exists()


# -- ingest: vintages ----------------------------------------------------------------------------
def test_ingest_records_a_vintage_with_its_counts(store_path, classic_file):
    with Store(store_path) as store:
        result = store.ingest(registry.get("sipri"), classic_file)
        assert result.added and result.vintage_id == V1
        assert result.dataset == "sipri_arms_transfers"
        assert (result.rows_read, result.records_loaded, result.flows_loaded) == (22, 22, 43)
        v = store.vintages().iloc[0]
        assert v["vintage_id"] == V1 and bool(v["is_default"])
        assert v["file_name"] == "classic.csv" and v["layout"] == "classic"
        assert bool(v["is_complete"])
        assert v["generated_at"] == pd.Timestamp("2026-01-12 09:15:02")
        assert v["sha256"] == hashlib.sha256(classic_file.read_bytes()).hexdigest()
        assert "records_rejoined_after_line_break_in_comment: 1" in v["notes"]
        counts = store.con.execute(
            "SELECT (SELECT count(*) FROM flows WHERE vintage_id = ?), "
            "(SELECT count(*) FROM sipri_transfers WHERE vintage_id = ?)", [V1, V1]).fetchone()
        assert counts == (43, 22)
        ds = store.datasets().iloc[0]
        assert ds["credit"] == "Information from the SIPRI Arms Transfers Database"
        assert ds["source"] == "sipri"


def test_newer_export_is_a_new_vintage_and_the_old_is_kept(store_path, classic_file,
                                                            classic_v2):
    with Store(store_path) as store:
        store.ingest(registry.get("sipri"), classic_file)
        second = store.ingest(registry.get("sipri"), classic_v2)
        assert second.added and second.vintage_id == V2
        v = store.vintages("sipri_arms_transfers").set_index("vintage_id")
        assert v.index.tolist() == [V1, V2]
        assert v["is_default"].tolist() == [False, True]
        # queries use the newest by default; --vintage selects the other
        assert dyad(store, "USA", "JPN").totals.at[0, "flow_ab"] == pytest.approx(
            159 + 2.5 + 656)
        assert dyad(store, "USA", "JPN", vintage="2026-01-12").totals.at[0, "flow_ab"] == 159
        assert dyad(store, "USA", "JPN").vintages == [V2]
        assert dyad(store, "USA", "JPN", vintage=V1).vintages == [V1]


def test_default_vintage_is_the_newest_by_publisher_date_not_by_ingest_order(
        store_path, classic_file, classic_v2):
    with Store(store_path) as store:
        store.ingest(registry.get("sipri"), classic_v2)
        store.ingest(registry.get("sipri"), classic_file)
        default = store.vintages().query("is_default")["vintage_id"].tolist()
        assert default == [V2]


def test_partial_extract_is_not_the_default_unless_alone(tmp_path, classic_file,
                                                         new_layout_file):
    newer = tmp_path / "ukraine-2027.csv"
    newer.write_bytes(new_layout_file.read_bytes().replace(
        b"Data generated: 20 Feb 2025", b"Data generated: 20 Feb 2027"))
    with Store(tmp_path / "alone.duckdb") as store:
        store.ingest(registry.get("sipri"), newer)
        assert store.vintages()["is_default"].tolist() == [True]
        assert dyad(store, "USA", "UKR").totals.at[0, "flow_ab"] == pytest.approx(53.2)
    with Store(tmp_path / "both.duckdb") as store:
        store.ingest(registry.get("sipri"), newer)
        store.ingest(registry.get("sipri"), classic_file)
        v = store.vintages().set_index("vintage_id")
        assert bool(v.at[V1, "is_default"])
        assert not bool(v.at["sipri_arms_transfers/2027-02-20", "is_default"])
        assert dyad(store, "USA", "UKR").totals.empty
        chosen = dyad(store, "USA", "UKR", vintage="2027-02-20")
        assert chosen.totals.at[0, "flow_ab"] == pytest.approx(53.2)
        # selecting a vintage of SIPRI replaces SIPRI's default, it does not add to it
        assert chosen.vintages == ["sipri_arms_transfers/2027-02-20"]
        assert dyad(store, "USA", "JPN", vintage="2027-02-20").totals.empty


def test_resolve_vintage(store_path, classic_file, classic_v2):
    with Store(store_path) as store:
        store.ingest(registry.get("sipri"), classic_file)
        store.ingest(registry.get("sipri"), classic_v2)
        assert store.resolve_vintage(V1) == V1
        assert store.resolve_vintage("2026-03-14") == V2
        assert store.resolve_vintage("2026-01") == V1
        with pytest.raises(NotFoundError, match="ambiguous"):
            store.resolve_vintage("2026")
        with pytest.raises(NotFoundError, match="unknown vintage '1999'"):
            store.resolve_vintage("1999")


def test_same_generation_date_gets_a_distinct_vintage_id(store_path, classic_file, tmp_path):
    other = tmp_path / "same-date.csv"
    other.write_bytes(classic_file.read_bytes().replace(b",0.05,5,5", b",0.05,5,4"))
    with Store(store_path) as store:
        store.ingest(registry.get("sipri"), classic_file)
        result = store.ingest(registry.get("sipri"), other)
        assert result.added
        assert result.vintage_id == f"{V1}-{result.sha256[:8]}"
        assert len(store.vintages()) == 2


# -- ingest: idempotent ---------------------------------------------------------------------------
def test_same_file_twice_adds_nothing(store_path, classic_file, tmp_path, store_snapshot):
    with Store(store_path) as store:
        first = store.ingest(registry.get("sipri"), classic_file)
        before = store_snapshot(store)
        again = store.ingest(registry.get("sipri"), classic_file)
        assert not again.added
        assert again.vintage_id == first.vintage_id
        assert (again.rows_read, again.records_loaded, again.flows_loaded) == (22, 22, 43)
        renamed = tmp_path / "renamed copy.csv"
        shutil.copy(classic_file, renamed)
        assert not store.ingest(registry.get("sipri"), renamed).added
        assert store_snapshot(store) == before


def test_same_file_twice_across_sessions_adds_nothing(store_path, classic_file,
                                                      store_snapshot):
    with Store(store_path) as store:
        store.ingest(registry.get("sipri"), classic_file)
        before = store_snapshot(store)
    with Store(store_path) as store:
        assert not store.ingest(registry.get("sipri"), classic_file).added
        assert store_snapshot(store) == before


# -- ingest: atomic -------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["not_sipri", "truncated", "truncated_quote", "ragged", "utf16",
                                  "utf8", "unknown_names", "preamble_only"])
def test_bad_input_leaves_the_store_unchanged(classic_store, bad_files, kind, store_snapshot):
    before = store_snapshot(classic_store)
    with pytest.raises(InputError):
        classic_store.ingest(registry.get("sipri"), bad_files[kind])
    assert store_snapshot(classic_store) == before
    assert len(classic_store.vintages()) == 1


def test_bad_input_into_an_empty_store_writes_nothing(store_path, bad_files, store_snapshot):
    with Store(store_path) as store:
        empty = store_snapshot(store)
        for path in bad_files.values():
            with pytest.raises(InputError):
                store.ingest(registry.get("sipri"), path)
        assert store_snapshot(store) == empty == {}


def test_missing_file_is_an_input_error(classic_store, tmp_path):
    with pytest.raises(InputError, match="no such file"):
        classic_store.ingest(registry.get("sipri"), tmp_path / "nope.csv")


def test_failure_while_writing_rolls_everything_back(classic_store, classic_v2, monkeypatch,
                                                     store_snapshot):
    before = store_snapshot(classic_store)
    original = Store.append

    def failing(self, table, frame, constants=None):
        if table.name == "sipri_transfers":  # after the vintage, raw file and flows rows
            raise duckdb.IOException("disk full (simulated)")
        return original(self, table, frame, constants)

    monkeypatch.setattr(Store, "append", failing)
    with pytest.raises(duckdb.IOException):
        classic_store.ingest(registry.get("sipri"), classic_v2)
    assert store_snapshot(classic_store) == before
    monkeypatch.setattr(Store, "append", original)
    assert classic_store.ingest(registry.get("sipri"), classic_v2).added  # a retry goes through


def test_reader_output_that_breaks_the_schema_is_refused_before_writing(
        classic_store, classic_v2, monkeypatch, store_snapshot):
    from reciprocity.sources import sipri

    before = store_snapshot(classic_store)
    original = sipri.SipriSource._flows

    def bad_flows(records, notes):
        flows = original(records, notes).to_pandas()
        flows.loc[0, "mode"] = "stolen"
        return flows

    monkeypatch.setattr(sipri.SipriSource, "_flows", staticmethod(bad_flows))
    with pytest.raises(InputError, match="do not fit the store's schema") as exc:
        classic_store.ingest(registry.get("sipri"), classic_v2)
    assert "values ['stolen']" in str(exc.value)
    assert store_snapshot(classic_store) == before


def test_unknown_source_is_not_found(classic_store, classic_file):
    with pytest.raises(NotFoundError, match="unknown source 'nope'"):
        classic_store.ingest(registry.get("nope"), classic_file)


# -- raw archive ---------------------------------------------------------------------------------
def test_raw_archive_round_trip(classic_store, classic_file, classic_v2):
    sha = hashlib.sha256(classic_file.read_bytes()).hexdigest()
    assert classic_store.raw_bytes(sha) == classic_file.read_bytes()
    second = classic_store.ingest(registry.get("sipri"), classic_v2)
    assert classic_store.raw_bytes(second.sha256) == classic_v2.read_bytes()
    size = classic_store.con.execute("SELECT size_bytes FROM raw_files WHERE sha256 = ?",
                                     [sha]).fetchone()[0]
    assert size == classic_file.stat().st_size
    with pytest.raises(NotFoundError):
        classic_store.raw_bytes("0" * 64)


def test_raw_archive_of_the_full_registers(full_store, full_register, register_2025):
    for path, vintage in ((full_register, FULL_VINTAGE), (register_2025, VINTAGE_2025)):
        sha = full_store.query("SELECT sha256 FROM vintages WHERE vintage_id = ?",
                               [vintage]).iat[0, 0]
        data = path.read_bytes()
        assert sha == hashlib.sha256(data).hexdigest()
        assert full_store.raw_bytes(sha) == data


def test_full_store_holds_both_vintages_newest_default(full_store):
    v = full_store.vintages().set_index("vintage_id")
    assert v.index.tolist() == [VINTAGE_2025, FULL_VINTAGE]
    assert v["is_default"].tolist() == [False, True]
    assert v.at[FULL_VINTAGE, "rows_read"] == 29_916
    assert v.at[VINTAGE_2025, "rows_read"] == 29_515
    assert v["is_complete"].all()


def test_no_progress_bar_in_outputs(tmp_path) -> None:
    """DuckDB's progress bar (drawn on stdout for a query over 2 s) is off on every store
    connection, written or read only: it would land inside the CLI's JSON and CSV."""
    db = tmp_path / "s.duckdb"
    for read_only in (False, True):
        with Store(db, read_only=read_only) as store:
            assert store.con.execute(
                "SELECT current_setting('enable_progress_bar')").fetchone()[0] is False
