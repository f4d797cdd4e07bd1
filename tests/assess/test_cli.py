"""The assessment commands answer for USA and JPN; bad inputs exit 2 and change nothing.

The answers need the real SIPRI register (``assess_db``, from ``../shared``); the refusals run
on a small store built from tests/fixtures (``assess_small_db``), so they run everywhere."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path

import pytest

EXAMPLE = resources.files("reciprocity").joinpath("data", "assess", "scenario_example.yaml")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def cli(run_main, assess_db):
    def run(*args: object, code: int = 0):
        result = run_main("--db", assess_db, *args)
        assert result.exit_code == code, result.stderr or result.stdout
        return result
    return run


def as_json(result) -> object:
    return json.loads(result.stdout)


def test_capabilities_json(cli):
    data = as_json(cli("assess", "capabilities", "JPN", "--format", "json"))
    assert data["country"] == "JPN" and data["measures"] and data["areas"]
    assert {"measure", "area", "period", "value", "share", "rank", "rta", "trend"} <= set(
        data["measures"][0])
    assert any("SIPRI" in c for c in data["credits"])
    one = as_json(cli("assess", "capabilities", "JPN", "--area", "aerospace", "--format",
                      "json"))
    assert {m["area"] for m in one["measures"]} == {"aerospace"}


def test_opportunities_json(cli):
    rows = as_json(cli("assess", "opportunities", "USA", "JPN", "--format", "json"))
    assert isinstance(rows, list)
    everything = as_json(cli("assess", "opportunities", "USA", "JPN", "--all", "--format",
                             "json"))
    assert everything
    for row in everything:
        assert {"area", "score", "evidence", "current_flow_ba"} <= set(row)
        assert row["score"] >= 0
    declared = {r["area"] for r in everything if r["need"]["kind"] == "declared"}
    assert declared == {"microelectronics", "computing_ai", "advanced_materials",
                        "advanced_manufacturing"}


def test_dependence_json(cli):
    data = as_json(cli("assess", "dependence", "JPN", "--format", "json"))
    assert {"hhi", "top_partner", "top_share", "by_area"} <= set(data)
    assert data["top_partner"] == "USA" and 0.5 < data["top_share"] <= 1.0
    assert 0 < data["hhi"] <= 1 and data["by_area"]
    assert {"short_term_supply_risk", "long_term_access_risk"} == set(data["flags"])


def test_index_json(cli):
    data = as_json(cli("index", "USA", "JPN", "--replicates", "200", "--format", "json"))
    assert {"value", "ci_low", "ci_high", "expected", "null", "z", "channels", "window",
            "weighting", "excluded"} <= set(data)
    assert data["weighting"] == "precision"
    assert 0 <= data["ci_low"] < data["ci_high"] <= 1
    assert 0 <= data["expected"] <= 1
    assert {"arms", "programs"} <= set(data["channels"])
    for ch in data["channels"].values():
        assert {"index", "weight", "observed", "expected", "null", "ci_low", "ci_high",
                "in_composite", "excluded", "verdict"} <= set(ch)
        if not ch["in_composite"]:
            assert ch["weight"] == 0 and ch["excluded"]
    assert sum(c["weight"] for c in data["channels"].values()) == pytest.approx(1.0)
    arms = data["channels"]["arms"]
    # the interval resamples SIPRI deals (one classic row each), not their delivery years
    assert arms["in_composite"] and arms["ci_method"] == "BCa"
    assert arms["sampling_units"] < arms["records"]
    # an index unit has no sampling distribution: no interval, no firm verdict
    if "citation" in data["channels"]:
        cit = data["channels"]["citation"]
        assert cit["ci_low"] is None and cit["verdict"] == "undetermined"
        assert not cit["in_composite"]
    assert data["window"]["name"].startswith("all years with data")
    since = as_json(cli("index", "USA", "JPN", "--since", "1995", "--until", "2020",
                        "--replicates", "100", "--weights", "declared", "--format", "json"))
    assert (since["since"], since["until"]) == (1995, 2020)
    assert since["window"]["since"] == 1995 and since["weighting"] == "declared"


def test_scenario_json(cli):
    with resources.as_file(EXAMPLE) as path:
        data = as_json(cli("scenario", path, "--format", "json"))
    assert {"window", "weighting", "before", "after", "change", "added", "index_command"} <= set(
        data)
    assert data["weighting"] == "precision"
    since, until = data["window"]["since"], data["window"]["until"]
    assert data["index_command"] == f"reciprocity index USA JPN --since {since} --until {until}"
    # before: what `index` says for the same window
    idx = as_json(cli("index", "USA", "JPN", "--since", str(since), "--until", str(until),
                      "--format", "json"))
    for key in ("value", "ci_low", "ci_high", "window", "excluded"):
        assert data["before"][key] == idx[key], key
    assert data["after"]["window"] == idx["window"]
    assert data["change"]["verdict"] in ("higher", "lower", "undetermined", "undefined")
    assert {r["unit_id"].split("|")[0] for r in data["added"]} == {"scenario"}
    assert "Change" in cli("scenario", path).stdout


def test_alerts_json_and_tables(cli):
    data = as_json(cli("alerts", "--format", "json"))
    assert {r["id"] for r in data["tripped"]} >= {"jpn-arms-share-usa"}
    assert all(r["evidence"] for r in data["tripped"])
    for r in data["checked"]:
        if r["kind"] == "index_below" and r["observed"] is not None:
            assert r["evidence"]["window"]["name"].startswith("5-year window")
            assert r["evidence"]["weighting"]
    # the composite alert's figure is `index --since S --until U` for its window (USA–JPN)
    rule = next(r for r in data["checked"] if r["id"] == "usa-jpn-composite-two-way")
    window = rule["evidence"]["window"]
    assert rule["evidence"]["weighting"] == "precision"
    idx = as_json(cli("index", "USA", "JPN", "--since", str(window["since"]), "--until",
                      str(window["until"]), "--format", "json"))
    assert rule["observed"] == idx["value"]
    assert (rule["evidence"]["ci_low"], rule["evidence"]["ci_high"]) == (idx["ci_low"],
                                                                         idx["ci_high"])
    assert rule["evidence"]["weights"] == {c: ch["weight"] for c, ch in idx["channels"].items()
                                           if ch["in_composite"]}
    assert rule["evidence"]["index_command"] == (
        f"reciprocity index USA JPN --since {window['since']} --until {window['until']}")
    for args in (("alerts",), ("index", "USA", "JPN", "--replicates", "100"),
                 ("assess", "dependence", "JPN"), ("assess", "capabilities", "USA"),
                 ("assess", "opportunities", "USA", "JPN"), ("assess", "needs", "USA")):
        assert cli(*args).stdout.strip()
    assert as_json(cli("assess", "needs", "USA", "--format", "json"))[0]["country"] == "USA"


@pytest.mark.parametrize(("name", "text", "args", "message"), [
    ("w.yaml", "weights: {arms: 0.6, programs: 0.6}\n", ("index", "USA", "JPN", "--weights"),
     "summing to 1.2"),
    ("w.yaml", "weights: {arms: 0.5, smoke_signals: 0.5}\n",
     ("index", "USA", "JPN", "--weights"), "unknown channel"),
    ("s.yaml", "a: USA\nb: JPN\nyears: 5\nstart_year: 1999\nflows:\n  - {channel: arms, "
     "from: JPN, to: USA, per_year: 1}\n", ("scenario",), "not in the past"),
    ("s.yaml", "a: USA\nb: Wakanda\nyears: 5\nflows:\n  - {channel: arms, from: JPN, to: USA, "
     "per_year: 1}\n", ("scenario",), "Wakanda"),
    ("t.yaml", "dependence:\n  short_term:\n    hhi: 7\n",
     ("assess", "dependence", "JPN", "--settings"), "between 0 and 1"),
    ("a.yaml", "alerts:\n  - {kind: hhi_over, country: JPN, channel: arms, threshold: 2}\n",
     ("alerts", "--config"), "between 0 and 1"),
])
def test_bad_inputs_exit_2_and_write_nothing(run_main, assess_small_db, tmp_path, name, text,
                                             args, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = digest(assess_small_db)
    argv = [*args, path] if args[0] != "scenario" else ["scenario", path]
    result = run_main("--db", assess_small_db, *argv, "--format", "json")
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr
    assert result.stdout == ""
    assert digest(assess_small_db) == before


def test_other_refusals(run_main, assess_small_db):
    def cli(*args: object, code: int):
        result = run_main("--db", assess_small_db, *args)
        assert result.exit_code == code, result.stderr or result.stdout
        return result

    before = digest(assess_small_db)
    assert "undirected" in cli("assess", "dependence", "JPN", "--channel", "coauthorship",
                               code=2).stderr
    assert "--replicates" in cli("index", "USA", "JPN", "--replicates", "3", code=2).stderr
    assert "area" in cli("assess", "capabilities", "JPN", "--area", "cooking", code=2).stderr
    assert cli("index", "USA", "USA", code=2).stderr
    assert digest(assess_small_db) == before
