"""PatentsView bulk tables: layouts, counting by hand, unplaceable rows, bad input, CLI.

The fixture (tests/fixtures/patentsview/*.tsv) is seven patents in PatentsView's layout (quoted
text, a title with a tab, a name with a quote); each test packs it as PatentsView publishes it
(one TSV per zip) or as Parquet. Expected figures are worked out by hand in the comments.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from reciprocity.sources import patentsview, registry
from reciprocity.store.db import Store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "patentsview"


def pack(target: Path, fmt: str = "tsv", drop: tuple[str, ...] = ()) -> Path:
    """The fixture as ``<table>.tsv.zip`` (or ``.parquet``) files in ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for tsv in sorted(FIXTURE.glob("*.tsv")):
        if tsv.stem in drop:
            continue
        if fmt == "tsv":
            with zipfile.ZipFile(target / f"{tsv.stem}.tsv.zip", "w", zipfile.ZIP_DEFLATED) as zf:
                zf.write(tsv, tsv.name)
        else:
            frame = pd.read_csv(tsv, sep="\t", dtype=str, keep_default_na=False)
            frame.to_parquet(target / f"{tsv.stem}.parquet", index=False)
    return target


@pytest.fixture
def pv_dir(tmp_path: Path) -> Path:
    return pack(tmp_path / "pv")


@pytest.fixture
def ingested(tmp_path: Path, pv_dir: Path) -> tuple[Store, object]:
    store = Store(tmp_path / "store.duckdb")
    result = store.ingest(registry.get("patentsview"), pv_dir)
    yield store, result
    store.close()


def records(store: Store, channel: str) -> dict[tuple, float]:
    frame = store.query("SELECT origin, destination, year, wipo_field, fractional_count, patents "
                        "FROM patent_flow_records WHERE channel = ?", [channel])
    return {(r.origin, r.destination, r.year, r.wipo_field): (round(r.fractional_count, 9),
                                                              r.patents)
            for r in frame.itertuples()}


# -- counting, by hand -------------------------------------------------------------------------
def test_progress_names_every_stage_and_ends_at_the_total(pv_dir: Path) -> None:
    source = registry.get("patentsview")
    seen: list[tuple[int, int, str]] = []
    source.read(pv_dir, progress=lambda step, total, name: seen.append((step, total, name)))
    assert [step for step, _, _ in seen] == list(range(1, source.STAGES + 1))
    assert {total for _, total, _ in seen} == {source.STAGES}
    assert seen[-1][2] == "shaping flows" and len({name for *_, name in seen}) == len(seen)


def test_citation_flows_by_hand(ingested) -> None:
    store, _ = ingested
    # shares: P1 US .5 JP .5 · P2 JP 1 · P3 US .5 DE .25 UNK .25 (an inventor without location)
    # P4 UNK 1 (location without country) · P5 JP .5 UNK .5 (code XX), field 6 from its CPC
    assert records(store, "patent_citation") == {
        ("USA", "JPN", 2020, 6): (0.5, 1),      # P2 cites P1 (JP→JP .5 is domestic)
        ("USA", "DEU", 2020, 8): (0.125, 1),    # P3 cites P1: .5 × .25
        ("USA", "UNK", 2020, 8): (0.125, 1),
        ("JPN", "USA", 2020, 8): (0.25, 1),     # .5 × .5
        ("JPN", "DEU", 2020, 8): (0.125, 1),
        ("JPN", "UNK", 2020, 8): (0.125, 1),
        ("UNK", "USA", 2019, 6): (0.5, 1),      # P1 cites P4
        ("UNK", "JPN", 2019, 6): (0.5, 1),
        ("JPN", "DEU", 2021, 3): (0.5, 1),      # P7 cites P5
        ("UNK", "DEU", 2021, 3): (0.5, 1),
        ("JPN", "UNK", 2018, 6): (0.5, 1),      # P5 cites P2 (JP→JP .5 domestic)
    }


def test_coinvention_and_ownership_by_hand(ingested) -> None:
    store, _ = ingested
    # P3: pairs DE–US .5×.25, DE–UNK .25×.25, UNK–US .25×.5 = .3125 → .4, .2, .4
    assert records(store, "coinvention") == {
        ("JPN", "USA", 2019, 6): (1.0, 1),
        ("DEU", "USA", 2020, 8): (0.4, 1),
        ("DEU", "UNK", 2020, 8): (0.2, 1),
        ("UNK", "USA", 2020, 8): (0.4, 1),
        ("JPN", "UNK", 2018, 6): (1.0, 1),
    }
    # inventor share × assignee share; P3's assignees: DE .5, one without location .5
    assert records(store, "patent_ownership") == {
        ("JPN", "USA", 2019, 6): (0.5, 1),
        ("JPN", "USA", 2020, 6): (1.0, 1),
        ("USA", "DEU", 2020, 8): (0.25, 1),
        ("USA", "UNK", 2020, 8): (0.25, 1),
        ("DEU", "UNK", 2020, 8): (0.125, 1),
        ("UNK", "DEU", 2020, 8): (0.125, 1),
    }


