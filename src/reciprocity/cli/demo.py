"""``reciprocity demo``: build a fresh store from the data folder and brief U.S.–Japan."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reciprocity.cli.common import default_store, store_path
from reciprocity.cli.render import console, table

if TYPE_CHECKING:
    from reciprocity.demo import DemoResult
    from reciprocity.queries.evidence import Picture

NEXT_COMMANDS = (
    "dyad USA JPN",
    "dyad USA JPN --mode licensed_production --format csv",
    "partners JPN",
    "top exporters",
    "explain USA JPN --channel arms --year 2025",
    "events USA JPN",
    "sources",
    "serve",
)
"""What the demo suggests next (``serve`` last: it keeps running)."""


def next_commands(db: Path) -> list[str]:
    """The commands to type next, exactly: activating the environment when ``reciprocity``
    is not on PATH, and ``--db`` when ``db`` is not the store the commands would find."""
    lines = []
    activate = _activation()
    if activate is not None:
        lines.append(f". {shlex.quote(activate)}")
    from reciprocity import settings

    found = settings.current().db or default_store()[0]
    prefix = "reciprocity"
    if found.resolve() != db.resolve():
        prefix += f" --db {shlex.quote(_shown(db))}"
    return lines + [f"{prefix} {c}" for c in NEXT_COMMANDS]


def _activation() -> str | None:
    """``.venv/bin/activate`` (relative when under the working folder) when this command
    runs from a virtual environment whose ``reciprocity`` is not the one on PATH."""
    bin_dir = Path(sys.prefix) / "bin"
    script = bin_dir / "reciprocity"
    if sys.prefix == sys.base_prefix or not (bin_dir / "activate").exists():
        return None
    on_path = shutil.which("reciprocity")
    if on_path is not None and Path(on_path).resolve() == script.resolve():
        return None
    return _shown(bin_dir / "activate")


def _shown(path: Path) -> str:
    """A path as a user types it: relative to the working folder when under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        ctx: typer.Context,
        out: Annotated[Path | None, typer.Option(
            "--out", "-o", help="Folder for the figures as CSV.")] = Path("demo"),
        force: Annotated[bool, typer.Option(
            "--force", help="Replace the demo store even when it holds web users or ledger "
            "edits (without it the demo refuses and says what it would delete).")] = False,
    ) -> None:
        """Build a fresh store (at --db) from the data folder and print the U.S.–Japan summary."""
        from reciprocity import demo as demo_mod
        from reciprocity.metrics.twoway import clean

        db: Path = store_path(ctx)
        result = demo_mod.run(db, out, log=lambda m: console.print(f"[dim]{m}[/]"),
                              force=force)
        for role, ing in result.ingested:
            state = "added" if ing.added else "already there"
            console.print(f"  {ing.vintage_id}: {ing.flows_loaded:,} flows ({role}; {state})")
        arms = result.dyad.to_dict()["channels"].get("arms")
        from reciprocity.report.headline import sentence

        console.rule("[bold]United States ⇄ Japan: the headline (as the briefing's page 1)")
        index = result.assessment.index if result.assessment is not None else None
        console.print(sentence(result.dyad.to_dict(), index.answer().model_dump(mode="json")
                               if index is not None else None), highlight=False)
        console.rule("[bold]United States ⇄ Japan: arms transfers")
        if arms is None:
            console.print("No arms flows between the United States and Japan in the data.")
        else:
            gl = clean(arms["gl_index"])
            console.print(
                f"All years: United States → Japan {arms['flow_ab']:,.0f} and Japan → United "
                f"States {arms['flow_ba']:,.0f} million TIV. Japan sent back "
                f"{100 * (arms['coverage_ratio'] or 0):.2f}% of what it received; two-way "
                f"index {gl:.3f} (1 = balanced, 0 = one-way).")
            _print_licensed_and_design(result)
            table(result.decades, title="By decade (flow_ab = USA→JPN, million TIV)",
                  columns=["period", "flow_ab", "flow_ba", "share_b", "gl_index",
                           "coverage_ratio"])
            table(result.dyad.by_mode, title="By mode", columns=[
                "mode", "flow_ab", "flow_ba", "gl_index"])
            rev = result.reverse_flows
            # One row per source record (a deal split over years is one record).
            deals = (rev.groupby(["record_id", "vintage_id"], sort=False)
                     .agg(tiv=("magnitude", "sum"), mode=("mode", "first"),
                          designation=("designation", "first"),
                          description=("description", "first"),
                          order_year=("order_year", "first"),
                          delivery_years=("delivery_years", "first"),
                          comments=("comments", "first"))
                     .reset_index()) if len(rev) else rev
            table(deals, title=f"Every Japan → United States transfer ({len(deals)} records, "
                  f"{len(rev)} yearly flows)", columns=[
                      "designation", "description", "order_year", "delivery_years", "tiv",
                      "mode", "comments", "record_id"] if len(rev) else None)
        if result.top_exporters is not None and len(result.top_exporters.rows):
            t = result.top_exporters
            table(t.rows, title=f"Largest arms exporters {t.since}–{t.until} (share of the world "
                  "total, million TIV; reciprocity top exporters)",
                  columns=["rank", "name", "value", "share", "previous_value", "change_pct"])
        if result.evidence is not None:
            _print_evidence(result.evidence)
        if result.assessment is not None:
            from reciprocity.cli.assess import print_brief

            print_brief(result.assessment)
        if result.diff_summary:
            console.print("Between the two SIPRI vintages: " + ", ".join(
                f"{v:,} deals {k}" for k, v in result.diff_summary.items())
                + " (reciprocity diff sipri).")
        if result.ledger_check is not None:
            from reciprocity.cli.ledger import print_tech_for_tech

            print_tech_for_tech(result.ledger_check)
        for path in result.written:
            console.print(f"[dim]wrote {path}[/]")
        for credit in result.credits:
            console.print(f"[bold]{credit}[/]")
        console.rule("[bold]Next")
        console.print(f"The store is {_shown(db)}. From this folder, type:", highlight=False)
        for line in next_commands(db):
            console.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)


