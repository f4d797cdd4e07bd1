"""``reciprocity ledger …`` end to end, and its exit codes through the console entry point."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reciprocity.api import Reciprocity
from reciprocity.cli.app import app, main


def _run(runner: CliRunner, db: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", str(db), *args])
    return result.exit_code, result.output


def _main(db: Path, *args: str) -> int:
    with pytest.raises(SystemExit) as info:
        main(["--db", str(db), *args])
    return int(info.value.code or 0)


def test_import_list_show_check(ledger_runner: CliRunner, ledger_db: Path,
                                ledger_yaml: Path) -> None:
    code, out = _run(ledger_runner, ledger_db, "ledger", "import", str(ledger_yaml))
    assert code == 0, out
    assert "8 added, 0 changed, 0 unchanged" in out
    code, out = _run(ledger_runner, ledger_db, "ledger", "import", str(ledger_yaml))
    assert "0 added, 0 changed, 8 unchanged" in out

    code, out = _run(ledger_runner, ledger_db, "ledger", "list", "--format", "json")
    data = json.loads(out)
    assert [p["id"] for p in data["programs"]] == ["prog-a", "prog-b"]
    assert len(data["transfers"]) == 6
    code, out = _run(ledger_runner, ledger_db, "ledger", "list", "--kind", "programs",
                     "--format", "json")
    assert set(json.loads(out)) == {"programs"}
    code, out = _run(ledger_runner, ledger_db, "ledger", "list")
    assert code == 0 and "Ledger programs (2)" in out and "Ledger transfers (6)" in out

    code, out = _run(ledger_runner, ledger_db, "ledger", "show", "prog-a")
    assert code == 0 and "Alpha co-development" in out and "t-jp-1" in out
    code, out = _run(ledger_runner, ledger_db, "ledger", "show", "t-us-1", "--format", "json")
    assert json.loads(out)["record"]["status_history"][-1]["status"] == "executed"

    code, out = _run(ledger_runner, ledger_db, "ledger", "check", "USA", "JPN", "--format",
                     "json")
    assert code == 0
    data = json.loads(out)
    assert [u["transfer_id"] for u in data["unmatched"]] == ["t-us-2", "t-us-3"]
    assert {"transfer_id", "from", "to", "reason"} <= set(data["unmatched"][0])
    untracked = [v for v in data["variances"] if not v["tracked"]]
    assert untracked == [{"program": "prog-a", "country": "JPN", "measure": "workshare_pct",
                          "planned": 60.0, "actual": None, "difference": None,
                          "tracked": False}]
    code, out = _run(ledger_runner, ledger_db, "ledger", "check", "USA", "JPN", "--years", "10")
    assert code == 0
    assert "Technology for technology" in out and "t-us-3" in out
    assert "1 actual(s) not tracked" in out


def test_set_status_history_and_refusal(ledger_runner: CliRunner, ledger_db: Path,
                                        ledger_yaml: Path) -> None:
    _run(ledger_runner, ledger_db, "ledger", "import", str(ledger_yaml))
    code, out = _run(ledger_runner, ledger_db, "ledger", "set-status", "t-jp-3", "executed",
                     "--date", "2002-05-06", "--reason", "delivered", "--by", "erin")
    assert code == 0, out
    assert "executed on 2002-05-06 (version 2)" in out
    # out of order: refused with exit code 2, and the ledger is unchanged
    with Reciprocity(ledger_db) as r:
        before = r.ledger_export()
    assert _main(ledger_db, "ledger", "set-status", "t-jp-3", "approved", "--date",
                 "2003-01-01", "--reason", "again") == 2
    assert _main(ledger_db, "ledger", "set-status", "t-jp-1", "executed", "--date",
                 "1991-01-01", "--reason", "backwards") == 2
    with Reciprocity(ledger_db) as r:
        assert r.ledger_export() == before
        assert len(r.ledger_history("t-jp-3")) == 2
    code, out = _run(ledger_runner, ledger_db, "ledger", "history", "t-jp-3", "--format",
                     "json")
    versions = json.loads(out)["versions"]
    assert [(v["version"], v["changed_by"], v["reason"]) for v in versions][1] == (
        2, "erin", "delivered")
    code, out = _run(ledger_runner, ledger_db, "ledger", "history", "t-jp-3")
    assert code == 0 and "History of t-jp-3 (2 versions)" in out
    assert _main(ledger_db, "ledger", "history", "nope") == 3


def test_bad_import_exits_non_zero_and_lists_problems(ledger_db: Path, ledger_write,
                                                      capsys: pytest.CaptureFixture) -> None:
    bad = ledger_write("bad.yaml", """\
