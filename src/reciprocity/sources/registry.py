"""Which sources of this package exist. Add a module to ``_MODULES`` to plug a new one in.

Only ``reciprocity.sources.*`` modules: a source that lives higher up (the ledger's) is added
by :mod:`reciprocity.queries.catalog`, which composes the full list."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

from reciprocity.errors import unknown_name

if TYPE_CHECKING:  # names() stays light: the command line's help lists them
    from reciprocity.sources.base import Source

_MODULES = {
    "sipri": "reciprocity.sources.sipri",
    "wdi": "reciprocity.sources.wdi",
    "ncses": "reciprocity.sources.ncses",
    "openalex": "reciprocity.sources.openalex",
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


def for_dataset(dataset: str, extra: Mapping[str, Source] | None = None) -> Source:
    """The source whose dataset is ``dataset`` (or ``dataset`` begins with its id and ':'),
    among this package's and ``extra`` (by name)."""
    among = {**dict(zip(_MODULES, all_sources(), strict=True)), **(extra or {})}
    for source in among.values():
        if dataset == source.info.dataset or dataset.startswith(source.info.dataset + ":"):
            return source
    known = [*among, *(source.info.dataset for source in among.values())]
    raise unknown_name("source or dataset", dataset, known, not_found=True)


def names() -> list[str]:
    return sorted(_MODULES)
