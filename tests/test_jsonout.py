"""The one JSON encoder: missing values of every kind are null, never text."""

from __future__ import annotations

import json
import math

import pandas as pd

from reciprocity.jsonout import dumps, records


def test_missing_dates_and_numbers_are_null_in_records() -> None:
    frame = pd.DataFrame({
        "generated_at": pd.to_datetime(["2026-03-01", None]),
        "tiv": [1.5, math.nan],
        "label": ["a", None],
    })
    rows = json.loads(dumps(records(frame)))
    assert rows[0] == {"generated_at": "2026-03-01T00:00:00", "tiv": 1.5, "label": "a"}
    assert rows[1] == {"generated_at": None, "tiv": None, "label": None}


def test_non_finite_numbers_are_null() -> None:
    assert json.loads(dumps({"x": math.inf, "y": [-math.inf, 2.0]})) == {"x": None,
                                                                      "y": [None, 2.0]}
