"""Output people can read (issue 14, part 4): tables that fit 100 columns without breaking a
word, labels and numbers by unit, dates not timestamps, ``--wide``, ``--window`` in table and
CSV, one message style and exit code for unknown names with the closest suggestion, and a
``credit`` column on every CSV row with exactly that row's credit line."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from ev_helpers import BM_NAME, BX_NAME, wdi_plain
from reciprocity.sources import registry
from reciprocity.store.db import Store
from sipri_helpers import CREDIT, FIXTURES

WDI_CREDIT = "World Bank, World Development Indicators (CC BY 4.0)"
NARROW = {"COLUMNS": "100"}
# 14,653,470,910.94 US$ as WDI gives it: shown in millions, without cents
PAYMENTS = 14_653_470_910.9419


@pytest.fixture(scope="module")
def out_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The composed SIPRI register (long comments, several modes), WDI IP payments and
    receipts of Japan and the United States (dollars with cents), and NCSES co-authorship of
    a pair (a second channel with a credit line of its own)."""
    tmp = tmp_path_factory.mktemp("out")
    db = tmp / "out.duckdb"
    bm = tmp / "BM.GSR.ROYL.CD_WDI.csv"
    bm.write_text(wdi_plain([("Japan", "JPN", {2012: PAYMENTS}),
                             ("United States", "USA", {2012: 40.0e9})],
                            "BM.GSR.ROYL.CD", BM_NAME))
    bx = tmp / "BX.GSR.ROYL.CD_WDI.csv"
    bx.write_text(wdi_plain([("Japan", "JPN", {2012: 31_892_291_571.95}),
                             ("United States", "USA", {2012: 124.0e9})],
                            "BX.GSR.ROYL.CD", BX_NAME))
    with Store(db) as store:
        store.ingest(registry.get("sipri"), FIXTURES / "classic.csv")
        for path in (bm, bx):
            store.ingest(registry.get("wdi"), path)
    return db


def lines(result) -> list[str]:
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def csv_rows(result) -> list[dict[str, str]]:
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


# -- tables fit 100 columns without breaking a word ------------------------------------------
TABLES = [
    (["sources"], ["Vintage", "Published", "Status", "Rows", "Flows", "2026-01-12"]),
    (["explain", "USA", "JPN"], ["Designation", "USA→JPN", "JPN→USA", "Beechjet-400",
                                 "licensed", "TIV, millions"]),
    (["indicators", "JPN"], ["BM.GSR.ROYL.CD", "BX.GSR.ROYL.CD", "Latest", "14,653"]),
    (["dyad", "USA", "JPN"], ["USA→JPN", "JPN→USA", "Two-way index", "TIV, millions"]),
    (["dyad", "USA", "JPN", "--window", "10"], ["USA→JPN 10y", "JPN→USA 10y", "Two-way index 10y"]),
    (["top", "exporters", "--since", "1986", "--until", "2025"],
     ["Rank", "Name", "Share %", "Change %", "1986–2025"]),
    (["partners", "JPN"], ["Rank", "Partner", "JPN→partner", "partner→JPN"]),
]


@pytest.mark.parametrize(("args", "whole"), TABLES, ids=[" ".join(a) for a, _ in TABLES])
def test_tables_fit_100_columns_without_breaking_words(run_main, out_db, args, whole):
    result = run_main("--db", out_db, *args, env=NARROW)
    shown = lines(result)
    assert max(len(line) for line in shown) <= 100
    text = result.stdout
    for needle in whole:  # each on one line: no heading or value folded mid-word
        assert needle in text, (needle, text)


@pytest.mark.parametrize("args", [a for a, _ in TABLES], ids=[" ".join(a) for a, _ in TABLES])
def test_tables_have_no_snake_case_nat_or_timestamps(run_main, out_db, args):
    text = run_main("--db", out_db, *args, env=NARROW).stdout
    table = "\n".join(line for line in text.splitlines() if line[:1] in "┃│┏┡└")
    assert "NaT" not in text and "nan" not in text.lower().split()
    assert not re.search(r"\d{2}:\d{2}:\d{2}", text)  # dates, never timestamps
    for name in ("flow_ab", "gl_index", "licensed_production", "tiv_millions", "vintage_id",
                 "record_id", "is_default", "rows_read"):
        assert name not in table


