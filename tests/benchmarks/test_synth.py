"""The synthetic PatentsView generator and the benchmark's three implementations, at small sizes."""

from __future__ import annotations

import copy
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from bench_helpers import bench_module
from reciprocity.sources import patentsview, registry
from reciprocity.store.db import Store


@pytest.fixture(scope="module")
def synth() -> ModuleType:
    return bench_module("synth_patentsview")


@pytest.fixture(scope="module")
def generated(synth: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("synth")
    # defence classes ten times as common as in the benchmark: the small tables reach them
    return {fmt: synth.generate(root / fmt, 3000, seed=7, fmt=fmt,
                                defence_scale=10)["g_patent"].parent
            for fmt in ("tsv", "parquet")}


def test_tables_have_the_documented_headers(generated: dict[str, Path]) -> None:
    for directory in generated.values():
        files = patentsview.locate(directory)
        assert set(files) == set(patentsview.quirks()["tables"])
        _, problems = patentsview.check(files)
        assert problems == []


def test_tsv_and_parquet_ingest_to_the_same_flows(generated: dict[str, Path],
                                                  tmp_path: Path) -> None:
    got = {}
    for fmt, directory in generated.items():
        with Store(tmp_path / f"{fmt}.duckdb") as store:
            result = store.ingest(registry.get("patentsview"), directory)
            got[fmt] = store.query("SELECT channel, origin, destination, year, wipo_field, "
                                   "patents, fractional_count FROM patent_flow_records "
                                   "ORDER BY ALL")
            notes = result.notes
    assert len(got["tsv"]) > 100
    assert got["tsv"].equals(got["parquet"])
    # the generator's blemishes are there, and counted
    assert notes["citations_not_placed"] > 0
    assert notes["inventors_no_location"] > 0 and notes["inventors_no_country"] > 0
    assert notes["patents_wipo_field_from_cpc"] > 0
    assert notes["rows_g_us_patent_citation"] == 3000


def test_same_seed_same_tables(synth: ModuleType, generated: dict[str, Path],
                               tmp_path: Path) -> None:
    again = synth.generate(tmp_path / "again", 3000, seed=7, fmt="parquet")
    other = synth.generate(tmp_path / "other", 3000, seed=8, fmt="parquet")
    sql = "SELECT * FROM read_parquet('{}') ORDER BY ALL"
    for table in ("g_us_patent_citation", "g_inventor_disambiguated"):
        first = duckdb.sql(sql.format(generated["parquet"] / f"{table}.parquet")).fetchall()
        assert first == duckdb.sql(sql.format(again[table])).fetchall()
        assert first != duckdb.sql(sql.format(other[table])).fetchall()


def test_country_shares_are_skewed(generated: dict[str, Path]) -> None:
    d = generated["parquet"]
    shares = duckdb.sql(
        f"SELECT l.disambig_country AS c, count(*) / sum(count(*)) OVER () AS s "
        f"FROM read_parquet('{d}/g_inventor_disambiguated.parquet') i "
        f"JOIN read_parquet('{d}/g_location_disambiguated.parquet') l USING (location_id) "
        f"GROUP BY 1 ORDER BY 2 DESC").fetchall()
    assert shares[0][0] == "US" and 0.35 < shares[0][1] < 0.6
    assert shares[1][0] == "JP"


def test_benchmark_implementations_agree(generated: dict[str, Path], tmp_path: Path) -> None:
    bench = bench_module("patents")
    d = generated["parquet"]
    pipe = bench.run_pipeline(d, "1GB", "duckdb", tmp_path)
    sql = bench.run_sql(d, "1GB", tmp_path)
    pandas = bench.run_pandas(d)
    assert sum(a["flows"] for a in pipe["channels"]["patent_citation"].values()) > 100
    assert {"aerospace", "naval_shipbuilding", "sensors_radar"} <= set(
        pipe["channels"]["patent_citation"])
    assert set(pandas["channels"]) == set(pipe["channels"]) == {
        "patent_citation", "coinvention", "patent_ownership"}
    assert all(sum(a["flows"] for a in c.values()) > 0 for c in pandas["channels"].values())
    assert pipe["country_fields"]["rows"] > 0
    assert 0 < pandas["citation_seconds"] < pandas["seconds"]
    assert bench.agree(pipe, sql), bench.disagreements(pipe, sql)
    assert bench.agree(pipe, pandas), bench.disagreements(pipe, pandas)
    # a difference in any channel and area, or in the country counts, is caught
    for path in (("channels", "coinvention", "computing_ai", "fractional"),
                 ("channels", "patent_citation", "aerospace", "fractional"),
                 ("country_fields", "fractional"),
                 ("country_areas", "aerospace", "rta_sum")):
        off = copy.deepcopy(pandas)
        part = off
        for step in path[:-1]:
            part = part[step]
        part[path[-1]] += 0.01
        assert not bench.agree(pipe, off), path
        assert bench.disagreements(pipe, off)[0].startswith(" ".join(path[:-1][-2:])[:8])
    # a figure moved from one area to another (same channel total) is caught too
    off = copy.deepcopy(pandas)
    cited = off["channels"]["patent_citation"]
    cited["aerospace"]["fractional"] += 0.01
    cited["naval_shipbuilding"]["fractional"] -= 0.01
    assert [d.split(":")[0] for d in bench.disagreements(pipe, off)] == [
        "patent_citation aerospace", "patent_citation naval_shipbuilding"]
