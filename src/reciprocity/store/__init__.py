"""The store: schemas, the DuckDB file, vintages, lineage and the raw archive.

``Store`` and friends are imported lazily so that source modules can import the schema
registry without importing the store itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reciprocity.store import tables  # noqa: F401  (registers the core tables)

if TYPE_CHECKING:
    from reciprocity.store.db import IngestResult, Store, default_path

__all__ = ["IngestResult", "Store", "default_path"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from reciprocity.store import db

        return getattr(db, name)
    raise AttributeError(name)
