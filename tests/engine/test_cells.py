"""The citation aggregate's cells: a profile row's country, year, WIPO field and area packed
into one integer and unpacked after the grouping, exactly, at the edges of every range."""

from __future__ import annotations

from pathlib import Path

import ibis
import pandas as pd
import pytest

from reciprocity import engine
from reciprocity.engine import patents as pipeline

COUNTRIES = ["USA", "JPN", "ZWE", pipeline.UNKNOWN]
AREAS = ["aerospace", "space", "uncrewed_systems"]
# country, year, wipo_field, area: the extremes of each packed range, missing field and area
ROWS = [("USA", 2020, 6, "aerospace"), ("JPN", -999, None, None), ("ZWE", 9999, 35, "space"),
        (pipeline.UNKNOWN, 1976, 1, "uncrewed_systems"), ("USA", 0, None, "space"),
        ("JPN", 2020, 6, None)]


@pytest.fixture()
def con(tmp_path: Path) -> object:
    backend = engine.connect("duckdb", temp_dir=tmp_path / "spill")
    yield backend
    backend.disconnect()


def test_cells_unpack_to_what_was_packed(con: object) -> None:
    cells = pipeline.Cells.of(con, COUNTRIES, AREAS)
    frame = pd.DataFrame(ROWS, columns=["country", "year", "wipo_field", "area"])
    rows = ibis.memtable(frame, schema={"country": "string", "year": "int32",
                                        "wipo_field": "int32", "area": "string"})
    packed = pipeline.pack_cells(rows, cells)
    assert con.execute(packed.cell.nunique()) == len(ROWS)  # one cell per distinct row
    flows = packed.select(origin=ibis.literal("DEU"), cell=packed.cell,
                          patents=ibis.literal(1, "int64"), fractional=ibis.literal(0.5))
    out = con.execute(pipeline.unpack_cells(flows, cells))
    assert list(out.columns) == [*pipeline.FLOW_KEYS, "patents", "fractional"]
    got = {(r.destination, int(r.year), None if pd.isna(r.wipo_field) else int(r.wipo_field),
            None if pd.isna(r.area) else r.area) for r in out.itertuples()}
    assert got == set(ROWS)


def test_more_areas_than_a_cell_holds_are_refused(con: object) -> None:
    with pytest.raises(ValueError, match="at most 255"):
        pipeline.Cells.of(con, COUNTRIES, [f"area_{i}" for i in range(pipeline.AREAS)])
