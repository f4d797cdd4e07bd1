"""The CLI's behaviour corpus: a fixed list of commands run against one store, each output kept.

Record a corpus with one tree's code, refactor, record it again and compare::

    python scripts/cli_corpus.py run --db STORE --out DIR [--src TREE/src] [--jobs 4] [--only P]
    python scripts/cli_corpus.py compare DIR_BEFORE DIR_AFTER [--mask-times]

``run`` starts ``reciprocity`` once per command (``--src`` puts another tree's ``src`` first
on ``PYTHONPATH``, so a checked-out older commit runs on the same store), with a fixed
terminal width, and writes for each command ``NAME.out`` (standard output),
``NAME.err`` (standard error) and ``NAME.code`` (the exit code). The commands only read
the store. ``compare`` lists the files that differ (``--mask-times`` masks ISO timestamps
and today's ledger vintage date, which change when the store is built again) and exits 1
when any does.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ASSESS_DATA = REPO / "src" / "reciprocity" / "data" / "assess"

TABLE_JSON_CSV = ("table", "json", "csv")
TABLE_JSON = ("table", "json")

# (name, arguments, formats offered); every command reads the store only.
COMMANDS: list[tuple[str, list[str], tuple[str, ...]]] = [
    ("dyad-usa-jpn", ["dyad", "USA", "JPN"], TABLE_JSON_CSV),
    ("dyad-usa-jpn-arms-wide", ["dyad", "USA", "JPN", "-c", "arms", "--wide"], ("table",)),
    ("dyad-usa-jpn-licensed", ["dyad", "USA", "JPN", "--mode", "licensed_production"],
     TABLE_JSON_CSV),
    ("dyad-usa-jpn-window", ["dyad", "USA", "JPN", "-c", "arms", "--since", "2000",
                             "--until", "2025", "--window", "5"], TABLE_JSON_CSV),
    ("dyad-fra-ind-bad-area", ["dyad", "FRA", "IND", "-c", "arms", "--area", "aircraft"],
     TABLE_JSON_CSV),
    ("dyad-bad-country", ["dyad", "USA", "XXX"], ("table",)),
    ("partners-jpn", ["partners", "JPN"], TABLE_JSON_CSV),
    ("partners-usa-volume", ["partners", "USA", "--sort", "volume", "--since", "2010"],
     TABLE_JSON_CSV),
    ("partners-usa-allies", ["partners", "USA", "--allies-only", "--until", "2015"],
     TABLE_JSON_CSV),
    ("explain-usa-jpn-2025", ["explain", "USA", "JPN", "--channel", "arms", "--year", "2025"],
     TABLE_JSON_CSV),
    ("explain-usa-jpn-citation", ["explain", "USA", "JPN", "--channel", "citation"],
     TABLE_JSON_CSV),
    ("top-exporters", ["top", "exporters"], TABLE_JSON_CSV),
    ("top-importers-window", ["top", "importers", "--since", "2015", "--until", "2019",
                              "-n", "10"], TABLE_JSON_CSV),
    ("channels", ["channels"], TABLE_JSON_CSV),
    ("sources", ["sources"], TABLE_JSON_CSV),
    ("sources-wide", ["sources", "--wide"], ("table",)),
    ("diff-sipri", ["diff", "sipri"], TABLE_JSON_CSV),
    ("diff-sipri-pair", ["diff", "sipri", "--pair", "USA", "JPN", "-n", "10"], TABLE_JSON_CSV),
    ("diff-sipri-country", ["diff", "sipri", "--country", "JPN", "-n", "10"], TABLE_JSON_CSV),
    ("indicators-jpn", ["indicators", "JPN"], TABLE_JSON_CSV),
    ("indicators-usa-royalties", ["indicators", "USA", "-i", "BX.GSR.ROYL.CD",
                                  "--since", "2000"], TABLE_JSON_CSV),
    ("taxonomy", ["taxonomy"], TABLE_JSON),
    ("ledger-list", ["ledger", "list"], TABLE_JSON_CSV),
    ("ledger-list-transfers", ["ledger", "list", "-k", "transfers"], TABLE_JSON_CSV),
    ("ledger-show-program", ["ledger", "show", "ch47j-licensed-production"], TABLE_JSON),
    ("ledger-show-transfer", ["ledger", "show", "ch47j-licence"], TABLE_JSON),
    ("ledger-show-missing", ["ledger", "show", "no-such-record"], ("table",)),
    ("ledger-history", ["ledger", "history", "ch47j-licence"], TABLE_JSON_CSV),
    ("ledger-check", ["ledger", "check"], TABLE_JSON_CSV),
    ("ledger-check-usa-jpn", ["ledger", "check", "USA", "JPN", "--years", "3"],
     TABLE_JSON_CSV),
    ("ledger-export-yaml", ["ledger", "export"], ("",)),
    ("ledger-export-csv", ["ledger", "export", "--format", "csv"], ("",)),
    ("index-usa-jpn", ["index", "USA", "JPN", "--replicates", "200", "--seed", "1"],
     TABLE_JSON_CSV),
    ("index-usa-jpn-window", ["index", "USA", "JPN", "--since", "2000", "--until", "2020",
                              "--replicates", "200", "--seed", "1"], TABLE_JSON_CSV),
    ("scenario-example", ["scenario", str(ASSESS_DATA / "scenario_example.yaml")],
     TABLE_JSON_CSV),
    ("alerts", ["alerts"], TABLE_JSON_CSV),
    ("assess-capabilities-jpn", ["assess", "capabilities", "JPN"], TABLE_JSON_CSV),
    ("assess-needs", ["assess", "needs"], TABLE_JSON_CSV),
    ("assess-opportunities", ["assess", "opportunities", "USA", "JPN"], TABLE_JSON_CSV),
    ("assess-opportunities-all", ["assess", "opportunities", "USA", "JPN", "--all"],
     ("json",)),
    ("assess-dependence-jpn", ["assess", "dependence", "JPN"], TABLE_JSON_CSV),
    ("assess-dependence-ind-window", ["assess", "dependence", "IND", "--since", "2000",
                                      "--until", "2020"], TABLE_JSON_CSV),
]

_ENTRY = "import sys; from reciprocity.cli.app import main; main(sys.argv[1:])"


def expanded() -> list[tuple[str, list[str]]]:
    """Every (file name, arguments) of the corpus, one per command and format."""
    runs = []
    for name, args, formats in COMMANDS:
        for fmt in formats:
            if fmt == "":
                runs.append((name, args))
            else:
                runs.append((f"{name}.{fmt}", [*args, "--format", fmt]))
    return runs


def _run_one(db: Path, out: Path, src: Path | None, name: str, args: list[str]) -> int:
    env = {**os.environ, "COLUMNS": "100", "LINES": "50", "NO_COLOR": "1", "TERM": "dumb",
           "PYTHONHASHSEED": "0"}
    env.pop("RECIPROCITY_DB", None)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, "-c", _ENTRY, "--db", str(db), *args],
                          capture_output=True, env=env, cwd=out, check=False)
    (out / f"{name}.out").write_bytes(proc.stdout)
    (out / f"{name}.err").write_bytes(proc.stderr)
    (out / f"{name}.code").write_text(f"{proc.returncode}\n")
    return proc.returncode


def run(db: Path, out: Path, src: Path | None, jobs: int, only: list[str] | None = None) -> None:
    """Run the corpus against ``db``, writing each command's outputs under ``out`` (only the
    commands whose name starts with one of ``only``, when given)."""
    if not db.is_file():
        raise SystemExit(f"cli_corpus: no store at {db} (expected a DuckDB file)")
    out.mkdir(parents=True, exist_ok=True)
    runs = [r for r in expanded() if not only or r[0].startswith(tuple(only))]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        codes = list(pool.map(lambda r: _run_one(db, out, src, *r), runs))
    failed = sum(code != 0 for code in codes)
    print(f"{len(runs)} commands run into {out}; {failed} exited non-zero (kept as output)")


_TIME = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?")


def _masked(data: bytes, mask: bool) -> bytes:
    if not mask:
        return data
    data = _TIME.sub(b"<time>", data)
    return re.sub(rb"reciprocity_ledger/\d{4}-\d\d-\d\d", b"reciprocity_ledger/<date>", data)


def compare(before: Path, after: Path, mask: bool) -> int:
    """Print the corpus files that differ between two runs; 1 when any does."""
    names = sorted({p.name for p in before.iterdir()} | {p.name for p in after.iterdir()})
    differing = []
    for name in names:
        a, b = before / name, after / name
        if not a.exists() or not b.exists():
            differing.append(name)
            print(f"only in {'after' if not a.exists() else 'before'}: {name}")
            continue
        da, db_ = _masked(a.read_bytes(), mask), _masked(b.read_bytes(), mask)
        if da != db_:
            differing.append(name)
            diff = difflib.unified_diff(da.decode(errors="replace").splitlines(),
                                        db_.decode(errors="replace").splitlines(),
                                        f"before/{name}", f"after/{name}", lineterm="", n=1)
            print("\n".join(list(diff)[:40]))
    print(f"{len(names) - len(differing)} of {len(names)} files byte-identical"
          f"{' (timestamps masked)' if mask else ''}; differing: {len(differing)}")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="run the corpus against a store")
    p_run.add_argument("--db", type=Path, required=True, help="store file (read only)")
    p_run.add_argument("--out", type=Path, required=True, help="folder for the outputs")
    p_run.add_argument("--src", type=Path, help="a tree's src folder to run instead")
    p_run.add_argument("--jobs", type=int, default=4, help="commands run at once")
    p_run.add_argument("--only", action="append", metavar="PREFIX",
                       help="run only the commands whose name starts with PREFIX (repeatable)")
    p_cmp = sub.add_parser("compare", help="compare two corpus folders")
    p_cmp.add_argument("before", type=Path)
    p_cmp.add_argument("after", type=Path)
    p_cmp.add_argument("--mask-times", action="store_true",
                       help="mask timestamps (stores built at different times)")
    ns = parser.parse_args(argv)
    if ns.command == "run":
        run(ns.db.resolve(), ns.out.resolve(), ns.src.resolve() if ns.src else None, ns.jobs,
            ns.only)
        return 0
    return compare(ns.before, ns.after, ns.mask_times)


if __name__ == "__main__":
    sys.exit(main())
