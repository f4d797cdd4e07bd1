"""Executed transfers feed ``flows`` as channel ``programs``, beside the arms channel."""

from __future__ import annotations

from pathlib import Path

import pytest

from reciprocity.api import Reciprocity
from reciprocity.ledger import flows, io


def test_build_counts_and_values_never_mixed(ledger_yaml_text: str) -> None:
    reg = io.loads_yaml(ledger_yaml_text)
    frame, records, notes = flows.build([(t, 1) for t in reg.transfers],
                                        {p.id: p for p in reg.programs})
    assert notes == {"transfers": 6, "executed": 5, "executed_without_date": 0, "flows": 7}
    counts = frame[frame["unit"] == "transfers"]
    assert len(counts) == 5 and set(counts["magnitude"]) == {1.0}
    by_unit = frame.groupby("unit")["magnitude"].sum().to_dict()
    assert by_unit == {"transfers": 5.0, "value_usd_millions": 10.0, "value_jpy_millions": 500.0}
    t1 = frame[frame["record_id"] == flows.record_id("t-us-1", 1)]
    assert set(t1["year"]) == {1990} and set(t1["mode"]) == {"joint"}
    assert set(frame[frame["record_id"] == flows.record_id("t-us-2", 1)]["mode"]) == {
        "licensed_production"}
    assert set(frame["channel"]) == {"programs"}
    assert len(records) == 5 and records["record_id"].is_unique
    assert flows.record_id("t-us-1", 1) != flows.record_id("t-us-1", 2)


def test_dyad_shows_programs_beside_arms(ledger_r: Reciprocity, ledger_yaml: Path,
                                         ledger_sipri_csv: Path) -> None:
    ledger_r.ingest("sipri", ledger_sipri_csv)
    ledger_r.ledger_import(ledger_yaml)
    data = ledger_r.dyad("USA", "JPN").to_dict()
    assert set(data["channels"]) >= {"arms", "programs", "programs:value_usd_millions",
                                     "programs:value_jpy_millions"}
    programs = data["channels"]["programs"]
    assert programs["unit"] == "transfers"
    assert (programs["flow_ab"], programs["flow_ba"]) == (3.0, 2.0)
    assert data["channels"]["arms"]["flow_ab"] == pytest.approx(100.0)
    assert any("ledger" in c for c in data["credits"])


def test_changes_reach_dyad_and_explain(ledger_r: Reciprocity, ledger_yaml: Path) -> None:
    ledger_r.ledger_import(ledger_yaml)
    ledger_r.ledger_set_status("t-jp-3", "executed", "2002", "delivered")
    programs = ledger_r.dyad("USA", "JPN", channel="programs").to_dict()["channels"]["programs"]
    assert programs["flow_ba"] == 3.0
    explained = ledger_r.explain("USA", "JPN", channel="programs", year=2002)
    assert list(explained["transfer_id"]) == ["t-jp-3"]
    assert explained.loc[0, "version"] == 2
    assert explained.loc[0, "direction"] == "b_to_a"
    assert "Test source B" in explained.loc[0, "sources"]
    vintages = ledger_r.store.vintages("reciprocity_ledger")
    assert len(vintages) == 2 and vintages["is_default"].sum() == 1


def test_ingest_ledger_file_as_a_snapshot(ledger_r: Reciprocity, ledger_yaml: Path) -> None:
    result = ledger_r.ingest("ledger", ledger_yaml)
    assert result.added and result.flows_loaded == 7 and result.records_loaded == 5
    assert ledger_r.ingest("ledger", ledger_yaml).added is False
    programs = ledger_r.dyad("USA", "JPN", channel="programs").to_dict()["channels"]["programs"]
    assert programs["flow_ab"] == 3.0


def test_with_the_real_register_and_the_starter_registry(ledger_r: Reciprocity,
                                                         full_register: Path) -> None:
    from reciprocity.ledger.starter import load_starter

    ledger_r.ingest("sipri", full_register)
    load_starter(ledger_r)
    data = ledger_r.dyad("USA", "JPN").to_dict()
    assert {"arms", "programs"} <= set(data["channels"])
    programs = data["channels"]["programs"]
    # 16 executed U.S.→Japan transfers, 15 of them dated; 5 executed the other way
    assert (programs["flow_ab"], programs["flow_ba"]) == (15.0, 5.0)
