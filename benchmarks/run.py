"""Run every benchmark and write BENCHMARKS.md (one command: ``make bench``).

Each benchmark is a script that prints one JSON object; figures are ratios against a baseline
measured in the same run, because this machine is shared and noisy.

``--only NAME`` / ``--skip NAME`` choose benchmarks; the long ones (``SLOW``, e.g. the patent
pipeline at 100 M citations) run only when named with ``--only``. A benchmark that is not run
keeps its section of BENCHMARKS.md as it was. ``--from-results`` renders a benchmark from the
JSON it saved last (``benchmarks/results/``) instead of running it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    ("ingest_dyad", [sys.executable, str(HERE / "ingest_dyad.py"), "--repeat", "5"]),
    ("api", [sys.executable, str(HERE / "api.py"), "--json", str(HERE / "results" / "api.json")]),
    ("diff", [sys.executable, str(HERE / "diff.py"), "--repeat", "7", "--json",
              str(HERE / "results" / "diff.json")]),
    ("startup", [sys.executable, str(HERE / "startup.py"), "--json",
                 str(HERE / "results" / "startup.json")]),
    ("patents", [sys.executable, str(HERE / "patents.py"), "--citations", "1e7", "--repeat", "5",
                 "--json", str(HERE / "results" / "patents-10M.json")]),
    ("patents", [sys.executable, str(HERE / "patents.py"), "--citations", "1e8", "--repeat", "5",
                 "--json", str(HERE / "results" / "patents-100M.json")]),
    ("load", [sys.executable, str(HERE / "load.py"), "--json",
              str(HERE / "results" / "load.json")]),
]
SLOW = {"patents"}  # run only with --only
SAVED = {"patents": [HERE / "results" / "patents-10M.json",
                     HERE / "results" / "patents-100M.json"]}
SAVED["api"] = [HERE / "results" / "api.json"]
SAVED["diff"] = [HERE / "results" / "diff.json"]
SAVED["startup"] = [HERE / "results" / "startup.json"]
SAVED["load"] = [HERE / "results" / "load.json"]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{os.cpu_count()} cores ({cpu}){mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", action="append", default=[], help="run only these benchmarks")
    ap.add_argument("--skip", action="append", default=[], help="do not run these")
    ap.add_argument("--from-results", action="store_true",
                    help="render the chosen benchmarks from their saved JSON")
    args = ap.parse_args(argv)
    chosen = {name for name, _ in BENCHMARKS
              if (name in args.only if args.only else name not in SLOW)
              and name not in args.skip}
    results = []
    if args.from_results:
        for name in sorted(chosen):
            for path in SAVED.get(name, []):
                results.append(json.loads(path.read_text()))
    else:
        for name, cmd in BENCHMARKS:
            if name not in chosen:
                continue
            print(f"running {name} …", file=sys.stderr)
            out = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if out.returncode != 0:
                print(out.stderr, file=sys.stderr)
                return out.returncode
            results.append(json.loads(out.stdout))
    (HERE / "results").mkdir(exist_ok=True)
    # the newest results of every benchmark: those run (or rendered) now replace theirs
    latest = HERE / "results" / "latest.json"
    kept_results = json.loads(latest.read_text()) if latest.exists() else []
    ran = {r["benchmark"] for r in results}
    latest.write_text(json.dumps([r for r in kept_results if r.get("benchmark") not in ran]
                                 + results, indent=2) + "\n")
    lines = ["# Benchmarks", "",
             f"Measured {datetime.now(UTC):%Y-%m-%d} with `make bench` on: {machine()}.",
             "The machine is shared and noisy, so every figure is a ratio against a baseline "
             "measured in the same run; absolute times are shown for orientation only.", ""]
    kept = _sections((HERE.parent / "BENCHMARKS.md").read_text()
                     if (HERE.parent / "BENCHMARKS.md").exists() else "")
    if kept and not {"ingest_dyad"} & chosen and "ingest_dyad" in kept:
        lines[2] = kept["ingest_dyad"][0]  # keep the date of the figures kept
    patents = [r for r in results if r["benchmark"] == "patents"]
    notes = _notes(HERE.parent / "BENCHMARKS.md")
    for name in dict.fromkeys(n for n, _ in BENCHMARKS):
        if name in chosen:
            section = (_patents_section(patents) if name == "patents" else
                       _section(name, [r for r in results if r["benchmark"] == name]))
        elif name in kept:
            section = kept[name][1]
        else:
            continue
        lines += [f"<!-- section: {name} -->", *section, f"<!-- end: {name} -->", "",
                  *notes.get(name, [])]
    for name, (_measured, section) in kept.items():  # sections of no registered benchmark
        if name not in dict(BENCHMARKS):
            lines += [f"<!-- section: {name} -->", *section, f"<!-- end: {name} -->", "",
                      *notes.get(name, [])]
    (HERE.parent / "BENCHMARKS.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


def _notes(path: Path) -> dict[str, list[str]]:
    """Text written by hand after a section's end marker (up to the next section), by section:
    kept as it is when the sections are written again."""
    text = path.read_text() if path.exists() else ""
    found = re.findall(r"<!-- end: (\S+) -->\n(.*?)(?=<!-- section: |\Z)", text, re.S)
    return {name: [*body.strip("\n").split("\n"), ""] for name, body in found
            if body.strip()}


def _sections(text: str) -> dict[str, tuple[str, list[str]]]:
    """Sections of an existing BENCHMARKS.md, by name: (its 'Measured …' line, its lines)."""
    measured = next((ln for ln in text.splitlines() if ln.startswith("Measured ")), "")
    found = re.findall(r"<!-- section: (\S+) -->\n(.*?)\n<!-- end: \1 -->", text, re.S)
    return {name: (measured, body.split("\n")) for name, body in found}


def _section(name: str, results: list[dict]) -> list[str]:
    if name == "api":
        return _api_section(results)
    if name == "diff":
        return _diff_section(results)
    if name == "startup":
        return _startup_section(results)
    if name == "load":
        return _load_section(results)
    lines: list[str] = []
    for r in results:
        if r["benchmark"] == "ingest_dyad":
            ok_ingest = r["ingest_ratio_vs_csv_read"] <= r["ingest_target_ratio"]
            ok_dyad = r["dyad_warm_ms"] < r["dyad_target_ms"]
            lines += [
                "## SIPRI ingest and warm `dyad` (`benchmarks/ingest_dyad.py`)", "",
                f"Input: the full SIPRI trade register ({r['register_bytes']:,} bytes).", "",
                "| measure | value | baseline | ratio | target | met |",
                "| --- | --- | --- | --- | --- | --- |",
                f"| full ingest (parse, validate, archive, commit) | {r['ingest_s']:.3f} s "
                f"| plain `csv` read {r['csv_read_s']:.3f} s | {r['ingest_ratio_vs_csv_read']}× "
                f"| ≤ {r['ingest_target_ratio']}× | {'yes' if ok_ingest else 'no'} |",
                f"| reading and checking the file (no store write) | {r['parse_s']:.3f} s "
                f"| plain `csv` read | {r['parse_ratio_vs_csv_read']}× | | |",
                f"| floor: DuckDB's own CSV reader loading the rows as text into a new file "
                f"| {r['duckdb_load_s']:.3f} s | plain `csv` read "
                f"| {r['duckdb_load_ratio_vs_csv_read']}× | | |",
                f"| full ingest against that floor | {r['ingest_s']:.3f} s "
                f"| DuckDB's own load {r['duckdb_load_s']:.3f} s "
                f"| {r['ingest_ratio_vs_duckdb_load']}× | | |",
                f"| warm `dyad USA JPN` (API) | {r['dyad_warm_ms']:.1f} ms "
                f"| one SQL aggregate {r['sql_aggregate_ms']:.1f} ms | {r['dyad_ratio_vs_sql']}× "
                f"| < {r['dyad_target_ms']:.0f} ms | {'yes' if ok_dyad else 'no'} |",
                "",
            ]
            if "ingest_parts" in r:
                lines += ["Where the ingest time goes (best run): " + ", ".join(
                    f"{k} {v:.3f} s" for k, v in r["ingest_parts"].items()) + "."]
    return lines


def _load_section(results: list[dict]) -> list[str]:
    """The bounded load test with the unbounded-year request (``benchmarks/load.py``)."""
    import load

    lines = ["## Bounded load test with the unbounded-year request (`benchmarks/load.py`)", "",
             "`reciprocity serve --read-only` on a store of the May 2026 SIPRI register; "
             "concurrent keep-alive clients (httpx) on 127.0.0.1, each making a fixed number "
             "of requests in a fixed rotation: `/api/health`, the cached "
             "`/api/dyad?a=USA&b=JPN`, uncached dyads (a different `since` each time), "
             "`/api/partners?a=JPN`, `/api/sources`, and issue 15's "
             "`/api/dyad?a=USA&b=JPN&since=-2147483649` (it once took the server to 17 GB in "
             "three minutes).", ""]
    for r in results:
        hostile = r["by_kind"].get("hostile year", {}).get("statuses", {})
        rss = r["server_rss_mb"]
        lines += [load.markdown(r), "",
                  f"{r['clients']} clients × {r['requests_per_client']} requests: "
                  f"{r['requests']:,} requests in {r['seconds']} s, {r['errors']} errors "
                  "(5xx or transport errors); the unbounded-year request answered "
                  + ", ".join(f"{s} ×{n}" for s, n in sorted(hostile.items()))
                  + f" (alone, before the load: {r['hostile']['status']} in "
                  f"{r['hostile']['ms']} ms including the connection); the server's resident "
                  f"memory went from {rss['before']:.0f} MB to {rss['after']:.0f} MB (the "
                  "answer cache is bounded at 256 MB). Latencies are mostly queueing: the "
                  "clients share the machine's cores with the server.", "",
                  f"Measured {r['date']} on {r['machine']}"
                  + (f" (one-minute load average {r['load_average'][0]:g} before, "
                     f"{r['load_average'][1]:g} after: other work shared the machine)"
                     if "load_average" in r else "")
                  + ". Reproduce: `python benchmarks/run.py --only load` or `python "
                  "benchmarks/load.py --json OUT` (`--clients`, `--requests`, `--db STORE`)."]
    return lines


def _patents_section(results: list[dict]) -> list[str]:
    """The patent pipeline at 10 M and 100 M citations (``benchmarks/patents.py``)."""
    def yes(ok: bool | None) -> str:
        return "—" if ok is None else ("yes" if ok else "**no**")

    lines = ["## Patents: PatentsView pipeline vs hand-written SQL and pandas "
             "(`benchmarks/patents.py`)", "",
             "Input: synthetic PatentsView tables (`benchmarks/synth_patentsview.py`, Parquet, "
             "seed 1; 3.3 % of patents carry a defence CPC class), the same input for all three, "
             "each placing patents in the technology areas from all their CPC classes. "
             "`pipeline_s`: the Ibis pipeline on DuckDB "
             "(all three channels by area, RTA by field and by area and counts, files → "
             "aggregates) timed inside the whole "
             "`reciprocity ingest`, whose time is `ingest_s` (adding checks, hashing and the "
             "store write); `duckdb_sql_s`: one hand-written DuckDB statement for the same "
             "citation flows by area; `pandas_s`: the pipeline written plainly in pandas "
             "(`benchmarks/patents_pandas.py`: the same three channels and RTA by the same "
             "rules, so equal work), whose citation part alone (the SQL's work) is shown as "
             "well, divided by the whole pipeline. Best of `repeat` alternating runs of the "
             "three; each run in a fresh process; DuckDB "
             "memory limit as shown. Targets: pipeline ÷ SQL ≤ 1.3, pandas ÷ pipeline ≥ 5, peak "
             "RSS of the ingest process < 8 GB at 100 M. The ratios are shown two ways: best "
             "run ÷ best run, and the median over the repeats of the ratio within each repeat "
             "(paired: the runs of one repeat see the same load on this shared machine, so one "
             "lucky run of either side does not decide it); a target counts as met when both "
             "are within it. For orientation: the whole ingest ÷ SQL, and the "
             "pipeline's stages that do what the SQL does (profiles, CPC fields, areas, citation "
             "flows) ÷ SQL; the cost of the area step (placing patents in areas from their CPC "
             "classes) in seconds and as a share of `pipeline_s`. Results agree: every "
             "channel's flows compared area by area (and the country counts by field and by "
             "area) between pipeline and pandas, the citation flows area by area between "
             "pipeline and SQL.", "",
             "| citations | input | pipeline_s | ingest_s | duckdb_sql_s | pandas_s "
             "| pipeline ÷ SQL (best) | pipeline ÷ SQL (paired median) | pandas ÷ pipeline "
             "| pandas citation part ÷ pipeline | peak RSS | ingest ÷ SQL "
             "| citation part ÷ SQL | area step | results agree | repeat |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
             "| ---: | ---: | ---: | --- | ---: |"]
    for r in sorted(results, key=lambda r: r["citations"]):
        pandas = f"{r['pandas_s']:.1f}" if r["pandas_s"] is not None else "— (too large)"
        vs_pandas = _vs_pandas(r, "ratio_vs_pandas", "paired_pandas_ratio_median",
                               "paired_pandas_ratios", yes)
        vs_citation = _vs_pandas(r, "ratio_vs_pandas_citation",
                                 "paired_pandas_citation_ratio_median",
                                 "paired_pandas_citation_ratios", None)
        lines.append(
            f"| {r['citations'] / 1e6:,.0f} M | {r['input_bytes'] / 1e9:.2f} GB "
            f"| {r['pipeline_s']:.1f} | {r['ingest_s']:.1f} | {r['duckdb_sql_s']:.1f} "
            f"| {pandas} | {r['ratio_vs_sql']:.2f}× ({yes(r['ratio_vs_sql'] <= 1.3)}) "
            f"| {_paired(r, yes)} "
            f"| {vs_pandas} | {vs_citation} "
            f"| {r['peak_rss_mb'] / 1024:.2f} GB ({yes(r['peak_rss_mb'] < 8192)}) "
            f"| {r['ingest_ratio_vs_sql']:.2f}× "
            f"| {r['citation_ratio_vs_sql']:.2f}× ({r['pipeline_citation_s']:.1f} s) "
            f"| {_area_step(r)} "
            f"| {'yes' if r['results_agree'] else '**no**'} | {r.get('repeat', 1)} |")
    if results:
        last = max(results, key=lambda r: r["citations"])
        lines += ["", f"Measured {last.get('measured', '?')} on: {last['machine']}; Python "
                  f"{last['python']}; DuckDB memory "
                  f"limit {last['memory_limit']}. Where the {last['citations'] / 1e6:,.0f} M "
                  "ingest's time goes: " + ", ".join(
                      f"{k} {v:.1f} s" for k, v in last["pipeline_stages_s"].items())
                  + " (the last includes the store write).", "",
                  "Reproduce: `python benchmarks/run.py --only patents` (generates the inputs "
                  "once under `benchmarks/results/data/`, about 1.2 GB at 100 M, then runs both "
                  "sizes), or `python benchmarks/patents.py --citations 1e8 --json OUT`."]
    return lines


def _area_step(r: dict) -> str:
    """The area step's seconds and share of the pipeline; — for a run made before it."""
    if r.get("area_step_s") is None:
        return "—"
    return f"{r['area_step_s']:.1f} s ({r['area_step_share']:.0%})"


