"""SIPRI exports in parts (one export split by year range) and the per-delivery-year copies.

Composed fixtures in ``tests/fixtures/sipri`` cover the edge cases: two parts that adjoin, parts
that overlap, leave a gap, differ in layout, scope or date, or hold a deal and year twice, and a
copy with a stray ';' on every line, CRLF line ends and no newline at the end. The real files
(``../shared/data/raw/sipri_register_per_year_all`` and ``…_2026``) are read when present.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest

from reciprocity.errors import InputError
from reciprocity.sources.sipri import SOURCE, _is_complete
from sipri_helpers import FIXTURES, shared_path

TABLE = "sipri_transfers"
PARTS = FIXTURES / "per_year_parts"
EARLY = PARTS / "part-1950-1989.csv"   # 1950-1989, generated 16 Apr 2024
LATE = PARTS / "part-1990-2023.csv"                      # 1990-2023, generated 13 Apr 2024
SEMICOLONS = FIXTURES / "per_year_semicolons.csv"        # Feb 2026 copy: ';' CRLF, no final LF
PER_YEAR_ALL = "sipri_register_per_year_all"
PER_YEAR_2026 = "sipri_register_per_year_2026/trade_register.csv"


def data_lines(path: Path) -> list[str]:
    """The data lines of a file (after the 11 preamble lines and the header)."""
    return path.read_bytes().decode("utf-8").splitlines()[12:]


def variant(tmp_path: Path, source: Path, name: str | None = None, *,
            replace: tuple[tuple[str, str], ...] = (), add: tuple[str, ...] = ()) -> Path:
    """A copy of a fixture part with text replaced and rows added (written to tmp_path)."""
    text = source.read_text(encoding="utf-8")
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new)
    text += "".join(row + "\n" for row in add)
    out = tmp_path / (name or source.name)
    out.write_text(text, encoding="utf-8")
    return out


# -- two parts that adjoin -----------------------------------------------------------------------
def test_adjoining_parts_are_one_vintage_with_the_rows_of_both():
    parsed = SOURCE.read_parts([LATE, EARLY])  # given in any order, read earliest years first
    records = parsed.records[TABLE].to_pandas()
    flows = parsed.flows.to_pandas()
    assert parsed.layout == "per_delivery_year"
    assert parsed.rows_read == len(records) == len(flows) == 6 + 5
    assert [p.path.name for p in parsed.parts] == [EARLY.name, LATE.name]
    # dated by the latest part (16 Apr), and it says so
    assert parsed.generated_at == datetime(2024, 4, 16, 22, 5, 18)
    assert parsed.notes["parts"] == 2 and parsed.notes["parts_generated_days_apart"] == 3
    assert "year range '1950' to '2023'" in parsed.scope
    assert "dated by the latest part" in parsed.scope
    assert f"{EARLY.name}: 1950-1989" in parsed.scope and f"{LATE.name}: 1990-2023" in parsed.scope
    # all countries to all, 1950 to the year before it was generated: the whole database
    assert parsed.is_complete is True
    # the deal delivered across the split is in both parts, one row per delivery year
    cobra = records[records["deal_id"] == 80004].sort_values("delivery_years")
    assert cobra["delivery_years"].tolist() == ["1989", "1990"]
    assert cobra["source_file"].tolist() == [EARLY.name, LATE.name]


def test_record_ids_are_unique_and_trace_to_file_and_line():
    parsed = SOURCE.read_parts([EARLY, LATE])
    records = parsed.records[TABLE].to_pandas()
    flows = parsed.flows.to_pandas()
    assert records["record_id"].is_unique
    early_lines = len(EARLY.read_bytes().splitlines())
    assert [p.line_offset for p in parsed.parts] == [0, early_lines]
    first = records[records["source_file"] == EARLY.name]
    second = records[records["source_file"] == LATE.name]
    assert first["line"].tolist() == first["record_id"].tolist() == list(range(13, 19))
    assert second["line"].tolist() == list(range(13, 18))
    assert second["record_id"].tolist() == [early_lines + n for n in range(13, 18)]
    # each record is the line it names in its file
    for rec in records.to_dict("records"):
        raw = (PARTS / rec["source_file"]).read_text().splitlines()[rec["line"] - 1]
        assert raw.startswith(f"{rec['deal_id']},{rec['supplier']},{rec['recipient']},")
        assert raw.split(",")[10] == rec["delivery_years"]
    # every flow points at its record
    assert set(flows["record_id"]) == set(records["record_id"])


def test_parts_flows_are_sipris_own_yearly_figures():
    parsed = SOURCE.read_parts([EARLY, LATE])
    flows = parsed.flows.to_pandas()
    assert not flows["is_estimated"].any()
    assert parsed.notes["flows_split_over_years"] == 0
    usa_jpn = flows[(flows["origin"] == "USA") & (flows["destination"] == "JPN")]
    assert usa_jpn.groupby("year")["magnitude"].sum().to_dict() == {
        1962: 130.0, 1963: 260.0, 1985: 807.5, 1989: 12.0, 1990: 18.0, 2018: 330.0}


def test_a_folder_is_read_as_its_csv_parts():
    assert SOURCE.input_files(PARTS) == sorted([EARLY, LATE])  # by name; SOURCE.md is not one
    folder = SOURCE.read(PARTS)
    given = SOURCE.read_parts([EARLY, LATE])
    assert folder.records[TABLE].equals(given.records[TABLE])
    assert folder.flows.equals(given.flows)
    assert folder.scope == given.scope


def test_one_part_alone_is_a_partial_extract():
    parsed = SOURCE.read(LATE)
    assert parsed.is_complete is False  # starts in 1990
    assert parsed.records[TABLE]["source_file"].to_pylist() == [LATE.name] * 5
    assert parsed.records[TABLE]["line"].to_pylist() == list(range(13, 18))


# -- parts that do not fit together --------------------------------------------------------------
BAD_PARTS = {
    # name: (how the later part is changed, fragments of the message)
    "overlap": (dict(replace=(("year range '1990' to '2023'", "year range '1989' to '2023'"),)),
                ["year ranges 1950-1989 and 1989-2023, which overlap",
                 "expected adjoining ranges: the part after 1989 starts in 1990"]),
    "gap": (dict(replace=(("year range '1990' to '2023'", "year range '1991' to '2023'"),
                          (",1990,No,New,6,6,18,Yes", ",1991,No,New,6,6,18,Yes"))),
            ["year ranges 1950-1989 and 1991-2023, with a gap (1990-1990 is in no part)",
             "expected adjoining ranges"]),
    "scope": (dict(replace=(("to All countries. Deals", "to Japan. Deals"),)),
              ["line 1", "expected the same suppliers, recipients and kind of deals"]),
    "dates": (dict(replace=(("13 Apr 2024 3:44:54 PM", "13 Mar 2025 3:44:54 PM"),)),
              ["generated 16 Apr 2024 and 13 Mar 2025",
               "expected parts of one export, generated at most 31 days apart"]),
    "duplicate": (dict(add=("80002,United States,Japan,F-15C,FGA aircraft,Aircraft,1978,No,17,"
                            "No,1985,No,New,47.5,47.5,807.5,Yes",)),
                  ["found deal 80002, delivery year 1985 in two parts",
                   f"{EARLY.name}, line 15 and later.csv, line 18",
                   "later.csv, line 18: found delivery year 1985; expected a year in the "
                   "part's range 1990-2023"]),
}


@pytest.mark.parametrize("kind", sorted(BAD_PARTS))
def test_parts_that_do_not_fit_are_refused_naming_both_files(tmp_path, kind):
    change, fragments = BAD_PARTS[kind]
    later = variant(tmp_path, LATE, "later.csv", **change)
    with pytest.raises(InputError) as exc:
        SOURCE.read_parts([EARLY, later])
    message = str(exc.value)
    assert f"{EARLY.name}, later.csv are not the parts of one SIPRI export" in message
    assert EARLY.name in message and "later.csv" in message
    for fragment in fragments:
        assert fragment in message, message
    for problem in exc.value.problems:
        assert problem.found and problem.expected


def test_parts_of_different_layouts_are_refused(classic_file):
    with pytest.raises(InputError) as exc:
        SOURCE.read_parts([classic_file, EARLY])
    message = str(exc.value)
    assert (f"{classic_file.name} and {EARLY.name}: found layouts 'classic' and "
            "'per_delivery_year'; expected one layout") in message or (
            f"{EARLY.name} and {classic_file.name}: found layouts 'per_delivery_year' and "
            "'classic'; expected one layout") in message
    # the classic register covers all years: it is no part with a year range
    assert "expected a scope with a year range" in message


def test_the_same_part_twice_overlaps(tmp_path):
    copy = variant(tmp_path, EARLY, "copy.csv")
    with pytest.raises(InputError, match="1950-1989 and 1950-1989, which overlap"):
        SOURCE.read_parts([EARLY, copy])


# -- completeness --------------------------------------------------------------------------------
ALL = "Transfers of major conventional arms from All countries  to All countries . "


@pytest.mark.parametrize(("scope", "generated", "complete"), [
    (ALL + "Deals with deliveries made for the year range 'Not specified' to 'Not specified'",
     None, True),
    (ALL + "Deals with deliveries or orders made for year range '1950' to '2023'",
     datetime(2024, 4, 16), True),
    (ALL + "Deals with deliveries or orders made for year range '1950' to '2022'",
     datetime(2024, 4, 16), False),  # a year short of what the release holds
    (ALL + "Deals with deliveries made for the year range '1995' to '2025'",
     datetime(2026, 2, 12), False),  # starts in 1995
    (ALL + "Deals with deliveries or orders made for year range '1950' to '2023'", None, False),
    ("Transfers of major conventional arms from All countries  to Ukraine  . Deals with "
     "deliveries made for the year range '1950' to '2024'", datetime(2025, 2, 17), False),
    (None, None, False),
])
def test_complete_means_all_countries_and_all_years(scope, generated, complete):
    assert _is_complete(scope, generated) is complete


# -- a ';' at the end of every line, CRLF, no newline at the end ---------------------------------
def test_trailing_semicolons_are_stripped_and_crlf_read():
    raw = SEMICOLONS.read_bytes()
    assert b"\r\n" in raw and not raw.endswith(b"\n") and raw.endswith(b"No;")
    assert SOURCE.sniff(raw.decode("ascii")) == "per_delivery_year"
    parsed = SOURCE.read(SEMICOLONS)
    records = parsed.records[TABLE].to_pandas().set_index("record_id", drop=False)
    lines = raw.decode("ascii").split("\r\n")
    with_semicolon = [ln for ln in lines if ln.endswith(";")]
    assert len(with_semicolon) == len(lines) - 2  # all but preamble lines 6 and 8
    assert parsed.notes["trailing_semicolons_removed"] == len(with_semicolon)
    # independently: one ';' off each line leaves 17 fields per row
    stripped = [ln.removesuffix(";") for ln in lines[12:]]
    rows = list(csv.reader(io.StringIO("\n".join(stripped))))
    assert {len(r) for r in rows} == {17}
    assert parsed.rows_read == len(records) == len(rows) == 5
    assert records.index.tolist() == list(range(13, 18))  # the last line has no newline
    assert records["local_production"].tolist() == [r[16] == "Yes" for r in rows] == [
        True, True, False, False, False]
    assert records.loc[14, "mode"] == "licensed_production"
    assert records.loc[14, "mode_evidence"] == "Local production: Yes"
    assert records.loc[14, "armament_category"] == "Air-defence systems"
    assert records.loc[17, "tiv_delivered"] == 8.0  # the last field of the last line
    assert records.loc[17, "recipient_code"] == "LBY"
    assert records.loc[17, "supplier_code"] == "NSA-LIBYA-HOR"
    # empty estimate flags are read as not uncertain
    assert not records.loc[16, "number_delivered_uncertain"]
    assert not records.loc[16, "delivery_year_uncertain"]
    # the preamble's stray ';' is gone too
    assert parsed.generated_at == datetime(2026, 2, 12, 12, 26, 12)
    assert parsed.scope.endswith("'1995' to '2025'")
    assert parsed.is_complete is False
    assert not parsed.flows.to_pandas()["is_estimated"].any()


def test_a_clean_file_is_left_as_it_is():
    parsed = SOURCE.read(LATE)
    assert "trailing_semicolons_removed" not in parsed.notes


# -- the real files ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def per_year_all(shared_raw: Path) -> Path:
    return shared_path(PER_YEAR_ALL, kind="dir")


@pytest.fixture(scope="module")
def per_year_2026(shared_raw: Path) -> Path:
    return shared_path(PER_YEAR_2026)


def _usa_jpn_by_year(flows) -> dict[int, float]:
    frame = flows.to_pandas()
    pair = frame[(frame["origin"] == "USA") & (frame["destination"] == "JPN")]
    return pair.groupby("year")["magnitude"].sum().to_dict()


def test_real_april_2024_parts(per_year_all):
    parsed = SOURCE.read(per_year_all)
    records = parsed.records[TABLE].to_pandas()
    independent = sum(len(list(csv.reader(io.StringIO(
        p.read_text(encoding="utf-8"))))) - 12 for p in per_year_all.glob("*.csv"))
    assert parsed.rows_read == len(records) == len(parsed.flows) == independent == 59_157
    assert [p.path.name for p in parsed.parts] == ["trade-register_initial_situation.csv",
                                                   "trade-register.csv"]
    assert parsed.generated_at == datetime(2024, 4, 16, 22, 5, 18)
    assert parsed.is_complete is True
    assert records["record_id"].is_unique
    assert records.groupby("source_file").size().to_dict() == {
        "trade-register_initial_situation.csv": 31_319, "trade-register.csv": 27_838}
    flows = parsed.flows.to_pandas()
    assert not flows["is_estimated"].any()
    assert flows.groupby(["record_id", "year"]).size().max() == 1  # one flow per deal-year row
    by_year = _usa_jpn_by_year(parsed.flows)
    assert by_year[1985] == pytest.approx(1_846.0, abs=0.05)
    assert by_year[2020] == pytest.approx(928.2, abs=0.05)
    assert by_year[2023] == pytest.approx(1_062.9, abs=0.05)
    assert sum(v for y, v in by_year.items() if y <= 1989) == pytest.approx(37_346.5, abs=0.05)


def test_real_february_2026_copy_with_semicolons(per_year_2026):
    parsed = SOURCE.read(per_year_2026)
    records = parsed.records[TABLE].to_pandas()
    assert parsed.rows_read == len(records) == 25_024
    assert parsed.notes["trailing_semicolons_removed"] == 25_024 + 10  # rows, header, 9 lines
    assert records["local_production"].sum() == 4_771
    assert parsed.generated_at == datetime(2026, 2, 12, 12, 26, 12)
    assert parsed.is_complete is False  # deliveries from 1995 only
    assert "Air-defence systems" in set(records["armament_category"])
    assert not parsed.flows.to_pandas()["is_estimated"].any()
    by_year = _usa_jpn_by_year(parsed.flows)
    assert by_year[2022] == pytest.approx(1_506.9, abs=0.05)
    assert by_year[2020] == pytest.approx(925.2, abs=0.05)
