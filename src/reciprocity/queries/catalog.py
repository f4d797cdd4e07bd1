"""Every source a store may hold: the registry's (:mod:`reciprocity.sources.registry`, the
``sources.*`` modules) and the ledger's (:mod:`reciprocity.ledger.source`).

The registry lists only the modules of its own package; this module, in the first layer that
knows both the sources and the ledger, composes the full list (``ingest``, ``explain``, the
sampling units of intervals, the sources page of the docs read it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reciprocity.errors import unknown_name
from reciprocity.sources import registry

if TYPE_CHECKING:  # names() stays light: the command line's help lists them
    from reciprocity.sources.base import Source

LEDGER = "ledger"
"""The ledger's source name (``reciprocity ingest ledger registry.yaml``)."""


def _ledger() -> Source:
    from reciprocity.ledger.source import SOURCE

    return SOURCE


def names() -> list[str]:
    """Every source's name, sorted."""
    return sorted([*registry.names(), LEDGER])


def get(name: str) -> Source:
    """The source called ``name``."""
    if name == LEDGER:
        return _ledger()
    if name not in registry.names():
        raise unknown_name("source", name, names(), not_found=True)
    return registry.get(name)


def all_sources() -> dict[str, Source]:
    """Every source by name (each module imported)."""
    return {name: get(name) for name in names()}


def for_dataset(dataset: str) -> Source:
    """The source whose dataset is ``dataset`` (or ``dataset`` begins with its id and ':')."""
    return registry.for_dataset(dataset, extra={LEDGER: _ledger()})
