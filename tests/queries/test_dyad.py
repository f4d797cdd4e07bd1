"""dyad: flows A→B and B→A by channel, mode and year, checked against the files themselves."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ev_helpers import ncses_value
from reciprocity.errors import InputError, NotFoundError, UnknownCountryError
from reciprocity.queries.dyad import ROW_KEYS, by_period, dyad
from sipri_helpers import (
    CREDIT,
    FULL_VINTAGE,
    RECIPIENT,
    SUPPLIER,
    TIV_DELIVERED,
    VINTAGE_2025,
    YEARS,
)

USA_JPN_BY_YEAR = {1986: 56, 1987: 56, 1995: 4, 1996: 4, 1997: 4, 2001: 5, 2005: 15, 2006: 15}
JPN_USA_BY_YEAR = {1991: 216, 1992: 216, 1993: 216, 2025: 15}


def by_year_dict(frame: pd.DataFrame, column: str) -> dict[int, float]:
    return {int(y): float(v) for y, v in zip(frame["year"], frame[column], strict=True)}


# -- the composed register: exact figures ------------------------------------------------------
def test_totals_by_mode_and_measures(classic_store):
    d = dyad(classic_store, "USA", "JPN")
    assert len(d.totals) == 1
    t = d.totals.iloc[0]
    assert (t["channel"], t["unit"]) == ("arms", "tiv_millions")
    assert (t["flow_ab"], t["flow_ba"]) == (159, 663)
    assert t["balance"] == -504
    assert t["gl_index"] == pytest.approx(1 - 504 / 822)
    assert t["share_b"] == pytest.approx(663 / 822)
    assert t["coverage_ratio"] == pytest.approx(663 / 159)
    modes = d.by_mode.set_index("mode")
    assert modes["flow_ab"].to_dict() == {"licensed_production": 112, "new": 5,
                                          "second_hand": 12, "second_hand_modernized": 30}
    assert modes["flow_ba"].to_dict() == {"licensed_production": 648, "new": 15,
                                          "second_hand": 0, "second_hand_modernized": 0}
    assert modes.at["second_hand", "gl_index"] == 0
    assert d.vintages == ["sipri_arms_transfers/2026-01-12"]
    assert d.credits == [CREDIT]


def test_by_year_fills_every_year_between_first_and_last(classic_store):
    d = dyad(classic_store, "USA", "JPN")
    years = d.by_year["year"].tolist()
    assert years == list(range(1986, 2026))
    ab, ba = by_year_dict(d.by_year, "flow_ab"), by_year_dict(d.by_year, "flow_ba")
    assert {y: v for y, v in ab.items() if v} == USA_JPN_BY_YEAR
    assert {y: v for y, v in ba.items() if v} == JPN_USA_BY_YEAR
    zero = d.by_year[(d.by_year["flow_ab"] == 0) & (d.by_year["flow_ba"] == 0)]
    assert len(zero) == 40 - 12
    assert zero[["share_b", "gl_index", "coverage_ratio"]].isna().all().all()
    assert (zero["balance"] == 0).all()
    one_way = d.by_year.set_index("year").loc[1991]
    assert (one_way["gl_index"], one_way["share_b"]) == (0, 1)
    assert pd.isna(one_way["coverage_ratio"])  # nothing went A→B that year


def test_by_mode_and_year(classic_store):
    d = dyad(classic_store, "USA", "JPN")
    lic = d.by_mode_year[d.by_mode_year["mode"] == "licensed_production"]
    assert lic["year"].tolist() == list(range(1986, 1994))
    assert {y: v for y, v in by_year_dict(lic, "flow_ba").items() if v} == {
        1991: 216, 1992: 216, 1993: 216}


@pytest.mark.parametrize("window", [1, 3, 5, 10])
def test_rolling_windows_sum_the_years_ending_at_each_year(classic_store, window):
    d = dyad(classic_store, "USA", "JPN", window=window)
    ab = by_year_dict(d.by_year, "flow_ab")
    ba = by_year_dict(d.by_year, "flow_ba")
    assert d.by_window["end"].tolist() == list(range(1986, 2026))
    for row in d.by_window.to_dict("records"):
        span = range(max(1986, row["end"] - window + 1), row["end"] + 1)
        assert row["start"] == span.start
        assert row["flow_ab"] == pytest.approx(sum(ab[y] for y in span))
        assert row["flow_ba"] == pytest.approx(sum(ba[y] for y in span))
    assert d.window == window


def test_default_window_is_five_years(classic_store):
    d = dyad(classic_store, "USA", "JPN")
    assert d.window == 5
    row = d.by_window.set_index("end").loc[1991]
    assert (row["start"], row["flow_ab"], row["flow_ba"]) == (1987, 56, 216)
    assert row["gl_index"] == pytest.approx(1 - 160 / 272)


def test_since_until_give_cumulative_totals_over_the_span(classic_store):
    d = dyad(classic_store, "USA", "JPN", since=1990, until=2000)
    assert (d.totals.at[0, "flow_ab"], d.totals.at[0, "flow_ba"]) == (12, 648)
    assert d.by_year["year"].tolist() == list(range(1990, 2001))
    assert (d.since, d.until) == (1990, 2000)
    assert dyad(classic_store, "USA", "JPN", since=2025).totals.at[0, "flow_ba"] == 15
    assert dyad(classic_store, "USA", "JPN", until=1986).totals.at[0, "flow_ab"] == 56


def test_mode_filter(classic_store):
    d = dyad(classic_store, "USA", "JPN", mode="licensed_production")
    assert (d.totals.at[0, "flow_ab"], d.totals.at[0, "flow_ba"]) == (112, 648)
    assert d.by_mode["mode"].tolist() == ["licensed_production"]


def test_swapping_a_and_b_mirrors_everything(classic_store):
    ab, ba = dyad(classic_store, "USA", "JPN"), dyad(classic_store, "JPN", "USA")
    assert ab.totals.at[0, "flow_ab"] == ba.totals.at[0, "flow_ba"]
    assert ab.totals.at[0, "flow_ba"] == ba.totals.at[0, "flow_ab"]
    assert ab.totals.at[0, "gl_index"] == pytest.approx(ba.totals.at[0, "gl_index"])
    assert ab.totals.at[0, "balance"] == -ba.totals.at[0, "balance"]
    assert ab.by_year["flow_ab"].tolist() == ba.by_year["flow_ba"].tolist()
    assert ab.by_year["gl_index"].fillna(-1).tolist() == pytest.approx(
        ba.by_year["gl_index"].fillna(-1).tolist())


def test_countries_by_name_or_code(classic_store):
    by_code = dyad(classic_store, "USA", "JPN").to_dict()
    by_name = dyad(classic_store, "united_states", "Japan").to_dict()
    assert by_code == by_name
    assert (by_code["a"], by_code["b"]) == ("USA", "JPN")


def test_historical_states_non_state_actors_and_unknowns_are_pairs_too(classic_store):
    assert dyad(classic_store, "Soviet Union", "IND").totals.at[0, "flow_ab"] == 430
    assert dyad(classic_store, "IRN", "Hezbollah (Lebanon)*").totals.at[0, "flow_ab"] == 2
    assert dyad(classic_store, "USA", "UNK").totals.at[0, "flow_ab"] == 0.5
    assert dyad(classic_store, "UNK", "LBY").totals.at[0, "flow_ab"] == 1


def test_pair_without_flows_is_empty_with_null_measures(classic_store):
    d = dyad(classic_store, "FRA", "JPN")
    assert d.totals.empty and d.by_year.empty and d.by_window.empty
    out = d.to_dict()
    assert out["channels"] == {} and out["credits"] == []


def test_to_dict_shape(classic_store):
    out = dyad(classic_store, "USA", "JPN").to_dict()
    assert {"a", "b", "channels"} <= set(out)
    arms = out["channels"]["arms"]
    for key in ("flow_ab", "flow_ba", "unit", "balance", "share_b", "gl_index",
                "coverage_ratio", "by_mode", "by_year"):
        assert key in arms
    assert set(arms["by_mode"]) == {"licensed_production", "new", "second_hand",
                                    "second_hand_modernized"}
    for mode in arms["by_mode"].values():
        assert set(ROW_KEYS) <= set(mode)
    for row in arms["by_year"]:
        assert {"year", *ROW_KEYS} <= set(row)
    empty_year = next(r for r in arms["by_year"] if r["year"] == 1990)
    assert empty_year["gl_index"] is None and empty_year["share_b"] is None


def test_by_period_sums_decades(classic_store):
    d = dyad(classic_store, "USA", "JPN")
    decades = by_period(d.by_year, 10).set_index("period")
    assert decades.index.tolist() == ["1980–1989", "1990–1999", "2000–2009", "2010–2019",
                                      "2020–2029"]
    assert decades.at["1990–1999", "flow_ab"] == 12
    assert decades.at["1990–1999", "flow_ba"] == 648
    assert decades.at["2010–2019", "gl_index"] != decades.at["2010–2019", "gl_index"]  # NaN


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"a": "USA", "b": "United States"}, InputError, "two different countries"),
    ({"a": "USA", "b": "Freedonia"}, UnknownCountryError, "Freedonia"),
    ({"a": "USA", "b": "JPN", "since": 2000, "until": 1990}, InputError, "after --until"),
    ({"a": "USA", "b": "JPN", "window": 0}, InputError, "--window"),
    ({"a": "USA", "b": "JPN", "channel": "spies"}, NotFoundError, "unknown channel 'spies'"),
    ({"a": "USA", "b": "JPN", "vintage": "1999"}, NotFoundError, "unknown vintage '1999'"),
])
def test_bad_arguments(classic_store, kwargs, error, message):
    a, b = kwargs.pop("a"), kwargs.pop("b")
    with pytest.raises(error, match=message):
        dyad(classic_store, a, b, **kwargs)


# -- the full register: the U.S.–Japan figures, computed independently ---------------------------
def independent_flows(rows, supplier: str, recipient: str) -> tuple[float, dict[int, float]]:
    """Total and per-year TIV supplier → recipient from raw csv rows, with own arithmetic."""
    total = 0.0
    per_year: dict[int, float] = defaultdict(float)
    for _, r in rows:
        if r[SUPPLIER] != supplier or r[RECIPIENT] != recipient:
            continue
        if not r[YEARS].strip() or not r[TIV_DELIVERED].strip():
            continue
        tiv = float(r[TIV_DELIVERED])
        total += tiv
        years = [int(y) for y in r[YEARS].split(";")]
        for y in years:
            per_year[y] += tiv / len(years)
    return total, dict(per_year)


@pytest.fixture(scope="module")
def usa_jpn(full_store):
    return dyad(full_store, "USA", "JPN")


def test_us_japan_totals_match_an_independent_computation(usa_jpn, full_rows):
    us_to_jp, _ = independent_flows(full_rows, "United States", "Japan")
    jp_to_us, _ = independent_flows(full_rows, "Japan", "United States")
    assert us_to_jp == pytest.approx(68142.77, abs=0.005)  # as counted in SOURCE.md's file
    assert jp_to_us == pytest.approx(703.0)
    arms = usa_jpn.to_dict()["channels"]["arms"]
    assert arms["flow_ab"] == pytest.approx(us_to_jp, rel=1e-12)
    assert arms["flow_ba"] == pytest.approx(jp_to_us, rel=1e-12)
    assert arms["gl_index"] == pytest.approx(1 - abs(us_to_jp - jp_to_us) / (us_to_jp + jp_to_us))
    assert arms["coverage_ratio"] == pytest.approx(jp_to_us / us_to_jp)
    assert usa_jpn.vintages == [FULL_VINTAGE]


def test_us_japan_by_year_matches_an_independent_split(usa_jpn, full_rows):
    _, ab = independent_flows(full_rows, "United States", "Japan")
    _, ba = independent_flows(full_rows, "Japan", "United States")
    years = usa_jpn.by_year["year"].tolist()
    assert years == list(range(min(ab | ba), max(ab | ba) + 1))
    got_ab, got_ba = by_year_dict(usa_jpn.by_year, "flow_ab"), by_year_dict(usa_jpn.by_year,
                                                                             "flow_ba")
    for y in years:
        assert got_ab[y] == pytest.approx(ab.get(y, 0.0), abs=1e-9), y
        assert got_ba[y] == pytest.approx(ba.get(y, 0.0), abs=1e-9), y


def test_one_multi_year_deal_is_split_over_its_years(usa_jpn, full_rows):
    """Beechjet-400 (T-1A Jayhawk): Japan → United States, 648 TIV delivered 1991-1997."""
    deal = [r for _, r in full_rows if r[SUPPLIER] == "Japan"
            and r[RECIPIENT] == "United States" and "Beechjet" in r[6]]
    assert len(deal) == 1
    years = [int(y) for y in deal[0][YEARS].split(";")]
    assert years == list(range(1991, 1998))
    per_year = float(deal[0][TIV_DELIVERED]) / len(years)
    assert per_year == pytest.approx(648 / 7)
    got = usa_jpn.by_year.set_index("year")["flow_ba"]
    for y in years:  # the only Japan → U.S. delivery in those years
        assert got[y] == pytest.approx(per_year)
    lic = usa_jpn.by_mode.set_index("mode")
    assert lic.at["licensed_production", "flow_ba"] == pytest.approx(648)


def test_us_japan_by_mode_matches_independent_mode_totals(usa_jpn, full_rows):
    from reciprocity.sources.sipri_comments import local_production

    status = {"New": "new", "Second hand": "second_hand",
              "Second hand but modernized": "second_hand_modernized"}
    expected: dict[str, float] = defaultdict(float)
    for _, r in full_rows:
        if r[SUPPLIER] == "United States" and r[RECIPIENT] == "Japan" and r[YEARS].strip():
            read = local_production(r[12], "JPN", float(r[4] or "nan"))
            mode = "licensed_production" if read else status[r[11]]
            expected[mode] += float(r[TIV_DELIVERED])
    got = usa_jpn.by_mode.set_index("mode")["flow_ab"].to_dict()
    assert got == pytest.approx(dict(expected))


def test_older_vintage_selected_matches_its_own_file(full_store, rows_2025):
    d = dyad(full_store, "USA", "JPN", vintage="2025-03-13")
    assert d.vintages == [VINTAGE_2025]
    us_to_jp, _ = independent_flows(rows_2025, "United States", "Japan")
    jp_to_us, _ = independent_flows(rows_2025, "Japan", "United States")
    assert d.totals.at[0, "flow_ab"] == pytest.approx(us_to_jp)
    assert d.totals.at[0, "flow_ba"] == pytest.approx(jp_to_us)
    assert us_to_jp != pytest.approx(dyad(full_store, "USA", "JPN").totals.at[0, "flow_ab"])


@settings(deadline=None, max_examples=15)
@given(st.integers(1950, 2026), st.integers(0, 40))
def test_cumulative_over_any_span_is_the_sum_of_its_years(full_store, usa_jpn, since, length):
    until = since + length
    span = dyad(full_store, "USA", "JPN", since=since, until=until)
    years = usa_jpn.by_year[(usa_jpn.by_year["year"] >= since)
                            & (usa_jpn.by_year["year"] <= until)]
    ab, ba = years["flow_ab"].sum(), years["flow_ba"].sum()
    if ab + ba == 0:
        assert span.totals.empty or span.totals.at[0, "flow_ab"] == 0
        return
    t = span.totals.iloc[0]
    assert t["flow_ab"] == pytest.approx(ab, abs=1e-9)
    assert t["flow_ba"] == pytest.approx(ba, abs=1e-9)
    assert 0 <= t["gl_index"] <= 1
    assert span.by_year["year"].tolist() == list(range(since, until + 1))


def test_rolling_window_on_the_full_register(usa_jpn):
    ab = by_year_dict(usa_jpn.by_year, "flow_ab")
    first = min(ab)
    for row in usa_jpn.by_window.to_dict("records"):
        span = range(max(first, row["end"] - 4), row["end"] + 1)
        assert row["flow_ab"] == pytest.approx(sum(ab[y] for y in span), abs=1e-9)


# -- units know how they aggregate: snapshot and index units, years without data ---------------
def test_snapshot_unit_has_null_years_no_total_and_its_latest_value(ncses_store):
    d = dyad(ncses_store, "USA", "JPN", channel="coauthorship")
    v2003 = ncses_value("United States", "Japan", 2003)
    v2022 = ncses_value("United States", "Japan", 2022)
    art = d.by_year[d.by_year["unit"] == "articles_whole"].set_index("year")
    assert art.index.tolist() == list(range(2003, 2023))
    assert (art.at[2003, "flow_ab"], art.at[2022, "flow_ab"]) == (v2003, v2022)
    between = art.loc[2004:2021]
    assert between[["flow_ab", "flow_ba", "balance"]].isna().all().all()  # null, never 0
    total = d.totals.set_index("unit").loc["articles_whole"]
    assert pd.isna(total["flow_ab"]) and pd.isna(total["flow_ba"])  # never 2003 + 2022
    assert d.by_window.empty  # rolling sums only for sum units
    assert d.years_with_data("coauthorship", "articles_whole") == [2003, 2022]
    assert d.latest("coauthorship", "articles_whole")["year"] == 2022

    ch = d.to_dict()["channels"]["coauthorship"]
    assert ch["aggregation"] == "snapshot"
    assert ch["flow_ab"] is None and ch["flow_ba"] is None and ch["balance"] is None
    assert ch["years_with_data"] == [2003, 2022]
    assert ch["latest"]["year"] == 2022
    assert ch["latest"]["flow_ab"] == ch["latest"]["flow_ba"] == v2022  # undirected: joint
    assert ch["by_window"] == []
    assert ch["by_mode"]["unspecified"]["flow_ab"] is None
    years = {r["year"]: r for r in ch["by_year"]}
    assert years[2010]["flow_ab"] is None and years[2010]["gl_index"] is None
    assert [y for y, r in years.items() if r["flow_ab"] is not None] == ch["years_with_data"]


def test_index_unit_is_never_summed_or_averaged_over_years(ncses_store):
    ch = dyad(ncses_store, "USA", "JPN").to_dict()["channels"]["coauthorship:coauthorship_index"]
    assert ch["aggregation"] == "index"
    assert ch["flow_ab"] is None  # neither a sum nor a mean of 2003 and 2022
    assert ch["latest"]["year"] == 2022
    assert ch["latest"]["flow_ab"] == ncses_value("United States", "Japan", 2022, "10006")
    assert ch["years_with_data"] == [2003, 2022]


def test_span_beyond_a_snapshot_is_null_not_zero(ncses_store):
    d = dyad(ncses_store, "USA", "JPN", channel="coauthorship", since=2000, until=2025)
    art = d.by_year[d.by_year["unit"] == "articles_whole"].set_index("year")
    assert art.index.tolist() == list(range(2000, 2026))
    assert art["flow_ab"].notna().sum() == 2
    assert d.to_dict()["channels"]["coauthorship"]["years_with_data"] == [2003, 2022]
    # a span between the measured years holds nothing to show, not a run of zeros
    assert dyad(ncses_store, "USA", "JPN", channel="coauthorship", since=2005,
                until=2020).to_dict()["channels"] == {}


def test_sum_unit_outside_the_sources_years_is_null(classic_store):
    """Years before the first year the store holds any arms flow are no data, not 0."""
    first = classic_store.con.execute(
        "SELECT min(year) FROM flows WHERE channel = 'arms'").fetchone()[0]
    d = dyad(classic_store, "USA", "JPN", since=first - 3, until=2025)
    rows = d.by_year.set_index("year")
    assert rows.loc[first - 3:first - 1, "flow_ab"].isna().all()
    assert rows.loc[first:1985, "flow_ab"].eq(0).all()  # measured years: zero, not null
    assert (d.totals.at[0, "flow_ab"], d.totals.at[0, "flow_ba"]) == (159, 663)
    windows = d.by_window.set_index("end")
    assert windows.loc[first - 3:first - 1, "flow_ab"].isna().all()  # no data at all
    assert windows.at[first, "flow_ab"] == 0
    ch = d.to_dict()["channels"]["arms"]
    assert ch["aggregation"] == "sum"
    assert ch["years_with_data"] == list(range(first, 2026))
    assert ch["latest"]["year"] == 2025 and ch["latest"]["flow_ba"] == 15


def test_by_period_never_adds_snapshot_or_index_units(ncses_store):
    d = dyad(ncses_store, "USA", "JPN", channel="coauthorship")
    periods = by_period(d.by_year, 10)
    assert periods[["flow_ab", "flow_ba"]].isna().all().all()


def test_years_text():
    from reciprocity.queries.dyad import years_text

    assert years_text([2003, 2022]) == "2 years with data: 2003, 2022"
    assert years_text(list(range(1986, 2026))) == "40 years with data: 1986–2025"
    assert years_text([2001, 2002, 2005]) == "3 years with data: 2001, 2002, 2005"
    assert years_text([2020]) == "1 year with data: 2020"
    assert years_text([]) == "no year with data"
