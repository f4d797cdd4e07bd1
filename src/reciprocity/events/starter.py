"""The starter timeline shipped with the package: U.S.–Japan policy events from public facts."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from reciprocity.store.versioned import ImportResult


class EventsImporter(Protocol):
    """What :func:`load_starter` asks of a session (``api.Reciprocity`` is one)."""

    def events_import(self, path: str | Path, by: str | None = None,
                      reason: str | None = None) -> ImportResult: ...

STARTER = "us_japan.yaml"
BY = "reciprocity starter timeline"


def load_starter(r: EventsImporter) -> ImportResult:
    """Import the starter timeline into ``r``'s store (nothing new when already there).

    Its events link to the starter ledger's programs: load that first
    (:func:`reciprocity.ledger.starter.load_starter`).
    """
    with resources.as_file(resources.files("reciprocity").joinpath(
            "data", "events", STARTER)) as path:
        return r.events_import(path, by=BY, reason=f"starter timeline ({STARTER}) shipped "
                               "with the package")
