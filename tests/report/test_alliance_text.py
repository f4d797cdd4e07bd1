"""The briefing says since when A and B are allies and on what terms (ATOP), one-sided
obligations included, and says so when they are not or when the store has no ATOP data."""

from __future__ import annotations

import shutil
from pathlib import Path

from atop_helpers import member_row, write_members
from reciprocity.api import Reciprocity
from reciprocity.report import builder
from reciprocity.report.alliance_text import sentence

USA_JPN = {"allied_since": 1951, "as_of": 2016, "treaties": [
    {"atopid": 2095, "start": 1921, "end": 1931,
     "obligations": {"USA": ["consul"], "JPN": ["consul"]}},
    {"atopid": 3220, "start": 1951, "end": 1960,
     "obligations": {"USA": ["defense", "consul"], "JPN": ["consul"]}},
    {"atopid": 3375, "start": 1960, "end": None,
     "obligations": {"USA": ["defense", "nonagg", "consul"], "JPN": ["nonagg", "consul"]}}]}


def test_allied_since_with_terms_per_member_and_one_sided_duties():
    text = sentence(USA_JPN, "USA", "United States", "JPN", "Japan")
    assert text.startswith("Allied since 1951 (ATOP v4, data to 2016) under ATOP alliances "
                           "3220 (1951–1960) and 3375 (from 1960)")
    assert "2095" not in text  # not part of the unbroken run since 1951
    assert ("terms in 2016: the United States: defence, non-aggression, consultation; "
            "Japan: non-aggression, consultation") in text
    assert "one-sided: defence by the United States only" in text


def test_not_allied_and_no_data():
    past = {"allied_since": None, "as_of": 2016, "treaties": USA_JPN["treaties"][:1]}
    text = sentence(past, "USA", "United States", "JPN", "Japan")
    assert text == ("The United States and Japan are not allied in ATOP in 2016 (ATOP v4, "
                    "data to 2016); earlier, ATOP alliance 2095 (1921–1931).")
    assert "no ATOP alliance data" in sentence(None, "USA", "United States", "JPN",
                                               "Japan")


def test_briefing_page_one_says_since_when(classic_db: Path, tmp_path: Path):
    db = tmp_path / "allied.duckdb"
    shutil.copyfile(classic_db, db)
    members = write_members(tmp_path / "atop-member-level.csv", [
        member_row(3375, 2, 1960, obligations=("defense", "consul")),
        member_row(3375, 740, 1960, obligations=("consul",))])
    with Reciprocity(db) as r:
        r.ingest("atop", members)
    with Reciprocity(db, read_only=True) as r:
        html = builder.render_html(r, "USA", "JPN")
    line = html[html.index('id="alliance-sentence"'):]
    line = line[:line.index("</p>")]
    assert "Allied since 1960" in line and "3375 (from 1960)" in line
    assert "defence by the United States only" in line
    assert html.index('id="alliance-sentence"') < html.index('id="summary-table"')
    assert "Alliance Treaty Obligations and Provisions" in html  # ATOP's credit line


def test_a_pact_without_defence_or_offence_is_not_called_an_alliance_outright() -> None:
    # e.g. the United States and China, both parties to ATOP 3755 (non-aggression) from 2009
    pact = {"allied_since": 2009, "as_of": 2016, "coverage_end": 2016, "treaties": [
        {"atopid": 3755, "start": 2009, "end": None,
         "obligations": {"USA": ["nonagg"], "CHN": ["nonagg"]}}]}
    text = sentence(pact, "USA", "United States", "CHN", "China")
    assert text.startswith("Allies in ATOP's sense only (no defence or offence obligation) "
                           "since 2009 (ATOP v4, data to 2016)")
    assert not sentence(USA_JPN, "USA", "United States", "JPN", "Japan").startswith("Allies in")
