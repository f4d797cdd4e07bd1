"""Tests for reciprocity.countries: names and codes, historical states, actors, aliases."""

from __future__ import annotations

import csv
import glob
from importlib.resources import files
from pathlib import Path

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reciprocity.countries import (
    KINDS,
    Country,
    all_countries,
    from_demonym,
    load_aliases,
    lookup,
    name_of,
    resolve,
    resolve_all,
)
from reciprocity.errors import InputError, UnknownCountryError
from sipri_helpers import missing_shared, shared_path

# (relative path, encoding, indices of the two name columns)
SIPRI_FILES = [
    ("sipri_trade_register/trade-register.csv", "latin-1", (0, 1)),
    ("sipri_register_2025/trade-register.csv", "latin-1", (0, 1)),
    ("sipri_register_new_format_sample/trade-register.csv", "ascii", (1, 2)),
]
SIPRI_PREAMBLE_LINES = 11

# NCSES region and flow labels: aggregates, not countries (handled by the NCSES source).
NCSES_NOT_COUNTRIES = {
    "World",
    "Africa",
    "Asia",
    "Europe",
    "EU",
    "Other EU",
    "Other Europe",
    "Other Asia",
    "Other South America",
    "Central and South America",
    "Middle East",
    "North America",
    "Oceania",
    "Exports",
    "Imports",
}


def _need_raw() -> Path:
    return shared_path(kind="dir")


def _data_rows(filename: str) -> list[dict[str, str]]:
    resource = files("reciprocity") / "data" / filename
    with resource.open("r", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _sipri_names() -> set[str]:
    _need_raw()
    names: set[str] = set()
    for rel, encoding, cols in SIPRI_FILES:
        path = shared_path(rel)
        with path.open(encoding=encoding, newline="") as handle:
            for _ in range(SIPRI_PREAMBLE_LINES):
                next(handle)
            reader = csv.reader(handle)
            header = next(reader)
            assert {header[c] for c in cols} == {"Recipient", "Supplier"}
            for row in reader:
                # The 2025 export has four records broken by an unquoted line break in
                # Comments; the 4-field tail lines carry TIV numbers, not names.
                if len(row) < 10:
                    continue
                names.update(row[c] for c in cols)
    return names


# --- the real files -------------------------------------------------------------------------


@pytest.mark.requires_shared
def test_every_sipri_name_resolves() -> None:
    names = _sipri_names()
    assert len(names) > 250
    resolved = resolve_all(sorted(names), where="SIPRI registers")
    for name, country in resolved.items():
        if name.endswith("**"):
            assert country.kind == "organisation", name
            assert country.code.startswith("ORG-"), name
        elif name.endswith("*"):
            assert country.kind == "non_state", name
            assert country.code.startswith("NSA-"), name
        else:
            assert country.kind in {"state", "historical", "unknown"}, name


def test_sipri_renamed_actors_keep_their_codes() -> None:
    # SIPRI respelled these between the March 2025 and May 2026 exports.
    assert resolve("Libya HoR*").code == resolve("House of Representatives (Libya)*").code
    assert (
        resolve("PIJ (Israel/Palestine)*").code
        == resolve("Palestinian Islamic Jihad (Israel/Palestine)*").code
    )
    assert resolve("UAE").code == resolve("United Arab Emirates").code == "ARE"


def _wdi_pairs() -> set[tuple[str, str]]:
    raw = _need_raw()
    pairs: set[tuple[str, str]] = set()
    for pattern, skip in (("wdi_2026_rd/*.csv", 4), ("wdi_2013_ronnywang/*.csv", 0)):
        paths = sorted(glob.glob(str(raw / pattern)))
        if not paths:
            missing_shared(f"no files match {raw / pattern}")
        for path in paths:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.reader(handle))[skip:]
            header = rows[0]
            i_name, i_code = header.index("Country Name"), header.index("Country Code")
            pairs.update((r[i_name], r[i_code]) for r in rows[1:] if len(r) > i_code)
    return pairs


@pytest.mark.requires_shared
def test_wdi_countries_resolve_to_their_own_code() -> None:
    pairs = _wdi_pairs()
    iso = {c.alpha_3 for c in pycountry.countries}
    checked = 0
    for name, code in sorted(pairs):
        by_code = lookup(code)
        if code in iso:
            assert by_code is not None, (name, code)
        if by_code is None:
            # A World Bank aggregate (World, High income, Euro area, …): it must not pass
            # for a state. 'European Union' is the EU as an actor, kind organisation.
            by_name = lookup(name)
            assert by_name is None or by_name.kind != "state", (name, code)
            continue
        by_name = lookup(name)
        assert by_name is not None, (name, code)
        assert by_name.code == by_code.code, (name, code, by_name)
        checked += 1
    assert checked > 200


