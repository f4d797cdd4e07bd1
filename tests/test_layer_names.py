"""The store and the sources name no module of a higher layer (issue 16, part 1).

import-linter sees ``import`` statements only; a module loaded by its dotted name
(``importlib.import_module("reciprocity.ledger.schema")``) escapes it. This test reads the
source text of ``store/`` and ``sources/`` for both: imports and strings that are a dotted
name of ours, and fails on any whose package sits above the module's own layer.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from test_architecture import PACKAGE, ROOT, contract_layers

GUARDED = ("store", "sources")
MODULE_NAME = re.compile(r"reciprocity(\.[A-Za-z_]\w*)+")
ALLOWED = {("store/db.py", "reciprocity.sources.base")}
"""The one upward name: a type hint under ``if TYPE_CHECKING:`` (see ``.importlinter``)."""


def ranks() -> dict[str, int]:
    """Each package's layer, 0 the top (``docgen``), from the import contract."""
    return {name.strip(): i for i, line in enumerate(contract_layers())
            for name in line.split("|")}


def named_modules(text: str) -> set[str]:
    """Every ``reciprocity.*`` module ``text`` imports or names in a string."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            if node.module == "reciprocity":
                found |= {f"reciprocity.{a.name}" for a in node.names}
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and MODULE_NAME.fullmatch(node.value.strip())):
            found.add(node.value.strip())
    return {n for n in found if n.startswith("reciprocity.")}


def upward(package: str, text: str) -> list[str]:
    """The modules ``text`` (of ``package``) names that belong to a higher layer."""
    rank = ranks()
    return sorted(n for n in named_modules(text)
                  if rank.get(n.split(".")[1], len(rank)) < rank[package])


def test_the_check_finds_a_module_loaded_by_name_or_imported() -> None:
    loaded = 'import importlib\nimportlib.import_module("reciprocity.ledger.source")\n'
    assert upward("sources", loaded) == ["reciprocity.ledger.source"]
    listed = 'MODULES = ("reciprocity.store.tables", "reciprocity.events.schema")\n'
    assert upward("store", listed) == ["reciprocity.events.schema"]
    assert upward("store", "from reciprocity import api\n") == ["reciprocity.api"]
    assert upward("sources", "def f():\n    from reciprocity.web.auth import X\n") == [
        "reciprocity.web.auth"]
    # the same or a lower layer, and prose naming a module, are fine
    assert upward("sources", 'from reciprocity.store.db import Store\n"""See '
                             'reciprocity.ledger.source."""\n') == []


@pytest.mark.parametrize("package", GUARDED)
def test_the_package_names_no_module_of_a_higher_layer(package: str) -> None:
    found = []
    for path in sorted((PACKAGE / package).rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        found += [(where, name) for name in upward(package, path.read_text("utf-8"))
                  if (where, name) not in ALLOWED]
    assert not found, f"{package}/ names modules of a higher layer: {found}"


def test_the_import_contract_is_kept() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-2000:]
