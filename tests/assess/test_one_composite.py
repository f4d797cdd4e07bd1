"""`alerts` and `scenario` compute their composite as `index` does: the same function, the same
window, the same weights (precision by default, declared as an option)."""

from __future__ import annotations

import numpy as np
import pytest

from reciprocity.assess import service
from reciprocity.assess.config import Weights, load_settings
from reciprocity.store.db import Store

SETTINGS = load_settings()
FAST = type(SETTINGS)({**SETTINGS.values, "composite.replicates": 300}, "test")


def synthetic_rows() -> list[dict[str, object]]:
    """USA–JPN arms deals and ledger-like transfers over 2013–2024 (both ways, lopsided),
    with other countries' arms flows for the null's network."""
    rng = np.random.default_rng(7)
    rows: list[dict[str, object]] = []
    for year in range(2013, 2025):
        for _ in range(4):
            rows.append({"channel": "arms", "origin": "USA", "destination": "JPN", "year": year,
                         "magnitude": float(rng.integers(20, 200))})
        rows.append({"channel": "arms", "origin": "JPN", "destination": "USA", "year": year,
                     "magnitude": float(rng.integers(5, 60))})
        for o, d in (("USA", "DEU"), ("DEU", "FRA"), ("FRA", "JPN"), ("DEU", "USA")):
            rows.append({"channel": "arms", "origin": o, "destination": d, "year": year,
                         "magnitude": float(rng.integers(10, 100))})
        for o, d, n in (("USA", "JPN", 2), ("JPN", "USA", 1)):
            rows += [{"channel": "programs", "origin": o, "destination": d, "year": year,
                      "magnitude": 1.0}] * n
    return rows


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    from .conftest import SyntheticSource, write_flows

    tmp = tmp_path_factory.mktemp("one_composite")
    db = tmp / "s.duckdb"
    with Store(db) as store:
        store.ingest(SyntheticSource(), write_flows(tmp / "s.csv", synthetic_rows()))
    return db


def write_alerts(tmp_path, years=3, window=5):
    path = tmp_path / "a.yaml"
    path.write_text(
        "alerts:\n"
        f"  - {{id: c, kind: index_below, pair: [USA, JPN], threshold: 0.9, years: {years},"
        f" window: {window}}}\n"
        f"  - {{id: arms, kind: index_below, pair: [USA, JPN], channel: arms, threshold: 0.9,"
        f" years: {years}, window: {window}}}\n", encoding="utf-8")
    return path


def weights_file(tmp_path, arms: float) -> str:
    path = tmp_path / f"w{arms}.yaml"
    path.write_text(f"weights: {{arms: {arms}, programs: {1 - arms:.2f}}}\n", encoding="utf-8")
    return str(path)


def index_of(store, since, until, weights=None):
    return service.composite_index(store, "USA", "JPN", since=since, until=until,
                                   weights=weights, settings=FAST)


def check_windows(store, result, weights=None):
    """Every window of an index_below result equals `index --since S --until U`."""
    rows = result.evidence["last_years"]
    assert len(rows) == result.rule.years
    for row in rows:
        window = row["window"]
        size = result.rule.window
        assert window["name"] == f"{size}-year window {window['since']}–{window['until']}"
        assert window["until"] - window["since"] + 1 == size
        idx = index_of(store, window["since"], window["until"], weights)
        assert row["command"].startswith(
            f"reciprocity index USA JPN --since {window['since']} --until {window['until']}")
        if result.rule.channel:
            ch = next(c for c in idx.channels if c.channel == result.rule.channel)
            assert row["index"] == ch.index
            assert (row["ci_low"], row["ci_high"]) == (ch.ci_low, ch.ci_high)
        else:
            assert row["index"] == idx.value
            assert (row["ci_low"], row["ci_high"]) == (idx.ci_low, idx.ci_high)
            assert row["weights"] == {c.channel: c.weight for c in idx.channels
                                      if c.in_composite}
            assert row["excluded"] == {c.channel: c.excluded for c in idx.channels
                                       if c.excluded}
    return rows


def test_an_alert_is_the_index_of_its_window(store_path, tmp_path):
    with Store(store_path, read_only=True) as store:
        report = service.alerts(store, write_alerts(tmp_path), settings=FAST)
        by_id = {r.rule.id: r for r in report.results}
        rows = check_windows(store, by_id["c"])
        check_windows(store, by_id["arms"])
    # precision weights by default, both channels in, each with its weight
    assert by_id["c"].evidence["weighting"] == "precision"
    assert set(rows[-1]["weights"]) == {"arms", "programs"}
    assert [r["window"]["until"] for r in rows] == [2022, 2023, 2024]
    assert by_id["c"].evidence["window"]["name"] == "5-year window 2020–2024"
    assert by_id["c"].observed == rows[-1]["index"]
    assert by_id["c"].evidence["index_command"] == (
        "reciprocity index USA JPN --since 2020 --until 2024")
    frame = report.frame()
    assert set(frame["window"]) == {"5-year window 2020–2024"}


