"""The demo job: a fresh store from the data folder, and the U.S.–Japan picture.

The data folder is ``$RECIPROCITY_DATA`` or, when it exists, ``../shared/data/raw`` (the
layout of the project's shared folder: one folder per source with a SOURCE.md). Without
it the demo fetches SIPRI's current export; when neither works it says how to get the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reciprocity import settings
from reciprocity.api import Reciprocity
from reciprocity.assess.brief import Brief, brief
from reciprocity.errors import FetchError, NotFoundError, ReciprocityError, StoreBusyError
from reciprocity.events.starter import load_starter as load_starter_events
from reciprocity.ledger.checks import CheckResult
from reciprocity.ledger.starter import load_starter
from reciprocity.queries.common import credit_map
from reciprocity.queries.design import by_design
from reciprocity.queries.dyad import Dyad, by_period
from reciprocity.queries.evidence import Picture, picture
from reciprocity.queries.top import Top
from reciprocity.store.db import IngestResult

# (source, path inside the data folder, role): the newest full register first. A folder is
# the parts of one export, read as one vintage. Every SIPRI file of the data folder is read;
# the default answers come from the newest complete vintage (the May 2026 register).
DEMO_FILES = (
    ("sipri", "sipri_trade_register/trade-register.csv", "full register (newest vintage)"),
    ("sipri", "sipri_register_2025/trade-register.csv", "full register (earlier vintage)"),
    ("sipri", "sipri_register_per_year_all",
     "per-delivery-year export 1950-2023, April 2024 (two parts, one vintage)"),
    ("sipri", "sipri_register_per_year_2026/trade_register.csv",
     "per-delivery-year export from 1995, February 2026 (partial)"),
    ("sipri", "sipri_register_new_format_sample/trade-register.csv",
     "newer per-delivery-year layout (partial extract)"),
    *(("wdi", f"wdi_2013_ronnywang/{code}_WDI.csv", f"WDI {code} (2013 vintage)") for code in
      ("BM.GSR.ROYL.CD", "BX.GSR.ROYL.CD", "TX.VAL.TECH.CD", "GB.XPD.RSDV.GD.ZS")),
    ("wdi", "wdi_2026_rd/API_GB.XPD.RSDV.GD.ZS_DS2_en_csv_v2_232.csv", "WDI R&D % of GDP"),
    ("wdi", "wdi_2026_rd/API_SP.POP.SCIE.RD.P6_DS2_en_csv_v2_37695.csv",
     "WDI researchers per million"),
    *(("ncses", f"ncses_sei/{t}_data.csv", f"NCSES SEI table {t}") for t in
      ("10003", "10006", "10007", "10012", "10013", "10016", "10019")),
    ("oecd_sti", "oecd_sti_scoreboard/IP5_NB_V8.txt", "OECD IP5 patent families, all technologies"),
    *(("oecd_sti", f"oecd_sti_patents_by_tech/IP5{f}_NB_V8.txt", f"OECD IP5 patent families, {f}")
      for f in ("ICT", "AI", "BIOT", "NANO", "MEDT", "ENV")),
    ("openalex", "openalex/works.jsonl", "OpenAlex works (if fetched into the data folder)"),
    ("atop", "atop_v4/atop-member-level.csv", "ATOP v4 alliances, member level"),
)

HOW_TO_GET_DATA = (
    "No data folder was found and SIPRI's export could not be downloaded.\n"
    "Get the register by hand: open https://armstransfers.sipri.org/ (Trade registers), choose "
    "all suppliers, all recipients and all years, and download the CSV; then either\n"
    "  - run: reciprocity ingest sipri trade-register.csv, or\n"
    "  - put it at $RECIPROCITY_DATA/sipri_trade_register/trade-register.csv and run the demo "
    "again (RECIPROCITY_DATA=/path/to/folder make demo)."
)


def data_dir() -> Path | None:
    """The folder the demo reads, or None when there is none."""
    env = settings.current().data
    if env:
        path = env
        if not path.is_dir():
            raise NotFoundError(f"RECIPROCITY_DATA={env} is not a folder")
        return path
    candidates = [Path.cwd() / ".." / "shared" / "data" / "raw",
                  Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "raw"]
    for path in candidates:
        if path.is_dir():
            return path.resolve()
    return None


@dataclass
class DemoResult:
    """What the demo built and found."""

    db: Path
    ingested: list[tuple[str, IngestResult]]
    dyad: Dyad
    decades: pd.DataFrame
    reverse_flows: pd.DataFrame
    partners: pd.DataFrame
    diff_summary: dict[str, int]
    written: list[Path] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    ledger_check: CheckResult | None = None
    evidence: Picture | None = None
    assessment: Brief | None = None
    design: pd.DataFrame | None = None
    flagged: Dyad | None = None
    """The pair in SIPRI's per-delivery-year vintage, whose mode is SIPRI's own flag."""
    top_exporters: Top | None = None
    row_credits: dict[str, dict[object, str]] = field(default_factory=dict)
    """Credit lines by ``dataset``, ``channel`` and ``channel,unit``: each CSV row carries
    the credits of its own data (:func:`_credit_column`)."""


def run(db: Path, out: Path | None, *, fetch: Callable[[], Path] | None = None,
        log: Callable[[str], None] = print, force: bool = False) -> DemoResult:
    """Rebuild ``db`` from the data folder and compute the U.S.–Japan summary.

    A demo store that has gained users or ledger edits is kept unless ``force``.
    """
    _fresh(db, force=force)
    files = _files(fetch, log)
    ingested = []
    with Reciprocity(db) as r:
        r.store.con.execute("INSERT INTO store_info VALUES ('created_by', 'demo')")
        for source, path, role in files:
            log(f"ingesting {role}: {path}")
            ingested.append((role, r.ingest(source, path)))
        log("loading the starter ledger of U.S.–Japan programs and transfers")
        load_starter(r)
        log("loading the starter timeline of U.S.–Japan policy events")
        load_starter_events(r)
        ledger_check = r.ledger_check("USA", "JPN")
        result = r.dyad("USA", "JPN", channel="arms")
        design = by_design(r.store, "USA", "JPN")
        per_year = _per_year_vintage(r)
        flagged = (r.dyad("USA", "JPN", channel="arms", vintage=per_year)
                   if per_year is not None else None)
        top_exporters = r.top("exporters", limit=10)
        decades = by_period(result.by_year, 10)
        reverse = r.explain("USA", "JPN", channel="arms")
        reverse = reverse[reverse["direction"] == "b_to_a"].reset_index(drop=True)
        partners = r.partners("JPN", channel="arms")
        try:
            counts = r.diff_summary("sipri", limit=1).counts
            diff_summary = {k: int(counts.get(k, 0)) for k in ("added", "removed", "changed")}
        except ReciprocityError:
            diff_summary = {}
        credits = list(dict.fromkeys(r.store.datasets()["credit"]))
        row_credits = {key: credit_map(r.store, key)
                       for key in ("dataset", "channel", "channel,unit")}
        evidence = picture(r.store, "USA", "JPN")
        assessment = brief(r, "USA", "JPN")
    demo = DemoResult(db, ingested, result, decades, reverse, partners, diff_summary,
                      credits=credits, ledger_check=ledger_check, evidence=evidence,
                      assessment=assessment, design=design, flagged=flagged,
                      top_exporters=top_exporters, row_credits=row_credits)
    if out is not None:
        demo.written = _write(demo, out)
    return demo


def _per_year_vintage(r: Reciprocity) -> str | None:
    """The newest complete SIPRI vintage in the per-delivery-year layout, if any."""
    v = r.store.vintages("sipri_arms_transfers")
    v = v[(v["layout"] == "per_delivery_year") & v["is_complete"]]
    return None if v.empty else str(v.iloc[-1]["vintage_id"])


def _fresh(db: Path, force: bool = False) -> None:
    """Remove a store the demo made before; refuse to remove anyone else's, and (unless
    ``force``) a demo store that has since gained users or ledger edits."""
    if not db.exists():
        return
    import duckdb

    from reciprocity.store.db import connect_file

    kept: list[str] = []
    try:
        con = connect_file(db, read_only=True)
    except StoreBusyError:
        raise
    except ReciprocityError:
        made_by = None
    else:
        try:
            try:
                made_by = con.execute(
                    "SELECT value FROM store_info WHERE key = 'created_by'").fetchone()
            except duckdb.Error:
                made_by = None
            kept = _work_in(con)
        finally:
            con.close()
    if not made_by or made_by[0] != "demo":
        raise ReciprocityError(
            f"{db} exists and was not made by the demo; the demo rebuilds its store from "
            "scratch, so give it another path: reciprocity --db demo.duckdb demo")
    if kept and not force:
        raise ReciprocityError(
            f"{db} holds {' and '.join(kept)}, which rebuilding the demo store would delete. "
            f"Keep them: copy the store first (cp {db} mine.duckdb) or build the demo "
            f"elsewhere (reciprocity --db other.duckdb demo); or replace it anyway with "
            "reciprocity demo --force (make demo DEMO_FLAGS=--force).")
    db.unlink()
    wal = db.with_name(db.name + ".wal")
    if wal.exists():
        wal.unlink()


def _work_in(con: object) -> list[str]:
    """What people added to a demo store since it was built: web users, and ledger versions
    not written by the starter registry (edits, status changes, deletions, imports)."""
    import duckdb

    from reciprocity.events.starter import BY as EVENTS_BY
    from reciprocity.ledger.starter import BY

    found = []

    def count(sql: str, params: list[object] | None = None) -> int:
        try:
            return int(con.execute(sql, params or []).fetchone()[0])  # type: ignore[attr-defined]
        except duckdb.Error:  # the table is not there: nothing of that kind
            return 0

    users = count("SELECT count(*) FROM web_users")
    if users:
        found.append(f"{users} web user{'s' if users != 1 else ''} (reciprocity users list)")
    edits = sum(count(f"SELECT count(*) FROM {t} WHERE changed_by <> ?", [BY])
                for t in ("ledger_programs", "ledger_transfers"))
    if edits:
        found.append(f"{edits} ledger edit{'s' if edits != 1 else ''} beyond the starter "
                     "registry (reciprocity ledger history ID)")
    events = count("SELECT count(*) FROM policy_events WHERE changed_by <> ?", [EVENTS_BY])
    if events:
        found.append(f"{events} event edit{'s' if events != 1 else ''} beyond the starter "
                     "timeline (reciprocity events show ID)")
    return found


def _files(fetch: Callable[[], Path] | None, log: Callable[[str], None]
           ) -> list[tuple[str, Path, str]]:
    folder = data_dir()
    if folder is not None:
        found = [(s, folder / rel, role) for s, rel, role in DEMO_FILES
                 if (folder / rel).exists()]
        if found:
            log(f"data folder: {folder}")
            return found
    if fetch is None:
        from reciprocity.fetch import fetch_sipri
        fetch = fetch_sipri
    log("no data folder found; downloading SIPRI's current export…")
    try:
        return [("sipri", fetch(), "full register (downloaded)")]
    except FetchError as exc:
        raise FetchError(f"{HOW_TO_GET_DATA}\n(download failed: {exc})") from exc


def _credit_column(name: str, frame: pd.DataFrame, maps: dict[str, dict[object, str]],
                   every: str) -> list[str] | str:
    """Each row's own credit line(s): by its ``dataset``, else its channel and unit, else
    its channel (a channel without data none; a row that combines channels, such as the
    composite index, all of them); an arms file's rows SIPRI's, the coverage ratio's the
    World Bank's; a frame that draws on several sources (an assessment) all (``every``)."""
    from reciprocity.channels import CHANNELS

    def by_channel(c: object, u: object = None) -> str:
        found = maps.get("channel,unit", {}).get((c, u)) or maps.get("channel", {}).get(c)
        return found or ("" if c in CHANNELS else every)

    if "dataset" in frame.columns and maps.get("dataset"):
        return [maps["dataset"].get(d, "") for d in frame["dataset"]]
    if {"channel", "unit"} <= set(frame.columns) and maps.get("channel,unit"):
        return [by_channel(c, u) for c, u in zip(frame["channel"], frame["unit"], strict=True)]
    if "channel" in frame.columns and maps.get("channel"):
        return [by_channel(c) for c in frame["channel"]]
    if "_arms_" in name and maps.get("channel", {}).get("arms"):
        return maps["channel"]["arms"]
    if "coverage_ratio" in name:
        wdi = sorted({c for d, c in maps.get("dataset", {}).items()
                      if str(d).startswith("world_bank_wdi")})
        if wdi:
            return " · ".join(wdi)
    return every


