"""The columns every source table shares are declared once (``store/lineage.py``)."""

from __future__ import annotations

import pytest

from reciprocity.queries import catalog
from reciprocity.store import lineage, tables
from reciprocity.store.schema import Table


@pytest.mark.parametrize("name", catalog.names())
def test_every_record_table_starts_with_the_shared_lineage(name: str) -> None:
    table = catalog.get(name).record_table
    first, second = table.fields[:2]
    assert (first.name, first.type, first.nullable) == ("vintage_id", "VARCHAR", False)
    assert (second.name, second.type, second.nullable) == ("record_id", "BIGINT", False)
    assert table.unique_key[:2] == ("vintage_id", "record_id")
    assert [f.name for f in table.fields].count("vintage_id") == 1


@pytest.mark.parametrize("table", [tables.FLOWS, tables.INDICATORS], ids=lambda t: t.name)
def test_derived_tables_end_with_dataset_vintage_and_record(table: Table) -> None:
    ends = [(f.name, f.type, f.nullable) for f in table.fields[-3:]]
    declared = [(f.name, f.type, f.nullable) for f in lineage.lineage("v", "r")]
    assert ends == declared == [("dataset", "VARCHAR", False), ("vintage_id", "VARCHAR", False),
                                ("record_id", "BIGINT", False)]


def test_record_table_puts_lineage_first_with_its_own_words() -> None:
    made = lineage.record_table("t", "A table.", "Line number.", (lineage.country_code(),),
                                row="cell")
    assert [f.name for f in made.fields] == ["vintage_id", "record_id", "code"]
    assert made.fields[0].description == "Vintage the cell belongs to."
    assert made.fields[1].description == "Line number."
    assert "ISO 3166 alpha-3" in made.fields[2].description
    assert made.unique_key == ("vintage_id", "record_id")
