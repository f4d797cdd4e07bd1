"""PatentsView row checks (issue 15): a NUL byte anywhere and repeated rows that would count.

The fixture (tests/fixtures/patentsview) is packed as PatentsView publishes it (one TSV per
zip) with one table changed; a refusal names the file, the line and the field, and leaves the
store as it was; a repeat in a table read through a minimum per key is accepted with the same
flows.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from reciprocity.errors import FormatError
from reciprocity.sources import patentsview_rows, registry
from reciprocity.store.db import Store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "patentsview"


def pack(target: Path, changed: dict[str, bytes] | None = None, zipped: bool = True) -> Path:
    """The fixture in ``target``, zipped or not, with the tables in ``changed`` replaced."""
    target.mkdir(parents=True)
    for tsv in sorted(FIXTURE.glob("*.tsv")):
        data = (changed or {}).get(tsv.stem, tsv.read_bytes())
        if zipped:
            with zipfile.ZipFile(target / f"{tsv.stem}.tsv.zip", "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr(tsv.name, data)
        else:
            (target / tsv.name).write_bytes(data)
    return target


def flows(store: Store) -> list[tuple]:
    return store.con.execute(store.active_flows_sql() + """
        SELECT channel, origin, destination, year, round(sum(magnitude), 9)
        FROM af GROUP BY ALL ORDER BY ALL""").fetchall()


def state(store: Store) -> tuple:
    return (store.con.execute("SELECT vintage_id FROM vintages ORDER BY 1").fetchall(),
            store.con.execute("SELECT count(*) FROM flows").fetchone())


def lines(table: str) -> list[bytes]:
    return (FIXTURE / f"{table}.tsv").read_bytes().split(b"\n")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "store.duckdb")
    s.ingest(registry.get("patentsview"), pack(tmp_path / "base"))
    yield s
    s.close()


@pytest.mark.parametrize("zipped", [True, False])
def test_nul_byte_refused_with_line_and_field(store: Store, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              zipped: bool) -> None:
    # small chunks: the NUL lies chunks after the line's start, the header in an earlier one
    monkeypatch.setattr(patentsview_rows, "CHUNK", 5)
    rows = lines("g_us_patent_citation")
    fields = rows[4].split(b"\t")
    fields[2] = fields[2][:3] + b"\x00" + fields[2][3:]
    rows[4] = b"\t".join(fields)
    before = state(store)
    with pytest.raises(FormatError) as err:
        store.ingest(registry.get("patentsview"), pack(tmp_path / "nul", {
            "g_us_patent_citation": b"\n".join(rows)}, zipped=zipped))
    problem = err.value.problems[0]
    assert "g_us_patent_citation.tsv" in problem.location
    assert problem.location.endswith("line 5, field citation_patent_id")
    assert "NUL" in problem.found
    assert state(store) == before


def test_nul_in_the_last_field_of_the_last_line(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_bytes(b'"a"\t"b"\n1\t2\n3\t4\x00')
    with pytest.raises(FormatError) as err:
        patentsview_rows.scan_file(path)
    assert err.value.problems[0].location == f"{path}, line 3, field b"


@pytest.mark.parametrize("table", ["g_us_patent_citation", "g_inventor_disambiguated",
                                   "g_patent", "g_assignee_disambiguated"])
def test_repeated_row_refused_with_its_lines(store: Store, tmp_path: Path, table: str) -> None:
    rows = lines(table)
    repeated = [*rows[:3], rows[2], *rows[3:]]  # data row 2 (line 3) again, as line 4
    before = state(store)
    with pytest.raises(FormatError) as err:
        store.ingest(registry.get("patentsview"),
                     pack(tmp_path / "rep", {table: b"\n".join(repeated)}))
    problem = err.value.problems[0]
    assert problem.location.endswith(f"{table}.tsv.zip, lines 3, 4, every field")
    assert "the same row 2 times" in problem.found
    assert f"1 repeated row(s) in {table}" in problem.found
    assert state(store) == before


@pytest.mark.parametrize("table", patentsview_rows.HARMLESS)
def test_repeat_in_a_table_read_by_minimum_keeps_the_flows(store: Store, tmp_path: Path,
                                                          table: str) -> None:
    rows = lines(table)
    body = [r for r in rows[1:] if r.strip()]
    before = flows(store)
    result = store.ingest(registry.get("patentsview"), pack(tmp_path / "rep", {
        table: b"\n".join([rows[0], *body * 3]) + b"\n"}))
    assert not result.held_back  # the new vintage is the default: its flows are the answer
    assert flows(store) == before



def test_a_table_cut_short_is_held_back_naming_it(store: Store, tmp_path: Path) -> None:
    """Cut at a line, a table is valid TSV; the flows keep most of their records (they are
    aggregates), so the table's own rows against the last vintage's tell."""
    rows = lines("g_us_patent_citation")
    before = flows(store)
    result = store.ingest(registry.get("patentsview"), pack(tmp_path / "cut", {
        "g_us_patent_citation": b"\n".join(rows[:4]) + b"\n"}))
    assert "g_us_patent_citation 3 rows against 7" in (result.held_back or "")
    assert flows(store) == before
