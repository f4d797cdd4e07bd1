"""Settings and weights: defaults, overrides, and every bad value reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from reciprocity.assess.config import SPEC, load_settings, load_weights
from reciprocity.errors import FormatError, InputError


def write(tmp_path: Path, text: str, name: str = "f.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_settings_cover_every_key():
    settings = load_settings()
    assert set(settings.values) == set(SPEC)
    assert settings["dependence.short_term.hhi"] == 0.25
    assert settings["capabilities.rta_floor.patents"] == 500


def test_settings_file_overrides_a_subset(tmp_path):
    path = write(tmp_path, "dependence:\n  short_term:\n    hhi: 0.3\ncomposite:\n"
                           "  replicates: 100\n")
    settings = load_settings(path)
    assert settings["dependence.short_term.hhi"] == 0.3
    assert settings["composite.replicates"] == 100
    assert settings["dependence.long_term.hhi"] == 0.18
    assert settings.source == str(path)


def test_thresholds_out_of_range_are_all_reported(tmp_path):
    path = write(tmp_path, "dependence:\n  short_term:\n    hhi: 1.5\n    top_share: -0.1\n"
                           "composite:\n  level: 2\n  replicates: 10.5\nbogus: 1\n")
    with pytest.raises(InputError) as exc:
        load_settings(path)
    where = {p.location for p in exc.value.problems}
    assert where == {"f.yaml dependence.short_term.hhi", "f.yaml dependence.short_term.top_share",
                     "f.yaml composite.level", "f.yaml composite.replicates", "f.yaml bogus"}
    assert "nothing was computed" in str(exc.value)


def test_priorities_must_be_ordered(tmp_path):
    path = write(tmp_path, "opportunities:\n  priority:\n    low: 0.9\n")
    with pytest.raises(InputError, match="medium"):
        load_settings(path)


def test_default_weights_sum_to_one_and_name_directed_channels():
    weights = load_weights()
    assert sum(weights.weights.values()) == pytest.approx(1.0)
    assert weights.rationale and "NAP 9294" in weights.rationale
    assert weights.of("coauthorship") == 0.0


@pytest.mark.parametrize(("body", "found"), [
    ("weights: {arms: 0.5, programs: 0.4}", "weights summing to 0.9"),
    ("weights: {arms: 0.5, telepathy: 0.5}", "unknown channel 'telepathy'"),
    ("weights: {arms: 0.7, coauthorship: 0.3}", "for an undirected channel"),
    ("weights: {arms: 1.5, programs: -0.5}", "1.5"),
    ("weights: []", "a list"),
    ("weights: {arms: yes}", "True"),
])
def test_bad_weights_are_refused(tmp_path, body, found):
    with pytest.raises(InputError) as exc:
        load_weights(write(tmp_path, body))
    assert any(found in p.found for p in exc.value.problems), exc.value.problems


def test_malformed_or_missing_files(tmp_path):
    with pytest.raises(FormatError):
        load_weights(write(tmp_path, "weights: {arms: [0.5\n"))
    with pytest.raises(InputError, match="no such file"):
        load_settings(tmp_path / "absent.yaml")
    with pytest.raises(InputError):
        load_settings(write(tmp_path, "- a list\n"))
