"""A small table of plain Python rows with typed columns, for answers of a few hundred rows.

The command line prints such answers (``dyad``) faster than pandas imports, so they are
computed and printed as :class:`RowSet`; :meth:`RowSet.to_frame` gives the same table as a
pandas DataFrame (the Python API, the web app and the briefing), and :meth:`RowSet.to_csv`
writes the bytes ``DataFrame.to_csv(index=False)`` would.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

Kind = Literal["str", "int", "float", "year"]
"""A column's values: text, whole numbers (never null), numbers (NaN where null), or years
that may be null (None; pandas' nullable ``Int64``)."""


@dataclass(frozen=True)
class RowSet:
    """Rows (tuples, one value per column) under named, typed columns."""

    columns: tuple[str, ...]
    kinds: tuple[Kind, ...]
    rows: list[tuple] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.columns) != len(self.kinds):
            raise ValueError(f"{len(self.columns)} columns but {len(self.kinds)} kinds")

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple]:
        return iter(self.rows)

    @property
    def empty(self) -> bool:
        return not self.rows

    def kind(self, column: str) -> Kind:
        return self.kinds[self.columns.index(column)]

    def column(self, name: str) -> list[Any]:
        """The values of one column, in row order."""
        i = self.columns.index(name)
        return [r[i] for r in self.rows]

    def select(self, columns: Sequence[str]) -> list[tuple]:
        """The rows with only ``columns``, in that order."""
        idx = [self.columns.index(c) for c in columns]
        return [tuple(r[i] for i in idx) for r in self.rows]

    def where(self, **equal: object) -> RowSet:
        """The rows whose columns equal the values given (``where(channel="arms")``)."""
        tests = [(self.columns.index(c), v) for c, v in equal.items()]
        return RowSet(self.columns, self.kinds,
                      [r for r in self.rows if all(r[i] == v for i, v in tests)])

    def with_column(self, name: str, kind: Kind, values: Iterable[Any]) -> RowSet:
        """A copy with one more column at the end."""
        values = list(values)
        if len(values) != len(self.rows):
            raise ValueError(f"column {name}: {len(values)} values for {len(self.rows)} rows")
        return RowSet((*self.columns, name), (*self.kinds, kind),
                      [(*r, v) for r, v in zip(self.rows, values, strict=True)])

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]

    def to_frame(self) -> pd.DataFrame:
        """The rows as a DataFrame: ``float`` columns float64 (NaN for null), ``year``
        columns nullable Int64, the others as the values are (text: object)."""
        import numpy as np
        import pandas as pd

        data: dict[str, Any] = {}
        for i, (name, kind) in enumerate(zip(self.columns, self.kinds, strict=True)):
            values = [r[i] for r in self.rows]
            if kind == "float":
                data[name] = np.array(values, dtype="float64")
            elif kind == "year":
                data[name] = pd.array(values, dtype="Int64")
            else:
                data[name] = values
        return pd.DataFrame(data)

    def to_csv(self, out: IO[str]) -> None:
        """Write the rows as ``DataFrame.to_csv(index=False)`` does: a header, nulls empty,
        numbers in their shortest round-trip form (``28.8``, ``0.0``)."""
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([_csv_cell(v) for v in row])


def _csv_cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value