def _vs_pandas(r: dict, best: str, median: str, each: str,
               yes: Callable[[bool | None], str] | None) -> str:
    """pandas ÷ pipeline, best ÷ best and the paired median with every pair's ratio; judged
    against the target when ``yes`` is given."""
    if r.get(best) is None:
        return "—"
    out = f"{r[best]:.1f}×" + (f" ({yes(r[best] >= 5)})" if yes else "")
    if r.get(median) is not None:
        pairs = ", ".join(f"{x:.1f}" for x in r.get(each, []))
        verdict = f"{yes(r[median] >= 5)}; " if yes else ""
        out += f"; paired median {r[median]:.1f}× ({verdict}{pairs})"
    return out


def _paired(r: dict, yes: Callable[[bool | None], str]) -> str:
    """The paired median of pipeline ÷ SQL, with every pair's ratio."""
    if "paired_ratio_median" not in r:
        return "—"
    each = ", ".join(f"{x:.2f}" for x in r["paired_ratios"])
    return f"{r['paired_ratio_median']:.2f}× ({yes(r['paired_ratio_median'] <= 1.3)}; {each})"


def _startup_section(results: list[dict]) -> list[str]:
    """Whole-process start of the command line against ``import duckdb``
    (``benchmarks/startup.py``)."""
    lines = ["## Command-line start (`benchmarks/startup.py`)", ""]
    for r in results:
        target = r["target_ratio"]
        heavy = ", ".join(r["help_imports_heavy"]) or "none"
        lines += [
            "Whole processes, each run "
            f"{r['repeat']} times in alternation (the order rotating every round) after one "
            "warm-up run: the baseline is `python -c \"import duckdb\"`; `dyad USA JPN` "
            f"answers from {r['store']}. Ratios: best run ÷ best baseline run, and the median "
            "over the rounds of the ratio within a round (paired). Heavy modules imported by "
            f"`--help`: {heavy}.", "",
            "| command | best | median | ÷ baseline (best) | ÷ baseline (paired median) "
            "| target | met |",
            "| --- | ---: | ---: | ---: | ---: | --- | --- |",
            f"| `python -c \"import duckdb\"` (baseline) | {r['baseline_s'] * 1000:.0f} ms "
            f"| {r['baseline_median_s'] * 1000:.0f} ms | 1× | 1× | | |",
        ]
        for key, label in (("help", "`reciprocity --help`"),
                           ("dyad", "`reciprocity dyad USA JPN`"),
                           ("pandas_floor", "for orientation: `python -c \"import duckdb, "
                            "pandas\"`"),
                           ("sql_floor", "for orientation, dyad's floor: import DuckDB, open "
                            f"the store, run dyad's {r.get('dyad_statements')} SQL statements"),
                           ("library_floor", "the same after importing Typer and Rich")):
            x = r.get(key)
            if x is None:
                continue
            orientation = key in ("pandas_floor", "sql_floor", "library_floor")
            ok = x["ratio_best"] <= target and x["ratio_paired_median"] <= target
            met = ("yes" if ok else "**no**") if not orientation else "—"
            lines.append(f"| {label} | {x['best_s'] * 1000:.0f} ms | {x['median_s'] * 1000:.0f} "
                         f"ms | {x['ratio_best']:.2f}× | {x['ratio_paired_median']:.2f}× "
                         f"| {'' if orientation else f'≤ {target:g}×'} | {met} |")
        floor, libs, dyad = r.get("sql_floor"), r.get("library_floor"), r.get("dyad")
        if floor and libs and dyad:
            lines += ["", f"Floor of `dyad`: DuckDB's import, the store and dyad's SQL alone take "
                      f"{floor['ratio_best']:.2f}× the baseline (best); with Typer and Rich "
                      f"imported, {libs['ratio_best']:.2f}× best, "
                      f"{libs['ratio_paired_median']:.2f}× paired, so the 3× target is "
                      + ("out of reach for any command line built on them"
                         if min(libs['ratio_best'], libs['ratio_paired_median']) > target
                         else "within reach") + f". `dyad` takes "
                      f"{(dyad['best_s'] - libs['best_s']) * 1000:.0f} ms (best runs) beyond "
                      "that: its own modules, shaping the answer and printing the tables."]
        steps = r.get("dyad_phases_s")
        if steps:
            whole = sum(steps.values())
            lines += ["", "Where `dyad USA JPN`'s time goes, each step timed in one process "
                      "(best of 5; the whole process adds the interpreter's start): "
                      + "; ".join(f"{name} {t * 1000:.0f} ms ({100 * t / whole:.0f}%)"
                                  for name, t in steps.items()) + "."]
        load = r.get("load_average")
        busy = (f" ({r['cores']} cores; one-minute load average {load[0]:g} before the runs, "
                f"{load[1]:g} after: other work shared the machine)" if load else "")
        lines += ["", f"Measured {r['measured']} on {r['machine']}{busy}. Reproduce: "
                  "`python benchmarks/run.py --only startup` or `python benchmarks/startup.py "
                  "[--db STORE] --json OUT`."]
    return lines


