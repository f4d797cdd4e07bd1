"""The README's "Use" commands, verbatim, right after ``make demo``.

After ``make demo`` a newcomer is in the repository folder, where ``demo/reciprocity.duckdb``
exists and ``./reciprocity.duckdb`` does not; no ``--db``, no ``RECIPROCITY_DB``. Every
command of the README's Use section must then work as printed (only ``fetch``, which needs the
network, is skipped; the files the ingest lines name are put where a user would have them).
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from reciprocity.events.starter import load_starter as load_starter_events
from reciprocity.ledger.starter import load_starter

README = Path(__file__).resolve().parents[2] / "README.md"
PER_YEAR = "sipri_register_per_year_all"
PARTS = {"part-1950-1989.csv": "trade-register_initial_situation.csv",
         "part-1990-2023.csv": "trade-register.csv"}
NEEDS_NETWORK = {"fetch"}


def use_commands() -> list[str]:
    """The commands of the first sh block of the README's "Use" section, comments removed."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Use\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "README's Use section has no sh block"
    lines = [line.split("  #", 1)[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def test_use_section_is_found_and_names_the_commands():
    commands = use_commands()
    assert len(commands) >= 10
    assert all(c.startswith("reciprocity ") for c in commands), commands
    assert "reciprocity dyad USA JPN" in commands


@pytest.fixture(scope="module")
def after_demo(tmp_path_factory, full_store_path: Path, full_register: Path,
               shared_raw: Path) -> Path:
    """A folder as ``make demo`` leaves it: ``demo/reciprocity.duckdb`` made by the demo
    (both full registers, the per-year export in two parts, the starter ledger and
    events timeline), plus the
    files the README's ingest lines name."""
    folder = tmp_path_factory.mktemp("after-demo")
    (folder / "demo").mkdir()
    db = folder / "demo" / "reciprocity.duckdb"
    shutil.copyfile(full_store_path, db)
    shutil.copyfile(full_register, folder / "trade-register.csv")
    for name, original in PARTS.items():
        shutil.copyfile(shared_raw / PER_YEAR / original, folder / name)
    from reciprocity.api import Reciprocity

    with Reciprocity(db) as r:
        r.store.con.execute("INSERT INTO store_info VALUES ('created_by', 'demo')")
        r.ingest("sipri", [folder / name for name in PARTS])
        load_starter(r)
        load_starter_events(r)
    return folder


@pytest.mark.parametrize("command", use_commands())
def test_readme_use_command_works_verbatim_after_the_demo(command, after_demo, run_main,
                                                          monkeypatch):
    args = shlex.split(command)[1:]
    if args[0] in NEEDS_NETWORK:
        pytest.skip(f"{command}: needs the network")
    monkeypatch.chdir(after_demo)
    before = {p.name for p in after_demo.iterdir()}
    result = run_main(*args)
    assert result.exit_code == 0, f"{command}\n{result.output}"
    assert result.stdout.strip(), command
    # it used the demo's store, said so, and made no other store
    assert "store: demo/reciprocity.duckdb" in result.stderr.replace("\n", " ") \
        or "--db" in args
    assert {p.name for p in after_demo.iterdir()} == before
