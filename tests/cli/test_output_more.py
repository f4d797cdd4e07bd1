"""Output people can read (issue 14, part 4), the other commands: `ledger list|show|history|
check`, `events A B`, `taxonomy`, `channels` and `users list` fit a 100-column terminal without
breaking a word, name things by their labels (no snake_case ids or units in their tables or the
lines under them), and `--wide` brings back the columns they leave out."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from reciprocity import accounts
from reciprocity.api import Reciprocity
from reciprocity.events.starter import load_starter as load_events
from reciprocity.ledger.starter import load_starter as load_ledger
from reciprocity.sources import registry
from sipri_helpers import FIXTURES

NARROW = {"COLUMNS": "100"}
WIDE = {"COLUMNS": "1000"}  # --wide in a terminal wide enough for every column


@pytest.fixture(scope="module")
def more_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The composed SIPRI register, the starter ledger (long ids, names and technologies;
    workshares and values planned in two currencies), the starter events (long titles and
    citations) and one web app user."""
    db = tmp_path_factory.mktemp("more") / "more.duckdb"
    with Reciprocity(db) as r:
        r.store.ingest(registry.get("sipri"), FIXTURES / "classic.csv")
        load_ledger(r)
        load_events(r)
        # a second version of a program, with a field of two words changed
        edited = db.parent / "edited.yaml"
        edited.write_text(r.ledger_export("yaml").replace(
            "start_year: 1984", "start_year: 1985", 1), encoding="utf-8")
        r.ledger_import(edited, reason="the first year of production corrected")
        accounts.add_user(r.store, "analyst", "editor", "a long enough password")
    return db


def table_lines(text: str) -> str:
    """The lines of the tables (rows and headings), not the lines under them."""
    return "\n".join(line for line in text.splitlines() if line[:1] in "┃│┏┡└")


def fits(result) -> str:
    assert result.exit_code == 0, result.output
    shown = result.stdout.splitlines()
    assert shown and max(len(line) for line in shown) <= 100, max(shown, key=len)
    return result.stdout


# (command, words and headings that must each show unbroken on one line, snake_case names
# that must not show in its tables)
COMMANDS = [
    (["ledger", "list"],
     ["Ledger programs (17)", "ch47j-licensed-production", "exchange-of-notes-1983",
      "production", "technology", "licensed", "1960–1968", "Transfers",
      "t3-11-nissan-ducted-rocket-1992", "Technology", "surface-to-air", "carried"],
     ["licensed_production", "not_carried_out", "start_year", "status_date", "changed_at"]),
    (["ledger", "show", "ch47j-licensed-production"],
     ["Transfers in ch47j-licensed-production", "ch47j-licence", "Technology", "executed"],
     []),
    (["ledger", "history", "ch47j-licence"],
     ["History of ch47j-licence (1 version)", "Version", "Changed", "created"],
     ["changed_at", "changed_by"]),
    (["ledger", "history", "ch47j-licensed-production"],
     ["History of ch47j-licensed-production (2 versions)", "start year", "corrected"],
     ["start_year"]),
    (["ledger", "check", "USA", "JPN"],
     ["Unmatched: no reciprocal transfer", "'f104j-licensed-production'",
      "t3-11-ihi-naval-1986", "t3-11-nissan-ducted-rocket-1992", "Counterpart",
      "patriot-licensed-production", "workshare, %", "JPY millions", "US$ millions",
      "713,000", "40.0"],
     ["transfer_id", "counterpart_id", "workshare_pct", "value_usd_millions",
      "value_jpy_millions"]),
    (["events", "USA", "JPN"],
     ["Policy events: USA ⇄ JPN", "export control", "program milestone", "USA, JPN",
      "Security Treaty between the United States and", "Countries"],
     ["export_control", "program_milestone"]),
    (["taxonomy"],
     ["Technology areas", "Semiconductors and microelectronics",
      "Critical technologies (US CET 2024)", "Advanced Engineering Materials",
      "TIV, millions", "First year", "Aerospace (aircraft)"],
     ["sensors_radar", "computing_ai", "advanced_materials", "tiv_millions", "first_year"]),
    (["channels"],
     ["TIV, millions", "relative citation index, physics", "co-authorship index",
      "works (fractional counts)", "Cooperation programs", "Directed", "Units"],
     ["tiv_millions", "relative_citation_index", "works_fractional", "coauthorship_index"]),
    (["users", "list"], ["Web app users", "analyst", "editor", "Role", "Created", "Updated"],
     ["created_at", "updated_at"]),
]
IDS = [" ".join(c) for c, _, _ in COMMANDS]


