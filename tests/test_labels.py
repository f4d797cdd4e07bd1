"""``reciprocity.labels``: one place for the labels and number formats people read."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from reciprocity import channels, labels
from reciprocity.labels import fmt, label
from reciprocity.store.tables import MODES


def test_every_declared_unit_mode_and_channel_has_a_label_and_a_format() -> None:
    assert set(labels.UNITS) >= set(channels.UNIT_DECLARATIONS)
    for unit, (text, kind) in labels.UNITS.items():
        assert kind in labels.KINDS and label(unit) == text
        if channels.aggregation(unit) == "index":
            assert kind == "index", unit
    assert set(labels.MODES) == set(MODES)
    assert set(labels.CHANNELS) == set(channels.CHANNELS)


def test_labels_are_words_never_snake_case() -> None:
    names = [*labels.COLUMNS, *labels.MODES, *labels.CHANNELS, *labels.UNITS,
             "some_new_column", "value_jpy_millions", "relative_citation_index_chemistry"]
    for name in names:
        assert "_" not in label(name), name
    assert label("gl_index") == "Two-way index"
    assert label("licensed_production") == "licensed production"
    assert label("value_jpy_millions") == "JPY millions"
    assert label("some_new_column") == "some new column"


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (14_653_470_910.9419, "usd_current", "14,653"),         # money in millions, no cents
    (12.345, "value_usd_millions", "12.3"),
    (1_234.5, "value_jpy_millions", "1,234"),
    (41_128.0, "articles_whole", "41,128"),                  # counts as integers
    (7.0, "transfers", "7"),
    (1_826.04, "patent_families_fractional", "1,826.0"),
    (0.123456, "gl_index", "0.123"),                         # indices to 3 decimals
    (3.4412, "percent_of_gdp", "3.441"),
    (0.97, "coauthorship_index", "0.970"),
    (0.5, "relative_citation_index_chemistry", "0.500"),
    (54.0, "tiv_millions", "54.0"),
    (1985, "year", "1985"), (1985.0, "order_year", "1985"), (13418, "record_id", "13418"),
    (pd.Timestamp("2026-12-07 09:49:56.142183"), "ingested_at", "2026-12-07"),
    (dt.datetime(2026, 3, 14, 12, 0), None, "2026-03-14"),
    ("2026-12-07T09:49:56.142183", "generated_at", "2026-12-07"),
    (pd.NaT, "generated_at", ""), (None, "tiv_millions", ""), (math.nan, "gl_index", ""),
    (np.float64("nan"), None, ""), (pd.NA, None, ""), (np.datetime64("NaT"), None, ""),
    (True, None, "yes"), (np.bool_(False), None, "no"), (np.int64(2070), "flows_loaded",
                                                         "2,070"),
    (2.5, None, "2.50"), (12_000.0, None, "12,000"), ("text", None, "text"),
    (3817.0, "decimal", "3,817.00"),
])
def test_fmt_by_unit(value, unit, shown) -> None:
    assert fmt(value, unit) == shown


def test_word_is_the_label_inside_a_sentence() -> None:
    from reciprocity.labels import word

    assert word("start_year") == "start year"  # the label "Start year", lower case
    assert word("tiv_delivered") == "TIV delivered"  # a leading abbreviation kept
    assert word("coauthorship") == "co-authorship"
    assert word("number_delivered_uncertain") == "number delivered uncertain"
