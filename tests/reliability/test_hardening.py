"""Issue 15's findings, one test each: bounded years and answers, plausibility at ingest, held-
back vintages and --force, strict JSON, and clear errors instead of tracebacks."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import duckdb
import numpy as np
import pytest

from reciprocity.api import Reciprocity
from reciprocity.errors import FormatError, InputError, NotFoundError
from reciprocity.jsonout import dumps
from reciprocity.sources import registry
from reciprocity.store.db import Store
from reciprocity.store.schema import YEAR_MAX, YEAR_MIN, Field, Table
from sipri_helpers import FIXTURES

CLASSIC = FIXTURES / "classic.csv"
HOSTILE = -2147483649


def _strict(text: str) -> object:
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in JSON output")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def classic_db(tmp_path: Path) -> Path:
    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        s.ingest(registry.get("sipri"), CLASSIC)
    return db


def _write(tmp_path: Path, name: str, text: str, encoding: str = "latin-1") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _classic_text() -> str:
    return CLASSIC.read_bytes().decode("latin-1")


# -- 1. bounds ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{"since": HOSTILE}, {"until": 10**9}, {"since": YEAR_MIN - 1},
                                    {"until": YEAR_MAX + 1}])
def test_python_api_refuses_years_outside_the_range_at_once(classic_db, kwargs):
    with Reciprocity(classic_db, read_only=True) as r:
        t = time.perf_counter()
        for query in (lambda: r.dyad("USA", "JPN", **kwargs),
                      lambda: r.partners("JPN", **kwargs),
                      lambda: r.top("exporters", **kwargs)):
            with pytest.raises(InputError, match=f"{YEAR_MIN}-{YEAR_MAX}"):
                query()
        with pytest.raises(InputError, match="--year"):
            r.explain("USA", "JPN", channel="arms", year=HOSTILE)
        assert time.perf_counter() - t < 2


def test_cli_dyad_refuses_an_unbounded_year(classic_db, run_main):
    result = run_main("--db", classic_db, "dyad", "USA", "JPN", "--since", str(HOSTILE))
    assert result.exit_code == 2
    assert "Traceback" not in result.output and str(YEAR_MAX) in result.stderr


def test_web_answers_4xx_at_once_with_memory_flat(classic_db):
    import resource

    from fastapi.testclient import TestClient

    from reciprocity.web.app import create_app

    with TestClient(create_app(classic_db, read_only=True, secret="s")) as client:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        for path in (f"/api/dyad?a=USA&b=JPN&since={HOSTILE}",
                     f"/api/dyad?a=USA&b=JPN&until={-HOSTILE}",
                     f"/api/partners?a=JPN&since={HOSTILE}",
                     f"/api/top?since={HOSTILE}",
                     f"/api/explain?a=USA&b=JPN&year={HOSTILE}"):
            answer = client.get(path)
            assert answer.status_code == 422, (path, answer.text)
            _strict(answer.text)
        for path in (f"/pair/results?a=USA&b=JPN&since={HOSTILE}",
                     f"/report?a=USA&b=JPN&since={HOSTILE}"):
            answer = client.get(path)
            assert 400 <= answer.status_code < 500 or "not a year from" in answer.text, path
        assert time.perf_counter() - t < 5
        grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        assert grown_kb < 100_000  # the unbounded request once took 17 GB


def test_answer_cache_is_bounded_in_bytes():
    from reciprocity.web.api.core import Cached
    from reciprocity.web.backend import ResponseCache

    cache = ResponseCache(size=1000, max_bytes=80_000)
    for i in range(50):
        cache.put(i, Cached(b"x" * 4000 + str(i).encode()))  # small: kept until the bound
    assert cache.bytes <= 80_000 and cache.get(49) is not None and cache.get(0) is None
    cache.put("big", Cached(np.random.default_rng(0).bytes(20_000)))  # > 1/8 of the bound
    assert cache.get("big") is None
    cache.clear()
    assert cache.bytes == 0


def test_an_answer_too_large_is_413(classic_db, monkeypatch):
    from fastapi.testclient import TestClient

    from reciprocity.web.api import core
    from reciprocity.web.app import create_app

    monkeypatch.setattr(core, "MAX_ANSWER_BYTES", 100)
    with TestClient(create_app(classic_db, read_only=True, secret="s")) as client:
        answer = client.get("/api/dyad?a=USA&b=JPN")
    assert answer.status_code == 413 and "narrow it" in answer.json()["message"]


# -- 2. plausibility ----------------------------------------------------------------------------
def test_field_bounds_are_checked_in_sql_with_record_ids():
    table = Table("t_plaus", "test", fields=(
        Field("record_id", "BIGINT", "id", False),
        Field("year", "INTEGER", "y", min=YEAR_MIN, max=YEAR_MAX),
        Field("x", "DOUBLE", "x", min=0),
        Field("note", "VARCHAR", "n"),
    ))
    con = duckdb.connect()
    con.execute("CREATE TABLE rel AS SELECT * FROM (VALUES (13, 1990, 1.0, 'ok'), "
                "(14, 2999, 'inf'::DOUBLE, 'a' || chr(0)), (15, 2000, -500.0, 'ok'), "
                "(16, 2000, 'nan'::DOUBLE, 'ok')) v(record_id, year, x, note)")
    problems = {p.location.split(",")[0]: p for p in table.implausible(con, "rel")}
    assert set(problems) == {"t_plaus.year", "t_plaus.x", "t_plaus.note"}
    assert "record_id [14]" in problems["t_plaus.year"].location
    assert "record_id [14, 15, 16]" in problems["t_plaus.x"].location
    assert "finite" in problems["t_plaus.x"].expected
    assert "NUL" in problems["t_plaus.note"].expected


def _edit_row(text: str, line: int, column: int, value: str) -> str:
    import csv
    import io

    lines = text.split("\n")
    fields = next(csv.reader([lines[line - 1]]))
    fields[column] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    lines[line - 1] = out.getvalue()
    return "\n".join(lines)


@pytest.mark.parametrize(("column", "value", "message"), [
    (15, "-500", "at least 0"), (15, "1" + "0" * 23, "at most"),
    (15, "1" + "0" * 400, "finite"), (2, "-5", "a year from"), (2, "0", "a year from"),
    (2, "2999", "a year from"), (2, "99999999999", "a year from"),
    (8, "-3", "at least 0"), (10, "1950", "before the order"),
])
def test_sipri_refuses_implausible_values_with_line_and_field(tmp_path, classic_db, column,
                                                              value, message):
    path = _write(tmp_path, "bad.csv", _edit_row(_classic_text(), 13, column, value))
    with Store(classic_db) as s:
        before = s.con.execute("SELECT count(*) FROM flows").fetchone()
        with pytest.raises(InputError) as exc:
            s.ingest(registry.get("sipri"), path)
        assert s.con.execute("SELECT count(*) FROM flows").fetchone() == before
    text = str(exc.value)
    assert message in text and ("line 13" in text or "record_id [13]" in text), text


def test_sipri_refuses_rows_repeated_and_a_late_nul(tmp_path, classic_db):
    text = _classic_text()
    lines = text.rstrip("\n").split("\n")
    repeated = _write(tmp_path, "rep.csv", "\n".join(lines[:12] + lines[12:] * 30) + "\n")
    late_nul = tmp_path / "nul.csv"
    raw = CLASSIC.read_bytes()
    late_nul.write_bytes(raw + b" " * 70_000 + b"\x00\n")
    with Store(classic_db) as s:
        with pytest.raises(InputError, match="identical to an earlier row"):
            s.ingest(registry.get("sipri"), repeated)
        with pytest.raises(FormatError, match="NUL"):
            s.ingest(registry.get("sipri"), late_nul)


def test_wdi_refuses_a_repeated_year_and_implausible_shares(tmp_path):
    header = '"Country Name","Country Code","Indicator Name","Indicator Code"'
    name = '"Japan","JPN","Research and development expenditure (% of GDP)","GB.XPD.RSDV.GD.ZS"'
    repeated = _write(tmp_path, "rep.csv", f'{header},"2010","2010"\n{name},"3.1","3.2"\n',
                      "utf-8")
    share = _write(tmp_path, "share.csv", f'{header},"2010","2011"\n{name},"500","inf"\n',
                   "utf-8")
    with Store(tmp_path / "w.duckdb") as s:
        with pytest.raises(FormatError, match="year column"):
            s.ingest(registry.get("wdi"), repeated)
        with pytest.raises(InputError) as exc:
            s.ingest(registry.get("wdi"), share)
    assert "from 0 to 100" in str(exc.value) and "line 2, 2010" in str(exc.value)


def test_ledger_refuses_an_infinite_amount(tmp_path):
    from reciprocity.ledger.starter import starter_text

    text = starter_text().replace("amount_millions: 1200", "amount_millions: .inf", 1)
    path = tmp_path / "l.yaml"
    path.write_text(text, encoding="utf-8")
    with Reciprocity(tmp_path / "l.duckdb") as r, pytest.raises(InputError, match="finite"):
        r.ledger_import(path)


# -- held-back vintages -------------------------------------------------------------------------
def test_smaller_future_and_undated_vintages_are_held_back_unless_forced(tmp_path, classic_db,
                                                                         run_main):
    text = _classic_text()
    lines = text.rstrip("\n").split("\n")
    cut = _write(tmp_path, "cut.csv", "\n".join(lines[:12 + (len(lines) - 12) // 2]) + "\n")
    future = _write(tmp_path, "future.csv", text.replace("Data generated: 12 Jan 2026",
                                                         "Data generated: 12 Jan 2099"))
    assert future.read_text("latin-1") != text
    undated = _write(tmp_path, "undated.csv", text.replace("Data generated: 12 Jan 2026",
                                                           "Data generated: unknown"))
    with Reciprocity(classic_db) as r:
        figures = r.dyad("USA", "JPN").to_dict()["channels"]
        for path, reason in ((cut, "much smaller"), (future, "in the future"),
                             (undated, "undated")):
            result = r.ingest("sipri", path)
            assert result.held_back and reason in result.held_back
            assert r.dyad("USA", "JPN").to_dict()["channels"] == figures
        sources = r.sources()
        assert sources["held_back"].notna().sum() == 3
    shown = run_main("--db", classic_db, "sources", "--format", "json")
    assert sum(bool(v["held_back"]) for v in _strict(shown.stdout)) == 3
    forced = run_main("--db", classic_db, "ingest", "sipri", cut, "--force")
    assert forced.exit_code == 0 and "no longer held back" in forced.stdout
    with Reciprocity(classic_db, read_only=True) as r:
        default = r.store.vintages().query("is_default")["file_name"].tolist()
    assert default == ["cut.csv"]


def test_ingest_says_why_a_vintage_is_held_back(tmp_path, classic_db, run_main):
    future = _write(tmp_path, "future.csv", _classic_text().replace(
        "Data generated: 12 Jan 2026", "Data generated: 12 Jan 2099"))
    result = run_main("--db", classic_db, "ingest", "sipri", future)
    assert result.exit_code == 0
    assert "Held back" in result.stderr and "--force" in result.stderr


# -- strict JSON --------------------------------------------------------------------------------
def test_one_strict_json_encoder():
    text = dumps({"a": float("nan"), "b": np.float32("inf"), "c": [float("-inf"), 1.5],
                  "d": np.float64("nan"), "e": np.int64(3)})
    assert _strict(text) == {"a": None, "b": None, "c": [None, 1.5], "d": None, "e": 3}


def test_the_cli_and_the_api_use_the_strict_encoder(capsys):
    from reciprocity.cli.render import emit_json
    from reciprocity.web.api.core import json_bytes

    emit_json({"x": float("nan"), "y": [float("inf")]})
    assert _strict(capsys.readouterr().out) == {"x": None, "y": [None]}
    assert _strict(json_bytes({"x": np.float64("-inf")}).decode()) == {"x": None}


def test_cli_and_api_json_are_strict(classic_db, run_main):
    from fastapi.testclient import TestClient

    from reciprocity.web.app import create_app

    out = run_main("--db", classic_db, "dyad", "USA", "JPN", "--since", "1950", "--format",
                   "json")
    assert out.exit_code == 0
    data = _strict(out.stdout)
    assert data["channels"]["arms"]["by_year"][0]["gl_index"] is None  # NaN in the frame
    with TestClient(create_app(classic_db, read_only=True, secret="s")) as client:
        _strict(client.get("/api/dyad?a=USA&b=JPN&since=1950").text)
    assert not math.isnan(data["channels"]["arms"]["flow_ab"])


# -- 3. no tracebacks ---------------------------------------------------------------------------
def test_ncses_bare_carriage_return_is_a_message(tmp_path):
    path = tmp_path / "10003_data.csv"
    path.write_bytes(b"table_id,row_id,time_period,value\r\n10003,r001,World -> Japan -> 20\r"
                     b"03,1\r\n")
    with Store(tmp_path / "n.duckdb") as s, pytest.raises(FormatError, match="line 2"):
        s.ingest(registry.get("ncses"), path)


@pytest.mark.parametrize("state", ["empty", "half"])
def test_an_empty_or_half_created_store_is_a_clear_error(tmp_path, run_main, state):
    db = tmp_path / "x.duckdb"
    con = duckdb.connect(str(db))
    if state == "half":
        con.execute("CREATE TABLE datasets (dataset VARCHAR)")
    con.close()
    with pytest.raises(NotFoundError, match="ingest data into it"):
        Store(db, read_only=True)
    for args in (["sources"], ["dyad", "USA", "JPN"]):
        result = run_main("--db", db, *args)
        assert result.exit_code == 3, result.output
        assert "Traceback" not in result.output and "ingest" in result.stderr
