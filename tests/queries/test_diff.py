"""diff: deals added, removed and changed between two vintages."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from reciprocity import countries
from reciprocity.errors import InputError, NotFoundError
from reciprocity.queries.diff import diff
from sipri_helpers import DESIGNATION, FULL_VINTAGE, ORDER_YEAR, RECIPIENT, SUPPLIER, VINTAGE_2025

V1 = "sipri_arms_transfers/2026-01-12"
V2 = "sipri_arms_transfers/2026-03-14"


@pytest.fixture
def two_vintages(classic2_store):
    return classic2_store


def test_diff_lists_added_removed_and_changed(two_vintages):
    out = diff(two_vintages, "sipri")
    assert out.attrs == {"from": V1, "to": V2, "dataset": "sipri_arms_transfers"}
    assert out["change"].tolist() == ["added", "removed", "changed"]
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


def test_identical_vintages_differ_in_nothing(classic_store, classic_file, tmp_path):
    same = tmp_path / "same-rows-newer-date.csv"
    same.write_bytes(classic_file.read_bytes().replace(b"Data generated: 12 Jan 2026",
                                                       b"Data generated: 12 Feb 2026"))
    classic_store.ingest("sipri", same)
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
def key_counts(rows) -> Counter:
    code = {}
    counts: Counter = Counter()
    for _, r in rows:
        for name in (r[SUPPLIER], r[RECIPIENT]):
            if name not in code:
                code[name] = countries.lookup(name).code
        counts[(code[r[SUPPLIER]], code[r[RECIPIENT]], int(r[ORDER_YEAR]),
                r[DESIGNATION].strip())] += 1
    return counts


@pytest.fixture(scope="module")
def full_diff(full_store):
    return diff(full_store, "sipri")


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
        key = (row[0], row[1], int(row[2]), row[3])
        assert new[key] > old[key], key
    assert len(full_diff) - counts["changed"] == added + removed


def test_full_diff_changes_name_the_columns(full_diff):
    changed = full_diff[full_diff["change"] == "changed"]
    assert (changed["changes"] != "").all()
    assert changed["changes"].str.contains(" → ").all()
    assert full_diff.loc[full_diff["change"] != "changed", "changes"].eq("").all()
    assert changed["record_id_from"].notna().all() and changed["record_id_to"].notna().all()
