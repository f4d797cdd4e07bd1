"""A newcomer's first hour: which store a command uses, what the demo says to type next, the
demo keeping people's work, and a command line that starts without importing the world."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reciprocity import demo as demo_mod
from reciprocity.errors import ReciprocityError, StoreBusyError
from reciprocity.ledger.starter import load_starter
from reciprocity.store.db import Store

HEAVY = ("pandas", "pyarrow", "numpy", "plotly", "fastapi", "ibis", "duckdb", "uvicorn")


# -- which store ---------------------------------------------------------------------------------
@pytest.fixture
def demo_folder(tmp_path, classic_db, monkeypatch) -> Path:
    """The working folder after ``make demo``: ``demo/reciprocity.duckdb`` and no
    ``./reciprocity.duckdb``."""
    (tmp_path / "demo").mkdir()
    shutil.copyfile(classic_db, tmp_path / "demo" / "reciprocity.duckdb")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_without_db_the_demo_store_is_used_and_named(demo_folder, run_main):
    result = run_main("sources", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)  # the demo store's vintages
    assert "store: demo/reciprocity.duckdb" in " ".join(result.stderr.split())
    assert not (demo_folder / "reciprocity.duckdb").exists()


def test_a_local_store_or_the_environment_comes_before_the_demo_store(demo_folder, run_main,
                                                                      classic2_db):
    shutil.copyfile(classic2_db, demo_folder / "reciprocity.duckdb")
    result = run_main("sources", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 2 and "store:" not in result.stderr
    (demo_folder / "reciprocity.duckdb").unlink()
    env = run_main("sources", "--format", "json", env={"RECIPROCITY_DB": str(classic2_db)})
    assert len(json.loads(env.stdout)) == 2 and "store:" not in env.stderr


def test_without_any_store_the_default_is_the_local_file(tmp_path, monkeypatch, run_main):
    monkeypatch.chdir(tmp_path)
    result = run_main("dyad", "USA", "JPN")
    assert result.exit_code == 3 and "reciprocity.duckdb" in result.stderr
    assert "demo/" not in result.stderr


# -- what the demo says to type next -------------------------------------------------------------
def test_next_commands_need_no_db_where_the_demo_store_is_found(demo_folder, monkeypatch):
    from reciprocity.cli.demo import next_commands

    monkeypatch.delenv("RECIPROCITY_DB", raising=False)
    lines = next_commands(Path("demo/reciprocity.duckdb"))
    assert "reciprocity dyad USA JPN" in lines
    assert not any("--db" in line for line in lines)


def test_next_commands_name_a_store_the_commands_would_not_find(demo_folder, tmp_path,
                                                               monkeypatch):
    from reciprocity.cli.demo import next_commands

    monkeypatch.delenv("RECIPROCITY_DB", raising=False)
    elsewhere = tmp_path / "other place" / "x.duckdb"
    lines = next_commands(elsewhere)
    # relative to the working folder, quoted for the shell
    assert "reciprocity --db 'other place/x.duckdb' dyad USA JPN" in lines
    monkeypatch.setenv("RECIPROCITY_DB", str(elsewhere))
    assert "reciprocity dyad USA JPN" in next_commands(elsewhere)


def test_next_commands_activate_the_environment_when_reciprocity_is_not_on_path(
        demo_folder, monkeypatch):
    from reciprocity.cli import demo as cli_demo

    if sys.prefix == sys.base_prefix:
        pytest.skip("not running in a virtual environment")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    lines = cli_demo.next_commands(Path("demo/reciprocity.duckdb"))
    assert lines[0] == f". {Path(sys.prefix) / 'bin' / 'activate'}"
    monkeypatch.setenv("PATH", str(Path(sys.prefix) / "bin"))
    assert not cli_demo.next_commands(Path("demo/reciprocity.duckdb"))[0].startswith(". ")


# -- the demo keeps people's work ----------------------------------------------------------------
@pytest.fixture
def demo_store(tmp_path, classic_db) -> Path:
    """A store as the demo leaves it: marked as the demo's, with the starter ledger."""
    from reciprocity.api import Reciprocity

    with Reciprocity(classic_db) as r:
        r.store.con.execute("INSERT INTO store_info VALUES ('created_by', 'demo')")
        load_starter(r)
    return classic_db