def _diff_floor(r: dict) -> str:
    """How the matching statement alone compares with the join (and the join kept)."""
    match = r["summary_parts_s"].get("matching statement")
    if not match:
        return ""
    ratio = match / r["join_best_s"]
    kept = (f" and {match / r['join_kept_best_s']:.1f}× the join kept's"
            if "join_kept_best_s" in r else "")
    return (f"The matching statement alone takes {ratio:.1f}× the join's best run{kept}"
            + (", so the 3× target cannot be met without matching differently (not one "
               "statement's tuning)." if ratio > r["target_ratio"] else "."))


_DIFF_HISTORY = [
    "History. Until 2026-12-07 the join was timed with `.arrow()`, which since DuckDB 1.4 "
    "returns an unread `RecordBatchReader`: the figures then published (4.56× best, 5.03× "
    "paired, under load average 4.6) were against the join kept, not against the join "
    "delivered that the text described; the join is now read to its end, and the join kept "
    "is shown beside it. Tried and not kept: a fingerprint (hash of every compared column) on "
    "both sides so that the change mask is built only where fingerprints differ (slower: "
    "17,736 of some 28,000 matched records did change, so the hash over every row costs more "
    "than the comparisons it saves); the normalised designation key stored at ingest "
    "(`benchmarks/diff_stored_key.py`: no gain beyond the noise, the regular expression over "
    "59,431 designations costs about 3 ms); one scan of both vintages with keys of several "
    "records found by a hash of the key (slower: DuckDB materialises the two sides again); "
    "the two sides read from the table at each use instead of materialised once (no gain). "
    "Kept: the vintages read with one small query instead of the store's general vintage "
    "table through pandas (about 6 ms a call).",
]


