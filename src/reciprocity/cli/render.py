"""Rendering results as Rich tables, JSON or CSV: the only place output is formatted."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console, ConsoleDimensions
from rich.table import Table

from reciprocity.rowset import RowSet

if TYPE_CHECKING:  # pandas and the metrics are imported when a result is printed
    import pandas as pd

    Tabular = pd.DataFrame | RowSet
    """What is printed as a table: a frame, or plain rows (:mod:`reciprocity.rowset`)."""


class _Console(Console):
    """The width is ``$COLUMNS`` when set, else the terminal's; 160 for logs and pipes.
    Read each time a table is printed, so a command run with ``COLUMNS=100`` fits 100."""

    @property
    def size(self) -> ConsoleDimensions:
        found = super().size
        if self._width is None and not self.is_terminal and not str(
                self._environ.get("COLUMNS", "")).isdigit():
            return ConsoleDimensions(160, found.height)
        return found


console = _Console()
err_console = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ReportFormat(StrEnum):
    """For commands whose output is a report, not one table: no CSV form."""

    table = "table"
    json = "json"


def emit_json(data: Any) -> None:
    from reciprocity.jsonout import dumps

    sys.stdout.write(dumps(data, indent=2) + "\n")


def emit_csv(frame: Tabular) -> None:
    if isinstance(frame, RowSet):
        frame.to_csv(sys.stdout)
    else:
        frame.to_csv(sys.stdout, index=False)


def with_credit(frame: Tabular, credits: Mapping[Any, str] | str,
                key: str | Sequence[str] = "dataset") -> Tabular:
    """The frame with a last column ``credit``: each row's own credit line(s) (CSV output
    carries the credits of exactly the data in each row, in a column every CSV reader
    reads). ``credits``: one line for every row, or a map from the row's ``key`` (a
    column, or a tuple of columns) to its line(s); a row without one gets an empty cell."""
    if isinstance(frame, RowSet):
        keys = frame.select([key] if isinstance(key, str) else key)
        return frame.with_column("credit", "str", [
            credits if isinstance(credits, str) else
            credits.get(k[0] if isinstance(key, str) else k, "") for k in keys])
    if isinstance(credits, str):
        return frame.assign(credit=credits)
    if isinstance(key, str):
        values = frame[key].map(lambda k: credits.get(k, "")) if len(frame) else []
    else:
        values = [credits.get(tuple(k), "") for k in
                  frame[list(key)].itertuples(index=False, name=None)]
    return frame.assign(credit=values)


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


IN_ROW_UNIT = ("flow_ab", "flow_ba", "balance", "magnitude", "value", "previous_value",
               "planned", "actual", "difference",  # the ledger's planned versus actual
               "rolling_ab", "rolling_ba", "total", "latest", "flow_from", "flow_to",
               "flow_change", "exports", "imports", "exports_to_allies", "imports_from_allies",
               "not_classified", "observed_ab", "observed_ba")
"""Columns whose values are in the unit named by the row's ``unit`` column."""
LABELLED_VALUES = ("mode", "channel", "unit", "form")
"""Columns whose values are names shown by their label (``licensed_production`` →
``licensed production``)."""


def table(frame: Tabular, title: str | None = None, caption: str | None = None,
          columns: list[str] | None = None, *, units: Mapping[str, str] | None = None,
          labels: Mapping[str, str] | None = None) -> None:
    """Print a frame as a Rich table for people: headings from :func:`reciprocity.labels.label`
    (or ``labels``), values by :func:`reciprocity.labels.fmt` in their unit (``units``: a
    column's unit or format; columns of :data:`IN_ROW_UNIT` take the row's ``unit``; the
    others their column's format), numbers right-aligned, nulls empty."""
    from reciprocity.labels import fmt, kind, label

    cols = columns or list(frame.columns)
    units = dict(units or {})
    labels = dict(labels or {})
    t = Table(title=title, caption=caption, caption_justify="left", header_style="bold")
    formats: list[tuple[str | None, bool]] = []
    heads = [labels.get(c) or label(c) for c in cols]
    for c, head in zip(cols, heads, strict=True):
        numeric, dated, fractional = _column_type(frame, c)
        t.add_column(head, justify="right" if numeric else "left", overflow="fold")
        if c in units:
            formats.append((units[c], False))
        elif c in IN_ROW_UNIT and "unit" in frame.columns:
            formats.append((None, True))
        elif dated:
            formats.append(("date", False))
        elif kind(c) is None and fractional:
            formats.append(("decimal", False))  # one column, one number of decimals
        else:
            formats.append((c, False))
    if isinstance(frame, RowSet):
        row_units = frame.column("unit") if "unit" in frame.columns else [None] * len(frame)
        values: Iterable[Sequence[Any]] = frame.select(cols)
    else:
        row_units = frame["unit"].tolist() if "unit" in frame.columns else [None] * len(frame)
        values = frame[cols].itertuples(index=False)
    rows: list[list[str]] = []
    for row, row_unit in zip(values, row_units, strict=True):
        cells = []
        for c, v, (unit, in_row) in zip(cols, row, formats, strict=True):
            if c in LABELLED_VALUES and isinstance(v, str):
                cells.append(label(v))
            else:
                cells.append(fmt(v, row_unit if in_row else unit))
        t.add_row(*cells)
        rows.append(cells)
    fitted: list[int | None] = _fit([heads, *rows], console.width)
    natural = _natural_widths([heads, *rows], console.width) if not any(fitted) else None
    if natural is not None:
        # Rich would give each column its longest line and wrap nothing: say so, and it
        # neither measures nor wraps every cell again (the same bytes, about a fifth faster)
        fitted = list(natural)
        for column in t.columns:
            column.no_wrap = True
    for column, width in zip(t.columns, fitted, strict=True):
        column.width = width
    console.print(t)


