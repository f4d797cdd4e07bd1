"""diff: a summary first (counts, changed fields, totals), then the records added, removed and
changed between two vintages."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd
import pytest

from reciprocity import countries
from reciprocity.errors import InputError, NotFoundError
from reciprocity.queries.diff import compare, diff
from reciprocity.sources import registry
from reciprocity.store.db import Store
from sipri_helpers import (
    CREDIT,
    DESIGNATION,
    FIXTURES,
    FULL_VINTAGE,
    ORDER_YEAR,
    RECIPIENT,
    SUPPLIER,
    TIV_DELIVERED,
    VINTAGE_2025,
    YEARS,
    classic_v2_bytes,
    read_classic_rows,
)

V1 = "sipri_arms_transfers/2026-01-12"
V2 = "sipri_arms_transfers/2026-03-14"
KEY = ["supplier_code", "recipient_code", "order_year", "designation"]


@pytest.fixture
def two_vintages(classic2_store):
    return classic2_store


def renamed_v2_bytes() -> bytes:
    """``classic_v2_bytes`` and two renamings: P-3C Orion respelt (case, punctuation and
    spacing only: the same deal) and Beechjet-400 given a new designation (another deal)."""
    text = classic_v2_bytes().decode("latin-1")
    assert text.count("P-3C Orion") == 1 and text.count("Beechjet-400") == 1
    text = text.replace("P-3C Orion", "P3C  orion").replace("Beechjet-400", "Beechjet-400A")
    return text.encode("latin-1")


@pytest.fixture
def renamed(tmp_path: Path, classic_db: Path) -> tuple[Store, Path]:
    """A store of classic.csv and its renamed newer export (and the path of that export)."""
    path = tmp_path / "classic-2026-03-renamed.csv"
    path.write_bytes(renamed_v2_bytes())
    store = Store(classic_db)
    store.ingest(registry.get("sipri"), path)
    yield store, path
    store.close()


def tiv_by(rows: list[tuple[int, list[str]]]) -> dict[tuple[str, str], float]:
    """TIV delivered per (supplier code, recipient code) of rows read with ``csv`` (rows with
    delivery years: the others deliver nothing)."""
    out: dict[tuple[str, str], float] = defaultdict(float)
    code: dict[str, str] = {}
    for _, r in rows:
        if not r[YEARS].strip():
            continue
        for name in (r[SUPPLIER], r[RECIPIENT]):
            if name not in code:
                code[name] = countries.lookup(name).code
        out[(code[r[SUPPLIER]], code[r[RECIPIENT]])] += float(r[TIV_DELIVERED] or 0)
    return out


def sums(cells: dict[tuple[str, str], float], side: int) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for k, v in cells.items():
        out[k[side]] += v
    return out


def test_diff_lists_added_removed_and_changed(two_vintages):
    out = diff(two_vintages, "sipri")
    assert {k: out.attrs[k] for k in ("from", "to", "dataset")} == {
        "from": V1, "to": V2, "dataset": "sipri_arms_transfers"}
    assert out.attrs["summary"]["counts"] == {"added": 1, "removed": 1, "changed": 1}
    # the largest effect on the flows first: F-35A +656, MiG-21F-13 -30, AIM-9M +2.5
    assert out["change"].tolist() == ["added", "removed", "changed"]
    assert out["flow_change"].tolist() == [656.0, -30.0, 2.5]
    assert set(out["unit"]) == {"tiv_millions"}
    rows = out.set_index("change")
    added = rows.loc["added"]
    assert (added["supplier_code"], added["recipient_code"], added["order_year"],
            added["designation"]) == ("USA", "JPN", 2012, "F-35A Lightning-2")
    assert pd.isna(added["record_id_from"]) and added["record_id_to"] == 15
    removed = rows.loc["removed"]
    assert (removed["supplier_code"], removed["designation"]) == ("SUN", "MiG-21F-13")
    assert removed["record_id_from"] == 21 and pd.isna(removed["record_id_to"])
    changed = rows.loc["changed"]
    assert changed["designation"] == "AIM-9M Sidewinder"
    assert (changed["record_id_from"], changed["record_id_to"]) == (14, 14)
    assert changed["changes"] == ("number_delivered: 100.0 → 150.0; tiv_total_order: 5.0 → 7.5; "
                                  "tiv_delivered: 5.0 → 7.5")
    assert changed["changed_fields"] == "number_delivered, tiv_total_order, tiv_delivered"
    assert (changed["flow_from"], changed["flow_to"]) == (5.0, 7.5)


def test_designation_respelt_is_a_change_a_new_designation_is_not(renamed):
    store, _ = renamed
    d = compare(store, "sipri", limit=0)
    assert d.counts == {"added": 2, "removed": 2, "changed": 2}
    ch = d.changes.set_index("change")
    respelt = d.changes[d.changes["designation"] == "P3C  orion"]
    assert respelt["change"].tolist() == ["changed"]
    assert respelt["changes"].iloc[0] == "designation: 'P-3C Orion' → 'P3C  orion'"
    assert respelt["flow_change"].iloc[0] == 0
    assert set(ch.loc["added", "designation"]) == {"F-35A Lightning-2", "Beechjet-400A"}
    assert set(ch.loc["removed", "designation"]) == {"MiG-21F-13", "Beechjet-400"}
    assert d.groups == {"tiv": 1, "numbers": 1, "years": 0, "designation_spelling": 1,
                        "other": 0}
    assert d.fields["designation"] == 1 and d.fields["tiv_delivered"] == 1
    assert "without case, spaces or punctuation" in d.matching


def test_pair_and_country_filters(renamed):
    store, _ = renamed
    pair = compare(store, "sipri", pair=("United States", "JPN"), limit=0)
    assert pair.pair == ("USA", "JPN")
    # both directions: the Beechjet deals run Japan → United States
    assert pair.counts == {"added": 2, "removed": 1, "changed": 2}
    assert {frozenset(k) for k in zip(pair.changes["supplier_code"],
                                      pair.changes["recipient_code"], strict=True)} == {
        frozenset({"USA", "JPN"})}
    india = compare(store, "sipri", country="India", limit=0)
    assert india.country == "IND"
    assert india.counts == {"added": 0, "removed": 1, "changed": 0}
    assert india.changes["designation"].tolist() == ["MiG-21F-13"]
    both = compare(store, "sipri", pair=("USA", "JPN"), country="IND", limit=0)
    assert both.total == 0 and both.changes.empty
    with pytest.raises(InputError, match="two different countries"):
        compare(store, "sipri", pair=("JPN", "Japan"))


def test_summary_totals_equal_the_difference_of_each_vintages_totals(renamed):
    store, v2 = renamed
    old = tiv_by(read_classic_rows(FIXTURES / "classic.csv"))
    new = tiv_by(read_classic_rows(v2))
    d = compare(store, "sipri", pair=("USA", "JPN"), country="IND")
    (t,) = d.totals
    assert (t["channel"], t["unit"]) == ("arms", "tiv_millions")
    assert "trend-indicator values" in t["unit_label"] and "not money" in t["unit_label"]
    assert t["total"]["before"] == pytest.approx(sum(old.values()))
    assert t["total"]["after"] == pytest.approx(sum(new.values()))
    for name, side in (("suppliers", 0), ("recipients", 1)):
        before, after = sums(old, side), sums(new, side)
        moved = {c for c in before.keys() | after.keys()
                 if abs(after.get(c, 0) - before.get(c, 0)) > 1e-9}
        assert {m["code"] for m in t[name]} == moved
        assert t[name + "_changed"] == len(moved)
        for m in t[name]:
            assert m["before"] == pytest.approx(before.get(m["code"], 0))
            assert m["after"] == pytest.approx(after.get(m["code"], 0))
            assert m["change"] == pytest.approx(after.get(m["code"], 0)
                                                - before.get(m["code"], 0))
    for direction, cell in (("a_to_b", ("USA", "JPN")), ("b_to_a", ("JPN", "USA"))):
        assert t["pair"][direction] == pytest.approx(
            {"before": old[cell], "after": new[cell], "change": new[cell] - old[cell]})
    assert t["country"]["as_recipient"] == pytest.approx(
        {"before": 430.0, "after": 400.0, "change": -30.0})
    assert t["country"]["as_supplier"] == {"before": 0.0, "after": 0.0, "change": 0.0}
    # the records listed account for the whole change of the pair's flows
    listed = compare(store, "sipri", pair=("USA", "JPN"), limit=0).changes
    assert listed["flow_change"].sum() == pytest.approx(
        t["pair"]["a_to_b"]["change"] + t["pair"]["b_to_a"]["change"])


def test_limit_lists_the_largest_changes_and_counts_the_rest(renamed):
    store, _ = renamed
    one = compare(store, "sipri", limit=1)
    assert len(one.changes) == 1 and one.total == 6 and one.more == 5
    assert one.counts == {"added": 2, "removed": 2, "changed": 2}  # counted, not listed
    assert one.changes["designation"].tolist() == ["F-35A Lightning-2"]
    every = compare(store, "sipri", limit=0)
    assert len(every.changes) == 6 and every.more == 0
    assert every.changes["flow_change"].abs().is_monotonic_decreasing
    assert compare(store, "sipri").limit == 50
    with pytest.raises(InputError, match="--limit"):
        compare(store, "sipri", limit=-1)
    data = one.to_dict()
    assert set(data) == {"dataset", "from", "to", "selection", "summary", "listed", "more",
                         "limit", "changes", "credits"}
    assert set(data["summary"]) == {"counts", "changed_fields", "change_kinds", "shared_keys",
                                    "matching", "totals"}
    assert (data["listed"], data["more"], data["limit"]) == (1, 5, 1)
    assert data["credits"] == [CREDIT]


def test_several_records_of_one_key_pair_by_number_ordered(tmp_path, store_path):
    """Two deals of one key (same supplier, recipient, order year, designation), both revised
    and listed in the other order in the newer file: paired by number ordered, not by line."""
    deals = ["Japan,United States,2015,,2,,Test-X,trainer aircraft,2,,2016,New,,1,2,2",
             "Japan,United States,2015,,5,,Test-X,trainer aircraft,5,,2016,New,,1,5,5"]
    revised = ["Japan,United States,2015,,5,,Test-X,trainer aircraft,5,,2016; 2017,New,,1,5,5",
               "Japan,United States,2015,,2,,Test-X,trainer aircraft,2,,2016; 2017,New,,1,2,2"]
    v1 = (FIXTURES / "classic.csv").read_bytes().decode("latin-1").rstrip("\n")
    v2 = classic_v2_bytes().decode("latin-1").rstrip("\n")
    (tmp_path / "v1.csv").write_bytes(("\n".join([v1, *deals]) + "\n").encode("latin-1"))
    (tmp_path / "v2.csv").write_bytes(("\n".join([v2, *revised]) + "\n").encode("latin-1"))
    with Store(store_path) as store:
        store.ingest(registry.get("sipri"), tmp_path / "v1.csv")
        store.ingest(registry.get("sipri"), tmp_path / "v2.csv")
        d = compare(store, "sipri", limit=0)
        x = d.changes[d.changes["designation"] == "Test-X"]
        assert x["change"].tolist() == ["changed", "changed"]
        assert x["changes"].tolist() == ["delivery_years: '2016' → '2016; 2017'"] * 2
        assert d.shared_keys == 2 and "number_ordered" in d.matching
        # the record ids say which deal went with which: 2 with 2, 5 with 5
        lines = {int(r.record_id_from): int(r.record_id_to) for r in x.itertuples()}
        first = min(lines)
        assert lines == {first: max(lines.values()), first + 1: min(lines.values())}


def test_per_delivery_year_exports_match_on_deal_id(tmp_path, store_path, new_layout_file):
    text = new_layout_file.read_bytes().decode("latin-1")
    newer = (text.replace("Data generated: 20 Feb 2025", "Data generated: 20 Feb 2026")
             .replace("Bayraktar TB-2", "Bayraktar TB-2 Block-2"))
    assert newer.count("Bayraktar TB-2 Block-2") >= 1
    (tmp_path / "newer.csv").write_bytes(newer.encode("latin-1"))
    with Store(store_path) as store:
        store.ingest(registry.get("sipri"), new_layout_file)
        store.ingest(registry.get("sipri"), tmp_path / "newer.csv")
        d = compare(store, "sipri", limit=0)
    assert d.key == ["deal_id", "delivery_years"]
    n = newer.count("Bayraktar TB-2 Block-2")
    assert d.counts == {"added": 0, "removed": 0, "changed": n}
    assert d.fields == {"designation": n}
    assert d.groups["other"] == n and d.groups["designation_spelling"] == 0


def test_diff_with_explicit_vintages_and_reversed(two_vintages):
    forward = diff(two_vintages, "sipri", from_vintage="2026-01-12", to_vintage="2026-03-14")
    assert forward["change"].tolist() == ["added", "removed", "changed"]
    back = diff(two_vintages, "sipri_arms_transfers", from_vintage=V2, to_vintage=V1)
    kinds = back.set_index("change")
    assert kinds.at["added", "designation"] == "MiG-21F-13"
    assert kinds.at["removed", "designation"] == "F-35A Lightning-2"
    assert "tiv_delivered: 7.5 → 5.0" in kinds.at["changed", "changes"]
    # --to alone compares with the vintage before it
    assert diff(two_vintages, "sipri", to_vintage=V2).attrs["from"] == V1


def test_a_store_lacking_a_later_column_still_compares(classic2_db):
    """A store made before a column existed (here `number_licensed`, `design_origin`)
    compares on the columns it has."""
    with Store(classic2_db) as store:
        for column in ("number_licensed", "design_origin"):
            store.con.execute(f"ALTER TABLE sipri_transfers DROP COLUMN {column}")
    with Store(classic2_db, read_only=True) as store:
        d = compare(store, "sipri")
    assert d.counts == {"added": 1, "removed": 1, "changed": 1}
    assert "number_licensed" not in d.fields


def test_identical_vintages_differ_in_nothing(classic_store, classic_file, tmp_path):
    same = tmp_path / "same-rows-newer-date.csv"
    same.write_bytes(classic_file.read_bytes().replace(b"Data generated: 12 Jan 2026",
                                                       b"Data generated: 12 Feb 2026"))
    classic_store.ingest(registry.get("sipri"), same)
    assert diff(classic_store, "sipri").empty


def test_diff_needs_two_vintages(classic_store):
    with pytest.raises(NotFoundError, match="1 vintage"):
        diff(classic_store, "sipri")


def test_diff_argument_errors(two_vintages):
    with pytest.raises(InputError, match="same vintage"):
        diff(two_vintages, "sipri", from_vintage=V1, to_vintage=V1)
    with pytest.raises(NotFoundError, match="no vintage older"):
        diff(two_vintages, "sipri", to_vintage=V1)
    with pytest.raises(NotFoundError):
        diff(two_vintages, "sipri", from_vintage="1999")
    with pytest.raises(NotFoundError):
        diff(two_vintages, "nope")


# -- the two full registers ------------------------------------------------------------------------
def normalised(designation: str) -> str:
    """Lowercase, letters and digits only (written apart from the SQL it checks)."""
    return re.sub(r"[\W_]+", "", designation.lower())


def key_counts(rows) -> Counter:
    code = {}
    counts: Counter = Counter()
    for _, r in rows:
        for name in (r[SUPPLIER], r[RECIPIENT]):
            if name not in code:
                code[name] = countries.lookup(name).code
        counts[(code[r[SUPPLIER]], code[r[RECIPIENT]], int(r[ORDER_YEAR]),
                normalised(r[DESIGNATION].strip()))] += 1
    return counts


@pytest.fixture(scope="module")
def full_diff(full_store):
    return diff(full_store, "sipri")


@pytest.fixture(scope="module")
def full_summary(full_store):
    return compare(full_store, "sipri", pair=("USA", "JPN"))


def test_full_diff_compares_march_2025_with_may_2026(full_diff):
    assert full_diff.attrs["from"] == VINTAGE_2025
    assert full_diff.attrs["to"] == FULL_VINTAGE


def test_full_diff_counts_match_independent_key_counts(full_diff, full_rows, rows_2025):
    old, new = key_counts(rows_2025), key_counts(full_rows)
    added = sum(max(0, new[k] - old[k]) for k in new.keys() | old.keys())
    removed = sum(max(0, old[k] - new[k]) for k in new.keys() | old.keys())
    counts = full_diff["change"].value_counts().to_dict()
    assert counts["added"] == added
    assert counts["removed"] == removed
    assert 0 < counts["changed"] <= sum(min(new[k], old[k]) for k in new.keys() & old.keys())
    # each added deal is a key with more rows in the newer file
    keys = ["supplier_code", "recipient_code", "order_year", "designation"]
    for row in full_diff[full_diff["change"] == "added"][keys].itertuples(index=False):
        key = (row[0], row[1], int(row[2]), normalised(row[3]))
        assert new[key] > old[key], key
    assert len(full_diff) - counts["changed"] == added + removed


def test_full_diff_changes_name_the_columns(full_diff):
    changed = full_diff[full_diff["change"] == "changed"]
    assert (changed["changes"] != "").all()
    assert changed["changes"].str.contains(" → ").all()
    assert full_diff.loc[full_diff["change"] != "changed", "changes"].eq("").all()
    assert changed["record_id_from"].notna().all() and changed["record_id_to"].notna().all()


def test_full_diff_pairs_respelt_designations(full_diff, full_rows, rows_2025):
    respelt = full_diff[full_diff["changed_fields"].str.contains(r"\bdesignation\b")]
    assert len(respelt) == full_diff.attrs["summary"]["change_kinds"]["designation_spelling"]
    assert len(respelt) > 100  # SIPRI hyphenated many designations in 2026 (K2 → K-2, …)
    # the designations as the two files spell them, by line
    was = {line: r[DESIGNATION].strip() for line, r in rows_2025}
    now = {line: r[DESIGNATION].strip() for line, r in full_rows}
    for r in respelt.itertuples():
        a, b = was[r.record_id_from], now[r.record_id_to]
        assert a != b and normalised(a) == normalised(b), (a, b)
        assert f"designation: '{a}' → '{b}'" in r.changes
    k2 = respelt[(respelt["supplier_code"] == "KOR") & (respelt["recipient_code"] == "POL")
                 & (respelt["order_year"] == 2022)]
    assert "designation: 'K2 Black Panther' → 'K-2 Black Panther'" in k2["changes"].tolist()[0]


def test_full_summary_totals_equal_independent_sums(full_summary, full_diff, full_rows,
                                                    rows_2025):
    old, new = tiv_by(rows_2025), tiv_by(full_rows)
    (t,) = full_summary.totals
    assert t["unit"] == "tiv_millions"
    assert t["total"]["before"] == pytest.approx(sum(old.values()), abs=1e-3)
    assert t["total"]["after"] == pytest.approx(sum(new.values()), abs=1e-3)
    for name, side in (("suppliers", 0), ("recipients", 1)):
        before, after = sums(old, side), sums(new, side)
        changes = sorted((abs(after.get(c, 0) - before.get(c, 0)) for c in
                          before.keys() | after.keys()), reverse=True)
        assert len(t[name]) == 10
        for m in t[name]:
            assert m["before"] == pytest.approx(before.get(m["code"], 0), abs=1e-3)
            assert m["after"] == pytest.approx(after.get(m["code"], 0), abs=1e-3)
        # the top movers are the ten largest changes
        assert [abs(m["change"]) for m in t[name]] == pytest.approx(changes[:10], abs=1e-3)
    for direction, cell in (("a_to_b", ("USA", "JPN")), ("b_to_a", ("JPN", "USA"))):
        assert t["pair"][direction]["before"] == pytest.approx(old[cell], abs=1e-3)
        assert t["pair"][direction]["after"] == pytest.approx(new[cell], abs=1e-3)
    # the changes account for the whole change of the flows; the summary counts every one
    assert full_diff["flow_change"].sum() == pytest.approx(t["total"]["change"], abs=1e-3)
    counts = full_diff["change"].value_counts().to_dict()
    assert full_diff.attrs["summary"]["counts"] == {k: counts[k] for k in
                                                    ("added", "removed", "changed")}
    # the pair's listed changes are the first 50 of its own, largest first
    assert len(full_summary.changes) == 50 and full_summary.more == full_summary.total - 50
    pair = full_diff[full_diff[["supplier_code", "recipient_code"]].isin(["USA", "JPN"])
                     .all(axis=1)]
    assert full_summary.total == len(pair)
    assert full_summary.changes["flow_change"].abs().min() >= (
        pair["flow_change"].abs().nlargest(50).min())