def test_wdi_special_spellings() -> None:
    assert resolve("Korea, Rep.").code == "KOR"
    assert resolve("Korea, Dem. People's Rep.").code == "PRK"
    assert resolve("Egypt, Arab Rep.").code == "EGY"
    assert resolve("Hong Kong SAR, China").code == "HKG"
    assert resolve("Venezuela, RB").code == "VEN"
    # old World Bank codes in the 2013 vintage
    assert {resolve(c).code for c in ("ADO", "ZAR", "ROM", "TMP", "KSV", "WBG")} == {
        "AND",
        "COD",
        "ROU",
        "TLS",
        "XKX",
        "PSE",
    }


@pytest.mark.requires_shared
def test_ncses_country_names_resolve() -> None:
    raw = _need_raw()
    paths = sorted(glob.glob(str(raw / "ncses_sei" / "*_data.csv")))
    if not paths:
        missing_shared(f"no NCSES files in {raw / 'ncses_sei'}")
    names: set[str] = set()
    for path in paths:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            fields = reader.fieldnames or []
            if "citing_region_country_or_economy" in fields:
                names.update(fields[3:])  # snake_case cited-country columns
            for row in reader:
                if "time_period" in row:
                    names.update(row["time_period"].split(" -> ")[:-1])
                elif "citing_region_country_or_economy" in row:
                    names.add(row["citing_region_country_or_economy"])
                else:
                    names.update(
                        v
                        for k, v in row.items()
                        if k.startswith("region_country_or_economy_level") and v
                    )
    countries = names - NCSES_NOT_COUNTRIES
    assert len(countries) > 60
    resolved = resolve_all(countries, where="NCSES tables")
    assert resolved["Turkey"].code == "TUR"
    assert resolved["south_korea"].code == "KOR"
    assert resolved["Taiwan"].code == "TWN"


# --- specific mappings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code", "kind"),
    [
        ("Turkiye", "TUR", "state"),
        ("UAE", "ARE", "state"),
        ("DR Congo", "COD", "state"),
        ("Congo", "COG", "state"),
        ("Cote d'Ivoire", "CIV", "state"),
        ("Bosnia-Herzegovina", "BIH", "state"),
        ("Brunei", "BRN", "state"),
        ("Russia", "RUS", "state"),
        ("Saint Vincent", "VCT", "state"),
        ("Palestine", "PSE", "state"),
        ("Viet Nam", "VNM", "state"),
        ("eSwatini", "SWZ", "state"),
        ("Laos", "LAO", "state"),
        ("Taiwan", "TWN", "state"),
        ("South Korea", "KOR", "state"),
        ("North Korea", "PRK", "state"),
        ("Kosovo", "XKX", "state"),
        ("United States", "USA", "state"),
        ("Japan", "JPN", "state"),
        ("Soviet Union", "SUN", "historical"),
        ("East Germany (GDR)", "DDR", "historical"),
        ("FRG", "DEU", "state"),
        ("Germany", "DEU", "state"),
        ("Yugoslavia", "YUG", "historical"),
        ("Czechoslovakia", "CSK", "historical"),
        ("South Yemen", "YMD", "historical"),
        ("North Yemen", "YAR", "historical"),
        ("Yemen Arab Republic (North Yemen)", "YAR", "historical"),
        ("Yemen", "YEM", "state"),
        ("South Vietnam", "RVN", "historical"),
        ("Biafra", "XBF", "historical"),
        ("Katanga", "XKT", "historical"),
        ("Northern Cyprus", "XNC", "state"),
        ("ANC (South Africa)*", "NSA-ANC", "non_state"),
        ("Hezbollah (Lebanon)*", "NSA-HEZBOLLAH", "non_state"),
        ("NATO**", "ORG-NATO", "organisation"),
        ("United Nations**", "ORG-UN", "organisation"),
        ("African Union**", "ORG-AU", "organisation"),
        ("European Union**", "ORG-EU", "organisation"),
        ("OSCE**", "ORG-OSCE", "organisation"),
        ("Regional Security System**", "ORG-RSS", "organisation"),
        ("unknown supplier(s)", "UNK", "unknown"),
        ("unknown recipient(s)", "UNK", "unknown"),
        ("unknown rebel group*", "NSA-UNKNOWN", "non_state"),
    ],
)
def test_specific_mappings(name: str, code: str, kind: str) -> None:
    country = resolve(name)
    assert (country.code, country.kind) == (code, kind)


