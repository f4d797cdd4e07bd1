"""docs/architecture.md matches the tree and the import contract (issue 16, part 7)."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "reciprocity"
DOC = ROOT / "docs" / "architecture.md"


def _section_block(title: str) -> str:
    """The first fenced block after the heading ``## title``."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split(f"\n## {title}\n", 1)[1]
    return section.split("```", 2)[1]


def doc_entries() -> set[str]:
    """Names the Layout block lists directly under ``src/reciprocity/`` (``cli``, ``api``…)."""
    names = set()
    for line in _section_block("Layout").splitlines():
        m = re.match(r"^  ([A-Za-z_]\w*)(/|\.py)(\s|$)", line)
        if m:
            names.add(m.group(1))
    return names


def tree_entries() -> set[str]:
    """Packages and modules of ``src/reciprocity`` (``data/`` holds files, no code)."""
    names = {p.stem for p in PACKAGE.glob("*.py")}
    names |= {p.name for p in PACKAGE.iterdir()
              if p.is_dir() and (p / "__init__.py").exists()}
    return names | {"data"}


def doc_layers() -> list[str]:
    return [line.strip() for line in _section_block("Layers").splitlines() if line.strip()]


def contract_layers() -> list[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    raw = config["importlinter:contract:layers"]["layers"]
    return [line.strip() for line in raw.splitlines() if line.strip()]


def test_layout_lists_every_package_and_nothing_else() -> None:
    listed, present = doc_entries(), tree_entries()
    assert not present - listed, f"missing from docs/architecture.md: {sorted(present - listed)}"
    assert not listed - present, f"named in docs/architecture.md, not in the tree: " \
                                 f"{sorted(listed - present)}"


def test_doc_layers_are_the_import_contract() -> None:
    assert doc_layers() == contract_layers()


def test_every_package_has_a_layer() -> None:
    """Each package or module (but the package's own ``__init__`` and data) is in one layer."""
    placed = [name.strip() for line in contract_layers() for name in line.split("|")]
    assert len(placed) == len(set(placed)), "a package is in two layers"
    assert set(placed) == tree_entries() - {"__init__", "data"}


def test_parsers_see_real_entries() -> None:
    """The checks above compare real lists: the parsers find the known core packages."""
    assert {"store", "cli", "api", "errors", "accounts"} <= doc_entries()
    assert contract_layers()[-1] == "metrics | errors"