def test_money_in_millions_without_cents_and_indices_to_three_decimals(run_main, out_db):
    text = run_main("--db", out_db, "indicators", "JPN", env=NARROW).stdout
    assert "14,653" in text and "31,892" in text
    assert "14,653,470,910" not in text and "910.94" not in text
    assert "US$ millions" in text
    assert "1.000" not in text and "2012: 2.176" in text  # 31,892 / 14,653, three decimals
    wide = run_main("--db", out_db, "indicators", "JPN", "--wide", "--format", "table").stdout
    assert "14,653" in wide and "910.94" not in wide
    dyad = run_main("--db", out_db, "dyad", "USA", "JPN", env=NARROW).stdout
    assert re.search(r"\b0\.\d{3}\b", dyad) and not re.search(r"\b0\.\d{2}\b(?!\d)", dyad)


def test_wide_shows_every_column(run_main, out_db):
    narrow = run_main("--db", out_db, "sources", env=NARROW).stdout
    wide = run_main("--db", out_db, "sources", "--wide").stdout
    for heading in ("Layout", "Ingested", "Complete", "Default", "File"):
        assert heading not in narrow and heading in wide
    assert "classic" in wide and "classic" not in narrow
    explain = run_main("--db", out_db, "explain", "USA", "JPN", "--wide",
                       env={"COLUMNS": "1000"}).stdout
    for heading in ("Comments", "Vintage", "Supplier", "Recipient", "Ordered", "From",
                    "Dataset", "Deal", "Local production"):
        assert heading in explain
    assert "Comments" not in run_main("--db", out_db, "explain", "USA", "JPN").stdout
    json_keys = set(csv_rows(run_main("--db", out_db, "explain", "USA", "JPN", "-f", "csv"))[0])
    assert {"comments", "vintage_id", "record_id", "tiv_delivered", "credit"} <= json_keys


# -- --window ------------------------------------------------------------------------------
def test_window_adds_rolling_columns_to_table_and_csv(run_main, out_db):
    plain = csv_rows(run_main("--db", out_db, "dyad", "USA", "JPN", "--format", "csv"))
    assert not any(k.startswith("rolling") for k in plain[0])
    rows = csv_rows(run_main("--db", out_db, "dyad", "USA", "JPN", "--window", "3",
                             "--format", "csv"))
    assert {"rolling_start", "rolling_ab", "rolling_ba", "rolling_gl_index"} <= set(rows[0])
    arms = [r for r in rows if r["channel"] == "arms"]
    for i, row in enumerate(arms):
        span = arms[max(0, i - 2): i + 1]
        assert float(row["rolling_ab"]) == pytest.approx(sum(float(r["flow_ab"]) for r in span))
        assert row["rolling_start"] == span[0]["year"]  # a year: 1986, not 1986.0
    table = run_main("--db", out_db, "dyad", "USA", "JPN", "--window", "3", env=NARROW).stdout
    assert "USA→JPN 3y" in table and "Two-way index 3y" in table
    assert "3y" not in run_main("--db", out_db, "dyad", "USA", "JPN", env=NARROW).stdout


# -- unknown names: exit 2, one message style, the closest suggestion -----------------------
UNKNOWN = [
    (["dyad", "USA", "JPN", "--mode", "foo"], "unknown mode 'foo'", None),
    (["dyad", "USA", "JPN", "--mode", "licenced_production"], "unknown mode",
     "did you mean 'licensed_production'?"),
    (["explain", "USA", "JPN", "--mode", "second-hand"], "unknown mode",
     "did you mean 'second_hand'?"),
    (["dyad", "USA", "JPN", "--channel", "arm"], "unknown channel 'arm'",
     "did you mean 'arms'?"),
    (["explain", "USA", "JPN", "--channel", "arm"], "unknown channel", "'arms'"),
    (["dyad", "USA", "JPN", "--area", "spce"], "unknown technology area 'spce'",
     "did you mean 'space'?"),
    (["dyad", "USA", "Japna"], "unknown country 'Japna'", "did you mean Japan (JPN)?"),
    (["partners", "Untied States"], "unknown country", "did you mean United States (USA)?"),
    (["dyad", "USA", "JPN", "--vintage", "2026-01-13"], "unknown vintage '2026-01-13'",
     "did you mean 'sipri_arms_transfers/2026-01-12'?"),
    (["ingest", "sipiri", "x.csv"], "unknown source 'sipiri'", "did you mean 'sipri'?"),
    (["top", "exporter"], "unknown ranking 'exporter'", "did you mean 'exporters'?"),
]