@pytest.mark.parametrize(("args", "whole", "snake"), COMMANDS, ids=IDS)
def test_fits_100_columns_without_breaking_words(run_main, more_db, args, whole, snake):
    text = fits(run_main("--db", more_db, *args, env=NARROW))
    # each on one line: no heading or value folded mid-word
    assert [needle for needle in whole if needle not in text] == [], text
    table = table_lines(text)
    for name in snake:
        assert name not in table, (name, table)
    assert not re.search(r"\d{2}:\d{2}:\d{2}", table)  # dates, never microsecond timestamps


def test_ledger_list_wide_brings_back_every_column(run_main, more_db):
    narrow = run_main("--db", more_db, "ledger", "list", env=NARROW).stdout
    wide = run_main("--db", more_db, "ledger", "list", "--wide", env=WIDE).stdout
    for heading in ("Partners", "Start year", "End year", "Version", "Program", "Significance"):
        assert heading not in table_lines(narrow) and heading in wide, heading
    assert "USA, JPN" in wide and "USA, JPN" not in narrow
    # a transfer's program, hidden by default
    assert re.search(r"│ ch47j-licence +│.*│ ch47j-licensed-production +│", wide)
    # machine formats keep their raw names and every column
    text = run_main("--db", more_db, "ledger", "list", "-f", "csv").stdout
    assert text.splitlines()[0].startswith("id,name,form,partners,start_year,end_year,status")
    assert "licensed_production" in text
    rows = list(csv.DictReader(io.StringIO(text)))
    # a transfer keeps its own kind; which list a row is from is a column of its own
    assert {r["record_kind"] for r in rows} == {"programs", "transfers"}
    assert {"hard", "soft"} <= {r["kind"] for r in rows if r["record_kind"] == "transfers"}


def test_ledger_check_wide_shows_the_program_and_measures_by_label(run_main, more_db):
    narrow = run_main("--db", more_db, "ledger", "check", "USA", "JPN", env=NARROW).stdout
    wide = run_main("--db", more_db, "ledger", "check", "USA", "JPN", "--wide",
                    env=WIDE).stdout
    assert "┃ Program " not in narrow.split("Matched")[0]
    assert re.search(r"│ f104j-licence +│ USA +│ JPN +│ 1962 │ f104j-licensed-production +│",
                     wide)
    # the line under the table names the measures by their labels too
    untracked = next(line for line in narrow.splitlines() if "not tracked" in line)
    assert "workshare, %" in untracked and "workshare_pct" not in untracked
    json_out = run_main("--db", more_db, "ledger", "check", "USA", "JPN", "-f", "json").stdout
    assert '"measure": "workshare_pct"' in json_out


def test_events_sources_behind_wide(run_main, more_db):
    narrow = run_main("--db", more_db, "events", "USA", "JPN", env=NARROW).stdout
    wide = run_main("--db", more_db, "events", "USA", "JPN", "--wide", env=WIDE).stdout
    for heading in ("Sources", "Programs"):
        assert f"┃ {heading} " not in narrow and f"┃ {heading} " in wide, heading
    assert "Avalon Project" in wide and "Avalon Project" not in narrow
    assert "security-treaty-1951" in wide
    assert "--wide" in narrow.splitlines()[-1]  # the line under the table says where they are
    text = run_main("--db", more_db, "events", "USA", "JPN", "-f", "csv").stdout
    assert text.splitlines()[0] == "id,date,kind,countries,title,programs,sources"
    assert "export_control" in text


def test_taxonomy_wide_shows_area_ids_and_the_report(run_main, more_db):
    narrow = run_main("--db", more_db, "taxonomy", env=NARROW).stdout
    wide = run_main("--db", more_db, "taxonomy", "--wide", env=WIDE).stdout
    for heading in ("ID (--area)", "Named in the 1995 report", "Aggregation"):
        assert heading not in narrow and heading in wide, heading
    assert "sensors_radar" in wide and "SEMATECH" in wide and "SEMATECH" not in narrow


def test_channels_wide_shows_descriptions(run_main, more_db):
    narrow = run_main("--db", more_db, "channels", env=NARROW).stdout
    wide = run_main("--db", more_db, "channels", "--wide", env=WIDE).stdout
    assert "Description" not in narrow and "Description" in wide
    assert "Deliveries of major conventional arms" in wide
    assert "Deliveries of major conventional arms" not in narrow
    # the units under the table, by their labels
    assert re.search(r"^TIV, millions \(sum\): ", narrow, re.MULTILINE)
    json_out = run_main("--db", more_db, "channels", "-f", "json").stdout
    assert '"tiv_millions"' in json_out
