"""Sources as data: each source's description lives in its YAML, read by one loader.

Every registered source has ``<its package>/data/<name>.yaml`` with a complete ``source:``
section, the module's ``info`` is that section, and no credit line is written anywhere else
in the package: what the store records and the CLI prints comes from the YAML.
"""

from __future__ import annotations

import importlib
import json
import re
from importlib import resources
from pathlib import Path

import pytest
import yaml

from reciprocity import channels
from reciprocity.errors import InputError
from reciprocity.queries import catalog
from reciprocity.sources import base, describe
from reciprocity.sources.base import SourceInfo, load_info
from reciprocity.store.db import Store
from sipri_helpers import CREDIT as SIPRI_PUBLISHED_CREDIT

SRC = Path(__file__).resolve().parents[2] / "src" / "reciprocity"
REQUIRED = [name for name, f in SourceInfo.model_fields.items()
            if f.is_required() and name != "name"]  # the name is the file's


def _package(name: str) -> str:
    return type(catalog.get(name)).__module__.rsplit(".", 1)[0]


def _section(name: str) -> dict:
    path = resources.files(_package(name)).joinpath(f"data/{name}.yaml")
    return yaml.safe_load(path.read_text("utf-8"))["source"]


@pytest.mark.parametrize("name", catalog.names())
def test_every_source_has_its_yaml_with_every_required_field(name: str) -> None:
    section = _section(name)
    assert set(REQUIRED) <= set(section), f"{name}: missing {set(REQUIRED) - set(section)}"
    for key in ("dataset", "title", "publisher", "url", "licence", "credit", "citation"):
        assert isinstance(section[key], str) and section[key].strip(), (name, key)
    assert section["coverage"]["scope"].strip()
    assert catalog.get(name).info == load_info(name, _package(name))


@pytest.mark.parametrize("name", catalog.names())
def test_units_and_channels_are_declared(name: str) -> None:
    info = catalog.get(name).info
    assert set(info.units.values()) <= set(channels.UNIT_DECLARATIONS), info.units
    assert set(info.channels) <= set(channels.CHANNELS), info.channels
    feeds = [c.name for c in channels.CHANNELS.values() if name in c.sources]
    assert sorted(info.channels) == sorted(feeds), "channels.py and the YAML disagree"
    years = info.coverage
    if years.first_year is not None and years.last_year is not None:
        assert years.first_year <= years.last_year


def test_units_the_modules_write_are_the_yaml_ones() -> None:
    """The modules take their units from the description, not from constants of their own."""
    sipri = importlib.import_module("reciprocity.sources.sipri")
    patentsview = importlib.import_module("reciprocity.sources.patentsview")
    oecd = importlib.import_module("reciprocity.sources.oecd_sti")
    flows = importlib.import_module("reciprocity.ledger.flows")
    assert sipri.UNIT == _section("sipri")["units"]["arms"] == "tiv_millions"
    assert dict(patentsview.UNITS) == dict(_section("patentsview")["units"])
    assert oecd.UNIT == "patent_families_fractional"
    ledger = _section("ledger")
    assert flows.DATASET == ledger["dataset"] == "reciprocity_ledger"
    assert (flows.CHANNEL, flows.COUNT_UNIT) == ("programs", "transfers")


def test_units_of_the_catalogues_are_in_the_description() -> None:
    """WDI's indicators and NCSES's tables name a unit each: the description lists them all."""
    wdi, ncses = base.load_quirks("wdi"), base.load_quirks("ncses")
    assert {i["unit"] for i in wdi["indicators"].values()} | set(wdi["unit_patterns"].values()) \
        == set(catalog.get("wdi").info.units.values())
    assert {t["unit"] for t in ncses["tables"].values()} == set(
        catalog.get("ncses").info.units.values())


def test_sipri_credit_is_the_line_sipri_asks_for() -> None:
    assert catalog.get("sipri").info.credit == SIPRI_PUBLISHED_CREDIT


def test_a_credit_that_cites_ends_with_the_citation() -> None:
    info = catalog.get("atop").info
    section = _section("atop")
    assert section["credit_cites"] is True
    assert info.credit.startswith(section["credit"] + ". Cite: Leeds, Brett Ashley")
    assert info.credit.endswith(" ".join(section["citation"].split()))


def test_a_description_missing_a_field_is_refused_naming_file_and_field(
        monkeypatch: pytest.MonkeyPatch) -> None:
    section = dict(_section("wdi"))
    del section["credit"]
    section["coverage"] = {"first_year": "sometime", "scope": "x"}
    monkeypatch.setattr(base, "load_quirks", lambda name, package: {"source": section})
    with pytest.raises(InputError) as caught:
        load_info("wdi")
    assert "reciprocity/sources/data/wdi.yaml" in str(caught.value)
    where = {p.location for p in caught.value.problems}
    assert {"source.credit", "source.coverage.first_year"} <= where, where


def test_docs_blocks_are_filled_from_the_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    page = ("# S\n<!-- generated: sources -->\nold\n<!-- end generated -->\ntext\n"
            "<!-- generated: source wdi -->\n<!-- end generated -->\n")
    infos = {name: catalog.get(name).info for name in catalog.names()}
    filled = describe.fill(page, infos)
    for name in catalog.names():
        assert f"| `{name}` | `{catalog.get(name).info.dataset}` |" in filled
    assert "old" not in filled and filled.count("<!-- end generated -->") == 2
    assert "- Credit line: *World Bank, World Development Indicators (CC BY 4.0)*." in filled
    wdi = catalog.get("wdi")
    monkeypatch.setattr(wdi, "info", wdi.info.model_copy(update={"licence": "Other terms"}))
    infos["wdi"] = wdi.info
    assert "- Terms: Other terms." in describe.fill(page, infos)


def _joined(text: str) -> str:
    """Python source with adjacent string literals across lines joined (``"a "\\n  "b"``)."""
    return re.sub(r"([\"'])\s*\n\s*[fr]?([\"'])", "", text)


def test_no_credit_line_is_written_outside_the_yaml() -> None:
    credits = {name: catalog.get(name).info.credit.split(". Cite: ")[0]
               for name in catalog.names()}
    found = []
    for path in SRC.rglob("*"):
        if (not path.is_file() or "__pycache__" in path.parts or path.suffix == ".yaml"
                or path.suffix in {".pyc", ".png", ".ico", ".woff2"}):
            continue
        text = _joined(path.read_text("utf-8", errors="replace"))
        found += [(path.relative_to(SRC).as_posix(), name) for name, credit in credits.items()
                  if credit in text]
    assert not found, f"credit lines written outside the sources' YAML: {found}"


def test_the_credit_the_store_records_and_the_cli_prints_is_the_yaml_one(
        store_path: Path, classic_file: Path, run_app, monkeypatch: pytest.MonkeyPatch) -> None:
    """Change the YAML's credit line and the store and ``sources --format json`` follow."""
    sipri = catalog.get("sipri")
    changed = sipri.info.model_copy(update={"credit": "Credit line read from the YAML"})
    monkeypatch.setattr(sipri, "info", changed)
    with Store(store_path) as store:
        store.ingest(sipri, classic_file)
    result = run_app("--db", store_path, "sources", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    rows = rows["vintages"] if isinstance(rows, dict) and "vintages" in rows else rows
    assert {r["credit"] for r in rows} == {"Credit line read from the YAML"}
