"""top: the largest exporters and importers over a window, as SIPRI ranks them.

The fixture ``top_per_year.csv`` is a per-delivery-year export generated on 12 March 2021 with
deliveries 2012–2021 (none in 2015). Over the default window 2016–2020 (2021 is the year of
generation, not complete): exporters USA 300 (150 to Japan, 150 to Saudi Arabia, a '0' to
NATO), Russia 100, France 40, unknown supplier(s) 10; world 450. Previous window 2011–2015:
USA 200, Russia 300, China 30 (China has nothing after).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from reciprocity.api import Reciprocity
from reciprocity.errors import InputError, NotFoundError
from reciprocity.queries.top import top
from reciprocity.sources import registry
from reciprocity.store.db import Store
from sipri_helpers import CREDIT, FIXTURES

VINTAGE = "sipri_arms_transfers/2021-03-12"
# the keys, and the credit line every output of the data carries
JSON_KEYS = {"channel", "unit", "since", "until", "vintage", "world_total", "rows", "credits",
             "partial_scope"}
ROW_KEYS = {"country", "name", "value", "share", "rank", "previous_value", "change_pct"}


@pytest.fixture(scope="module")
def top_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("top") / "top.duckdb"
    with Store(path) as store:
        store.ingest(registry.get("sipri"), FIXTURES / "top_per_year.csv")
    return path


@pytest.fixture
def store(top_db: Path) -> Iterator[Store]:
    with Store(top_db, read_only=True) as s:
        yield s


def rows(result) -> dict[str, dict]:
    return {r["country"]: r for r in result.answer().model_dump(mode="json")["rows"]}


def test_default_window_is_the_last_five_complete_years(store):
    result = top(store, "exporters")
    assert (result.since, result.until) == (2016, 2020)
    assert (result.previous_since, result.previous_until) == (2011, 2015)
    data = result.answer().model_dump(mode="json")
    assert set(data) == JSON_KEYS
    assert (data["channel"], data["unit"], data["vintage"]) == ("arms", "tiv_millions", VINTAGE)
    assert data["world_total"] == 450
    assert [r["country"] for r in data["rows"]] == ["USA", "RUS", "FRA", "UNK"]
    assert all(set(r) == ROW_KEYS for r in data["rows"])
    assert [r["rank"] for r in data["rows"]] == [1, 2, 3, 4]
    assert result.credits == data["credits"] == [CREDIT]


def test_values_shares_previous_window_and_change(store):
    by = rows(top(store, "exporters"))
    usa, rus, fra, unk = by["USA"], by["RUS"], by["FRA"], by["UNK"]
    assert (usa["value"], usa["previous_value"]) == (300, 200)
    assert usa["share"] == pytest.approx(300 / 450 * 100)
    assert usa["change_pct"] == pytest.approx(50)
    assert rus["change_pct"] == pytest.approx((100 - 300) / 300 * 100)
    # no flows in a window the store covers: 0, and no change from 0
    assert (fra["previous_value"], fra["change_pct"]) == (0, None)
    assert "CHN" not in by  # only in the previous window
    # the unknown supplier is a row of its own, named as SIPRI's tables name it, and in the
    # world total
    assert (unk["name"], unk["value"]) == ("unknown supplier(s)", 10)
    assert unk["share"] == pytest.approx(10 / 450 * 100)
    assert sum(r["share"] for r in by.values()) == pytest.approx(100)


def test_importers_ties_share_a_rank_and_organisations_are_listed(store):
    data = top(store, "importers").answer().model_dump(mode="json")
    assert [(r["rank"], r["country"]) for r in data["rows"]] == [
        (1, "JPN"), (1, "SAU"), (3, "IND"), (4, "UKR"), (5, "ORG-NATO")]
    by = {r["country"]: r for r in data["rows"]}
    assert (by["JPN"]["value"], by["SAU"]["value"]) == (150, 150)
    assert by["ORG-NATO"]["value"] == 0  # SIPRI's '0': delivered, below 0.5
    assert by["SAU"]["change_pct"] == pytest.approx(-25)
    assert data["world_total"] == 450  # the same flows, counted at the other end


def test_explicit_windows_and_previous_window_without_data(store):
    early = top(store, "exporters", since=2011, until=2015)
    assert (early.previous_since, early.previous_until) == (2006, 2010)
    by = rows(early)
    assert set(by) == {"USA", "RUS", "CHN"}
    # the store has no flows at all in 2006–2010: unknown, not 0
    assert all(r["previous_value"] is None and r["change_pct"] is None for r in by.values())
    single = rows(top(store, "exporters", since=2016, until=2016))
    assert single["USA"]["value"] == 100
    assert single["USA"]["previous_value"] is None  # nothing at all in 2015
    assert rows(top(store, "importers", until=2021))["JPN"]["value"] == 60  # 2017–2021
    only_since = top(store, "exporters", since=2019)
    assert (only_since.since, only_since.until) == (2019, 2020)


def test_a_year_without_data_is_empty_not_zero(store):
    result = top(store, "exporters", since=2015, until=2015)
    data = result.answer().model_dump(mode="json")
    assert data["rows"] == [] and data["world_total"] is None
    assert (data["since"], data["until"]) == (2015, 2015)
    empty = top(store, "importers", since=1990, until=1994)
    empty_store_year = empty.answer().model_dump(mode="json")
    assert empty_store_year["rows"] == [] and empty_store_year["world_total"] is None


def test_limit(store):
    assert len(top(store, "importers", limit=2).rows) == 2
    everyone = top(store, "importers", limit=0)
    assert len(everyone.rows) == everyone.countries_total == 5
    assert top(store, "importers", limit=2).countries_total == 5
    with pytest.raises(InputError, match="--limit"):
        top(store, "importers", limit=-1)


@pytest.mark.parametrize(("kwargs", "error", "fragment"), [
    ({"kind": "buyers"}, InputError, "unknown ranking 'buyers'"),
    ({"channel": "coauthorship"}, InputError, "undirected"),
    ({"channel": "citation", "unit": "relative_citation_index"}, InputError, "index"),
    ({"channel": "spies"}, NotFoundError, "unknown channel"),
    ({"since": 2020, "until": 2010}, InputError, "after --until"),
    ({"vintage": "1999"}, NotFoundError, "unknown vintage"),
])
def test_refusals(store, kwargs, error, fragment):
    kind = kwargs.pop("kind", "exporters")
    with pytest.raises(error, match=fragment):
        top(store, kind, **kwargs)


def test_a_channel_without_flows_gives_an_empty_ranking(store):
    result = top(store, "exporters", channel="citation")
    assert result.unit == "citations"  # the first unit that adds up
    assert result.answer().model_dump(mode="json")["rows"] == [] and result.since is None


def test_vintage_and_python_api(top_db):
    with Reciprocity(top_db, read_only=True) as r:
        result = r.top("exporters", vintage="2021-03-12", limit=1)
    assert result.vintage == VINTAGE
    data = result.answer().model_dump(mode="json")
    assert data["rows"][0]["country"] == "USA"
    # the published keys of ``top --format json``, in their order
    assert list(data) == ["channel", "unit", "since", "until", "vintage", "world_total",
                          "rows", "credits", "partial_scope"]
    assert list(data["rows"][0]) == ["rank", "country", "name", "value", "share",
                                     "previous_value", "change_pct"]


# -- command line -------------------------------------------------------------------------------
def test_cli_json_is_the_query(run_main, top_db, store):
    result = run_main("--db", top_db, "top", "exporters", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == top(store, "exporters").answer().model_dump(mode="json")
    limited = run_main("--db", top_db, "top", "importers", "--limit", "0", "--since", "2011",
                       "--until", "2015", "--format", "json")
    assert [r["country"] for r in json.loads(limited.stdout)["rows"]] == ["IND", "SAU", "PAK"]


def test_cli_table_states_the_window_and_the_credit_line(run_main, top_db):
    result = run_main("--db", top_db, "top", "exporters")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in ("2016–2020", "2011–2015", "United States", "unknown supplier(s)",
                 "Share %", "Change %", "World total 2016–2020: 450", CREDIT):
        assert text in out, text
    assert "No arms flows" in run_main("--db", top_db, "top", "exporters", "--since",
                                       "1990", "--until", "1991").stdout


def test_cli_csv(run_main, top_db):
    result = run_main("--db", top_db, "top", "importers", "--format", "csv", "-n", "3")
    assert result.exit_code == 0, result.output
    got = list(csv.DictReader(io.StringIO(result.stdout)))
    assert set(got[0]) == ROW_KEYS | {"credit"} and {r["credit"] for r in got} == {CREDIT}
    assert [(r["rank"], r["country"]) for r in got] == [("1", "JPN"), ("1", "SAU"), ("3", "IND")]
    assert float(got[2]["share"]) == pytest.approx(140 / 450 * 100)


@pytest.mark.parametrize(("args", "code", "fragment"), [
    (["top", "buyers"], 2, "unknown ranking 'buyers'"),
    (["top", "exporters", "--channel", "coauthorship"], 2, "undirected"),
    (["top", "exporters", "--channel", "citation", "--unit", "coauthorship_index"], 2, "index"),
    (["top", "exporters", "--limit", "-3"], 2, "--limit"),
    (["top", "exporters", "--channel", "spies"], 2, "unknown channel"),
])
def test_cli_refusals_exit_with_a_message(run_main, top_db, args, code, fragment):
    result = run_main("--db", top_db, *args)
    assert result.exit_code == code, result.output
    assert fragment in result.stderr and "Traceback" not in result.output


# -- web API ------------------------------------------------------------------------------------
def test_web_api_answers_the_cli_json(run_main, top_db):
    import warnings

    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

    from reciprocity.web.app import create_app

    with TestClient(create_app(top_db, read_only=True, secret="test-secret")) as client:
        for query, args in (("kind=exporters", ["exporters"]),
                            ("kind=importers&since=2011&until=2015&limit=0",
                             ["importers", "--since", "2011", "--until", "2015", "-n", "0"])):
            resp = client.get(f"/api/top?{query}")
            assert resp.status_code == 200, resp.text
            cli = run_main("--db", top_db, "top", *args, "--format", "json")
            assert resp.json() == json.loads(cli.stdout)
        bad = client.get("/api/top?kind=exporters&channel=coauthorship")
        assert bad.status_code == 422 and "undirected" in bad.json()["message"]


def test_a_partial_extract_says_so_and_a_complete_register_does_not(store, classic_store):
    partial = top(store, "exporters")
    assert "year range '2011' to '2021'" in partial.partial_scope
    assert partial.answer().model_dump(mode="json")["partial_scope"] == partial.partial_scope
    assert top(classic_store, "exporters", since=1980, until=2025).partial_scope is None