@pytest.mark.parametrize(
    ("code", "display"),
    [
        ("USA", "United States"),
        ("JPN", "Japan"),
        ("KOR", "South Korea"),
        ("RUS", "Russia"),
        ("IRN", "Iran"),
        ("TWN", "Taiwan"),
        ("PRK", "North Korea"),
        ("SUN", "Soviet Union"),
        ("VNM", "Vietnam"),
        ("COD", "DR Congo"),
    ],
)
def test_display_names_are_short(code: str, display: str) -> None:
    assert name_of(code) == display
    assert resolve(code).name == display


def test_name_of_unknown_code_is_the_code() -> None:
    assert name_of("XYZ") == "XYZ"


def test_unseen_starred_names_are_unknown() -> None:
    for name in ("Martian rebels*", "Germany*", "Japan**", "Some Alliance**", "ANC*"):
        assert lookup(name) is None, name


def test_no_alpha2_lookup() -> None:
    assert lookup("JP") is None
    assert lookup("DE") is None


# --- case, whitespace, codes ----------------------------------------------------------------


def test_case_and_whitespace_insensitive() -> None:
    assert resolve("  south   KOREA ").code == "KOR"
    assert resolve("ESWATINI").code == "SWZ"
    assert resolve("nato **").code == "ORG-NATO"
    assert resolve("Unknown Supplier(s)").code == "UNK"
    assert resolve("Türkiye").code == "TUR"  # accents ignored
    assert resolve("Cote d\u2019Ivoire").code == "CIV"  # curly apostrophe


@pytest.mark.parametrize(
    "code", ["JPN", "jpn", " Jpn ", "SUN", "NSA-ANC", "nsa-anc", "ORG-NATO", "UNK", "XKX", "YAR"]
)
def test_codes_resolve(code: str) -> None:
    assert resolve(code).code == code.strip().upper()


def test_every_code_resolves_to_itself() -> None:
    for country in all_countries():
        assert lookup(country.code) == country
        assert lookup(country.code.lower()) == country
        assert lookup(country.name) is not None, country


@given(
    st.sampled_from(
        [
            "South Korea",
            "Bosnia-Herzegovina",
            "Hezbollah (Lebanon)*",
            "NATO**",
            "unknown supplier(s)",
            "Yemen Arab Republic (North Yemen)",
        ]
    ),
    st.lists(st.booleans(), min_size=40, max_size=40),
    st.sampled_from(["", " ", "  ", "\t"]),
)
def test_case_and_padding_never_change_the_result(name: str, flips: list[bool], pad: str) -> None:
    varied = "".join(ch.upper() if f else ch.lower() for ch, f in zip(name, flips, strict=False))
    varied += name[len(flips) :]
    assert resolve(pad + varied + pad) == resolve(name)


# --- errors ---------------------------------------------------------------------------------


def test_unknown_name_raises() -> None:
    with pytest.raises(UnknownCountryError) as err:
        resolve("Atlantis")
    assert err.value.names == ["Atlantis"]
    assert isinstance(err.value, InputError)


def test_resolve_all_lists_every_unknown_at_once() -> None:
    with pytest.raises(UnknownCountryError) as err:
        resolve_all(["Japan", "Atlantis", "Lemuria", "Atlantis", "Foo rebels*"], where="test.csv")
    assert err.value.names == ["Atlantis", "Foo rebels*", "Lemuria"]
    assert "test.csv" in str(err.value)
    assert "3 unknown" in str(err.value)


def test_resolve_all_keys_by_given_name() -> None:
    out = resolve_all(["Viet Nam", "USA", "Soviet Union"])
    assert {k: v.code for k, v in out.items()} == {
        "Viet Nam": "VNM",
        "USA": "USA",
        "Soviet Union": "SUN",
    }
    assert all(isinstance(v, Country) for v in out.values())


# --- user aliases ---------------------------------------------------------------------------


def test_user_aliases_extend_and_override() -> None:
    assert lookup("Nippon") is None
    assert resolve("Nippon", {"Nippon": "JPN"}).code == "JPN"
    assert resolve("nippon ", {"Nippon": "jpn"}).code == "JPN"
    assert resolve("Congo", {"Congo": "COD"}).code == "COD"  # override wins
    assert resolve("Congo").code == "COG"
    assert resolve("Mystery rebels*", {"Mystery rebels*": "NSA-UNKNOWN"}).kind == "non_state"
    out = resolve_all(["Nippon", "Japan"], aliases={"Nippon": "JPN"})
    assert out["Nippon"] == out["Japan"]


def test_user_alias_to_unknown_code_raises() -> None:
    with pytest.raises(UnknownCountryError) as err:
        lookup("Nippon", {"Nippon": "QQQ"})
    assert err.value.names == ["QQQ"]


