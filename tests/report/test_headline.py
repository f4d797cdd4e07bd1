"""The headline sentence words the figures it is given, and nothing else."""

from __future__ import annotations

from reciprocity.report import headline

DYAD = {"a": "USA", "a_name": "United States", "b": "JPN", "b_name": "Japan", "since": None,
        "until": None, "channels": {
            "arms": {"channel": "arms", "directed": True, "aggregation": "sum",
                     "unit": "tiv_millions", "flow_ab": 68142.77, "flow_ba": 703.0,
                     "gl_index": 0.0204224, "years_with_data": [1952, 1990, 2025],
                     "by_design": {"a_to_b": {"supplier_licensed": {"value": 1, "share": 0.625}},
                                   "b_to_a": {"recipient": {"value": 15, "share": 0.0213}}}},
            "coauthorship": {"channel": "coauthorship", "directed": False,
                             "aggregation": "snapshot", "unit": "articles_whole",
                             "flow_ab": 12828, "flow_ba": 12828, "years_with_data": [2022]}}}
INDEX = {"value": 0.0251, "ci_low": 0.0029, "ci_high": 0.0728, "level": 0.95,
         "expected": 0.0103, "verdict": "undetermined"}


def test_sentence_words_the_given_figures() -> None:
    text = headline.sentence(DYAD, INDEX)
    # by unit (labels.fmt): TIV to one decimal, shares of 1 as percentages, indices to 3
    assert text.startswith("From 1952 to 2025 the United States sent Japan 68,142.8 million "
                           "TIV of major arms and received 703.0 (two-way index 0.020)")
    assert "62.5 % of it was made in Japan under licence or locally" in text
    assert "2.1 % of what Japan sent was of the United States' own design" in text
    assert "composite index over all channels is 0.025 (95% interval 0.003–0.073, 0.010 " \
           "expected by chance): undetermined" in text
    assert text.endswith(".")


def test_sentence_without_composite_or_directed_channel() -> None:
    assert "composite" not in headline.sentence(DYAD)
    joint = {**DYAD, "channels": {"coauthorship": DYAD["channels"]["coauthorship"]}}
    assert "no two-way index applies" in headline.sentence(joint)
    assert "no flows" in headline.sentence({**DYAD, "channels": {}})


def test_single_value_channel_is_a_card() -> None:
    ch = DYAD["channels"]["coauthorship"]
    assert headline.single_value(ch) and not headline.single_value(DYAD["channels"]["arms"])
    card = headline.card("coauthorship", ch)
    assert card["year"] == 2022 and card["flow_ab"] == 12828 and card["gl_index"] is None
