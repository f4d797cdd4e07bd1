"""The starter registry: valid, sourced, and faithful to the report's Table 3-11."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from reciprocity.api import Reciprocity
from reciprocity.cli.app import app
from reciprocity.ledger import io
from reciprocity.ledger.model import Registry
from reciprocity.ledger.starter import load_starter, starter_text


@pytest.fixture(scope="module")
def starter() -> Registry:
    return io.loads_yaml(starter_text(), "us_japan.yaml")


def test_size_and_sources(starter: Registry) -> None:
    assert len(starter.programs) >= 12
    assert len(starter.transfers) >= 20
    for record in [*starter.programs, *starter.transfers]:
        assert record.sources, record.id
        assert all(s.title and (s.publisher or s.author) for s in record.sources)
        assert all(s.url for s in record.sources), record.id
    forms = {p.form for p in starter.programs}
    assert {"licensed_production", "co_development", "co_production", "joint_research",
            "technology_transfer_agreement", "data_exchange"} <= forms


def test_table_3_11_exactly(starter: Registry) -> None:
    table = {t.id: t for t in starter.transfers if t.id.startswith("t3-11-")}
    assert len(table) == 5
    got = {(t.origin, t.destination, t.firms, t.technology, t.status, t.executed_on)
           for t in table.values()}
    assert got == {
        ("JPN", "USA", ("Ishikawajima-Harima Heavy Industries",),
         "Technology for the construction and remodeling of U.S. naval systems",
         "executed", "1986"),
        ("JPN", "USA", ("Mitsubishi Heavy Industries",),
         "Technology related to the next-generation support fighter (FS-X)",
         "executed", "1990"),
        ("JPN", "USA", ("Nissan Motor",),
         "Technology related to joint research on ducted rocket engines", "executed", "1992"),
        ("JPN", "USA", ("Toshiba",),
         "Japanese technology related to portable surface-to-air missiles",
         "not_carried_out", None),
        ("JPN", "USA", ("Kawasaki Heavy Industries",),
         "Japanese technology for the digital flight control system on the P-3C "
         "antisubmarine patrol aircraft", "not_carried_out", None),
    }
    for t in table.values():
        assert any("record_id=9294&page=35" in (s.url or "") for s in t.sources)
        # the report gives no dates for the two approvals that were never carried out
        if t.status == "not_carried_out":
            assert [(s.status, s.date) for s in t.history] == [("approved", None),
                                                               ("not_carried_out", None)]


def test_fsx_workshare_and_flows_to_the_united_states(starter: Registry) -> None:
    fsx = starter.program("fsx-development")
    assert fsx is not None and fsx.form == "co_development"
    assert [(w.country, w.planned_pct, w.actual_pct) for w in fsx.workshare] == [
        ("USA", 40.0, None)]
    assert {c.kind for c in fsx.clauses} >= {"flowback"}
    f2 = starter.program("f2-production")
    assert f2 is not None and f2.workshare[0].actual_pct is None  # GAO: not tracked
    to_us = {t.id: t for t in starter.transfers if t.destination == "USA"}
    assert to_us["beechjet-400-t1a"].executed_on == "1991"
    assert to_us["pac3-mse-export-usa"].history[0].date == "2023-12-22"
    licensed = [p for p in starter.programs if p.form == "licensed_production"
                and p.partners == ("USA", "JPN")]
    assert len(licensed) >= 8


def test_loads_once_into_a_store(tmp_path: Path) -> None:
    with Reciprocity(tmp_path / "s.duckdb") as r:
        first = load_starter(r)
        assert len(first.added) >= 32
        again = load_starter(r)
        assert again.added == [] and again.changed == []
        result = r.ledger_check("USA", "JPN")
        assert result.tested > 0 and result.unmatched
        assert any(not v.tracked for v in result.variances)
        # export → import round trip into another store gives the same ledger
        exported = tmp_path / "exported.yaml"
        exported.write_text(r.ledger_export(), encoding="utf-8")
        text = r.ledger_export()
    with Reciprocity(tmp_path / "t.duckdb") as r2:
        r2.ledger_import(exported)
        assert r2.ledger_export() == text


def test_starter_file_is_plain_yaml() -> None:
    data = yaml.safe_load(starter_text())
    assert data["format"] == "reciprocity-ledger/1"


def test_demo_loads_the_starter_and_prints_the_check(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ledger_sipri_csv: Path) -> None:
    folder = tmp_path / "data" / "sipri_trade_register"
    folder.mkdir(parents=True)
    (folder / "trade-register.csv").write_bytes(ledger_sipri_csv.read_bytes())
    monkeypatch.setenv("RECIPROCITY_DATA", str(tmp_path / "data"))
    db = tmp_path / "demo.duckdb"
    result = CliRunner().invoke(app, ["--db", str(db), "demo", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Technology for technology: United States (USA) ⇄ Japan (JPN)" in result.output
    assert "Unmatched: no reciprocal transfer" in result.output
    with Reciprocity(db, read_only=True) as r:
        assert {"arms", "programs"} <= set(r.dyad("USA", "JPN").to_dict()["channels"])
