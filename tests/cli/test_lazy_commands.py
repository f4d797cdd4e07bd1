"""A command line that names a command imports and builds only that command's module."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from reciprocity.cli import app as app_module
from reciprocity.cli.app import COMMANDS, MODULES, ROOT_VALUE_OPTIONS, build, modules_for

CLI = Path(app_module.__file__).parent


def test_every_command_maps_to_the_module_that_registers_it():
    found = {}
    for name in MODULES:
        made = typer.Typer()
        importlib.import_module(f"reciprocity.cli.{name}").register(made)
        for info in made.registered_commands:
            found[info.name or info.callback.__name__] = name
        for group in made.registered_groups:
            found[group.name] = name
    assert found == COMMANDS


def test_every_command_module_is_listed():
    registering = {p.stem for p in CLI.glob("*.py")
                   if "def register(" in p.read_text("utf-8")}
    assert registering == set(MODULES)


def test_the_root_options_with_a_value_are_known():
    root = typer.main.get_command(build(("query",)))
    takes_value = {opt for p in root.params if not p.is_flag for opt in p.opts}
    assert takes_value == ROOT_VALUE_OPTIONS


@pytest.mark.parametrize(("args", "expected"), [
    (["dyad", "USA", "JPN"], ("query",)),
    (["--db", "x.duckdb", "diff", "sipri"], ("sources",)),
    (["--db", "dyad", "ledger", "list"], ("ledger",)),  # a store file named like a command
    (["--db=x.duckdb", "index", "USA", "JPN"], ("assess",)),
    (["--help"], MODULES), ([], MODULES), (["--db", "x"], MODULES),
    (["dyda", "USA", "JPN"], MODULES),  # unknown: every command, for the suggestion
])
def test_the_modules_a_command_line_needs(args, expected):
    assert modules_for(args) == expected


@pytest.mark.parametrize("command", ["dyad", "diff", "ledger", "index"])
def test_a_command_helps_the_same_built_alone(command):
    runner = CliRunner()
    alone = runner.invoke(build(modules_for([command])), [command, "--help"],
                          env={"COLUMNS": "100"})
    full = runner.invoke(build(), [command, "--help"], env={"COLUMNS": "100"})
    assert alone.exit_code == full.exit_code == 0
    assert alone.output == full.output


def test_dyad_imports_no_other_command_module(classic_db):
    probe = ("import sys\nfrom reciprocity.cli.app import main\ntry:\n"
             f"    main(['--db', {str(classic_db)!r}, 'dyad', 'USA', 'JPN', '-f', 'json'])\n"
             "except SystemExit as e:\n    assert not e.code, e.code\n"
             "print('LOADED:' + ','.join(sorted(m.rsplit('.', 1)[1] for m in sys.modules "
             "if m.startswith('reciprocity.cli.') and m.count('.') == 2)), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"})
    loaded = set(out.stderr.rsplit("LOADED:", 1)[1].strip().split(","))
    assert '"b_name": "Japan"' in out.stdout
    assert loaded & set(MODULES) == {"query"}
