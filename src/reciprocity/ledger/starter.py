"""The starter registry shipped with the package: U.S.–Japan cooperation from public facts."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from reciprocity.ledger.store import ImportResult


class LedgerImporter(Protocol):
    """What :func:`load_starter` asks of a session (``api.Reciprocity`` is one)."""

    def ledger_import(self, path: str | Path, by: str | None = None,
                      reason: str | None = None, force: bool = False) -> ImportResult: ...

STARTER = "us_japan.yaml"
BY = "reciprocity starter registry"


def starter_text() -> str:
    """The starter registry's YAML text."""
    return resources.files("reciprocity").joinpath("data", "ledger", STARTER).read_text("utf-8")


def load_starter(r: LedgerImporter) -> ImportResult:
    """Import the starter registry into ``r``'s ledger (nothing new when already there)."""
    with resources.as_file(resources.files("reciprocity").joinpath(
            "data", "ledger", STARTER)) as path:
        # the package's own file is whole: a record it no longer has a field for is an edit
        # of the shipped registry, not a file cut short (ledger/shrink.py)
        return r.ledger_import(path, by=BY, reason=f"starter registry ({STARTER}) shipped "
                               "with the package", force=True)
