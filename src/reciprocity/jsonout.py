"""Strict JSON, the one encoder of every JSON output (CLI ``--format json``, the web API).

JSON has no NaN or Infinity; Python's ``json`` writes them by default, and parsers in other
languages then refuse the whole answer. Here a non-finite number (Python, NumPy or pandas)
becomes ``null`` — an unknown value, as everywhere else in the outputs — and the encoder runs
with ``allow_nan=False``, so a non-finite number that slipped through is an error, never text
that is not JSON.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def strict(value: Any) -> Any:
    """``value`` with every non-finite float (at any depth) replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strict(v) for v in value]
    return value


def _default(value: Any) -> Any:
    """NumPy and pandas scalars as plain Python values (non-finite → None); else text."""
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        try:
            return strict(item())
        except (TypeError, ValueError):
            pass
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    return str(value)


def dumps(data: Any, *, indent: int | None = None) -> str:
    """Strict JSON text of ``data`` (non-finite numbers as null; never NaN or Infinity)."""
    return json.dumps(strict(data), ensure_ascii=False, allow_nan=False, default=_default,
                      indent=indent)


def dumps_bytes(data: Any) -> bytes:
    """:func:`dumps` as UTF-8 bytes (for HTTP bodies)."""
    return dumps(data).encode("utf-8")


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows of a frame (the CLI's ``--format json`` and the web API's answers)."""
    return [{k: _jsonable(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _jsonable(value: Any) -> Any:
    from reciprocity.metrics.twoway import clean

    value = clean(value)
    if hasattr(value, "isoformat"):  # datetime, date, pandas' Timestamp
        return value.isoformat()
    return value
