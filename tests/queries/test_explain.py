"""explain: the source records, with vintage and row ids, behind a pair's figure."""

from __future__ import annotations

import pytest

from reciprocity.errors import NotFoundError
from reciprocity.queries.dyad import dyad
from reciprocity.queries.explain import explain
from sipri_helpers import FULL_VINTAGE, RECIPIENT, SUPPLIER, TIV_DELIVERED, VINTAGE_2025, YEARS

V1 = "sipri_arms_transfers/2026-01-12"


def test_explain_a_year(classic_store):
    frame = explain(classic_store, "USA", "JPN", channel="arms", year=1991)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row["direction"] == "b_to_a"
    assert (row["origin"], row["destination"], row["year"]) == ("JPN", "USA", 1991)
    assert row["magnitude"] == 216
    assert bool(row["is_estimated"])
    assert row["vintage_id"] == V1
    assert row["record_id"] == 19  # the line of the raw file
    assert row["designation"] == "Beechjet-400"
    assert row["delivery_years"] == "1991; 1992; 1993"
    assert row["tiv_delivered"] == 648
    assert row["comments"] == "$925 m 'TTTS' programme; produced under licence in USA"


def test_explain_all_years_adds_up_to_the_dyad(classic_store):
    frame = explain(classic_store, "USA", "JPN", channel="arms")
    d = dyad(classic_store, "USA", "JPN").totals.iloc[0]
    sums = frame.groupby("direction")["magnitude"].sum()
    assert sums["a_to_b"] == d["flow_ab"] and sums["b_to_a"] == d["flow_ba"]
    assert frame["year"].is_monotonic_increasing
    assert set(frame["record_id"]) == {13, 14, 15, 16, 18, 19}  # 17 has no deliveries
    # the record columns come from the source's record table
    assert {"supplier", "recipient", "order_year", "delivery_years", "comments", "mode_evidence",
            "design_origin"} <= set(frame.columns)
    pac3 = frame[frame["record_id"] == 18].iloc[0]
    assert pac3["design_origin"] == "USA"


def test_explain_by_mode_and_empty_years(classic_store):
    lic = explain(classic_store, "USA", "JPN", channel="arms", mode="licensed_production")
    assert set(lic["record_id"]) == {13, 19}
    assert explain(classic_store, "USA", "JPN", channel="arms", year=1990).empty


def test_explain_selected_vintage(classic2_store):
    classic_store = classic2_store
    new = explain(classic_store, "USA", "JPN", channel="arms", year=2001)
    old = explain(classic_store, "USA", "JPN", channel="arms", year=2001, vintage="2026-01-12")
    assert new["magnitude"].tolist() == [7.5] and old["magnitude"].tolist() == [5.0]
    assert set(new["vintage_id"]) == {"sipri_arms_transfers/2026-03-14"}
    assert set(old["vintage_id"]) == {V1}
    assert new["record_id"].tolist() == [14] and old["record_id"].tolist() == [14]


def test_explain_unknown_channel(classic_store):
    with pytest.raises(NotFoundError):
        explain(classic_store, "USA", "JPN", channel="spies")


def test_explain_full_register_rows_are_the_files_rows(full_store, full_rows, rows_2025):
    frame = explain(full_store, "USA", "JPN", channel="arms", year=2025)
    assert set(frame["vintage_id"]) == {FULL_VINTAGE}
    rows = dict(full_rows)
    for rec in frame.to_dict("records"):
        raw = rows[rec["record_id"]]
        expected = (("United States", "Japan") if rec["direction"] == "a_to_b"
                    else ("Japan", "United States"))
        assert (raw[SUPPLIER], raw[RECIPIENT]) == expected
        years = raw[YEARS].split(";")
        assert "2025" in [y.strip() for y in years]
        assert rec["magnitude"] == pytest.approx(float(raw[TIV_DELIVERED]) / len(years))
    d = dyad(full_store, "USA", "JPN", since=2025, until=2025).totals.iloc[0]
    sums = frame.groupby("direction")["magnitude"].sum()
    assert sums["a_to_b"] == pytest.approx(d["flow_ab"])
    assert sums["b_to_a"] == pytest.approx(d["flow_ba"]) == 15.0
    old = explain(full_store, "USA", "JPN", channel="arms", year=2020, vintage=VINTAGE_2025)
    old_rows = dict(rows_2025)
    assert set(old["vintage_id"]) == {VINTAGE_2025}
    for rec in old.to_dict("records"):
        assert old_rows[rec["record_id"]][6].strip() == rec["designation"]


def test_totals_add_sum_units_and_give_the_latest_year_of_the_others(ncses_store):
    from ev_helpers import ncses_value
    from reciprocity.queries.explain import totals, totals_text

    frame = explain(ncses_store, "USA", "JPN", channel="coauthorship")
    assert sorted(frame["year"].unique()) == [2003, 2022]
    rows = {r["unit"]: r for r in totals(frame)}
    art = rows["articles_whole"]
    assert art["aggregation"] == "snapshot" and art["total"] is None
    assert (art["latest_year"], art["latest"]) == (2022, ncses_value("United States", "Japan",
                                                                     2022))
    assert rows["coauthorship_index"]["aggregation"] == "index"
    assert "2022 (latest year" in totals_text(art, "USA", "JPN")
    arms = totals(explain(ncses_store, "USA", "JPN", channel="arms"))
    assert arms == []
