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


RECORD = pd.DataFrame({
    "comments": ["For frigates and destroyers; UGM-84 version for submarines and AGM-84 "
                 "version for P-3C anti-submarine aircraft"],
    "designation": ["Harpoon Block-1C anti-ship"],
    "mode_evidence": ["comment: Incl 66 assembled/produced in Japan"],
    "description": ["anti-ship missile launcher"], "record_id": [13418]})


def test_a_table_too_wide_wraps_between_words_never_inside_one(monkeypatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr(render, "console", Console(file=out, width=80))
    render.table(RECORD)
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    for word in ("anti-submarine", "assembled/produced", "Designation", "Record", "13418"):
        assert word in text
    assert "Mode" in text and "evidence" in text  # a heading wraps at its space


def test_table_headings_and_values_are_for_people(shown) -> None:
    frame = pd.DataFrame({
        "year": [1985, 1986], "flow_ab": [60_989.04, None], "unit": ["tiv_millions"] * 2,
        "gl_index": [0.123456, float("nan")], "mode": ["licensed_production", "second_hand"],
        "ingested_at": pd.to_datetime(["2026-12-07 09:49:56.142183", None]),
        "is_default": [True, False], "value": [14_653_470_910.9419, 2.0]})
    render.table(frame, units={"value": "usd_current"})
    text = shown.getvalue()
    for heading in ("Year", "A→B", "Unit", "Two-way index", "Mode", "Ingested", "Default"):
        assert heading in text
    for value in ("1985", "60,989.0", "TIV, millions", "0.123", "licensed production",
                  "second-hand", "2026-12-07", "yes", "no", "14,653"):
        assert value in text
    for raw in ("flow_ab", "gl_index", "licensed_production", "NaT", "nan", "09:49",
                "1,985", "0.123456", "910.94", "None"):
        assert raw not in text


def test_wide_shows_the_wide_columns(shown) -> None:
    view = View(FRAME, title="V", columns=["area"])
    emit(FRAME, Format.table, views=[view])
    assert "Value" not in shown.getvalue()
    emit(FRAME, Format.table, views=[view], wide=True)
    assert "Value" in shown.getvalue()


def test_csv_gets_a_credit_column_per_row(capsys) -> None:
    frame = pd.DataFrame({"dataset": ["a", "b", "c"], "x": [1, 2, 3]})
    emit(frame, Format.csv, csv_frame=render.with_credit(frame, {"a": "A's credit",
                                                                 "b": "B · C"}))
    assert capsys.readouterr().out == ("dataset,x,credit\na,1,A's credit\nb,2,B · C\n"
                                       "c,3,\n")
    keyed = pd.DataFrame({"channel": ["arms"], "unit": ["tiv_millions"]})
    assert render.with_credit(keyed, {("arms", "tiv_millions"): "SIPRI"},
                              ["channel", "unit"])["credit"].tolist() == ["SIPRI"]
    assert render.with_credit(keyed, "one line")["credit"].tolist() == ["one line"]


def test_console_width_follows_columns(monkeypatch) -> None:
    console = render._Console(file=io.StringIO())
    monkeypatch.setenv("COLUMNS", "100")
    assert console.width == 100
    monkeypatch.delenv("COLUMNS")
    assert console.width == 160  # a pipe or a log, not a terminal
