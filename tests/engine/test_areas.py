"""Technology areas from CPC classes: the split over a patent's areas, checked by hand on the
fixture, and the fractional counts adding up over areas to the area-less figures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from reciprocity import engine
from reciprocity.engine import patents as pipeline
from reciprocity.sources import patentsview

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "patentsview"
CPC_HEADER = ('"patent_id"\t"cpc_sequence"\t"cpc_section"\t"cpc_class"\t"cpc_subclass"\t'
              '"cpc_group"\t"cpc_type"\n')
# P2 (JP, 2020, field 6): two aircraft classes and a missile class → aerospace 2/3, missiles 1/3
CPC_ROWS = [("10000002", 0, "B64C1/00"), ("10000002", 1, "B64C3/00"),
            ("10000002", 2, "F42B15/00"), ("10000005", 0, "G06F16/24"),
            ("10000005", 1, "H04L9/00"), ("10000003", 0, "H01L21/00")]


def _tables(tmp: Path) -> Path:
    """The fixture's TSVs with P2 given the classes above."""
    d = tmp / "pv"
    d.mkdir()
    for tsv in FIXTURE.glob("*.tsv"):
        shutil.copy(tsv, d / tsv.name)
    lines = [f'"{p}"\t{seq}\t"{g[0]}"\t"{g[:3]}"\t"{g[:4]}"\t"{g}"\t"inventional"\n'
             for p, seq, g in CPC_ROWS]
    (d / "g_cpc_current.tsv").write_text(CPC_HEADER + "".join(lines), encoding="utf-8")
    return d


def _run(d: Path, tmp: Path, with_cpc_areas: bool = True) -> pipeline.Result:
    con = engine.connect("duckdb", temp_dir=tmp / "spill")
    tables = pipeline.load(con, {name: d / f"{name}.tsv" for name in patentsview.quirks()[
        "tables"]})
    return pipeline.run(con, tables, patentsview.country_codes(),
                        pipeline.Settings(rta_floor=0), cpc_field=patentsview.cpc_field(),
                        cpc_area=patentsview.cpc_area() if with_cpc_areas else None,
                        field_areas=patentsview.field_areas())


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[pipeline.Result, pipeline.Result]:
    tmp = tmp_path_factory.mktemp("areas")
    d = _tables(tmp)
    return _run(d, tmp), _run(d, tmp, with_cpc_areas=False)


def test_a_patent_is_split_over_its_areas_by_its_classes(results) -> None:
    """P2 cites P1 (US .5, JP .5): USA→JPN 0.5 in 2020, 2/3 aerospace and 1/3 missiles."""
    flows = results[0].flows["patent_citation"].set_index(
        ["origin", "destination", "year", "area"])
    assert flows.loc[("USA", "JPN", 2020, "aerospace"), "fractional"] == pytest.approx(1 / 3)
    assert flows.loc[("USA", "JPN", 2020, "missiles_propulsion"), "fractional"] == (
        pytest.approx(1 / 6))
    assert flows.loc[("USA", "JPN", 2020, "aerospace"), "patents"] == 1
    # P3 has only H01L21/00, which no CPC row places: its WIPO field 8's area
    assert set(flows.xs(("USA", "DEU"), level=[0, 1]).index.get_level_values("area")) == {
        "microelectronics"}
    notes = results[0].notes
    assert notes["patents_area_from_cpc"] == 2          # P2, and P5 (H04L9/00: cybersecurity)
    assert notes["patents_area_from_wipo_field"] == 4   # P1, P3, P4, P7
    assert notes["patents_without_area"] == 0
    assert notes["patents_fractional_in_aerospace"] == pytest.approx(2 / 3)


def test_fractional_counts_add_up_over_areas(results) -> None:
    with_areas, without = results
    keys = ["origin", "destination", "year", "wipo_field"]
    for channel in pipeline.CHANNELS:
        a = with_areas.flows[channel].groupby(keys, dropna=False)["fractional"].sum()
        b = without.flows[channel].groupby(keys, dropna=False)["fractional"].sum()
        pd.testing.assert_series_equal(a.sort_index(), b.sort_index(), check_exact=False)
    # without the CPC route every patent has its WIPO field's area, weight 1
    assert "aerospace" not in set(without.flows["patent_citation"]["area"])
    ca = with_areas.country_areas
    cf = with_areas.country_fields
    pd.testing.assert_series_equal(
        ca.groupby(["country", "period_start"])["patents_fractional"].sum(),
        cf.groupby(["country", "period_start"])["patents_fractional"].sum())


def test_rta_by_area_by_hand(results) -> None:
    """2018–2020, patents in an area: P1 (computing_ai: US .5, JP .5), P2 (JP: aerospace 2/3,
    missiles 1/3), P3 (microelectronics: US .5, DE .25, UNK .25), P4 (computing_ai: UNK),
    P5 (cybersecurity: JP .5, UNK .5): P = 5, P_aerospace = 2/3, P_JPN = 2.

    RTA(JPN, aerospace) = (2/3 / 2) / (2/3 / 5) = 2.5; RTA(USA, computing_ai) = (.5 / 1) /
    (2 / 5) = 1.25.
    """
    ca = results[0].country_areas
    window = ca[ca["period_start"] == 2018].set_index(["country", "area"])
    assert window.loc[("JPN", "aerospace"), "rta"] == pytest.approx(2.5)
    assert window.loc[("JPN", "aerospace"), "patents_fractional"] == pytest.approx(2 / 3)
    assert window.loc[("USA", "computing_ai"), "rta"] == pytest.approx(1.25)
    assert pd.isna(window.loc[("UNK", "computing_ai"), "rta"])
