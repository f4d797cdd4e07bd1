"""Which sources exist. Add a module to ``_MODULES`` to plug a new one in."""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

from reciprocity.errors import unknown_name

if TYPE_CHECKING:  # names() stays light: the command line's help lists them
    from reciprocity.sources.base import Source
    from reciprocity.store.schema import Table

_MODULES = {
    "sipri": "reciprocity.sources.sipri",
    "wdi": "reciprocity.sources.wdi",
    "ncses": "reciprocity.sources.ncses",
    "openalex": "reciprocity.sources.openalex",
    "ledger": "reciprocity.ledger.source",  # the ledger package owns its source
    "patentsview": "reciprocity.sources.patentsview",
    "oecd_sti": "reciprocity.sources.oecd_sti",
    "atop": "reciprocity.sources.atop",
}


@cache
def get(name: str) -> Source:
    """The source called ``name``."""
    try:
        module = importlib.import_module(_MODULES[name])
    except KeyError:
        raise unknown_name("source", name, _MODULES, not_found=True) from None
    return module.SOURCE


def all_sources() -> list[Source]:
    return [get(name) for name in _MODULES]


def all_tables() -> dict[str, Table]:
    """Every table of the store: its own and each source's (all sources imported); what
    ``Store(tables=...)`` creates and the schema reference lists."""
    from reciprocity.store.schema import load_all

    all_sources()
    return load_all()


def for_dataset(dataset: str) -> Source:
    for source in all_sources():
        if dataset == source.info.dataset or dataset.startswith(source.info.dataset + ":"):
            return source
    known = [*_MODULES, *(source.info.dataset for source in all_sources())]
    raise unknown_name("source or dataset", dataset, known, not_found=True)


def names() -> list[str]:
    return sorted(_MODULES)
