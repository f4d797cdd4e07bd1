"""A table that fits as it is gets its columns' natural widths up front, without wrapping:
the same bytes as Rich's own layout, without Rich measuring and wrapping every cell."""

from __future__ import annotations

import pytest

from reciprocity.cli import render
from reciprocity.rowset import RowSet

ROWS = RowSet(("channel", "unit", "year", "flow_ab", "gl_index", "mode"),
              ("str", "str", "int", "float", "float", "str"),
              [("arms", "tiv_millions", 2000 + i, 1234.5 * i, i / 40, "licensed_production")
               for i in range(40)])


def _printed(monkeypatch: pytest.MonkeyPatch, width: int, natural: bool) -> tuple[str, list]:
    monkeypatch.setattr(render.console, "_width", width)
    if not natural:  # Rich's own layout, as before the natural widths
        monkeypatch.setattr(render, "_natural_widths", lambda rows, width: None)
    printed = []
    original = render.console.print

    def spy(table, *args, **kwargs):
        printed.append([(c.width, c.no_wrap) for c in table.columns])
        return original(table, *args, **kwargs)

    monkeypatch.setattr(render.console, "print", spy)
    with render.console.capture() as cap:
        render.table(ROWS, title="USA ⇄ JPN · arms · by year", caption="A credit line.",
                     labels={"flow_ab": "USA→JPN"})
    return cap.get(), printed[0]


@pytest.mark.parametrize("width", [200, 100, 70, 40])
def test_the_same_bytes_as_richs_own_layout(monkeypatch: pytest.MonkeyPatch, width: int):
    with monkeypatch.context() as m:
        fast, _ = _printed(m, width, natural=True)
    with monkeypatch.context() as m:
        plain, _ = _printed(m, width, natural=False)
    assert fast == plain


def test_a_table_that_fits_is_laid_out_up_front(monkeypatch: pytest.MonkeyPatch):
    out, columns = _printed(monkeypatch, 200, natural=True)
    assert all(no_wrap and width for width, no_wrap in columns)
    widths = [w for w, _ in columns]
    assert widths[:3] == [len("Channel"), len("TIV, millions"), len("Year")]
    assert widths[4:] == [len("Two-way index"), len("licensed production")]
    border = next(line for line in out.splitlines() if line.startswith("┏"))
    assert len(border) == sum(widths) + 3 * len(widths) + 1  # no wider than its content


def test_a_table_too_wide_is_left_to_rich_and_the_fitting(monkeypatch: pytest.MonkeyPatch):
    _, columns = _printed(monkeypatch, 70, natural=True)
    assert not any(no_wrap for _, no_wrap in columns)
