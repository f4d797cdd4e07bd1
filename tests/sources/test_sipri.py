"""The SIPRI reader: both export layouts, every odd row kind, comment patterns, bad inputs."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from reciprocity import countries
from reciprocity.countries import load_aliases
from reciprocity.errors import FormatError, InputError, UnknownCountryError
from reciprocity.sources.sipri import SOURCE
from sipri_helpers import (
    COMMENTS,
    DESIGNATION,
    FULL_VINTAGE,
    N_DELIVERED_Q,
    N_ORDERED_Q,
    ORDER_Q,
    ORDER_YEAR,
    RECIPIENT,
    STATUS,
    SUPPLIER,
    TIV_DELIVERED,
    TIV_ORDER,
    TIV_UNIT,
    VINTAGE_2025,
    YEARS,
)

TABLE = "sipri_transfers"


def read(path: Path, **kw) -> tuple[pd.DataFrame, pd.DataFrame, object]:
    parsed = SOURCE.read(path, **kw)  # Arrow tables: the store writes them without copies
    records = parsed.records[TABLE].to_pandas()
    return records.set_index("record_id", drop=False), parsed.flows.to_pandas(), parsed


# -- the composed classic register ---------------------------------------------------------------
def test_sniff_recognises_both_layouts_and_nothing_else(classic_file, new_layout_file,
                                                        fixture_file):
    assert SOURCE.sniff(classic_file.read_bytes().decode("latin-1")) == "classic"
    assert SOURCE.sniff(new_layout_file.read_text()) == "per_delivery_year"
    assert SOURCE.sniff(fixture_file("not_sipri.csv").read_text()) is None
    assert SOURCE.sniff("") is None


def test_classic_fixture_is_read_whole(classic_file):
    records, flows, parsed = read(classic_file)
    assert parsed.layout == "classic"
    assert parsed.generated_at.isoformat() == "2026-01-12T09:15:02"
    assert parsed.is_complete is True
    assert parsed.scope.startswith("Transfers of major conventional arms from All countries")
    # 23 data lines, one record broken over two lines
    assert parsed.rows_read == len(records) == 22
    assert parsed.notes["records_rejoined_after_line_break_in_comment"] == 1
    assert parsed.notes["records_without_deliveries"] == 1
    assert parsed.notes["records_with_unknown_party"] == 2
    assert parsed.notes["licensed_production_records"] == 7
    assert list(records["record_id"]) == [*range(13, 29), *range(30, 36)]
    assert len(flows) == parsed.notes["flows"] == 43


def test_multi_year_deal_is_split_evenly_and_flagged_estimated(classic_file):
    records, flows, _ = read(classic_file)
    p3c = flows[flows["record_id"] == 13].sort_values("year")
    assert list(p3c["year"]) == [1986, 1987]
    assert list(p3c["magnitude"]) == [56.0, 56.0]
    assert p3c["is_estimated"].all()
    assert set(p3c["origin"]) == {"USA"} and set(p3c["destination"]) == {"JPN"}
    single = flows[flows["record_id"] == 14]
    assert list(single["year"]) == [2001] and list(single["magnitude"]) == [5.0]
    assert not single["is_estimated"].any()
    # every record's flows add up to its delivered TIV, one flow per delivery year
    per_record = flows.groupby("record_id").agg(total=("magnitude", "sum"), n=("year", "size"))
    with_years = records[records["delivery_years"].notna()]
    assert per_record["total"].to_dict() == pytest.approx(with_years["tiv_delivered"].to_dict())
    n_years = with_years["delivery_years"].str.split("; ").str.len()
    assert per_record["n"].to_dict() == n_years.to_dict()
    assert (flows["is_estimated"] == flows["record_id"].map(n_years).gt(1)).all()


def test_question_marks_become_uncertain_flags(classic_file):
    records, flows, _ = read(classic_file)
    aim = records.loc[14]
    assert aim["order_year_uncertain"] and aim["number_ordered_uncertain"]
    assert aim["number_delivered_uncertain"]
    p3c = records.loc[13]
    assert not (p3c["order_year_uncertain"] or p3c["number_ordered_uncertain"]
                or p3c["number_delivered_uncertain"])
    assert flows.loc[flows["record_id"] == 14, "is_uncertain"].all()
    assert not flows.loc[flows["record_id"] == 13, "is_uncertain"].any()
    # only '?' in the number-delivered column
    assert flows.loc[flows["record_id"] == 16, "is_uncertain"].all()


@pytest.mark.parametrize(("record_id", "mode", "evidence"), [
    (13, "licensed_production", "comment: Produced under licence in Japan"),
    (14, "new", "status: New"),
    (15, "second_hand", "status: Second hand"),
    (16, "second_hand_modernized", "status: Second hand but modernized"),
    (19, "licensed_production", "comment: produced under licence in USA"),
    (20, "licensed_production", "comment: Incl 150 produced uncder licence in India"),
    (21, "new", "status: New"),                       # Prior to licensed production
    (22, "new", "status: New"),                       # without French licence
    (23, "licensed_production", "comment: Licence-produced in Pakistan"),
    (24, "licensed_production", "comment: Incl 2 producedunder licence in Turkiye"),
    (26, "second_hand", "status: Second hand"),       # export licence
    (32, "licensed_production", "comment: incl 525 assembled/produced under licence in Egypt"),
    (33, "new", "status: New"),                       # planned licensed production cancelled
    (34, "new", "status: New"),                       # unlicensed production
    (35, "licensed_production", "comment: probably incl production under licence (or possibly "
                                "without licence from France) in China"),
])
def test_mode_from_status_or_licence_comment(classic_file, record_id, mode, evidence):
    records, flows, _ = read(classic_file)
    assert records.loc[record_id, "mode"] == mode
    assert records.loc[record_id, "mode_evidence"] == evidence
    assert set(flows.loc[flows["record_id"] == record_id, "mode"]) == {mode}


def test_design_origin_is_recorded_where_a_comment_states_it(classic_file):
    records, flows, _ = read(classic_file)
    assert records.loc[18, "design_origin"] == "USA"   # US design produced in Japan for USA
    assert records.loc[30, "design_origin"] == "ISR"   # Designed in Israel but produced in USA
    assert set(flows.loc[flows["record_id"] == 18, "design_origin"]) == {"USA"}
    others = records.drop(index=[18, 30])
    assert others["design_origin"].isna().all()


def test_order_and_delivery_years_are_kept(classic_file):
    records, _, _ = read(classic_file)
    egypt = records.loc[32]
    assert egypt["order_year"] == 1988
    assert egypt["delivery_years"] == "1992; 1993; 1994; 1995; 1996; 1997"
    assert egypt["first_delivery_year"] == 1992
    assert egypt["delivery_lag_years"] == 4
    assert records.loc[20, "delivery_lag_years"] == 2


def test_pending_deal_is_kept_without_flows(classic_file):
    records, flows, _ = read(classic_file)
    tomahawk = records.loc[17]
    assert tomahawk["designation"] == "BGM-109 Tomahawk"
    assert pd.isna(tomahawk["delivery_years"])
    assert tomahawk["tiv_delivered"] == 0
    assert tomahawk["tiv_total_order"] == 480
    assert tomahawk["number_ordered"] == 400
    # the quoted comment keeps its comma
    assert tomahawk["comments"] == "$2.35 b deal, incl 200 Block-4 and 200 Block-5"
    assert 17 not in set(flows["record_id"])


def test_names_become_codes_for_states_historical_states_and_actors(classic_file):
    records, _, _ = read(classic_file)
    assert records.loc[20, "supplier"] == "Soviet Union"
    assert records.loc[20, "supplier_code"] == "SUN"
    assert countries.lookup("SUN").kind == "historical"
    hezbollah = records.loc[25]
    assert hezbollah["recipient"] == "Hezbollah (Lebanon)*"
    assert hezbollah["recipient_code"].startswith("NSA-")
    assert countries.lookup(hezbollah["recipient_code"]).kind == "non_state"
    assert records.loc[24, "recipient_code"] == "TUR"
    assert records.loc[34, "recipient_code"] == "TWN"


def test_unknown_supplier_and_recipient_are_kept_and_counted(classic_file):
    records, flows, _ = read(classic_file)
    assert records.loc[26, "recipient"] == "unknown recipient(s)"
    assert records.loc[26, "recipient_code"] == "UNK"
    assert records.loc[27, "supplier"] == "unknown supplier(s)"
    assert records.loc[27, "supplier_code"] == "UNK"
    assert flows.loc[flows["destination"] == "UNK", "magnitude"].sum() == 0.5
    assert flows.loc[flows["origin"] == "UNK", "magnitude"].sum() == 1.0
    # every record with deliveries appears in the flows: nothing is dropped
    delivered = records.loc[records["delivery_years"].notna(), "tiv_delivered"].sum()
    assert flows["magnitude"].sum() == pytest.approx(delivered)


def test_comment_broken_by_a_line_break_is_rejoined(classic_file):
    records, _, _ = read(classic_file)
    vampire = records.loc[28]
    assert vampire["comments"] == ("Second-hand; refurbished before delivery and fitted with "
                                   "new radio")
    assert (vampire["tiv_per_unit"], vampire["tiv_total_order"], vampire["tiv_delivered"]) == (
        0.5, 0.5, 0.5)
    assert 29 not in records.index  # the continuation line is no record of its own
    # lines after the break keep their own numbers
    assert records.loc[30, "designation"] == "Dabur"


def test_latin1_text_is_decoded(classic_file):
    records, _, _ = read(classic_file)
    assert records.loc[31, "comments"] == "Second-hand; delivered via G\u00f6teborg"


# -- the newer per-delivery-year layout ----------------------------------------------------------
def test_new_layout_rows_are_flows_as_given(new_layout_file):
    records, flows, parsed = read(new_layout_file)
    assert parsed.layout == "per_delivery_year"
    assert parsed.is_complete is False  # "from All countries to Ukraine"
    assert parsed.generated_at.isoformat() == "2025-02-20T16:05:11"
    assert len(records) == len(flows) == 8
    assert not flows["is_estimated"].any()
    assert records["deal_id"].tolist() == [70001, 70002, 70002, 70003, 70003, 70004, 70005,
                                           70006]
    hmmwv = flows[flows["record_id"].isin([14, 15])].sort_values("year")
    assert hmmwv["year"].tolist() == [2022, 2023]
    assert hmmwv["magnitude"].tolist() == [4.0, 6.0]
    assert records.loc[15, "delivery_year_uncertain"]
    assert not records.loc[14, "delivery_year_uncertain"]
    assert flows.set_index("record_id").loc[[14, 15], "is_uncertain"].all()
    assert not flows.set_index("record_id").loc[13, "is_uncertain"]
    # 'TIV deal unit' (not 'SIPRI estimate') is the per-unit TIV, as in the classic export
    assert records.loc[13, "tiv_per_unit"] == 0.48
    assert (records["tiv_per_unit"] * records["number_delivered"]).tolist() == pytest.approx(
        records["tiv_delivered"].tolist())


def test_new_layout_local_production_yes_is_licensed_production(new_layout_file):
    records, flows, parsed = read(new_layout_file)
    tb2 = records.loc[18]
    assert tb2["local_production"] is True or tb2["local_production"] == True  # noqa: E712
    assert tb2["mode"] == "licensed_production"
    assert tb2["mode_evidence"] == "Local production: Yes"
    assert records.drop(index=18)["mode"].tolist() == [
        "second_hand", "second_hand", "second_hand", "new", "new", "second_hand",
        "second_hand_modernized"]
    assert parsed.notes["licensed_production_records"] == 1
    assert records.loc[19, "supplier_code"] == "UNK"
    assert flows.loc[flows["origin"] == "UNK", "magnitude"].sum() == pytest.approx(0.8)


# -- bad inputs ----------------------------------------------------------------------------------
BAD = {
    # key: (error type, fragments the message must contain: what, where, expected)
    "not_sipri": (FormatError, ["not_sipri.csv is not a SIPRI trade-register export",
                                "line 12", "no SIPRI preamble",
                                "expected the header of a SIPRI trade-register export"]),
    "preamble_only": (FormatError, ["is not a SIPRI trade-register export", "line 12",
                                    "only 6 line(s)", "expected the header"]),
    "truncated": (FormatError, ["truncated.csv", "line 35", "14 fields at the end of the file",
                                "expected 16 fields", "truncated?"]),
    "truncated_quote": (FormatError, ["truncated_quote.csv", "line 17", "broken CSV",
                                      "expected complete, properly quoted rows"]),
    "ragged": (FormatError, ["ragged.csv: 1 malformed row(s)", "line 15", "found 17 fields",
                             "expected 16 fields as in the header"]),
    "utf16": (FormatError, ["utf16.csv: wrong encoding", "line 1", "UTF-16",
                            "expected a SIPRI CSV export"]),
    "utf8": (FormatError, ["utf8.csv: wrong encoding", "line 31", "UTF-8",
                           "expected Latin-1"]),
    "unknown_names": (UnknownCountryError, ["2 unknown country name(s) in unknown_names.csv",
                                            "line 14: found 'Freedonia'",
                                            "line 16: found 'Sylvania'",
                                            "--aliases"]),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_input_is_rejected_with_what_where_expected(bad_files, kind):
    error, fragments = BAD[kind]
    with pytest.raises(error) as exc:
        SOURCE.read(bad_files[kind])
    assert exc.value.exit_code != 0
    assert exc.value.problems, "every problem is listed"
    message = str(exc.value)
    for fragment in fragments:
        assert fragment in message
    for problem in exc.value.problems:
        assert re.search(r"lines? \d", problem.location), problem
        assert problem.found and problem.expected


def test_unknown_names_are_listed_together_and_aliases_map_them(fixture_file):
    with pytest.raises(UnknownCountryError) as exc:
        SOURCE.read(fixture_file("unknown_names.csv"))
    assert exc.value.names == ["Freedonia", "Sylvania"]
    aliases = load_aliases(fixture_file("aliases.csv"))
    assert aliases == {"Freedonia": "ITA", "Sylvania": "AUT"}
    records, flows, _ = read(fixture_file("unknown_names.csv"), aliases=aliases)
    assert records.loc[14, "recipient_code"] == "ITA"
    assert records.loc[16, "supplier_code"] == "AUT"
    assert records.loc[14, "recipient"] == "Freedonia"  # the name as SIPRI spells it is kept
    assert set(flows["origin"] + ">" + flows["destination"]) == {"USA>JPN", "USA>ITA",
                                                                 "AUT>JPN"}


def test_bad_values_are_reported_with_line_and_column(tmp_path, classic_file):
    text = classic_file.read_bytes().decode("latin-1").split("\n")
    text[13] = text[13].replace(",2001,New,", ",2001,Brand new,")   # line 14: status
    text[14] = text[14].replace("1995; 1996; 1997", "1995; 199x")   # line 15: years
    text[15] = text[15].replace(",5,30,30", ",5,thirty,30")         # line 16: TIV total
    bad = tmp_path / "values.csv"
    bad.write_bytes("\n".join(text).encode("latin-1"))
    with pytest.raises(InputError) as exc:
        SOURCE.read(bad)
    message = str(exc.value)
    assert "3 value(s) that cannot be read" in message
    assert "line 14, status: found 'Brand new'; expected one of" in message
    assert "line 15, delivery years: found '1995; 199x'" in message
    assert "line 16, tiv_total_order: found 'thirty'; expected a number" in message


# -- the full register (May 2026) ----------------------------------------------------------------
STATUS_MODE = {"New": "new", "Second hand": "second_hand",
               "Second hand but modernized": "second_hand_modernized"}


@pytest.fixture(scope="module")
def full_records(full_store) -> pd.DataFrame:
    return full_store.query("SELECT * FROM sipri_transfers WHERE vintage_id = ? "
                            "ORDER BY record_id", [FULL_VINTAGE]).set_index("record_id",
                                                                            drop=False)


@pytest.fixture(scope="module")
def full_flows(full_store) -> pd.DataFrame:
    return full_store.query("SELECT * FROM flows WHERE vintage_id = ?", [FULL_VINTAGE])


def test_full_register_every_row_is_a_record_at_its_line(full_records, full_rows):
    assert len(full_rows) == 29_916
    assert len(full_records) == 29_916
    assert full_records.index.tolist() == [line for line, _ in full_rows]
    expected = pd.DataFrame([(r[SUPPLIER], r[RECIPIENT], r[DESIGNATION].strip(),
                              int(r[ORDER_YEAR])) for _, r in full_rows],
                            columns=["supplier", "recipient", "designation", "order_year"],
                            index=[line for line, _ in full_rows])
    got = full_records[["supplier", "recipient", "designation", "order_year"]]
    assert (got.astype(str).to_numpy() == expected.astype(str).to_numpy()).all()
    assert full_records["supplier_code"].notna().all()
    assert full_records["recipient_code"].notna().all()


def test_full_register_flows_add_up_to_the_file(full_flows, full_rows):
    delivered = sum(float(r[TIV_DELIVERED]) for _, r in full_rows
                    if r[YEARS].strip() and r[TIV_DELIVERED].strip())
    assert full_flows["magnitude"].sum() == pytest.approx(delivered, rel=1e-12)
    n_years = {line: len(r[YEARS].split(";")) for line, r in full_rows if r[YEARS].strip()}
    per_record = full_flows.groupby("record_id").size().to_dict()
    assert per_record == n_years
    estimated = full_flows["record_id"].map(n_years) > 1
    assert (full_flows["is_estimated"] == estimated).all()
    years = {line: sorted(int(y) for y in r[YEARS].split(";")) for line, r in full_rows
             if r[YEARS].strip()}
    got = full_flows.groupby("record_id")["year"].apply(sorted).to_dict()
    assert got == years


def test_full_register_rows_without_deliveries_are_kept(full_records, full_flows, full_rows):
    pending = {line for line, r in full_rows if not r[YEARS].strip()}
    assert len(pending) == 1_220
    assert set(full_records.index[full_records["delivery_years"].isna()]) == pending
    assert not pending & set(full_flows["record_id"])
    assert (full_records.loc[sorted(pending), "tiv_delivered"] == 0).all()


def test_full_register_unknown_parties_are_kept_and_counted(full_records, full_flows,
                                                            full_rows):
    unknown_names = {"unknown supplier(s)", "unknown recipient(s)"}
    rows = [(line, r) for line, r in full_rows
            if r[SUPPLIER] in unknown_names or r[RECIPIENT] in unknown_names]
    assert rows, "the full register has unknown suppliers and recipients"
    coded = full_records[(full_records["supplier_code"] == "UNK")
                         | (full_records["recipient_code"] == "UNK")]
    assert set(coded.index) == {line for line, _ in rows}
    from_unknown = sum(float(r[TIV_DELIVERED]) for _, r in full_rows
                       if r[SUPPLIER] == "unknown supplier(s)" and r[YEARS].strip())
    to_unknown = sum(float(r[TIV_DELIVERED]) for _, r in full_rows
                     if r[RECIPIENT] == "unknown recipient(s)" and r[YEARS].strip())
    assert full_flows.loc[full_flows["origin"] == "UNK", "magnitude"].sum() == pytest.approx(
        from_unknown)
    assert full_flows.loc[full_flows["destination"] == "UNK", "magnitude"].sum() == (
        pytest.approx(to_unknown))


def test_full_register_actors_and_historical_states_get_codes(full_records):
    names = pd.concat([full_records[["supplier", "supplier_code"]].set_axis(["name", "code"],
                                                                            axis=1),
                       full_records[["recipient", "recipient_code"]].set_axis(["name", "code"],
                                                                              axis=1)])
    pairs = dict(names.drop_duplicates().itertuples(index=False))
    assert len(pairs) == len(set(names["name"]))  # one code per name
    for name, code in pairs.items():
        if name == "unknown rebel group*":
            assert code == "NSA-UNKNOWN"
        elif name.endswith("**"):
            assert code.startswith("ORG-"), (name, code)
        elif name.endswith("*"):
            assert code.startswith("NSA-"), (name, code)
        elif name.startswith("unknown"):
            assert code == "UNK"
        else:
            assert countries.lookup(code).kind in ("state", "historical"), (name, code)
    historical = {"Soviet Union": "SUN", "East Germany (GDR)": "DDR", "Czechoslovakia": "CSK",
                  "Yugoslavia": "YUG", "North Yemen": "YAR", "South Yemen": "YMD",
                  "South Vietnam": "RVN"}
    for name, code in historical.items():
        assert pairs[name] == code
    assert pairs["Hezbollah (Lebanon)*"].startswith("NSA-")
    assert pairs["United Nations**"].startswith("ORG-")


def test_full_register_uncertainty_flags_match_the_question_marks(full_records, full_rows):
    for column, index in (("order_year_uncertain", ORDER_Q),
                          ("number_ordered_uncertain", N_ORDERED_Q),
                          ("number_delivered_uncertain", N_DELIVERED_Q)):
        expected = {line for line, r in full_rows if r[index] == "?"}
        assert set(full_records.index[full_records[column]]) == expected, column
    assert {r[ORDER_Q] for _, r in full_rows} <= {"", "?"}


def test_full_register_modes_follow_status_unless_a_local_production_clause(full_records,
                                                                           full_rows):
    got = full_records.loc[[line for line, _ in full_rows]]
    by_status = [STATUS_MODE[r[STATUS]] for _, r in full_rows]
    read = got["mode_evidence"].str.startswith("comment: ")
    assert (got.loc[~read.to_numpy(), "mode"].tolist()
            == [m for m, r in zip(by_status, read, strict=True) if not r])
    assert set(got.loc[read, "mode"]) == {"licensed_production"}
    # the deciding words are SIPRI's own, quoted from the comment
    quoted = got.loc[read]
    assert all(ev.removeprefix("comment: ") in c
               for ev, c in zip(quoted["mode_evidence"], quoted["comments"], strict=True))
    assert 1700 < read.sum() < 1900
    us_jp = got[(got["supplier_code"] == "USA") & (got["recipient_code"] == "JPN")]
    f15 = us_jp[us_jp["mode_evidence"] == "comment: Including 199 assembled/produced in Japan"]
    assert f15["number_licensed"].tolist() == [199.0]
    assert f15["number_ordered"].tolist() == [213.0]


def test_full_register_order_years_and_lags(full_records, full_rows):
    delivered = [(line, int(r[ORDER_YEAR]), min(int(y) for y in r[YEARS].split(";")))
                 for line, r in full_rows if r[YEARS].strip()]
    got = full_records.loc[[line for line, _, _ in delivered]]
    assert got["order_year"].tolist() == [order for _, order, _ in delivered]
    assert got["first_delivery_year"].tolist() == [first for _, _, first in delivered]
    assert got["delivery_lag_years"].tolist() == [first - order for _, order, first in delivered]


def test_full_register_values_and_latin1_text(full_records, full_rows):
    lines = [line for line, _ in full_rows]
    got = full_records.loc[lines]
    comments = [r[COMMENTS].strip() for _, r in full_rows]
    assert got["comments"].fillna("").tolist() == comments
    for column, index in (("tiv_per_unit", TIV_UNIT), ("tiv_total_order", TIV_ORDER),
                          ("tiv_delivered", TIV_DELIVERED)):
        expected = pd.to_numeric(pd.Series([r[index].strip() or None for _, r in full_rows],
                                           index=lines, dtype=object))
        assert got[column].isna().tolist() == expected.isna().tolist(), column
        assert got[column].fillna(-1).to_numpy() == pytest.approx(
            expected.fillna(-1).to_numpy()), column
    accented = got["comments"].fillna("").str.contains("[äüéö]")
    assert accented.sum() > 10


def test_full_register_us_design_made_in_japan(full_records):
    pac3 = full_records[(full_records["designation"] == "MIM-104 PAC-3 MSE")
                        & (full_records["supplier_code"] == "JPN")]
    assert len(pac3) == 1
    assert pac3.iloc[0]["design_origin"] == "USA"
    assert pac3.iloc[0]["recipient_code"] == "USA"


# -- the March 2025 register and the newer layout's real sample ----------------------------------
def test_2025_register_records_broken_by_line_breaks_are_rejoined(full_store, rows_2025,
                                                                  register_2025):
    raw_lines = register_2025.read_bytes().decode("latin-1").split("\n")
    broken = [i + 1 for i, ln in enumerate(raw_lines[12:], 12)
              if ln.strip() and len(next(csv.reader([ln]))) == 13]
    assert len(broken) == 4
    vintage = full_store.query("SELECT * FROM vintages WHERE vintage_id = ?", [VINTAGE_2025])
    assert "records_rejoined_after_line_break_in_comment: 4" in vintage.at[0, "notes"]
    assert vintage.at[0, "rows_read"] == len(rows_2025)
    records = full_store.query(
        "SELECT * FROM sipri_transfers WHERE vintage_id = ? AND record_id IN "
        f"({', '.join(map(str, broken))}) ORDER BY record_id", [VINTAGE_2025])
    assert records["record_id"].tolist() == broken
    rows = dict(rows_2025)
    for rec in records.to_dict("records"):
        row = rows[rec["record_id"]]
        assert rec["comments"] == row[COMMENTS].strip()
        assert "\r" not in rec["comments"] and "\n" not in rec["comments"]
        assert rec["tiv_total_order"] == pytest.approx(float(row[TIV_ORDER]))
        assert rec["tiv_delivered"] == pytest.approx(float(row[TIV_DELIVERED]))
    engines = records[records["designation"] == "vehicle engine"].iloc[0]
    assert engines["recipient"] == "Cote d'Ivoire"
    assert engines["comments"].endswith("Puma M-36 APC from South Africa")
    assert (engines["tiv_per_unit"], engines["tiv_total_order"]) == (0.03, 0.36)


def test_new_layout_real_sample(new_format_sample):
    records, flows, parsed = read(new_format_sample)
    with open(new_format_sample, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(io.StringIO(fh.read())))[12:]
    rows = [r for r in rows if r]
    assert parsed.layout == "per_delivery_year" and not parsed.is_complete
    assert len(records) == len(flows) == len(rows) == 382
    assert flows["magnitude"].sum() == pytest.approx(sum(float(r[15]) for r in rows))
    local = {i + 13 for i, r in enumerate(rows) if r[16] == "Yes"}
    assert len(local) == 4
    licensed = set(records.index[records["mode"] == "licensed_production"])
    assert licensed == local
    assert not flows["is_estimated"].any()
    assert set(flows["destination"]) == {"UKR"}
    # per-unit TIV is the deal's (SIPRI rounds it to two decimals)
    gap = (records["tiv_per_unit"] * records["number_delivered"] - records["tiv_delivered"]).abs()
    assert (gap <= 0.005 * records["number_delivered"] + 0.01).all()
    t72 = records[records["deal_id"] == 39573].iloc[0]
    assert (t72["designation"], t72["tiv_per_unit"], t72["tiv_delivered"]) == (
        "T-72M1", 1.72, 34.32)  # the March 2025 classic export has 1.72 and 34.32 too