@pytest.mark.parametrize(("args", "message", "hint"), UNKNOWN,
                         ids=[" ".join(a) for a, _, _ in UNKNOWN])
def test_unknown_names_are_bad_input_with_the_closest(run_main, out_db, args, message, hint):
    result = run_main("--db", out_db, *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Input error: ")
    assert message in result.stderr and "Traceback" not in result.output
    if hint:
        assert hint in result.stderr
    assert "['" not in result.stderr  # choices in words, not a Python list
    assert result.stdout == ""  # never "No flows …"


# -- CSV credit lines: a column, each row its own dataset's ---------------------------------
def test_csv_rows_carry_their_own_credit(run_main, out_db):
    dyad = csv_rows(run_main("--db", out_db, "dyad", "USA", "JPN", "--format", "csv"))
    assert dyad and {r["credit"] for r in dyad} == {CREDIT}
    explain = csv_rows(run_main("--db", out_db, "explain", "USA", "JPN", "--format", "csv"))
    assert explain and {r["credit"] for r in explain} == {CREDIT}
    indicators = csv_rows(run_main("--db", out_db, "indicators", "JPN", "--format", "csv"))
    assert indicators and {r["credit"] for r in indicators} == {WDI_CREDIT}
    for args in (["top", "exporters"], ["partners", "JPN"]):
        rows = csv_rows(run_main("--db", out_db, *args, "--format", "csv"))
        assert rows and {r["credit"] for r in rows} == {CREDIT}
        assert list(rows[0])[-1] == "credit"
    sources = csv_rows(run_main("--db", out_db, "sources", "--format", "csv"))
    assert {r["dataset"]: r["credit"] for r in sources} == {
        "sipri_arms_transfers": CREDIT, "world_bank_wdi:BM.GSR.ROYL.CD": WDI_CREDIT,
        "world_bank_wdi:BX.GSR.ROYL.CD": WDI_CREDIT}


@pytest.mark.requires_shared
def test_csv_credit_of_a_mixed_dyad_is_per_channel(run_main, tmp_path, out_db):
    import shutil

    from ev_helpers import raw_file

    db = tmp_path / "mixed.duckdb"
    shutil.copyfile(out_db, db)
    with Store(db) as store:
        store.ingest(registry.get("ncses"), raw_file("ncses_sei/10003_data.csv"))
    rows = csv_rows(run_main("--db", db, "dyad", "USA", "JPN", "--format", "csv"))
    by_channel: dict[str, set[str]] = {}
    for row in rows:
        by_channel.setdefault(row["channel"], set()).add(row["credit"])
    assert by_channel["arms"] == {CREDIT}
    [ncses] = by_channel["coauthorship"]
    assert ncses.startswith("National Center for Science and Engineering Statistics")
    assert CREDIT not in ncses


def test_demo_csv_rows_carry_their_own_credit() -> None:
    import pandas as pd

    from reciprocity.demo import _credit_column

    maps = {"dataset": {"sipri_arms_transfers": CREDIT, "world_bank_wdi:BX": WDI_CREDIT,
                        "ncses_sei:SPBS-35": "NCSES"},
            "channel": {"arms": CREDIT, "coauthorship": "NCSES · OpenAlex"},
            "channel,unit": {("arms", "tiv_millions"): CREDIT,
                             ("coauthorship", "articles_whole"): "NCSES"}}
    every = " · ".join([CREDIT, WDI_CREDIT, "NCSES"])
    mixed = pd.DataFrame({"channel": ["arms", "coauthorship"],
                          "unit": ["tiv_millions", "articles_whole"]})
    assert _credit_column("usa_jpn_channels.csv", mixed, maps, every) == [CREDIT, "NCSES"]
    composite = pd.DataFrame({"channel": ["composite", "arms", "patent_citation"],
                              "unit": ["precision", "tiv_millions", "citations_fractional"]})
    assert _credit_column("usa_jpn_composite_index.csv", composite, maps, every) == [
        every, CREDIT, ""]  # all the channels it combines; a channel without data none
    records = pd.DataFrame({"dataset": ["sipri_arms_transfers"]})
    assert _credit_column("x.csv", records, maps, every) == [CREDIT]
    assert _credit_column("jpn_arms_partners.csv", pd.DataFrame({"partner": ["USA"]}), maps,
                          every) == CREDIT
    assert _credit_column("usa_jpn_coverage_ratio.csv", pd.DataFrame({"year": [2012]}), maps,
                          every) == WDI_CREDIT
