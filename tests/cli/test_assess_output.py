"""The assessment's tables read well at 100 columns (issue 14, part 4): ``assess
capabilities``, ``opportunities``, ``dependence``, ``allies`` and ``needs``, ``index``,
``scenario``, ``alerts`` and ``compare`` fit 100 columns without breaking a word, show areas,
measures, units and verdicts by their names (no snake_case), move long free text (evidence,
sources, notes) under the table, and ``--wide`` brings back every column. JSON and CSV keep
the raw names."""

from __future__ import annotations

import csv
import io
import re
import shutil
from importlib import resources
from pathlib import Path

import pytest

from atop_helpers import member_row, write_members

NARROW = {"COLUMNS": "100"}
WIDE = {"COLUMNS": "400"}
EXAMPLE = str(resources.files("reciprocity").joinpath("data", "assess", "scenario_example.yaml"))
SNAKE = ("tiv_millions", "too_short", "b_to_a", "a_to_b", "two_way", "p_value",
         "patent_families", "arms_exports", "sensors_radar", "missiles_propulsion",
         "no_verdict", "no_clear_change", "share_over", "hhi_over", "index_below",
         "best_measure", "b_strength", "top_partner", "short_term", "ci_low", "null_low")


@pytest.fixture(scope="module")
def assess_out_db(tmp_path_factory: pytest.TempPathFactory,
                  store_templates: dict[str, Path]) -> Path:
    """The composed classic register (USA and JPN trade both ways), the starter ledger and
    an ATOP alliance of the pair from 1951: every assessment command has rows, offline."""
    from reciprocity.api import Reciprocity
    from reciprocity.ledger.starter import load_starter

    tmp = tmp_path_factory.mktemp("assess_out")
    path = tmp / "assess.duckdb"
    shutil.copyfile(store_templates["classic"], path)
    atop = write_members(tmp / "atop-member-level.csv", [
        member_row(3375, 2, 1951, obligations=("defense", "consul")),
        member_row(3375, 740, 1951)])
    with Reciprocity(path) as r:
        load_starter(r)
        r.ingest("atop", atop)
    return path


ALLIES = ["assess", "allies", "JPN", "--since", "1985", "--until", "2010", "--replicates", "50"]
COMPARE = ["compare", "USA", "JPN", "--at", "1995", "--channel", "arms", "--replicates", "50"]
DEPENDENCE = ["assess", "dependence", "JPN", "--since", "1985", "--until", "2010"]
# (command, words and headings each on one line at 100 columns, headings only --wide shows)
COMMANDS = [
    (["assess", "capabilities", "USA"],
     ["Best measure", "World share", "Aerospace (aircraft)", "RTA", "too short", "Values:",
      "TIV, millions"], ["Unit", "RTA before", "Share change", "Trend p", "Field"]),
    (["assess", "opportunities", "USA", "JPN", "--all"],
     ["strength", "rising", "Present", "Qualifies", "microelectronics",
      "Evidence of JPN in each area:"], ["Evidence"]),
    (DEPENDENCE, ["Top supplier", "Top share", "Short-term", "Long-term", "HHI", "100.0 %",
                  "Aerospace", "Arms (TIV, millions), 2006–2010"], ["Unknown share", "Years"]),
    (ALLIES, ["export share", "Allies", "JPN→ally", "ally→JPN",
              "consultation", "CI high"], ["Exports to allies", "Treaties", "Interval note"]),
    (["index", "USA", "JPN", "--replicates", "50"],
     ["USA→JPN", "JPN→USA", "Cooperation", "CI low", "CI high", "undetermined",
      "TIV, millions", "Weights (precision): arms"], ["Weight", "Expected", "Null low",
                                                     "Null high"]),
    (["scenario", EXAMPLE], ["Weight", "before", "after", "Change", "Cooperation",
                             "Citation: left out after the program"], ["Unit", "Left out after"]),
    (["alerts"], ["Subject", "Threshold", "Observed", "Tripped", "HHI over", "supplier",
                  "2021–2025", "(usa-jpn-arms-two-way):"], ["ID", "Note"]),
    (["assess", "needs"], ["Priority", "Rationale", "Semiconductors and microelectronics",
                           "Source: Maximizing"], ["Source"]),
    (COMPARE, ["1990–1994", "1995–1999", "CI low", "p-value", "Verdict",
               "two-way index: no verdict", "JPN→USA: no verdict", "p-value: joint test"],
     ["Reason", "Unit", "Years with data before"]),
]
IDS = [" ".join(w for w in a[:3] if "/" not in w) for a, _, _ in COMMANDS]


def table_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line[:1] in "┃│┏┡└"]


def headings(text: str) -> str:
    """The heading rows of every table, joined: a heading folded over two lines in a
    narrow column would not be found as one string."""
    return "\n".join(line for line in text.splitlines() if line.startswith("┃"))