def _diff_section(results: list[dict]) -> list[str]:
    """The ``diff`` summary of two full SIPRI registers against DuckDB's own join of their
    record tables (``benchmarks/diff.py``)."""
    lines = ["## `diff` of two full SIPRI registers (`benchmarks/diff.py`)", ""]
    for r in results:
        def yes(ok: bool) -> str:
            return "yes" if ok else "**no**"

        c = r["counts"]
        lines += [
            f"Input: the registers `{r['old']}` ({r['records']['old']:,} records, "
            f"{r['from']}) and `{r['new']}` ({r['records']['new']:,} records, {r['to']}), "
            "ingested into one store. *summary*: what `reciprocity diff sipri` computes "
            "(records matched, counts by kind and changed field, totals per supplier and "
            "recipient, the 50 largest changes with their values); *join*: DuckDB's plain full "
            "outer join of the two vintages' record tables on the record key, every column, "
            "delivered to Python as an Arrow table, as the summary delivers its answer "
            f"({r['join_rows']:,} rows); *join kept*: the same join run to completion with its "
            "result kept inside DuckDB (not delivered), the strictest floor. Same process and "
            f"connection, {r['repeat']} repeats, each going first in turn; the paired ratio is "
            "summary ÷ join within each repeat.", "",
            "| measure | summary | baseline | ratio | target | met |",
            "| --- | ---: | ---: | ---: | --- | --- |",
            f"| best runs | {r['summary_best_s'] * 1000:.0f} ms | {r['join_best_s'] * 1000:.0f} ms "
            f"| {r['ratio_best']:.2f}× | ≤ {r['target_ratio']:g}× "
            f"| {yes(r['ratio_best'] <= r['target_ratio'])} |",
            f"| paired median ({', '.join(f'{x:.2f}' for x in r['paired_ratios'])}) | | "
            f"| {r['paired_ratio_median']:.2f}× | ≤ {r['target_ratio']:g}× "
            f"| {yes(r['paired_ratio_median'] <= r['target_ratio'])} |",
            *([f"| against the join kept, best runs | {r['summary_best_s'] * 1000:.0f} ms "
               f"| {r['join_kept_best_s'] * 1000:.0f} ms | {r['ratio_kept_best']:.2f}× | "
               "(orientation) | |",
               "| against the join kept, paired median "
               f"({', '.join(f'{x:.2f}' for x in r['paired_kept_ratios'])}) | | "
               f"| {r['paired_kept_ratio_median']:.2f}× | (orientation) | |"]
              if "join_kept_best_s" in r else []),
            "",
            f"Result: {c['added']:,} added, {c['removed']:,} removed, {c['changed']:,} changed "
            f"({r['designation_spelling']:,} of them designations respelt, e.g. K2 → K-2). "
            f"For orientation: every change listed with its values (`reciprocity.diff`) "
            f"{r['full_list_s'] * 1000:.0f} ms; the join's row count alone "
            f"{r['join_count_s'] * 1000:.0f} ms; the whole command `reciprocity diff sipri` "
            f"in a new process {r['cli_best_s']:.2f} s, printing {r['cli_lines']} lines (issue 14 "
            "found the earlier `diff sipri` taking 33–68 s and printing 85,827 lines).", "",
            *(["Where the summary's time goes (best of the repeats): " + ", ".join(
                f"{k} {v * 1000:.0f} ms" for k, v in r["summary_parts_s"].items()) + ". "
               + _diff_floor(r), ""]
              if "summary_parts_s" in r else []),
            f"Measured {r['measured']} on {r['machine']}"
            + (f", {r['cores']} cores, load average {r['load_average'][0]:g} before and "
               f"{r['load_average'][1]:g} after"
               if "load_average" in r else "")
            + ". Reproduce: "
            "`python benchmarks/run.py --only diff`, or `python benchmarks/diff.py --repeat 7 "
            "--json OUT` (`--new`/`--old` name other registers).", "",
            *_DIFF_HISTORY,
        ]
    return lines


