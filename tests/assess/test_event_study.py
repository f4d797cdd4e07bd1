"""Event studies (``compare A B --at YEAR``): known answers on planted series, deals drawn
whole, years without data left out, and refusals of bad input (exit 2)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from reciprocity.assess import event_study as es
from reciprocity.assess.compare import event_study
from reciprocity.assess.config import load_settings
from reciprocity.store.db import Store

AT = 2010
YEARS = np.arange(AT - 8, AT + 8)


def noise(seed: int, n: int = len(YEARS)) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, 1.0, n)


def planted(shift: float, seed: int = 7) -> np.ndarray:
    return 20.0 + noise(seed) + np.where(YEARS >= AT, shift, 0.0)


def test_segmented_regression_finds_a_planted_level_shift():
    found = es.segmented(YEARS, planted(10.0), AT)
    assert found.p_value is not None and found.p_value < 0.01
    assert found.level_change == pytest.approx(10.0, abs=2.5)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_segmented_regression_without_a_shift_finds_none(seed: int):
    found = es.segmented(YEARS, planted(0.0, seed), AT)
    assert found.p_value is not None and found.p_value > 0.05


def test_segmented_regression_needs_years_on_both_sides():
    values = planted(10.0)
    values[YEARS >= AT + 2] = np.nan  # two years after the event are left
    found = es.segmented(YEARS, values, AT)
    assert found.p_value is None and "fewer than 3 years" in str(found.note)


def block(shift: float, seed: int) -> es.Interval:
    values = planted(shift, seed)
    before, after = values[YEARS < AT], values[YEARS >= AT]
    return es.block_interval((before,), (after,), lambda x: float(x.mean()), replicates=999,
                             level=0.95, rng=np.random.default_rng(0))


def test_moving_block_interval_excludes_zero_for_a_planted_shift():
    interval = block(5.0, 7)
    assert interval.usable and interval.low > 0
    assert interval.method == "moving-block percentile"


def test_moving_block_interval_holds_zero_without_a_shift():
    interval = block(0.0, 7)
    assert interval.usable and interval.low < 0 < interval.high


def test_moving_block_blocks_never_cross_the_event_year():
    """A constant before and a different constant after: every replicate is the difference
    of the two, so the interval is degenerate. Blocks that crossed the event year would mix
    the two levels and spread it."""
    interval = es.block_interval((np.full(6, 1.0),), (np.full(6, 4.0),),
                                 lambda x: float(x.mean()), replicates=500, level=0.95,
                                 rng=np.random.default_rng(1))
    assert not interval.usable and np.allclose(interval.replicates, 3.0)


def deals_over_both_windows(pieces_as_units: bool) -> dict[str, np.ndarray]:
    """Eight deals, each delivering the same TIV every year 2005–2014 (so each deal adds as
    much to 2005–2009 as to 2010–2014); deals differ in size."""
    sizes = np.array([1.0, 3.0, 10.0, 40.0, 2.0, 7.0, 25.0, 60.0])
    years = np.tile(np.arange(2005, 2015), len(sizes))
    deal = np.repeat(np.arange(len(sizes)), 10)
    units = (np.array([f"piece {i}" for i in range(len(years))], dtype=object)
             if pieces_as_units else np.array([f"deal {d}" for d in deal], dtype=object))
    return es.unit_windows(units, np.ones(len(years), dtype=bool), sizes[deal], years, AT, 5)


def test_deal_resampling_keeps_each_deal_whole():
    """Whole deals: each draw adds equal amounts before and after, so every replicate's
    change is 0 and there is no interval. Drawn piece by piece (a delivery year alone), the
    before and after sums vary apart and an interval of positive width appears: that is
    what this test would see if the resampling split deals."""
    whole = es.unit_interval(deals_over_both_windows(False), "a_to_b", 5, 5, replicates=500,
                             level=0.95, rng=np.random.default_rng(3))
    assert whole.units == 8
    assert not whole.usable and np.allclose(whole.replicates, 0.0)
    pieces = es.unit_interval(deals_over_both_windows(True), "a_to_b", 5, 5, replicates=500,
                              level=0.95, rng=np.random.default_rng(3))
    assert pieces.units == 80 and pieces.usable


def test_deal_interval_of_a_planted_rise_excludes_zero():
    rng = np.random.default_rng(5)
    years = np.repeat(np.arange(2005, 2015), 6)
    sizes = rng.uniform(5, 15, len(years)) * np.where(years >= AT, 3.0, 1.0)
    units = np.array([f"deal {i}" for i in range(len(years))], dtype=object)
    cols = es.unit_windows(units, np.ones(len(years), dtype=bool), sizes, years, AT, 5)
    interval = es.unit_interval(cols, "a_to_b", 5, 5, replicates=999, level=0.95,
                                rng=np.random.default_rng(0))
    change = sizes[years >= AT].sum() / 5 - sizes[years < AT].sum() / 5
    assert interval.method == "BCa" and 0 < interval.low < change < interval.high


# -- on a store ------------------------------------------------------------------------------

def synthetic_rows(factor: float, seed: int = 11) -> list[dict[str, object]]:
    """Eight USA→JPN deals a year (each delivered in one year), sized 5–15 TIV, ``factor``
    times as large from AT on; JPN→USA one deal a year of 4–6 TIV throughout."""
    rng = np.random.default_rng(seed)
    rows = [{"channel": "arms", "origin": "USA", "destination": "JPN", "year": int(y),
             "magnitude": float(rng.uniform(5, 15) * (factor if y >= AT else 1.0))}
            for y in YEARS for _ in range(8)]
    rows += [{"channel": "arms", "origin": "JPN", "destination": "USA", "year": int(y),
              "magnitude": float(rng.uniform(4, 6))} for y in YEARS]
    return rows


def window_means(rows: list[dict[str, object]], window: int) -> tuple[float, float]:
    """The USA→JPN mean yearly flow before and after AT, by hand from the rows."""
    ab = [r for r in rows if r["origin"] == "USA"]
    before = sum(r["magnitude"] for r in ab if AT - window <= r["year"] < AT) / window
    after = sum(r["magnitude"] for r in ab if AT <= r["year"] < AT + window) / window
    return before, after


CFG = load_settings()


def test_store_event_study_finds_the_planted_shift(assess_make_store):
    rows = synthetic_rows(2.0)
    db = assess_make_store(rows)
    with Store(db, read_only=True) as store:
        result = event_study(store, "USA", "JPN", AT, window=6, cfg=CFG)
    data = json.loads(json.dumps(result.answer().model_dump(mode="json")))
    assert set(data) >= {"a", "b", "at", "window", "channels"}
    arms = data["channels"]["arms"]
    ab = arms["a_to_b"]
    assert set(ab) >= {"before", "after", "change", "ci_low", "ci_high", "p_value"}
    before, after = window_means(rows, 6)
    assert ab["before"] == pytest.approx(before) and ab["after"] == pytest.approx(after)
    assert ab["change"] == pytest.approx(after - before)
    assert ab["ci_low"] > 0 and ab["p_value"] < 0.01 and ab["verdict"] == "rose"
    assert ab["n_years_before"] == ab["n_years_after"] == 6
    assert ab["sampling_units"] == 8 * 12
    assert arms["b_to_a"]["verdict"] == "no_clear_change"
    ba = [r for r in rows if r["origin"] == "JPN"]
    ba_before = sum(r["magnitude"] for r in ba if AT - 6 <= r["year"] < AT) / 6
    ba_after = sum(r["magnitude"] for r in ba if AT <= r["year"] < AT + 6) / 6

    def gl(x: float, y: float) -> float:
        return 1 - abs(x - y) / (x + y)
    two_way = arms["two_way"]
    assert two_way["before"] == pytest.approx(gl(before, ba_before))
    assert two_way["change"] == pytest.approx(gl(after, ba_after) - gl(before, ba_before))
    assert two_way["change"] < 0  # USA→JPN doubled, JPN→USA did not


def test_store_event_study_without_a_shift(assess_make_store):
    db = assess_make_store(synthetic_rows(1.0))
    with Store(db, read_only=True) as store:
        result = event_study(store, "USA", "JPN", AT, window=6, cfg=CFG)
        ab = result.answer().model_dump(mode="json")["channels"]["arms"]["a_to_b"]
    assert ab["ci_low"] < 0 < ab["ci_high"] and ab["p_value"] > 0.05
    assert ab["verdict"] == "no_clear_change"


def test_an_index_year_without_data_is_left_out_not_zero(assess_make_store):
    """Index values are never summed and a missing year is not 0: the window's value is the
    mean of its years with data, and too few years give no verdict."""
    have = {AT - 3: 1.0, AT - 2: 3.0, AT: 2.0, AT + 4: 6.0}
    rows = [{"channel": "citation", "origin": o, "destination": d, "year": y,
             "magnitude": v, "unit": "relative_citation_index"}
            for y, v in have.items() for o, d in (("USA", "JPN"), ("JPN", "USA"))]
    db = assess_make_store(rows)
    with Store(db, read_only=True) as store:
        result = event_study(store, "USA", "JPN", AT, window=5, cfg=CFG)
        side = result.answer().model_dump(mode="json")["channels"]["citation"]["a_to_b"]
    assert side["before"] == pytest.approx(2.0) and side["after"] == pytest.approx(4.0)
    assert (side["n_years_before"], side["n_years_after"]) == (2, 2)
    assert side["verdict"] == "no_verdict" and "too few years" in side["reason"]
    assert side["p_value"] is None


def test_classic_deals_are_the_sampling_units(classic_store: Store):
    """USA→JPN in the composed register: 7 delivery-year rows of 4 deals in 1986–2005 (one
    deal delivers 1995–1997, across the event year 1996): the interval draws 4 units."""
    data = event_study(classic_store, "USA", "JPN", 1996, window=10, channel="arms",
                       cfg=CFG).answer().model_dump(mode="json")["channels"]["arms"]
    assert data["a_to_b"]["sampling_units"] == 4
    assert data["resampled"].startswith("SIPRI deals")
    assert data["a_to_b"]["before"] == pytest.approx((56 + 56 + 4) / 10)
    assert data["a_to_b"]["after"] == pytest.approx((4 + 4 + 5 + 15) / 10)


# -- the command line ------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["--at", "1900"],                            # before the pair's data
    ["--at", "2040"],                            # after it
    ["--at", "1996", "--window", "0"],
    ["--at", "1996", "--channel", "armz"],
    ["--at", "1996", "--channel", "coinvention"],  # no flows of the pair there
])
def test_bad_input_exits_2(run_main, assess_small_db, args):
    result = run_main("--db", assess_small_db, "compare", "USA", "JPN", *args)
    assert result.exit_code == 2, result.stdout
    assert "Input error" in result.stderr and result.stdout == ""


def test_compare_json_and_table(run_main, assess_small_db):
    result = run_main("--db", assess_small_db, "compare", "USA", "JPN", "--at", "1996",
                      "--window", "10", "--channel", "arms", "--format", "json",
                      "--replicates", "200")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["a"], data["b"], data["at"], data["window"]) == ("USA", "JPN", 1996, 10)
    assert set(data["channels"]["arms"]) >= {"a_to_b", "b_to_a", "two_way"}
    assert data["credits"] == ["Information from the SIPRI Arms Transfers Database"]
    table = run_main("--db", assess_small_db, "compare", "USA", "JPN", "--at", "1996",
                     "--window", "10", "--channel", "arms", "--replicates", "200")
    assert table.exit_code == 0 and "USA→JPN" in table.stdout
    assert "Information from the SIPRI Arms Transfers Database" in table.stdout


def test_event_gives_the_year(run_main, assess_small_db, tmp_path):
    """--event ID takes the year from the timeline (the starter's 1983 Exchange of Notes);
    an unknown id is not found (3); an event of neither country, or a different --at, is
    refused (2)."""
    import shutil

    from reciprocity.api import Reciprocity
    from reciprocity.events.starter import load_starter

    db = tmp_path / "events.duckdb"
    shutil.copyfile(assess_small_db, db)
    with Reciprocity(db) as r:
        load_starter(r)
        event = r.timeline.get("exchange-of-notes-1983")
    args = ["--db", db, "compare", "USA", "JPN", "--channel", "arms", "--replicates", "200"]
    by_event = run_main(*args, "--event", event.id, "--format", "json")
    assert by_event.exit_code == 0, by_event.stderr
    data = json.loads(by_event.stdout)
    assert data["at"] == event.year == 1983 and data["event"]["id"] == event.id
    assert data["event"]["sources"]
    by_year = json.loads(run_main(*args, "--at", "1983", "--format", "json").stdout)
    assert by_year["channels"] == data["channels"]
    assert run_main(*args, "--event", "no-such-event").exit_code == 3
    assert run_main(*args, "--event", event.id, "--at", "1984").exit_code == 2
    assert run_main(*args).exit_code == 2  # neither --at nor --event
    other = run_main("--db", db, "compare", "USA", "GBR", "--event", "three-principles-2014")
    assert other.exit_code == 2 and "concerns JPN" in other.stderr


def test_index_series_use_blocks_of_years_and_undirected_has_no_two_way(assess_make_store):
    """A published index (not a sample of records) is resampled in blocks of years; an
    undirected channel's joint count stands in both directions and has no two-way index."""
    rows = [{"channel": "citation", "origin": o, "destination": d, "year": int(y),
             "magnitude": 1.0 + 0.02 * i + (0.5 if y >= AT else 0.0),
             "unit": "relative_citation_index"}
            for i, y in enumerate(YEARS) for o, d in (("USA", "JPN"), ("JPN", "USA"))]
    rows += [{"channel": "coauthorship", "origin": "JPN", "destination": "USA", "year": int(y),
              "magnitude": 100.0 + 3 * i, "unit": "works_whole"} for i, y in enumerate(YEARS)]
    db = assess_make_store(rows)
    with Store(db, read_only=True) as store:
        result = event_study(store, "USA", "JPN", AT, window=6, cfg=CFG)
        data = result.answer().model_dump(mode="json")["channels"]
    cit = data["citation"]
    assert cit["resampled"].startswith("blocks of years")
    assert cit["a_to_b"]["interval_method"] == "moving-block percentile"
    assert cit["a_to_b"]["ci_low"] > 0 and cit["a_to_b"]["verdict"] == "rose"
    co = data["coauthorship"]
    assert co["directed"] is False and co["two_way"] is None
    assert co["a_to_b"]["before"] == co["b_to_a"]["before"] == pytest.approx(
        np.mean([100.0 + 3 * i for i in range(2, 8)]))