def test_demo_replaces_its_store_with_only_the_starter_ledger(demo_store):
    demo_mod._fresh(demo_store)
    assert not demo_store.exists()


def test_demo_keeps_a_store_with_ledger_edits_unless_forced(demo_store, run_main, tmp_path):
    from reciprocity.api import Reciprocity

    with Reciprocity(demo_store) as r:
        transfer = r.ledger_list("transfers")["id"].iloc[0]
        r.ledger_delete(transfer, "duplicate", by="alice")
    with pytest.raises(ReciprocityError, match="1 ledger edit beyond the starter") as exc:
        demo_mod._fresh(demo_store)
    assert "--force" in str(exc.value) and demo_store.exists()
    result = run_main("--db", demo_store, "demo", "--out", tmp_path / "out")
    assert result.exit_code == 1 and "ledger edit" in result.stderr
    assert demo_store.exists() and not (tmp_path / "out").exists()
    demo_mod._fresh(demo_store, force=True)
    assert not demo_store.exists()


def test_demo_keeps_a_store_with_web_users_unless_forced(demo_store):
    from reciprocity.accounts import USERS

    with Store(demo_store) as store:
        for stmt in USERS.ddl():
            store.con.execute(stmt)
        store.con.execute("INSERT INTO web_users VALUES ('alice', 'editor', 'x', now(), now())")
    with pytest.raises(ReciprocityError, match="1 web user"):
        demo_mod._fresh(demo_store)
    assert demo_store.exists()
    demo_mod._fresh(demo_store, force=True)
    assert not demo_store.exists()


def test_demo_says_the_store_is_busy_rather_than_not_its_own(demo_store):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, duckdb; c = duckdb.connect(sys.argv[1]); "
         "print('holding', flush=True); sys.stdin.read()", str(demo_store)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(StoreBusyError, match=f"process {holder.pid}"):
            demo_mod._fresh(demo_store)
        assert demo_store.exists()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


# -- a fast start --------------------------------------------------------------------------------
def _heavy_after(code: str) -> list[str]:
    probe = (f"import sys\n{code}\n"
             f"print('HEAVY:' + ','.join(m for m in {HEAVY!r} if m in sys.modules), "
             "file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    line = out.stderr.rsplit("HEAVY:", 1)[1].strip()
    return [m for m in line.split(",") if m]


def test_importing_the_command_line_imports_nothing_heavy():
    assert _heavy_after("import reciprocity.cli.app") == []


@pytest.mark.parametrize("args", [["--help"], ["dyad", "--help"], ["ledger", "--help"],
                                  ["users", "add", "--help"]], ids=" ".join)
def test_help_imports_nothing_heavy(args):
    code = ("from reciprocity.cli.app import app\ntry:\n"
            f"    app({args!r}, prog_name='reciprocity')\nexcept SystemExit:\n    pass")
    assert _heavy_after(code) == []


def test_the_whole_command_tree_builds_without_anything_heavy():
    """What help and shell completion walk: every command with its options."""
    code = ("import typer.main\nfrom reciprocity.cli.app import app\n"
            "group = typer.main.get_command(app)\nassert len(group.commands) > 10")
    assert _heavy_after(code) == []


def test_the_package_still_offers_its_api_on_first_use():
    import reciprocity

    assert callable(reciprocity.connect) and reciprocity.Reciprocity.__name__ == "Reciprocity"


def test_top_default_limit_matches_the_api():
    from reciprocity.cli.top import DEFAULT_LIMIT
    from reciprocity.queries.top import DEFAULT_LIMIT as API_LIMIT

    assert DEFAULT_LIMIT == API_LIMIT


def test_ledger_check_default_years_matches_the_api():
    from reciprocity.cli.ledger import DEFAULT_YEARS
    from reciprocity.ledger.checks import DEFAULT_YEARS as API_YEARS

    assert DEFAULT_YEARS == API_YEARS
