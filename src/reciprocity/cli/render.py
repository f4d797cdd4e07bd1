"""Rendering results as Rich tables, JSON or CSV: the only place output is formatted."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from reciprocity.metrics.twoway import clean

# Wide enough for tables in logs and pipes; a terminal keeps its own width.
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows of a frame."""
    return [{k: _jsonable(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _jsonable(value: Any) -> Any:
    value = clean(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def emit_csv(frame: pd.DataFrame) -> None:
    frame.to_csv(sys.stdout, index=False)


def fmt_value(value: Any, digits: int = 2) -> str:
    value = clean(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:,.{digits}f}"
    return str(value)


def table(frame: pd.DataFrame, title: str | None = None, caption: str | None = None,
          columns: list[str] | None = None) -> None:
    """Print a frame as a Rich table (numbers right-aligned, nulls empty)."""
    cols = columns or list(frame.columns)
    t = Table(title=title, caption=caption, caption_justify="left", header_style="bold")
    for c in cols:
        numeric = pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(
            frame[c])
        t.add_column(c, justify="right" if numeric else "left", overflow="fold")
    for row in frame[cols].itertuples(index=False):
        t.add_row(*(fmt_value(v) for v in row))
    console.print(t)


def emit(frame: pd.DataFrame, fmt: Format, title: str | None = None,
         caption: str | None = None, json_data: Any = None) -> None:
    """Print a frame in the chosen format (``json_data`` overrides the JSON body)."""
    if fmt is Format.json:
        emit_json(json_data if json_data is not None else records(frame))
    elif fmt is Format.csv:
        emit_csv(frame)
    else:
        table(frame, title=title, caption=caption)