def test_flows_carry_unit_mode_area_and_record_ids(ingested) -> None:
    store, _ = ingested
    frame = store.query("SELECT f.channel, f.unit, f.mode, f.area, r.wipo_field, r.area AS ra "
                        "FROM flows f JOIN patent_flow_records r USING (vintage_id, record_id)")
    assert len(frame) == 22  # every flow has its record
    units = dict(zip(frame["channel"], frame["unit"], strict=False))
    assert units == {"patent_citation": "citations_fractional",
                     "coinvention": "patents_fractional",
                     "patent_ownership": "patents_fractional"}
    assert set(frame.loc[frame["channel"] == "coinvention", "mode"]) == {"joint"}
    assert (frame["area"].fillna("-") == frame["ra"].fillna("-")).all()
    areas = patentsview.field_areas()
    # P5 (field 6 by its first CPC class G06F) also has H04L9/00, placed directly in
    # cybersecurity: its area comes from that class; the other field-6 patents' from field 6
    assert set(frame.loc[frame["wipo_field"] == 6, "area"]) == {areas.get(6), "cybersecurity"}
    assert set(frame.loc[frame["wipo_field"] == 8, "area"]) == {areas.get(8)}


def test_what_cannot_be_placed_is_counted(ingested) -> None:
    _, result = ingested
    notes = result.notes
    assert notes["rows_g_us_patent_citation"] == 7
    assert notes["citations_placed"] == 5              # C4 cites a patent not in the table,
    assert notes["citations_not_placed"] == 2          # C5 a withdrawn one
    assert notes["inventors_no_location"] == 1
    assert notes["inventors_no_country"] == 1
    assert notes["inventors_unknown_code"] == 1
    assert notes["inventors_unknown_country_code_XX"] == 1
    assert notes["inventors_placed"] == 9
    assert notes["assignees_no_location"] == 1
    assert notes["patents_counted"] == 6               # the withdrawn patent is not counted
    assert notes["patents_wipo_field_from_cpc"] == 1   # P5, by its first CPC class G06F
    assert notes["patents_without_wipo_field"] == 0
    assert notes["patents_with_assignee"] == 3
    assert notes["inventor_share_to_UNK"] == 2         # .25 + 1 + .5, rounded


def test_a_location_missing_from_the_location_table_is_counted(tmp_path: Path) -> None:
    # Finn's location id points nowhere: still UNK (so the same flows), counted apart
    d = pack(tmp_path / "pv", fmt="parquet")
    inventors = pd.read_parquet(d / "g_inventor_disambiguated.parquet")
    inventors.loc[inventors["inventor_id"] == "inv-8", "location_id"] = "loc-missing"
    inventors.to_parquet(d / "g_inventor_disambiguated.parquet", index=False)
    with Store(tmp_path / "store.duckdb") as store:
        notes = store.ingest(registry.get("patentsview"), d).notes
        assert records(store, "patent_citation")[("UNK", "USA", 2019, 6)] == (0.5, 1)
    assert notes["inventors_location_not_found"] == 1
    assert notes["inventors_no_country"] == 0
    assert notes["inventors_no_location"] == 1 and notes["inventors_placed"] == 9


def test_country_fields_and_floor(ingested) -> None:
    store, _ = ingested
    cf = store.query("SELECT * FROM patent_country_fields ORDER BY country, wipo_field")
    assert set(cf["period"]) == {"2018–2020", "2021–2023"}
    us6 = cf[(cf["country"] == "USA") & (cf["wipo_field"] == 6)].iloc[0]
    assert us6["patents_fractional"] == pytest.approx(0.5)
    assert us6["country_patents_fractional"] == pytest.approx(1.0)
    assert cf["below_floor"].all() and cf["rta"].isna().all()  # nobody has 500 patents here


