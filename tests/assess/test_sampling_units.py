"""Sampling units read from the store: a SIPRI deal, however many rows or delivery years it has."""

from __future__ import annotations

from pathlib import Path

from reciprocity.assess import inputs
from reciprocity.queries import catalog
from reciprocity.store.db import Store


def test_per_year_rows_of_one_deal_share_a_unit(store_path: Path, new_layout_file: Path):
    with Store(store_path) as store:
        store.ingest(catalog.get("sipri"), new_layout_file)
        pairs = store.query("SELECT DISTINCT origin, destination FROM flows").itertuples(
            index=False)
        checked = 0
        for origin, destination in pairs:
            flows = inputs.pair_records(store, origin, destination)
            deals = store.query("""
                SELECT f.record_id, t.deal_id FROM flows f JOIN sipri_transfers t
                USING (vintage_id, record_id) WHERE f.origin = ? AND f.destination = ?""",
                [origin, destination])
            deal_of = dict(zip(deals["record_id"], deals["deal_id"], strict=True))
            mine = flows[flows["direction"] == "ab"]
            for unit, group in mine.groupby("unit_id"):
                assert unit.endswith(f"deal {deal_of[group['record_id'].iloc[0]]}")
                assert len({deal_of[r] for r in group["record_id"]}) == 1
            assert mine["unit_id"].nunique() == len(set(deal_of.values()))
            checked += len(mine) - mine["unit_id"].nunique()
        assert checked > 0  # the fixture has deals with several delivery-year rows


def test_a_classic_row_is_one_unit_over_its_delivery_years(classic_store: Store):
    pair = classic_store.query("""
        SELECT origin, destination FROM flows GROUP BY ALL
        ORDER BY count(*) - count(DISTINCT record_id) DESC LIMIT 1""").iloc[0]
    flows = inputs.pair_records(classic_store, pair["origin"], pair["destination"])
    split = flows[flows["direction"] == "ab"]
    assert split["unit_id"].nunique() == split["record_id"].nunique() < len(split)


def test_sources_that_are_not_a_sample_give_no_unit():
    assert catalog.get("ncses").sampling_unit is None
    assert catalog.get("patentsview").sampling_unit is None
    assert "deal_id" in catalog.get("sipri").sampling_unit
    assert getattr(catalog.get("ledger"), "sampling_unit", "record_id") == "record_id"