def _natural_widths(rows: list[list[str]], width: int) -> list[int] | None:
    """Each column's longest line (in terminal cells), when the table so laid out is no
    wider than ``width``; else None."""
    longest = [max(cell_len(line) for cell in col for line in str(cell).split("\n"))
               for col in zip(*rows, strict=True)]
    return longest if sum(longest) <= width - (3 * len(longest) + 1) else None


def _column_type(frame: Tabular, column: str) -> tuple[bool, bool, bool]:
    """(numeric, dates, floats not all whole) of one column: from its declared kind in a
    :class:`RowSet`, from its dtype (and values) in a frame."""
    if isinstance(frame, RowSet):
        how = frame.kind(column)
        fractional = how == "float" and any(
            not math.isnan(v) and v % 1 != 0 for v in frame.column(column))
        return how in ("int", "float", "year"), False, fractional
    import pandas as pd

    series = frame[column]
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    fractional = (pd.api.types.is_float_dtype(series)
                  and not (series.dropna() % 1 == 0).all())
    return numeric, pd.api.types.is_datetime64_any_dtype(series), fractional


def _fit(rows: list[list[str]], width: int) -> list[int | None]:
    """Column widths that fit ``width`` without breaking a word: every column gets at least
    its longest word; narrow columns keep their whole width and the widest share what is
    left (one cap for all). None (Rich's own layout) when the table fits as it is, or when
    even its longest words do not fit (then Rich folds them)."""
    if not rows or not rows[0]:
        return []
    n = len(rows[0])
    longest = [0] * n
    word = [1] * n
    for row in rows:
        for i, cell in enumerate(row):
            for line in str(cell).split("\n"):
                longest[i] = max(longest[i], len(line))
                word[i] = max([word[i], *(len(w) for w in line.split())])
                if line.endswith(" %") and len(line) <= 9:  # "15.0 %": one figure, kept whole
                    word[i] = max(word[i], len(line))
    room = width - (3 * n + 1)  # a border and a space either side of each column
    if sum(longest) <= room or sum(word) > room:
        return [None] * n
    def widths(cap: int) -> list[int]:
        return [min(lo, max(w, cap)) for lo, w in zip(longest, word, strict=True)]

    cap = max(longest)
    while cap > 1 and sum(widths(cap)) > room:
        cap -= 1
    return list(widths(cap))


@dataclass(frozen=True)
class View:
    """One Rich table of a result: a frame with its title, caption and columns, and the
    lines printed right after it."""

    frame: Tabular
    title: str | None = None
    caption: str | None = None
    columns: list[str] | None = None
    notes: Sequence[str] = ()
    units: Mapping[str, str] | None = None
    """A column's unit or format where it is not the column's own (:func:`table`)."""
    labels: Mapping[str, str] | None = None
    """Headings instead of the labels of :mod:`reciprocity.labels` (e.g. ``USA→JPN``)."""
    wide_columns: list[str] | None = None
    """The columns ``--wide`` shows (default: every column of the frame)."""


def emit(frame: Tabular, fmt: Format, title: str | None = None,
         caption: str | None = None, json_data: Any = None, *,
         columns: list[str] | None = None, views: Sequence[View] | None = None,
         empty: str | None = None, empty_csv: bool = False,
         notes: Iterable[str] = (), wide: bool = False,
         csv_frame: Tabular | None = None) -> None:
    """Print a tabular result in the chosen format (reports such as `ledger show` print their own).

    JSON: ``json_data`` (default: the frame's rows). CSV: ``csv_frame`` (default: the frame;
    every column, raw values, with its ``credit`` column where the command adds one). Table:
    the frame with ``title``, ``caption`` and ``columns`` (or the ``views``, for a result
    shown as several tables, each followed by its own notes), or instead the ``empty``
    message when the frame has no rows (in CSV too with ``empty_csv``); then the ``notes``,
    one line each. A table shows its ``columns`` (chosen to fit a 100-column terminal);
    ``wide`` shows its ``wide_columns`` (default: all).
    """
    if fmt is Format.json:
        from reciprocity.jsonout import records

        emit_json(json_data if json_data is not None else records(frame))
        return
    if fmt is Format.csv and not (empty_csv and empty is not None and frame.empty):
        emit_csv(frame if csv_frame is None else csv_frame)
        return
    if empty is not None and frame.empty:
        console.print(empty)
        if fmt is Format.csv:
            return
    else:
        for view in views if views is not None else [View(frame, title, caption, columns)]:
            columns_shown = (view.wide_columns or list(view.frame.columns)) if wide \
                else view.columns
            table(view.frame, title=view.title, caption=view.caption, columns=columns_shown,
                  units=view.units, labels=view.labels)
            for line in view.notes:
                console.print(line)
    for line in notes:
        console.print(line)
