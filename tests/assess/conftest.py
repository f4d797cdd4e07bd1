"""Fixtures of the assessment tests (prefixed ``assess_`` to stay clear of the shared ones).

Synthetic flows are ingested through the store's own API with a small test source, so they
get a dataset, a vintage and a credit line like any real data; the real SIPRI register (and
the starter ledger, and NCSES tables where present) make the store the CLI tests query.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from reciprocity.sources.base import Coverage, Parsed, Source, SourceInfo
from reciprocity.store import tables
from reciprocity.store.db import Store

SYNTH_CREDIT = "Synthetic flows for the assessment tests"
FLOW_KEYS = ("channel", "origin", "destination", "year", "magnitude")


class SyntheticSource(Source):
    """Reads a CSV of flows (channel, origin, destination, year, magnitude[, area, unit,
    mode, design_origin]) into the flows table."""

    info = SourceInfo(name="assess_synthetic", dataset="assess_synthetic",
                      title="Synthetic assessment flows", publisher="Reciprocity tests",
                      url="https://example.invalid", licence="CC0", credit=SYNTH_CREDIT,
                      citation="Reciprocity tests (synthetic flows)", units={},
                      coverage=Coverage(scope="synthetic flows of the assessment tests"))
    record_table = tables.FLOWS
    record_key = ("record_id",)

    def sniff(self, head: str) -> str | None:
        return "csv" if head.startswith("channel,") else None

    def read(self, path: Path, aliases: Mapping[str, str] | None = None,
             progress: object = None) -> Parsed:
        frame = pd.read_csv(path, dtype={"area": object})
        units = {"arms": "tiv_millions", "programs": "transfers",
                 "citation": "citations", "coauthorship": "articles_whole"}
        flows = pd.DataFrame({
            "channel": frame["channel"], "origin": frame["origin"],
            "destination": frame["destination"], "year": frame["year"].astype("int64"),
            "area": frame.get("area", None),
            "magnitude": frame["magnitude"].astype(float),
            "unit": frame["unit"] if "unit" in frame else frame["channel"].map(units),
            "mode": frame.get("mode", "new"),
            "is_estimated": False, "is_uncertain": False,
            "design_origin": (frame["design_origin"].astype(object).where(
                frame["design_origin"].notna(), None) if "design_origin" in frame else None),
            "record_id": range(1, len(frame) + 1),
        })
        flows["area"] = flows["area"].astype(object).where(flows["area"].notna(), None)
        return Parsed("csv", datetime(2026, 1, 1), "synthetic", True, len(frame), {}, flows)


def write_flows(path: Path, rows: Iterable[Mapping[str, object]]) -> Path:
    pd.DataFrame(list(rows)).to_csv(path, index=False)
    return path


@pytest.fixture
def assess_make_store(tmp_path: Path) -> Callable[..., Path]:
    """``make(rows, name="s")``: a store file holding the given synthetic flows."""
    def make(rows: Iterable[Mapping[str, object]], name: str = "synthetic") -> Path:
        db = tmp_path / f"{name}.duckdb"
        csv = write_flows(tmp_path / f"{name}.csv", rows)
        with Store(db) as store:
            store.ingest(SyntheticSource(), csv)
        return db
    return make


@pytest.fixture(scope="session")
def assess_db(tmp_path_factory: pytest.TempPathFactory, full_store_path: Path,
              shared_raw: Path) -> Path:
    """The full SIPRI register, the starter ledger and (when present) NCSES citation tables:
    a closed store file made once per session (tests open it read-only)."""
    from reciprocity.api import Reciprocity
    from reciprocity.ledger.starter import load_starter

    path = tmp_path_factory.mktemp("assess") / "assess.duckdb"
    shutil.copyfile(full_store_path, path)
    with Reciprocity(path) as r:
        load_starter(r)
        for table in ("10003", "10007", "10012", "10016"):
            csv = shared_raw / "ncses_sei" / f"{table}_data.csv"
            if csv.is_file():
                r.ingest("ncses", csv)
    return path


@pytest.fixture(scope="session")
def assess_small_db(tmp_path_factory: pytest.TempPathFactory,
                    store_templates: dict[str, Path]) -> Path:
    """The composed classic register (tests/fixtures/sipri/classic.csv: USA and JPN trade both
    ways) and the starter ledger: a small closed store for the refusals, which need no real
    data and so run without ``../shared``. Tests must not change it."""
    from reciprocity.api import Reciprocity
    from reciprocity.ledger.starter import load_starter

    path = tmp_path_factory.mktemp("assess_small") / "small.duckdb"
    shutil.copyfile(store_templates["classic"], path)
    with Reciprocity(path) as r:
        load_starter(r)
    return path


@pytest.fixture
def assess_today() -> object:
    """A fixed 'today' for scenario validation."""
    import datetime as dt

    return dt.date(2026, 6, 1)