def _api_section(results: list[dict]) -> list[str]:
    """The web API under concurrent clients and the briefing's render time
    (``benchmarks/api.py``)."""
    lines = ["## Web API and briefings (`benchmarks/api.py`)", ""]
    for r in results:
        e, b = r["endpoints"], r["briefing"]
        ok = e["dyad"]["p95_ms"] < r["target_p95_ms"]
        lines += [
            f"`reciprocity serve` on a store of {r['store']['flows']:,} flows from "
            f"{len(r['store']['vintages'])} vintages of "
            f"{', '.join(r['store'].get('datasets') or r['store']['vintages'])}; "
            f"{r['clients']} concurrent keep-alive "
            f"clients ({r['client']}, asking for gzip) for {r['duration_s']:g} s per endpoint. "
            "`/api/health` touches nothing: it is the floor of server and client together; "
            "`/api/dyad` is served from the answer cache (kept until the next write), "
            "*uncached* is the same server with `--cache-size 0`.", "",
            "| endpoint | requests/s | p50 | p95 | p99 | errors | target | met |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        ]
        for key, label, target in (
                ("health", "`/api/health` (floor)", ""),
                ("dyad", f"`{r['pair']}`", f"p95 < {r['target_p95_ms']:.0f} ms"),
                ("dyad_uncached", f"`{r['pair']}`, uncached", "")):
            x = e[key]
            met = ("yes" if ok else "**no**") if key == "dyad" else "—"
            lines.append(f"| {label} | {x['rps']:,.0f} | {x['p50_ms']:.1f} ms "
                         f"| {x['p95_ms']:.1f} ms | {x['p99_ms']:.1f} ms | {x['errors']} "
                         f"| {target} | {met} |")
        ok_b = b["render_s"] < r["target_briefing_s"]
        lines += ["", f"Briefing USA–JPN to HTML: {b['render_s']:.2f} s (best of the runs; "
                  f"{b['html_bytes'] / 1e6:.1f} MB, Plotly inline), target "
                  f"< {r['target_briefing_s']:.0f} s: {'yes' if ok_b else '**no**'}"
                  + (f"; printed to PDF by Chromium in {b['pdf_s']:.1f} s." if "pdf_s" in b
                     else "."), "",
                  f"Measured {r['measured']} on {r['machine']}. Reproduce: "
                  "`python benchmarks/api.py --json OUT` (add `--db STORE` to serve an existing "
                  "store; `--client httpx` to use the Python client instead of wrk)."]
    return lines


if __name__ == "__main__":
    sys.exit(main())
