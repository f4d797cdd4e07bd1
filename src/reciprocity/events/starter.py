"""The starter timeline shipped with the package: U.S.–Japan policy events from public facts."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reciprocity.api import Reciprocity
    from reciprocity.store.versioned import ImportResult

STARTER = "us_japan.yaml"
BY = "reciprocity starter timeline"


def load_starter(r: Reciprocity) -> ImportResult:
    """Import the starter timeline into ``r``'s store (nothing new when already there).

    Its events link to the starter ledger's programs: load that first
    (:func:`reciprocity.ledger.starter.load_starter`).
    """
    with resources.as_file(resources.files("reciprocity").joinpath(
            "data", "events", STARTER)) as path:
        return r.events_import(path, by=BY, reason=f"starter timeline ({STARTER}) shipped "
                               "with the package")