def test_declared_weights_follow_the_index_and_move_the_alert(store_path, tmp_path):
    values = {}
    with Store(store_path, read_only=True) as store:
        for arms in (0.9, 0.1):
            w = weights_file(tmp_path, arms)
            report = service.alerts(store, write_alerts(tmp_path, years=1), weights=w,
                                    settings=FAST)
            result = next(r for r in report.results if r.rule.id == "c")
            check_windows(store, result, w)
            assert result.evidence["weighting"] == "declared"
            assert result.evidence["weights"] == pytest.approx({"arms": arms,
                                                                "programs": 1 - arms})
            values[arms] = result.observed
        # the shipped declared weights by name, as `index --weights declared`
        report = service.alerts(store, write_alerts(tmp_path, years=1), weights="declared",
                                settings=FAST)
        check_windows(store, next(r for r in report.results if r.rule.id == "c"), "declared")
    # perturbing the weights moves the figure: the alert uses the weights it is given
    assert abs(values[0.9] - values[0.1]) > 0.05


def write_scenario(tmp_path, per_year: float, unit_jpn_usa: int = 1):
    path = tmp_path / f"s{per_year}.yaml"
    path.write_text(
        "a: USA\nb: JPN\nyears: 3\nstart_year: 2027\nflows:\n"
        f"  - {{channel: arms, from: JPN, to: USA, per_year: {per_year}}}\n"
        f"  - {{channel: programs, from: JPN, to: USA, per_year: {unit_jpn_usa}}}\n",
        encoding="utf-8")
    return path


def test_a_scenarios_before_is_the_index_of_its_window(store_path, tmp_path):
    import datetime as dt

    today = dt.date(2026, 6, 1)
    with Store(store_path, read_only=True) as store:
        for weights in (None, "declared"):
            result = service.scenario(store, write_scenario(tmp_path, 400), weights=weights,
                                      settings=FAST, today=today)
            idx = index_of(store, 2020, 2029, weights).answer().model_dump(mode="json")
            before = result.answer().model_dump(mode="json")["before"]
            for key in ("value", "ci_low", "ci_high", "window", "weighting", "expected",
                        "excluded"):
                assert before[key] == idx[key], key
            assert {c: ch["weight"] for c, ch in before["channels"].items()} == {
                c: ch["weight"] for c, ch in idx["channels"].items()}
            data = result.answer().model_dump(mode="json")
            assert data["window"] == idx["window"] and data["after"]["window"] == idx["window"]
            assert data["index_command"].startswith(
                "reciprocity index USA JPN --since 2020 --until 2029")
            assert data["weighting"] == ("precision" if weights is None else "declared")
            assert len(data["added"]) == 6


def test_a_scenarios_after_is_the_index_of_a_store_holding_the_records(store_path, tmp_path):
    """Ingest the program's records as flows: `index` on that store gives the after figure
    (declared weights: the value exactly; the interval up to the resampling order)."""
    import datetime as dt

    from .conftest import SyntheticSource, write_flows

    today = dt.date(2026, 6, 1)
    path = write_scenario(tmp_path, 400)
    w = weights_file(tmp_path, 0.5)
    with Store(store_path, read_only=True) as store:
        result = service.scenario(store, path, weights=w, settings=FAST, today=today)
    extra = [{"channel": r["channel"], "origin": r["origin"], "destination": r["destination"],
              "year": r["year"], "magnitude": r["magnitude"]}
             for r in result.answer().model_dump(mode="json")["added"]]
    db = tmp_path / "with_program.duckdb"
    with Store(db) as store:
        store.ingest(SyntheticSource(), write_flows(tmp_path / "w.csv",
                                                    synthetic_rows() + extra))
    with Store(db, read_only=True) as store:
        idx = index_of(store, 2020, 2029, w)
    after = result.after
    assert after.value == pytest.approx(idx.value, abs=1e-12)
    assert after.expected == pytest.approx(idx.expected, abs=0.02)
    assert after.ci_low == pytest.approx(idx.ci_low, abs=0.05)
    assert after.ci_high == pytest.approx(idx.ci_high, abs=0.05)
    for mine, theirs in zip(after.channels, idx.channels, strict=True):
        assert (mine.channel, mine.weight) == (theirs.channel, pytest.approx(theirs.weight))
        assert mine.index == pytest.approx(theirs.index)
        assert mine.interval.units == theirs.interval.units


def test_a_change_only_when_the_data_carry_it(store_path, tmp_path):
    import datetime as dt

    today = dt.date(2026, 6, 1)
    with Store(store_path, read_only=True) as store:
        big = service.scenario(store, write_scenario(tmp_path, 2000, 3), settings=FAST,
                               today=today)
        small = service.scenario(store, write_scenario(tmp_path, 1, 0), settings=FAST,
                                 today=today)
    assert big.change["verdict"] == "higher"
    assert big.after.ci_low > big.before.ci_high
    assert small.change["verdict"] == "undetermined"
    assert small.change["value"] is not None
    frame = big.frame()
    assert frame["channel"].iloc[0] == "composite"
    assert {"weight_before", "weight_after", "ci_low_after", "excluded_after"} <= set(frame)
    assert frame.loc[frame["channel"] == "programs", "weight_after"].iloc[0] > 0


def test_weights_objects_are_named_in_the_command(store_path, tmp_path):
    w = Weights(weights={"arms": 0.5, "programs": 0.5}, source="mine.yaml")
    with Store(store_path, read_only=True) as store:
        report = service.alerts(store, write_alerts(tmp_path, years=1), weights=w,
                                settings=FAST)
    result = next(r for r in report.results if r.rule.id == "c")
    assert result.evidence["index_command"].endswith("--weights mine.yaml")