def test_load_aliases(tmp_path: Path) -> None:
    path = tmp_path / "aliases.csv"
    path.write_text(
        "name,code\nNippon,JPN\nRepublic of China,twn\n\nOld Blighty,United Kingdom\n",
        encoding="utf-8",
    )
    aliases = load_aliases(path)
    assert aliases == {"Nippon": "JPN", "Republic of China": "TWN", "Old Blighty": "GBR"}
    assert resolve("republic of china", aliases).code == "TWN"


def test_bad_alias_file_names_every_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "aliases.csv"
    path.write_text(
        "name,code\nNippon,JPN\nAtlantis,ATL\n,USA\nNippon,CHN\nLonely\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as err:
        load_aliases(path)
    locations = [p.location for p in err.value.problems]
    assert locations == [f"{path}:3", f"{path}:4", f"{path}:5", f"{path}:6"]
    assert "ATL" in str(err.value)
    assert f"{path}:3" in str(err.value)


def test_alias_file_without_header(tmp_path: Path) -> None:
    path = tmp_path / "aliases.csv"
    path.write_text("Nippon,JPN\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_aliases(path)
    assert err.value.problems[0].location == f"{path}:1"


def test_missing_alias_file(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        load_aliases(tmp_path / "nope.csv")


# --- demonyms -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("US", "USA"),
        ("Soviet", "SUN"),
        ("French", "FRA"),
        ("German", "DEU"),
        ("Israeli", "ISR"),
        ("British", "GBR"),
        ("Russian", "RUS"),
        ("Italian", "ITA"),
        ("Swedish", "SWE"),
        ("Chinese", "CHN"),
        ("South Korean", "KOR"),
        ("Czechoslovak", "CSK"),
        ("east german", "DDR"),
        ("Portugese", "PRT"),
        ("USA", "USA"),
        ("Japan", "JPN"),
        ("FRG", "DEU"),
        ("UK", "GBR"),
    ],
)
def test_demonyms(word: str, code: str) -> None:
    country = from_demonym(word)
    assert country is not None and country.code == code


def test_demonyms_are_not_names() -> None:
    assert lookup("French") is None
    assert from_demonym("Martian") is None


# --- the data files -------------------------------------------------------------------------


def test_countries_csv_is_consistent() -> None:
    rows = _data_rows("countries.csv")
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes)), "duplicate codes in countries.csv"
    names = [r["name"].casefold() for r in rows]
    assert len(names) == len(set(names)), "duplicate names in countries.csv"
    iso = {c.alpha_3 for c in pycountry.countries}
    former = {c.alpha_3 for c in pycountry.historic_countries}
    for row in rows:
        assert row["kind"] in KINDS, row
        assert row["name"] and row["note"], row
        if row["code"] in iso:
            assert row["kind"] == "state", row
        elif row["code"] in former:
            assert "ISO 3166-3" in row["note"], row
        else:
            note = row["note"].casefold()  # project codes say so
            assert "project code" in note or "not iso" in note, row


def test_every_alias_code_exists_and_no_alias_is_ambiguous() -> None:
    known = {c.code for c in all_countries()}
    seen: dict[tuple[str, str], str] = {}
    for row in _data_rows("country_aliases.csv"):
        assert row["kind"] in {"name", "demonym"}, row
        assert row["code"] in known, row
        key = (" ".join(row["alias"].split()).casefold(), row["kind"])
        assert seen.setdefault(key, row["code"]) == row["code"], row
        if row["kind"] == "name":
            as_code = lookup(row["alias"])
            assert as_code is not None and as_code.code == row["code"], row


def test_all_countries() -> None:
    countries = all_countries()
    codes = [c.code for c in countries]
    assert len(codes) == len(set(codes))
    assert {"USA", "JPN", "SUN", "NSA-ANC", "ORG-NATO", "UNK", "NSA-UNKNOWN"} <= set(codes)
    assert {c.kind for c in countries} == set(KINDS)


def test_unknown_country_suggests_the_closest_known_one_computed_by_countries():
    """errors is a leaf: the suggestion comes from countries (unknown_countries), not errors."""
    from reciprocity.countries import resolve, resolve_all, unknown_countries
    from reciprocity.errors import UnknownCountryError

    with pytest.raises(UnknownCountryError, match=r"did you mean Japan \(JPN\)\?"):
        resolve("Japn")
    with pytest.raises(UnknownCountryError) as info:
        resolve_all(["Germny", "France"], where="file.csv")
    assert "did you mean Germany (DEU)?" in info.value.problems[0].expected
    err = unknown_countries(["Japn"], where="file.csv", locations={"Japn": "line 3"})
    assert err.problems[0].location == "line 3" and "Japan (JPN)" in err.problems[0].expected
    assert "did you mean" not in str(UnknownCountryError(["Japn"]))
