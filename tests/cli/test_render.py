"""``render.emit``: one call prints a result as JSON, CSV or tables with notes."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from rich.console import Console

from reciprocity.cli import render
from reciprocity.cli.render import Format, View, emit

FRAME = pd.DataFrame({"area": ["space", "quantum"], "value": [1.5, None]})


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """What the Rich console prints."""
    out = io.StringIO()
    monkeypatch.setattr(render, "console", Console(file=out, width=120))
    return out


def test_json_and_csv_ignore_the_table_options(capsys, shown) -> None:
    options = {"title": "T", "empty": "nothing", "notes": ["a note"],
               "views": [View(FRAME.head(1), title="V")]}
    emit(FRAME, Format.json, **options)
    assert json.loads(capsys.readouterr().out) == [{"area": "space", "value": 1.5},
                                                   {"area": "quantum", "value": None}]
    emit(FRAME, Format.json, json_data={"x": 1}, **options)
    assert json.loads(capsys.readouterr().out) == {"x": 1}
    emit(FRAME, Format.json, json_data=[], **options)
    assert json.loads(capsys.readouterr().out) == []
    emit(FRAME, Format.csv, **options)
    assert capsys.readouterr().out == "area,value\nspace,1.5\nquantum,\n"
    assert shown.getvalue() == ""


def test_table_with_title_caption_columns_and_notes(shown) -> None:
    emit(FRAME, Format.table, title="Areas", caption="Credit line", columns=["area"],
         notes=["first note", "second note"])
    text = shown.getvalue()
    assert "Areas" in text and "Credit line" in text and "quantum" in text
    assert "value" not in text
    assert text.index("quantum") < text.index("first note") < text.index("second note")


def test_views_replace_the_frame_and_empty_replaces_the_views(shown) -> None:
    views = [View(FRAME, title="First"), View(FRAME.tail(1), title="Second", columns=["value"])]
    emit(FRAME.head(1), Format.table, title="Not shown", views=views, empty="Nothing here")
    text = shown.getvalue()
    assert "Not shown" not in text and "Nothing here" not in text
    assert text.index("First") < text.index("Second")
    shown.truncate(0)
    shown.seek(0)
    emit(FRAME.head(0), Format.table, views=views, empty="Nothing here", notes=["still said"])
    assert shown.getvalue().split("\n")[:2] == ["Nothing here", "still said"]
