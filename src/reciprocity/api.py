"""The Python API for notebooks: the operations of the CLI, returning pandas objects.

>>> import reciprocity
>>> r = reciprocity.connect("reciprocity.duckdb")
>>> r.ingest("sipri", "trade-register.csv")
>>> r.dyad("USA", "JPN").by_year
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from reciprocity.queries.diff import diff as _diff
from reciprocity.queries.dyad import Dyad
from reciprocity.queries.dyad import dyad as _dyad
from reciprocity.queries.explain import explain as _explain
from reciprocity.queries.partners import partners as _partners
from reciprocity.queries.sources import sources as _sources
from reciprocity.sources.base import Progress
from reciprocity.store.db import IngestResult, Store


class Reciprocity:
    """A session on one store. Use as a context manager or call :meth:`close`."""

    def __init__(self, db: str | Path | None = None, *, read_only: bool = False) -> None:
        self.store = Store(db, read_only=read_only)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Reciprocity:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ingest(self, source: str, path: str | Path, aliases: Mapping[str, str] | None = None,
               progress: Progress | None = None) -> IngestResult:
        """Ingest one file as a new vintage (atomic; the same file twice adds nothing)."""
        return self.store.ingest(source, path, aliases=aliases, progress=progress)

    def dyad(self, a: str, b: str, **filters: object) -> Dyad:
        """Flows A→B and B→A with two-way measures; see :func:`reciprocity.queries.dyad.dyad`."""
        return _dyad(self.store, a, b, **filters)  # type: ignore[arg-type]

    def partners(self, a: str, **filters: object) -> pd.DataFrame:
        """A's partners ranked by two-way index and volume."""
        return _partners(self.store, a, **filters)  # type: ignore[arg-type]

    def explain(self, a: str, b: str, **filters: object) -> pd.DataFrame:
        """Source records behind a pair's figure."""
        return _explain(self.store, a, b, **filters)  # type: ignore[arg-type]

    def sources(self) -> pd.DataFrame:
        """Datasets and vintages with dates, checksums and counts."""
        return _sources(self.store)

    def diff(self, dataset: str = "sipri", from_vintage: str | None = None,
             to_vintage: str | None = None) -> pd.DataFrame:
        """Records added, removed and changed between two vintages."""
        return _diff(self.store, dataset, from_vintage=from_vintage, to_vintage=to_vintage)


def connect(db: str | Path | None = None, *, read_only: bool = False) -> Reciprocity:
    """Open (or create) a store; ``db`` defaults to ``$RECIPROCITY_DB`` or ./reciprocity.duckdb."""
    return Reciprocity(db, read_only=read_only)
