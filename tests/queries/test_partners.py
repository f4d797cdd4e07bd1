"""partners: every partner of one country in a channel, ranked."""

from __future__ import annotations

from collections import defaultdict

import pytest

from reciprocity import countries
from reciprocity.errors import InputError, NotFoundError, UnknownCountryError
from reciprocity.queries.dyad import dyad
from reciprocity.queries.partners import partners
from sipri_helpers import RECIPIENT, SUPPLIER, TIV_DELIVERED, YEARS


def test_partners_of_japan_in_the_composed_register(classic_store):
    frame = partners(classic_store, "JPN")
    assert frame["partner"].tolist() == ["USA", "GBR"]
    assert frame["rank"].tolist() == [1, 2]
    usa = frame.iloc[0]
    assert (usa["flow_ab"], usa["flow_ba"]) == (663, 159)  # flow_ab = Japan → partner
    assert usa["gl_index"] == pytest.approx(1 - 504 / 822)
    assert usa["partner_name"] == "United States"
    gbr = frame.iloc[1]
    assert (gbr["flow_ab"], gbr["flow_ba"], gbr["gl_index"]) == (0, 0.5, 0)
    assert {"partner", "flow_ab", "flow_ba", "gl_index", "balance", "share_b",
            "coverage_ratio", "unit", "volume"} <= set(frame.columns)


def test_ranking_by_index_then_volume_or_by_volume(classic_store):
    frame = partners(classic_store, "USA")
    gl = frame["gl_index"].tolist()
    defined = [g for g in gl if g == g]
    assert defined == sorted(defined, reverse=True)
    assert frame["partner"].iloc[0] == "JPN"  # the only two-way partner
    by_volume = partners(classic_store, "USA", sort="volume")
    assert by_volume["volume"].tolist() == sorted(by_volume["volume"], reverse=True)
    assert by_volume["partner"].tolist()[:2] == ["EGY", "JPN"]
    assert set(by_volume["partner"]) == {"JPN", "EGY", "ISR", "UNK"}


def test_unknown_recipients_are_partners_too(classic_store):
    frame = partners(classic_store, "USA").set_index("partner")
    assert frame.at["UNK", "flow_ab"] == 0.5
    assert frame.at["UNK", "partner_name"] == countries.name_of("UNK")


def test_partner_rows_agree_with_dyad(classic_store):
    for row in partners(classic_store, "USA").to_dict("records"):
        d = dyad(classic_store, "USA", row["partner"]).totals.iloc[0]
        assert (d["flow_ab"], d["flow_ba"]) == (row["flow_ab"], row["flow_ba"])


def test_span_and_vintage_filters(classic_store, classic2_store):
    assert partners(classic_store, "JPN", since=2000)["partner"].tolist() == ["USA"]
    assert partners(classic_store, "JPN", until=1959)["partner"].tolist() == ["GBR"]
    newest = partners(classic2_store, "JPN").set_index("partner")
    oldest = partners(classic2_store, "JPN", vintage="2026-01-12").set_index("partner")
    assert newest.at["USA", "flow_ba"] == pytest.approx(159 + 2.5 + 656)
    assert oldest.at["USA", "flow_ba"] == 159


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"a": "Freedonia"}, UnknownCountryError),
    ({"a": "JPN", "sort": "alphabet"}, InputError),
    ({"a": "JPN", "channel": "spies"}, NotFoundError),
    ({"a": "JPN", "since": 2001, "until": 2000}, InputError),
])
def test_bad_arguments(classic_store, kwargs, error):
    a = kwargs.pop("a")
    with pytest.raises(error):
        partners(classic_store, a, **kwargs)


def test_partners_of_japan_in_the_full_register(full_store, full_rows):
    out: dict[str, float] = defaultdict(float)
    back: dict[str, float] = defaultdict(float)
    for _, r in full_rows:
        if not r[YEARS].strip():
            continue
        if r[SUPPLIER] == "Japan":
            out[r[RECIPIENT]] += float(r[TIV_DELIVERED])
        if r[RECIPIENT] == "Japan":
            back[r[SUPPLIER]] += float(r[TIV_DELIVERED])
    frame = partners(full_store, "JPN").set_index("partner")
    assert frame["flow_ab"].sum() == pytest.approx(sum(out.values()))
    assert frame["flow_ba"].sum() == pytest.approx(sum(back.values()))
    assert len(frame) == len(set(out) | set(back))
    assert frame.at["USA", "flow_ab"] == pytest.approx(out["United States"])
    assert frame.at["USA", "flow_ba"] == pytest.approx(back["United States"])
    assert frame["gl_index"].dropna().between(0, 1).all()


def test_snapshot_and_index_units_rank_by_each_partners_latest_year(ncses_store):
    from ev_helpers import ncses_value

    frame = partners(ncses_store, "JPN", channel="coauthorship").set_index("partner")
    assert set(frame["unit"]) == {"articles_whole"}
    assert set(frame["year"]) == {2022}
    usa = frame.loc["USA"]
    assert usa["flow_ab"] == usa["flow_ba"] == ncses_value("Japan", "United States", 2022)
    index = partners(ncses_store, "JPN", channel="coauthorship", unit="coauthorship_index")
    row = index.set_index("partner").loc["USA"]
    assert row["flow_ab"] == ncses_value("Japan", "United States", 2022, "10006")
    early = partners(ncses_store, "JPN", channel="coauthorship", until=2010).set_index("partner")
    assert set(early["year"]) == {2003}
    assert early.at["USA", "flow_ab"] == ncses_value("Japan", "United States", 2003)