programs:
  - id: p
    name: P
    partners: [USA, Atlantis]
    form: co_development
    workshare: [{country: USA, planned_pct: 101}]
transfers:
  - id: p
    from: USA
    to: JPN
    technology: T
    status_history: [{status: executed, date: "1990"}, {status: proposed, date: "1989"}]
    sources: [{title: S, publisher: P}]
""")
    assert _main(ledger_db, "ledger", "import", str(bad)) == 2
    err = capsys.readouterr().err
    for where in ("bad.yaml:4 programs[0].partners[1]", "programs[0].workshare[0].planned_pct",
                  "bad.yaml:2 programs[0].sources", "bad.yaml:8 transfers[0].id",
                  "transfers[0].status_history[1]"):
        assert where in err, (where, err)
    with Reciprocity(ledger_db) as r:
        assert r.ledger.current().programs == [] and r.ledger.current().transfers == []
        assert len(r.store.vintages("reciprocity_ledger")) == 0
    assert _main(ledger_db, "ledger", "import", str(ledger_write("m.yaml", "a: [\n"))) == 2


def test_export_round_trip(ledger_runner: CliRunner, ledger_db: Path, ledger_yaml: Path,
                           tmp_path: Path) -> None:
    _run(ledger_runner, ledger_db, "ledger", "import", str(ledger_yaml))
    out_yaml = tmp_path / "out.yaml"
    code, out = _run(ledger_runner, ledger_db, "ledger", "export", "--out", str(out_yaml))
    assert code == 0
    code, text = _run(ledger_runner, ledger_db, "ledger", "export", "--format", "csv")
    assert code == 0 and text.startswith("id,from,to,")
    out_csv = tmp_path / "out.csv"
    out_csv.write_text(text, encoding="utf-8")
    other = tmp_path / "other.duckdb"
    code, out = _run(ledger_runner, other, "ledger", "import", str(out_yaml))
    assert "8 added" in out
    code, out = _run(ledger_runner, other, "ledger", "import", str(out_csv))
    assert "6 unchanged" in out, out
    with Reciprocity(ledger_db) as a, Reciprocity(other) as b:
        assert a.ledger_export() == b.ledger_export()


def test_delete_and_ingest_commands(ledger_runner: CliRunner, ledger_db: Path,
                                    ledger_yaml: Path) -> None:
    _run(ledger_runner, ledger_db, "ledger", "import", str(ledger_yaml))
    code, out = _run(ledger_runner, ledger_db, "ledger", "delete", "t-us-3", "--reason", "dup")
    assert code == 0 and "deleted" in out
    code, out = _run(ledger_runner, ledger_db, "ledger", "history", "t-us-3")
    assert "deleted" in out
    code, out = _run(ledger_runner, ledger_db, "ingest", "ledger", str(ledger_yaml))
    assert code == 0 and "Ingested" in out


def test_dyad_cli_shows_both_channels(ledger_runner: CliRunner, ledger_db: Path,
                                      ledger_yaml: Path, ledger_sipri_csv: Path) -> None:
    _run(ledger_runner, ledger_db, "ingest", "sipri", str(ledger_sipri_csv))
    _run(ledger_runner, ledger_db, "ledger", "import", str(ledger_yaml))
    code, out = _run(ledger_runner, ledger_db, "dyad", "USA", "JPN")
    assert code == 0, out
    text = " ".join(out.split())  # a title may wrap
    assert "· Arms · TIV, millions · by year" in text
    assert "· Cooperation programs · transfers · by year" in text



@pytest.mark.parametrize("args", [("ledger", "show", "prog-a"),
                                  ("ledger", "import", "ledger.yaml"), ("taxonomy",)])
def test_reports_have_no_csv_form(ledger_runner: CliRunner, ledger_db: Path,
                                  args: tuple[str, ...]) -> None:
    """Commands that print a report, not one table, refuse --format csv (exit 2, naming
    the choices) instead of printing their table view under that name."""
    result = ledger_runner.invoke(app, ["--db", str(ledger_db), *args, "--format", "csv"])
    assert result.exit_code == 2
    words = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())
    assert "'csv' is not one of 'table', 'json'" in words
