"""The assessment results produce their answer models (``assess/answers.py``), and the CLI's
JSON is that model's dump: the published keys, in the published order, and nothing else."""

from __future__ import annotations

import json

from reciprocity.api import Reciprocity
from reciprocity.assess import answers

from .test_event_study import AT, synthetic_rows

#: The keys of ``compare A B --at YEAR --format json`` as published before the models.
EVENT_STUDY_KEYS = ["a", "b", "at", "window", "before_years", "after_years", "level",
                    "replicates", "seed", "event", "channels", "skipped", "credits"]
CHANNEL_KEYS = ["unit", "aggregation", "directed", "resampled", "a_to_b", "b_to_a", "two_way",
                "credits"]
#: The keys of ``reciprocity scenario FILE --format json``.
SCENARIO_KEYS = ["name", "a", "b", "start_year", "years", "window", "weighting",
                 "index_command", "before", "after", "change", "added", "program", "credits"]
#: The keys of ``assess allies COUNTRY --format json``.
ALLIES_KEYS = ["country", "country_name", "since", "until", "atop_until", "classified_until",
               "coverage", "level", "allies_by_year", "channels", "allies", "skipped",
               "credits"]
#: ``assess dependence``: the country and channel, then the overall concentration.
DEPENDENCE_HEAD = ["country", "country_name", "channel", "unit", "hhi", "top_partner"]


def test_models_keep_the_published_key_order():
    assert list(answers.EventStudyAnswer.model_fields) == EVENT_STUDY_KEYS
    assert list(answers.ChannelStudyAnswer.model_fields) == CHANNEL_KEYS
    assert list(answers.ScenarioAnswer.model_fields) == SCENARIO_KEYS
    assert list(answers.AlliesAnswer.model_fields) == ALLIES_KEYS
    assert list(answers.DependenceAnswer.model_fields)[:6] == DEPENDENCE_HEAD
    assert next(iter(answers.AreaConcentration.model_fields)) == "area"


def test_counts_stay_integers_in_figures():
    """A count in a figure field is dumped as 3, not 3.0 (the JSON stays as computed)."""
    side = answers.UndirectedChannel(channel="coauthorship", joint=3, expected_joint=1.5)
    assert json.dumps(side.model_dump(mode="json")["joint"]) == "3"


def test_compare_json_is_the_answers_dump(run_main, assess_make_store):
    db = assess_make_store(synthetic_rows(3.0))
    result = run_main("--db", db, "compare", "USA", "JPN", "--at", AT, "--window", 5,
                      "--replicates", 200, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    with Reciprocity(db, read_only=True) as r:
        study = r.compare("USA", "JPN", AT, window=5, replicates=200)
    model = answers.EventStudyAnswer.model_validate(data)  # every key known, none missing
    assert model == study.answer()
    assert list(data) == EVENT_STUDY_KEYS
    assert list(data["channels"]["arms"]) == CHANNEL_KEYS
    assert data["before_years"] == [AT - 5, AT - 1] and data["after_years"] == [AT, AT + 4]
    assert data["channels"]["arms"]["a_to_b"]["verdict"] == "rose"
