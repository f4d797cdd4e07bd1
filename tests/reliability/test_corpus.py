"""Corpus tests: every parser against hostile copies of the real files.

For each parser a slice of a real file is ingested into a fresh store; then every mutation of
it (``mutations.py``) is ingested into the same store. Each must be either

- refused with a message (a :class:`ReciprocityError`, never a traceback), the store unchanged
  (every table's row count, every vintage and its ``held_back``), or
- accepted with the default figures unchanged (the active flows and indicators, summed by
  channel, pair, year, unit and mode): the mutation read the same (CRLF line ends), or the new
  vintage was held back (a file cut short, dated in the future or undated).

The counts of the last run are written to ``test-artifacts/reliability/corpus-*.json`` and
reported in docs/reliability.md.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import mutations as m
import pytest

from reciprocity.api import Reciprocity
from reciprocity.errors import ReciprocityError
from reciprocity.sources import registry
from sipri_helpers import SHARED_RAW, shared_path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reliability"
REPO = Path(__file__).resolve().parents[2]


def fingerprint(r: Reciprocity) -> tuple:
    """Row counts of every table, and the vintages with their held_back."""
    con = r.store.con
    names = [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables "
                                       "WHERE table_schema = 'main' ORDER BY 1").fetchall()]
    counts = tuple((t, con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])
                   for t in names if t != "web_sessions")
    vintages = tuple(con.execute("SELECT vintage_id, held_back FROM vintages ORDER BY 1")
                     .fetchall())
    return counts, vintages


def figures(r: Reciprocity) -> tuple:
    """The default answers: active flows and indicators summed by their keys; the ledger."""
    s = r.store
    flows = s.con.execute(s.active_flows_sql() + """
        SELECT channel, origin, destination, year, unit, mode, round(sum(magnitude), 6)
        FROM af GROUP BY ALL ORDER BY ALL""").fetchall()
    indicators = s.con.execute(s.active_indicators_sql() + """
        SELECT indicator, country, year, unit, round(sum(value), 6)
        FROM ai GROUP BY ALL ORDER BY ALL""").fetchall()
    ledger = ()
    if "ledger_programs" in {t for (t,) in s.con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}:
        reg = r.ledger.current()
        ledger = tuple(json.dumps(x.model_dump(mode="json"), sort_keys=True, default=str)
                       for x in [*reg.programs, *reg.transfers])
    return tuple(flows), tuple(indicators), ledger


def run_corpus(name: str, tmp: Path, base: Path, ingest: Callable[[Reciprocity, Path], object],
               cases: list[tuple[str, bytes]], target: str | None = None) -> dict:
    """Ingest ``base``, then every mutation (written over ``target`` inside a copy of a folder
    input, or as a file named like ``base``); returns the counts and the cases."""
    db = tmp / f"{name}.duckdb"
    outcome = {"parser": name, "tried": 0, "refused": 0, "accepted_unchanged": 0,
               "accepted_held_back": 0, "store_changed": 0, "figures_changed": 0,
               "tracebacks": 0, "cases": []}
    with Reciprocity(db) as r:
        ingest(r, base)
        before_figures = figures(r)
        assert before_figures != ((), (), ()), f"{name}: the base slice gave no figures"
        for i, (label, content) in enumerate(cases):
            before = fingerprint(r)
            work = tmp / f"m{i}"
            work.mkdir()
            if base.is_dir():
                path = work / base.name
                shutil.copytree(base, path)
                (path / target).write_bytes(content)
            else:
                path = work / base.name
                path.write_bytes(content)
            outcome["tried"] += 1
            try:
                result = ingest(r, path)
            except ReciprocityError as exc:
                changed = fingerprint(r) != before
                outcome["refused"] += 1
                outcome["store_changed"] += changed
                first = str(exc).splitlines()
                outcome["cases"].append({"mutation": label, "result": "refused",
                                         "message": "\n".join(first[:3])[:400],
                                         "store_changed": changed})
                continue
            except Exception as exc:  # a traceback: what this test exists to catch
                outcome["tracebacks"] += 1
                outcome["cases"].append({"mutation": label, "result": "traceback",
                                         "message": f"{type(exc).__name__}: {exc}"[:400]})
                continue
            held = getattr(result, "held_back", None)
            same = figures(r) == before_figures
            if same:
                outcome["accepted_held_back" if held else "accepted_unchanged"] += 1
            else:
                outcome["figures_changed"] += 1
            outcome["cases"].append({"mutation": label, "result": (
                ("accepted, held back" if held else "accepted, same figures") if same
                else "accepted, FIGURES CHANGED"), "held_back": held})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"corpus-{name}.json").write_text(json.dumps(outcome, indent=1))
    return outcome


def check(outcome: dict) -> None:
    bad = [c for c in outcome["cases"] if c["result"] in ("traceback",
                                                          "accepted, FIGURES CHANGED")
           or c.get("store_changed")]
    assert not bad, json.dumps(bad, indent=1)
    assert outcome["refused"] + outcome["accepted_unchanged"] + outcome[
        "accepted_held_back"] == outcome["tried"]


def _sipri(r: Reciprocity, path: Path) -> object:
    return r.store.ingest(registry.get("sipri"), path)


def _need(path: Path) -> Path:
    return shared_path(str(path.relative_to(SHARED_RAW)), kind="dir" if path.is_dir() else "file")


def _slice(path: Path, lines: int, tmp: Path, name: str | None = None) -> Path:
    raw = _need(path).read_bytes().split(b"\n")
    out = tmp / "base" / (name or path.name)
    out.parent.mkdir(exist_ok=True)
    out.write_bytes(b"\n".join(raw[:lines]) + b"\n")
    return out


# -- SIPRI ---------------------------------------------------------------------------------
@pytest.mark.requires_shared
def test_sipri_classic_corpus(tmp_path: Path) -> None:
    base = _slice(SHARED_RAW / "sipri_trade_register" / "trade-register.csv", 12 + 1500,
                  tmp_path)
    raw = base.read_bytes()
    spec = m.Csv("latin-1", header=11)
    cases = m.generic(raw, 11) + m.columns(raw, spec, drop=15, repeat=2) + m.values(
        raw, spec, [
            ("order year -5", 2, "-5"), ("order year 0", 2, "0"),
            ("order year 2999", 2, "2999"), ("order year 99999999999", 2, "99999999999"),
            ("TIV delivered -500", 15, "-500"), ("TIV delivered 1e23", 15, m.HUGE),
            ("TIV delivered infinite", 15, m.INF_DIGITS), ("TIV delivered 'inf'", 15, "inf"),
            ("TIV per unit 'nan'", 13, "nan"), ("number delivered -3", 8, "-3"),
            ("delivery 10 years before the order", 10, lambda f: str(int(f[2]) - 10)),
        ], need=(2, 10, 15))
    cases += [
        ("re-saved as UTF-8", raw.decode("latin-1").encode("utf-8")),
        m.replace_once(raw, rb"Data generated: 18 May 2026", b"Data generated: 18 May 2099",
                       "generated in 2099"),
        m.replace_once(raw, rb"Data generated: [^\r\n]*", b"Data generated: unknown",
                       "undated"),
    ]
    check(run_corpus("sipri-classic", tmp_path, base, _sipri, cases))


@pytest.mark.requires_shared
def test_sipri_per_delivery_year_corpus(tmp_path: Path) -> None:
    base = _need(SHARED_RAW / "sipri_register_new_format_sample" / "trade-register.csv")
    raw = base.read_bytes()
    spec = m.Csv("utf-8", header=11)
    cases = m.generic(raw, 11) + m.columns(raw, spec, drop=16, repeat=6) + m.values(
        raw, spec, [
            ("order year -5", 6, "-5"), ("order year 2999", 6, "2999"),
            ("order year 99999999999", 6, "99999999999"),
            ("deal id of 25 digits", 0, "9" * 25),
            ("TIV delivered -500", 15, "-500"), ("TIV delivered 1e23", 15, m.HUGE),
            ("TIV delivered infinite", 15, m.INF_DIGITS),
            ("number delivered -3", 8, "-3"),
            ("delivery 10 years before the order", 10, lambda f: str(int(f[6]) - 10)),
        ], need=(6, 10, 15))
    cases.append(m.replace_once(raw, rb"Data generated: 17 Feb 2025",
                                b"Data generated: 17 Feb 2099", "generated in 2099"))
    check(run_corpus("sipri-per-delivery-year", tmp_path, base, _sipri, cases))


# -- WDI, NCSES, OECD ------------------------------------------------------------------------
@pytest.mark.requires_shared
def test_wdi_corpus(tmp_path: Path) -> None:
    base = _need(SHARED_RAW / "wdi_2026_rd" / "API_GB.XPD.RSDV.GD.ZS_DS2_en_csv_v2_232.csv")
    raw = base.read_bytes()
    spec = m.Csv("utf-8-sig", header=4)
    header = next(__import__("csv").reader([raw.decode("utf-8-sig").split("\n")[4]]))
    y2020, y2010 = header.index("2020"), header.index("2010")
    cases = m.generic(raw, 4) + m.columns(raw, spec, drop=3, repeat=y2010) + m.values(
        raw, spec, [
            ("R&D 500 % of GDP", y2020, "500"), ("R&D 'inf'", y2020, "inf"),
            ("R&D infinite", y2020, m.INF_DIGITS), ("R&D -5 % of GDP", y2020, "-5"),
            ("R&D 'nan'", y2020, "nan"),
        ], need=(y2020,))
    cases.append(m.replace_once(raw, rb'"Last Updated Date","2026-07-13"',
                                b'"Last Updated Date","2099-07-13"', "updated in 2099"))
    check(run_corpus("wdi", tmp_path, base,
                     lambda r, p: r.store.ingest(registry.get("wdi"), p), cases))


@pytest.mark.requires_shared
def test_ncses_corpus(tmp_path: Path) -> None:
    base = _need(SHARED_RAW / "ncses_sei" / "10003_data.csv")
    raw = base.read_bytes()
    spec = m.Csv("utf-8", header=0)
    cases = m.generic(raw, 0) + m.columns(raw, spec, drop=2, repeat=3) + m.values(
        raw, spec, [("value -5", 3, "-5"), ("value 'inf'", 3, "inf"),
                    ("value infinite", 3, m.INF_DIGITS), ("value 'nan'", 3, "nan")],
        need=(3,))
    check(run_corpus("ncses", tmp_path, base,
                     lambda r, p: r.store.ingest(registry.get("ncses"), p), cases))


@pytest.mark.requires_shared
def test_oecd_corpus(tmp_path: Path) -> None:
    base = _need(SHARED_RAW / "oecd_sti_patents_by_tech" / "IP5AI_NB_V8.txt")
    raw = base.read_bytes()
    obs = rb'OBS_VALUE="[^"]*"'
    cases = [c for c in m.generic(raw, 0) if not c[0].startswith(("header only",
                                                                  "truncated at a line",
                                                                  "every row"))]
    cases += [m.replace_once(raw, obs, f'OBS_VALUE="{v}"'.encode(), f"value {label}")
              # ("NaN" is SDMX's own missing value: read as no observation, not a mutation)
              for label, v in (("INF", "INF"), ("-5", "-5"),
                               ("infinite", m.INF_DIGITS), ("1e23", m.HUGE))]
    cases += [m.replace_once(raw, rb'TIME_PERIOD="\d+"', f'TIME_PERIOD="{y}"'.encode(),
                             f"year {y}") for y in ("2999", "-5", "99999999999")]
    cases.append(m.replace_once(raw, rb"Prepared>2025", b"Prepared>2099", "prepared in 2099"))
    check(run_corpus("oecd_sti", tmp_path, base,
                     lambda r, p: r.store.ingest(registry.get("oecd_sti"), p), cases))


# -- ledger, PatentsView ----------------------------------------------------------------------
def _ledger(r: Reciprocity, path: Path) -> object:
    return r.ledger.import_file(path, by="corpus test")


def test_ledger_yaml_corpus(tmp_path: Path) -> None:
    from reciprocity.ledger.starter import starter_text

    base = tmp_path / "base" / "us_japan.yaml"
    base.parent.mkdir()
    base.write_text(starter_text(), encoding="utf-8")
    raw = base.read_bytes()
    amount = rb"amount_millions: \d+"
    cases = [c for c in m.generic(raw, 0) if c[0] != "CRLF line ends"]
    cases += [m.replace_once(raw, amount, f"amount_millions: {v}".encode(), f"amount {v}")
              for v in (".inf", ".nan", "-5", "1e400", "-.inf")]
    cases += [m.replace_once(raw, rb"start_year: \d+", f"start_year: {y}".encode(),
                             f"start year {y}") for y in ("-5", "2999", "99999999999", ".inf")]
    # a registry cut at a line boundary can still be valid YAML: its shortened last record
    # is refused (ledger/shrink.py), the records after the cut are left as they are
    check(run_corpus("ledger-yaml", tmp_path, base, _ledger, cases))


def test_ledger_csv_corpus(tmp_path: Path) -> None:
    import csv

    from reciprocity.ledger import io as ledger_io
    from reciprocity.ledger.starter import starter_text

    reg = ledger_io.loads_yaml(starter_text(), "us_japan.yaml")
    base = tmp_path / "base" / "transfers.csv"
    base.parent.mkdir()
    base.write_text(ledger_io.dumps_csv(list(reg.transfers)), encoding="utf-8")
    raw = base.read_bytes()
    header = next(csv.reader([raw.decode("utf-8").split("\n")[0]]))
    amount = header.index("value_amount_millions")
    spec = m.Csv("utf-8", header=0)
    cases = [c for c in m.generic(raw, 0) if c[0] != "CRLF line ends"]
    cases += m.columns(raw, spec, drop=0, repeat=amount)
    cases += m.values(raw, spec, [("amount inf", amount, "inf"), ("amount nan", amount, "nan"),
                                  ("amount -5", amount, "-5"),
                                  ("amount infinite", amount, m.INF_DIGITS)])

    def ingest(r: Reciprocity, path: Path) -> object:
        if path == base:  # the programs the transfers refer to, then the transfers
            r.ledger.import_file(REPO / "src/reciprocity/data/ledger/us_japan.yaml", by="t")
        return _ledger(r, path)

    check(run_corpus("ledger-csv", tmp_path, base, ingest, cases))


def test_patentsview_corpus(tmp_path: Path) -> None:
    fixture = REPO / "tests" / "fixtures" / "patentsview"
    base = tmp_path / "base" / "patentsview"
    shutil.copytree(fixture, base)
    target = "g_us_patent_citation.tsv"
    raw = (base / target).read_bytes()
    spec = m.Csv("utf-8", header=0, delimiter="\t")
    cases = [c for c in m.generic(raw, 0) if c[0] != "CRLF line ends"]
    cases += m.columns(raw, spec, drop=1, repeat=1)
    outcome = run_corpus("patentsview", tmp_path, base,
                         lambda r, p: r.store.ingest(registry.get("patentsview"), p), cases,
                         target=target)
    # NUL bytes and repeated citation rows are refused before the engine reads the tables
    # (sources/patentsview_rows.py; tests/reliability/test_patentsview_rows.py)
    check(outcome)