def test_vintage_archives_by_reference_and_is_idempotent(tmp_path: Path, pv_dir: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        first = store.ingest(registry.get("patentsview"), pv_dir)
        again = store.ingest(registry.get("patentsview"), pv_dir)
        refs = store.query("SELECT * FROM raw_references ORDER BY file_name")
        raw = store.query("SELECT count(*) AS n FROM raw_files")
    assert first.added and not again.added and again.vintage_id == first.vintage_id
    assert list(refs["file_name"]) == sorted(p.name for p in pv_dir.iterdir())
    assert (refs["sha256"] == first.sha256).all() and raw.at[0, "n"] == 0
    assert refs["size_bytes"].gt(0).all() and refs["path"].str.startswith("/").all()


def test_parquet_gives_the_same_flows(tmp_path: Path, ingested) -> None:
    store, _ = ingested
    with Store(tmp_path / "pq.duckdb") as other:
        other.ingest(registry.get("patentsview"), pack(tmp_path / "pq", "parquet"))
        for channel in ("patent_citation", "coinvention", "patent_ownership"):
            assert records(other, channel) == records(store, channel)
        assert other.vintages()["layout"].tolist() == ["parquet"]


def test_sniff_recognises_a_documented_header() -> None:
    head = (FIXTURE / "g_us_patent_citation.tsv").read_text()
    assert patentsview.SOURCE.sniff(head) == "tsv:g_us_patent_citation"
    assert patentsview.SOURCE.sniff("a\tb\n") is None


# -- bad input: exit code, the file named, nothing written --------------------------------------
def _bad(tmp_path: Path, how: str) -> Path:
    d = pack(tmp_path / how, drop=("g_wipo_technology",) if how == "missing" else ())
    if how == "header":
        text = (FIXTURE / "g_patent.tsv").read_text().replace('"patent_date"', '"grant_date"')
        with zipfile.ZipFile(d / "g_patent.tsv.zip", "w") as zf:
            zf.writestr("g_patent.tsv", text)
    elif how == "corrupt":
        data = (d / "g_inventor_disambiguated.tsv.zip").read_bytes()
        (d / "g_inventor_disambiguated.tsv.zip").write_bytes(data[: len(data) // 2])
    elif how == "crc":
        path = d / "g_us_patent_citation.tsv.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:  # stored: bytes as they are
            zf.write(FIXTURE / "g_us_patent_citation.tsv", "g_us_patent_citation.tsv")
        data = bytearray(path.read_bytes())
        data[30 + len("g_us_patent_citation.tsv") + 300] ^= 0x01  # a byte of a data row
        path.write_bytes(bytes(data))
    return d


@pytest.mark.parametrize(("how", "named", "expected"), [
    ("missing", "g_wipo_technology.tsv.zip", "the g_wipo_technology table"),
    ("header", "g_patent.tsv.zip", "patent_date"),
    ("corrupt", "g_inventor_disambiguated.tsv.zip", "zip"),
    ("crc", "g_us_patent_citation.tsv.zip", "zip"),
])
def test_bad_input_fails_naming_the_file_and_writes_nothing(
        tmp_path: Path, run_main, how: str, named: str, expected: str) -> None:
    db = tmp_path / "bad.duckdb"
    temp = tmp_path / "temp"
    result = run_main("--db", db, "ingest", "patentsview", _bad(tmp_path, how),
                      "--temp-dir", temp)
    assert result.exit_code != 0
    assert named in result.output and expected in result.output, result.output
    with Store(db, read_only=True) as store:
        for table in ("vintages", "flows", "patent_flow_records", "patent_country_fields",
                      "raw_references", "datasets"):
            assert store.query(f"SELECT count(*) AS n FROM {table}").at[0, "n"] == 0, table
    assert not temp.exists() or not any(temp.iterdir()), "temporary files left behind"


def test_a_file_instead_of_a_directory(tmp_path: Path, run_main) -> None:
    result = run_main("--db", tmp_path / "s.duckdb", "ingest", "patentsview",
                      FIXTURE / "g_patent.tsv")
    assert result.exit_code != 0 and "not a directory" in result.output


# -- the command line ------------------------------------------------------------------------
def test_cli_ingest_then_dyad_and_explain(tmp_path: Path, pv_dir: Path, run_main) -> None:
    db = tmp_path / "cli.duckdb"
    done = run_main("--db", db, "ingest", "patentsview", pv_dir, "--engine", "duckdb",
                    "--memory-limit", "1GB", "--temp-dir", tmp_path / "temp")
    assert done.exit_code == 0, done.output
    assert "citations not placed: 2" in done.output
    assert "patent_citation flows" in done.stderr  # the stages are shown as they finish
    area = patentsview.field_areas().get(6)
    assert area, "the taxonomy places WIPO field 6 (computer technology) in an area"
    dyad = run_main("--db", db, "dyad", "USA", "JPN", "--channel", "patent_citation",
                    "--area", area, "--format", "json")
    assert dyad.exit_code == 0, dyad.output
    data = json.loads(dyad.stdout)
    channel = data["channels"]["patent_citation"]
    assert channel["flow_ab"] == pytest.approx(0.5)   # USA→JPN, 2020, computer technology
    assert channel["flow_ba"] == pytest.approx(0.0)
    assert any("PatentsView" in c for c in data["credits"])
    co = run_main("--db", db, "dyad", "USA", "JPN", "--channel", "coinvention", "--format",
                  "json")
    joint = json.loads(co.stdout)["channels"]["coinvention"]
    assert joint["flow_ab"] == joint["flow_ba"] == pytest.approx(1.0)  # undirected: joint
    assert joint["gl_index"] is None
    why = run_main("--db", db, "explain", "USA", "JPN", "--channel", "patent_citation",
                   "--format", "json")
    assert why.exit_code == 0, why.output
    rows = json.loads(why.stdout)["records"]
    assert {r["wipo_field"] for r in rows} == {6, 8}


def test_engine_options_are_for_engine_sources(tmp_path: Path, run_main) -> None:
    sipri = Path(__file__).resolve().parents[1] / "fixtures" / "sipri" / "classic.csv"
    result = run_main("--db", tmp_path / "s.duckdb", "ingest", "sipri", sipri, "--engine",
                      "spark")
    assert result.exit_code == 2 and "patentsview" in result.output