def _write(demo: DemoResult, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    credit = " · ".join(demo.credits)
    frames = {
        "usa_jpn_arms_by_year.csv": demo.dyad.by_year,
        "usa_jpn_arms_by_decade.csv": demo.decades,
        "usa_jpn_arms_by_mode.csv": demo.dyad.by_mode,
        **({"usa_jpn_arms_by_design.csv": demo.design} if demo.design is not None else {}),
        "usa_jpn_arms_rolling_5y.csv": demo.dyad.by_window,
        "jpn_to_usa_arms_records.csv": demo.reverse_flows,
        "jpn_arms_partners.csv": demo.partners,
        **(demo.evidence.frames() if demo.evidence is not None else {}),
        **(demo.assessment.frames() if demo.assessment is not None else {}),
    }
    written = []
    for name, frame in frames.items():
        path = out / name
        frame.assign(credit=_credit_column(name, frame, demo.row_credits, credit)).to_csv(
            path, index=False)
        written.append(path)
    readme = out / "CREDITS.txt"
    readme.write_text(
        "Figures written by `reciprocity demo` (flow_ab = United States → Japan; units in the "
        "`unit` column: tiv_millions is SIPRI trend-indicator values, not money).\n"
        + "\n".join(demo.credits) + "\n", encoding="utf-8")
    written.append(readme)
    return written
