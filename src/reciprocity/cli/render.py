"""Rendering results as Rich tables, JSON or CSV: the only place output is formatted."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:  # pandas and the metrics are imported when a result is printed
    import pandas as pd

# Wide enough for tables in logs and pipes; a terminal keeps its own width.
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ReportFormat(StrEnum):
    """For commands whose output is a report, not one table: no CSV form."""

    table = "table"
    json = "json"


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows of a frame."""
    return [{k: _jsonable(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _jsonable(value: Any) -> Any:
    import pandas as pd

    from reciprocity.metrics.twoway import clean

    value = clean(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def emit_json(data: Any) -> None:
    from reciprocity.jsonout import dumps

    sys.stdout.write(dumps(data, indent=2) + "\n")


def emit_csv(frame: pd.DataFrame) -> None:
    frame.to_csv(sys.stdout, index=False)


def fmt_value(value: Any, digits: int = 2) -> str:
    from reciprocity.metrics.twoway import clean

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
    import pandas as pd

    cols = columns or list(frame.columns)
    t = Table(title=title, caption=caption, caption_justify="left", header_style="bold")
    for c in cols:
        numeric = pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(
            frame[c])
        t.add_column(c, justify="right" if numeric else "left", overflow="fold")
    for row in frame[cols].itertuples(index=False):
        t.add_row(*(fmt_value(v) for v in row))
    console.print(t)


@dataclass(frozen=True)
class View:
    """One Rich table of a result: a frame with its title, caption and columns, and the
    lines printed right after it."""

    frame: pd.DataFrame
    title: str | None = None
    caption: str | None = None
    columns: list[str] | None = None
    notes: Sequence[str] = ()


def emit(frame: pd.DataFrame, fmt: Format, title: str | None = None,
         caption: str | None = None, json_data: Any = None, *,
         columns: list[str] | None = None, views: Sequence[View] | None = None,
         empty: str | None = None, empty_csv: bool = False,
         notes: Iterable[str] = ()) -> None:
    """Print a tabular result in the chosen format (reports such as `ledger show` print their own).

    JSON: ``json_data`` (default: the frame's rows). CSV: the frame. Table: the frame with
    ``title``, ``caption`` and ``columns`` (or the ``views``, for a result shown as several
    tables, each followed by its own notes), or instead the ``empty`` message when the frame
    has no rows (in CSV too with ``empty_csv``); then the ``notes``, one line each.
    """
    if fmt is Format.json:
        emit_json(json_data if json_data is not None else records(frame))
        return
    if fmt is Format.csv and not (empty_csv and empty is not None and frame.empty):
        emit_csv(frame)
        return
    if empty is not None and frame.empty:
        console.print(empty)
        if fmt is Format.csv:
            return
    else:
        for view in views if views is not None else [View(frame, title, caption, columns)]:
            table(view.frame, title=view.title, caption=view.caption, columns=view.columns)
            for line in view.notes:
                console.print(line)
    for line in notes:
        console.print(line)