def _print_licensed_and_design(result: DemoResult) -> None:
    """How much of U.S.→Japan was made in Japan, and whose design Japan→U.S. carried."""
    modes = result.dyad.by_mode.set_index("mode")
    total = result.dyad.totals["flow_ab"].sum()
    if "licensed_production" in modes.index and total:
        lp = modes.at["licensed_production", "flow_ab"]
        line = (f"Licensed or local production in Japan: {lp:,.0f} of {total:,.0f} million TIV "
                f"({100 * lp / total:.0f}%) of United States → Japan, read from SIPRI's comments")
        if result.flagged is not None and len(result.flagged.totals):
            f_modes = result.flagged.by_mode.set_index("mode")
            f_total = result.flagged.totals["flow_ab"].sum()
            f_lp = (f_modes.at["licensed_production", "flow_ab"]
                    if "licensed_production" in f_modes.index else 0.0)
            line += (f"; SIPRI's own 'Local production' flag ({result.flagged.vintages[0]}): "
                     f"{f_lp:,.0f} of {f_total:,.0f} ({100 * f_lp / f_total:.0f}%)")
        console.print(line + ".")
    design = result.design
    if design is not None and len(design):
        back = design[design["direction"] == "b_to_a"].set_index("design")["value"]
        if len(back):
            japanese = back.get("supplier_licensed", 0.0) + back.get("supplier_stated", 0.0)
            console.print(
                f"Japan → United States: {back.sum():,.0f} million TIV, of which "
                f"{japanese:,.0f} carried a Japanese design (licensed to or built for the "
                f"United States), {back.get('recipient', 0.0):,.0f} a U.S. design built in "
                f"Japan (hardware going back, not technology) and "
                f"{back.get('not_stated', 0.0) + back.get('third_country', 0.0):,.0f} "
                "another or unstated design.")


def _print_evidence(ev: Picture) -> None:
    """The pair across channels, both coverage ratios, and each source's credit line."""
    console.rule("[bold]United States ⇄ Japan across evidence channels")
    ch = ev.channels
    if len(ch):
        shown = ch.assign(total=ch["aggregation"])  # sum; snapshot/index: no total
        table(shown, title="flow_ab = USA→JPN, flow_ba = JPN→USA (undirected channels: both "
              "hold the joint count; citation runs cited → citing)",
              columns=["key", "unit", "years", "total", "flow_ab", "flow_ba", "gl_index",
                       "latest_year", "latest_ab", "latest_ba"])
        co = ch[(ch["key"] == "coauthorship")]
        if len(co):
            row = co.iloc[0]
            console.print(f"Co-authored articles (NCSES, whole counts), "
                          f"{row['latest_year']}: {row['latest_ab']:,.0f}.")
        ci = ch[(ch["key"] == "citation")]
        if len(ci):
            row = ci.iloc[0]
            console.print(f"Relative citation index {row['latest_year']}: Japan cites U.S. work "
                          f"{row['latest_ab']:.2f}× and the U.S. cites Japanese work "
                          f"{row['latest_ba']:.2f}× what their shares of publications predict.")
    else:
        console.print("No co-authorship or citation data in the store (NCSES tables missing).")
    latest = ev.latest_coverage()
    if latest:
        console.print("Technology-payments coverage ratio (IP receipts / payments, WDI): "
                      + "; ".join(f"{code} {year}: [bold]{value:.2f}[/]"
                                  for code, (year, value) in latest.items()))
    else:
        console.print("No technology-payments coverage ratio (WDI BM/BX.GSR.ROYL.CD missing).")
    for source, credit in ev.credits.items():
        console.print(f"[dim]{source}: {credit}[/]")