@pytest.mark.parametrize(("args", "whole", "hidden"), COMMANDS, ids=IDS)
def test_fits_100_columns_without_breaking_words(run_main, assess_out_db, args, whole, hidden):
    result = run_main("--db", assess_out_db, *args, env=NARROW)
    assert result.exit_code == 0, result.output
    shown = result.stdout.splitlines()
    assert max(len(line) for line in shown) <= 100
    for needle in whole:  # each on one line: no heading or value folded mid-word
        assert needle in result.stdout, (needle, result.stdout)
    for line in table_lines(result.stdout):  # no word cut at a cell's edge
        for cell in line.strip("┃│").split("┃" if "┃" in line else "│"):
            assert not re.search(r"[a-z]-$|_$", cell.strip()), (cell, result.stdout)


@pytest.mark.parametrize(("args", "whole", "hidden"), COMMANDS, ids=IDS)
def test_no_snake_case_in_tables_titles_or_notes(run_main, assess_out_db, args, whole, hidden):
    text = run_main("--db", assess_out_db, *args, env=NARROW).stdout
    for name in SNAKE:
        assert name not in text, (name, text)
    for line in table_lines(text):
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", line), line


@pytest.mark.parametrize(("args", "whole", "hidden"), COMMANDS, ids=IDS)
def test_wide_brings_back_the_hidden_columns(run_main, assess_out_db, args, whole, hidden):
    narrow = headings(run_main("--db", assess_out_db, *args, env=NARROW).stdout)
    result = run_main("--db", assess_out_db, *args, "--wide", env=WIDE)
    assert result.exit_code == 0, result.output
    wide = headings(result.stdout)
    for heading in hidden:
        assert re.search(rf"┃ {re.escape(heading)} +┃|┃ +{re.escape(heading)} ┃", wide), (
            heading, wide)
        assert not re.search(rf"┃ {re.escape(heading)} +┃|┃ +{re.escape(heading)} ┃",
                             narrow), (heading, narrow)


def test_capabilities_headings_fold_no_word(run_main, assess_out_db):
    """The measures table had 13 columns: at 100 columns every heading was cut mid-word."""
    text = run_main("--db", assess_out_db, "assess", "capabilities", "USA", env=NARROW).stdout
    measures = headings(text.split("By measure", 1)[1])
    for heading in ("Measure", "Area", "Period", "Value", "World share", "Rank", "RTA",
                    "Trend"):
        assert heading in measures.replace("┃\n┃", " "), measures
    assert "arms exports of own design" in " ".join(text.split())


def test_csv_and_json_keep_raw_names(run_main, assess_out_db):
    def header(*args: str) -> list[str]:
        result = run_main("--db", assess_out_db, *args, "--format", "csv")
        assert result.exit_code == 0, result.output
        return next(csv.reader(io.StringIO(result.stdout)))

    assert {"area", "window", "hhi", "top_partner", "short_term_risk",
            "unknown_share"} <= set(header(*DEPENDENCE))
    assert {"b_strength", "best_evidence", "present_share"} <= set(
        header("assess", "opportunities", "USA", "JPN", "--all"))
    assert {"measure", "area", "unit", "share", "previous_rta", "trend_p"} <= set(
        header("assess", "capabilities", "USA"))
    assert {"direction", "p_value", "ci_low", "resampled", "credit"} <= set(header(*COMPARE))
    rows = list(csv.DictReader(io.StringIO(run_main(
        "--db", assess_out_db, *COMPARE, "--format", "csv").stdout)))
    assert {r["direction"] for r in rows} == {"a_to_b", "b_to_a", "two_way"}
    assert {r["unit"] for r in rows} == {"tiv_millions"}


@pytest.mark.requires_shared
def test_real_register_fits_100_columns(run_main, tmp_path, full_store_path):
    """On the whole SIPRI register (the areas and suppliers of Japan's real imports)."""
    db = tmp_path / "full.duckdb"
    shutil.copyfile(full_store_path, db)
    for args, whole in (
            (["assess", "dependence", "JPN"], ["propulsion", "supplier",
                                               "TIV, millions"]),
            (["assess", "capabilities", "JPN"], ["World share", "Best measure"]),
            (["compare", "USA", "JPN", "--at", "2014", "--channel", "arms", "--replicates",
              "100"], ["JPN→USA: no verdict", "p-value: joint test"])):
        result = run_main("--db", db, *args, env=NARROW)
        assert result.exit_code == 0, result.output
        assert max(len(line) for line in result.stdout.splitlines()) <= 100
        for needle in whole:
            assert needle in result.stdout, (needle, result.stdout)
        for name in SNAKE:
            assert name not in result.stdout, (name, result.stdout)
