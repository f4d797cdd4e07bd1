"""Benchmark: the patent pipeline against one hand-written DuckDB SQL statement and pandas.

Usage: python benchmarks/patents.py --citations N [--json OUT] [--seed S] [--data DIR]
       [--memory-limit 4GB] [--pandas-max 10000000] [--engine duckdb]

On the same generated input (``synth_patentsview.py``, Parquet; generated once and reused
from ``benchmarks/results/data``), each measured in a fresh process of its own:

- ``pipeline_s``: the Ibis pipeline on DuckDB, from the files to the aggregated results of all
  three channels, RTA and the counts, timed inside the whole ingest a user runs
  (``Store.ingest``, as ``reciprocity ingest patentsview DIR``), which is ``ingest_s``
  (adding the header checks, hashing the files, shaping and writing the store);
- ``duckdb_sql_s``: one hand-written DuckDB statement computing the same citation flows
  (same counting rules, same country codes, same CPC fallback, same technology areas from all
  CPC classes; its mapping tables of CPC symbols prepared untimed) with the same memory
  limit — the practical limit on this machine;
- ``pandas_s``: the pipeline written straightforwardly in pandas (``patents_pandas.py``):
  the same three channels and RTA by the same rules, at sizes up to ``--pandas-max``
  citations (null above), run in the same alternation; ``pandas_citation_s`` is its time
  up to the citation flows (the part the SQL computes too).

With ``--repeat N`` the three run N times, alternating, and the best run of each counts
(the machine is shared and noisy). ``ratio_vs_sql`` = pipeline_s / duckdb_sql_s (target
≤ 1.3); because one lucky run of either side moves that ratio, each pipeline run is also
divided by the SQL run right after it, and ``paired_ratio_median`` is the median of those N
ratios (the runs of one repeat see the same load). ``ingest_ratio_vs_sql`` is the same for
the whole ingest, and ``citation_ratio_vs_sql`` for the pipeline's stages that do what the
SQL does: profiles, CPC fields, areas and citation flows (``pipeline_citation_s``).
``ratio_vs_pandas`` = pandas_s / pipeline_s (how many times faster the pipeline is at equal
work; target ≥ 5), best ÷ best, with ``paired_pandas_ratio_median`` its paired median;
``ratio_vs_pandas_citation`` (and its paired median) divides pandas' citation part alone by
the whole pipeline, and ``citation_ratio_vs_pandas_citation`` compares the citation parts.
``peak_rss_mb`` is the pipeline process's peak resident memory (target < 8 GB at 100 M).
``area_step_s`` is the pipeline's stage placing patents in areas from their CPC classes.
The results are compared and must agree (``results_agree``), channel by channel and area by
area: every channel's cross-border flows and the RTA by field and by area of pipeline and
pandas, the citation flows of pipeline and SQL.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE / "results" / "data"


def machine() -> str:
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except (OSError, ValueError, IndexError):
        mem = float("nan")
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB memory, {platform.system()}"


def peak_rss_mb() -> float:
    """Peak resident memory of this process and its finished children (Spark's JVM)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, kids) / 1024, 1)


def _sibling(name: str) -> ModuleType:
    """A module of this folder (the benchmarks are scripts, not a package)."""
    import importlib

    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    return importlib.import_module(name)


# -- inputs ----------------------------------------------------------------------------------
def ensure_input(citations: int, seed: int, root: Path, memory_limit: str) -> Path:
    """The generated tables for (citations, seed), generated once and reused."""
    synth_patentsview = _sibling("synth_patentsview")
    # v2: with defence CPC classes and unique citation keys
    data = root / f"pv-{citations}-s{seed}-v2-parquet"
    marker = data / ".complete"
    if not marker.is_file():
        t0 = time.perf_counter()
        print(f"generating {citations:,} citations into {data} …", file=sys.stderr)
        synth_patentsview.generate(data, citations, seed, "parquet", memory_limit, log=True)
        marker.write_text(f"{time.perf_counter() - t0:.1f}\n")
    return data


def _symbols(data: Path) -> list[str]:
    """Every CPC symbol of the input (group, else subclass)."""
    import duckdb

    rows = duckdb.sql(
        "SELECT DISTINCT coalesce(nullif(trim(cpc_group), ''), nullif(trim(cpc_subclass), '')) "
        f"FROM read_parquet('{data}/g_cpc_current.parquet')").fetchall()
    return [symbol for (symbol,) in rows if symbol]


def cpc_map(data: Path) -> list[tuple[str, int]]:
    """Every CPC symbol of the input with its WIPO field (the taxonomy's concordance)."""
    from reciprocity.sources.patentsview import cpc_field

    fn = cpc_field()
    return [(s, int(f)) for s in _symbols(data) if fn and (f := fn(s)) is not None]


def cpc_area_map(data: Path) -> list[tuple[str, str]]:
    """Every CPC symbol of the input that the taxonomy places directly, with its area."""
    from reciprocity.sources.patentsview import cpc_area

    fn = cpc_area()
    return [(s, a) for s in _symbols(data) if (a := fn(s)) is not None]


def field_area_map() -> list[tuple[int, str]]:
    """WIPO field → area (the taxonomy's wipo_fields.csv)."""
    from reciprocity.sources.patentsview import field_areas

    return sorted((int(f), a) for f, a in field_areas().items() if a)


# -- the three implementations ---------------------------------------------------------------
def run_pipeline(data: Path, memory_limit: str, engine: str, temp: Path) -> dict:
    from reciprocity.sources.patentsview import SOURCE
    from reciprocity.store.db import Store

    store_path = temp / "bench.duckdb"
    stages: list[tuple[str, float]] = []

    def progress(done: int, total: int, stage: str | None = None) -> None:
        if stage:
            stages.append((stage, time.perf_counter()))

    t0 = time.perf_counter()
    with Store(store_path) as store:
        result = store.ingest(SOURCE, data, progress=progress, options={
            "engine": engine, "memory_limit": memory_limit, "temp_dir": str(temp / "spill")})
        seconds = time.perf_counter() - t0
        ends = [at for _, at in stages[1:]] + [t0 + seconds]
        # the last stage, "shaping flows", runs on into the store's validation and write
        breakdown = {name: round(end - at, 2)
                     for (name, at), end in zip(stages, ends, strict=True)}
        times = dict(stages)
        # the engine's share: from the first engine stage to the shaping of its results
        engine_s = times["shaping flows"] - times["patent profiles"]
        # the part doing what the SQL does: profiles, CPC fields, areas and the citation flows
        citation_s = sum(breakdown.get(name, 0.0) for name in (
            "patent profiles", "CPC fields for patents without a WIPO field",
            "technology areas from CPC classes", "inventor shares by patent and area",
            "patent_citation flows"))
        flows = store.query(
            "SELECT channel, origin, destination, area, patents, "
            "fractional_count AS fractional FROM patent_flow_records")
        fields = store.query("SELECT patents_fractional, rta FROM patent_country_fields")
        by_area = store.query("SELECT area, patents_fractional, rta FROM patent_country_areas")
    summary = {"channels": {c: _channel(part) for c, part in flows.groupby("channel")},
               "country_fields": _country_fields(fields),
               "country_areas": _country_areas(by_area)}
    return {"seconds": engine_s, "ingest_seconds": seconds, "citation_seconds": citation_s,
            "area_seconds": breakdown.get("technology areas from CPC classes", 0.0),
            "stages": breakdown, "notes": dict(result.notes), **summary}


SQL = """
WITH loc AS (
  SELECT nullif(location_id, '') AS loc_key,
         min(upper(nullif(trim(disambig_country), ''))) AS code
  FROM read_parquet('{d}/g_location_disambiguated.parquet')
  WHERE nullif(location_id, '') IS NOT NULL GROUP BY 1),
placed AS (SELECT loc_key, iso3 FROM loc JOIN codes ON code = iso2),
inv AS (
  SELECT nullif(i.patent_id, '') AS patent_id, coalesce(p.iso3, 'UNK') AS country
  FROM read_parquet('{d}/g_inventor_disambiguated.parquet') i
  LEFT JOIN placed p ON nullif(i.location_id, '') = p.loc_key),
shares AS (
  SELECT patent_id, country,
         count(*) / sum(count(*)) OVER (PARTITION BY patent_id) AS share
  FROM inv GROUP BY patent_id, country),
pat AS (
  SELECT nullif(patent_id, '') AS patent_id,
         TRY_CAST(left(patent_date::VARCHAR, 4) AS INTEGER) AS year
  FROM read_parquet('{d}/g_patent.parquet')
  WHERE coalesce(TRY_CAST(withdrawn AS DOUBLE), 0) <> 1),
wipo AS (
  SELECT nullif(patent_id, '') AS patent_id,
         (min(coalesce(TRY_CAST(wipo_field_sequence AS DOUBLE), 1e6)::BIGINT * 64
              + TRY_CAST(wipo_field_id AS DOUBLE)::BIGINT) % 64)::INTEGER AS field
  FROM read_parquet('{d}/g_wipo_technology.parquet')
  WHERE TRY_CAST(wipo_field_id AS DOUBLE) BETWEEN 1 AND 35
    AND TRY_CAST(wipo_field_id AS DOUBLE) = floor(TRY_CAST(wipo_field_id AS DOUBLE))
  GROUP BY 1),
universe AS (
  SELECT pat.patent_id, pat.year, wipo.field FROM pat LEFT JOIN wipo USING (patent_id)
  WHERE pat.patent_id IS NOT NULL AND pat.year IS NOT NULL),
cpc AS (
  SELECT nullif(c.patent_id, '') AS patent_id,
         coalesce(TRY_CAST(cpc_sequence AS DOUBLE), 1e6) AS seq,
         coalesce(nullif(trim(cpc_group), ''), nullif(trim(cpc_subclass), '')) AS symbol
  FROM read_parquet('{d}/g_cpc_current.parquet') c
  WHERE nullif(c.patent_id, '') IN (SELECT patent_id FROM universe WHERE field IS NULL)),
first_cpc AS (
  SELECT patent_id, min(symbol) AS symbol FROM (
    SELECT *, min(seq) OVER (PARTITION BY patent_id) AS first FROM cpc
    WHERE symbol IS NOT NULL)
  WHERE seq = first GROUP BY 1),
fielded AS (
  SELECT u.patent_id, u.year, coalesce(u.field, m.field)::INTEGER AS field
  FROM universe u LEFT JOIN first_cpc f USING (patent_id) LEFT JOIN cpc_fields m USING (symbol)),
in_class AS (
  SELECT DISTINCT nullif(c.patent_id, '') AS patent_id, a.symbol, a.area
  FROM read_parquet('{d}/g_cpc_current.parquet') c
  JOIN cpc_areas a
    ON coalesce(nullif(trim(cpc_group), ''), nullif(trim(cpc_subclass), '')) = a.symbol),
votes AS (
  SELECT patent_id, area, count(*) / sum(count(*)) OVER (PARTITION BY patent_id) AS weight
  FROM in_class WHERE patent_id IN (SELECT patent_id FROM universe) GROUP BY 1, 2),
areas AS (
  SELECT patent_id, area, weight FROM votes
  UNION ALL
  SELECT f.patent_id, fa.area, 1.0 FROM fielded f LEFT JOIN field_areas fa USING (field)
  WHERE f.patent_id NOT IN (SELECT patent_id FROM votes)),
profile AS (
  SELECT s.patent_id, s.country, s.share, f.year, f.field
  FROM shares s JOIN fielded f USING (patent_id)),
citing AS (
  SELECT p.patent_id, p.country, p.share * a.weight AS w, p.year, p.field, a.area
  FROM profile p JOIN areas a USING (patent_id))
SELECT fr.country AS origin, t.country AS destination, t.year, t.field AS wipo_field, t.area,
       count(*) AS patents, sum(fr.share * t.w) AS fractional
FROM read_parquet('{d}/g_us_patent_citation.parquet') c
JOIN citing t ON nullif(c.patent_id, '') = t.patent_id
JOIN profile fr ON nullif(c.citation_patent_id, '') = fr.patent_id
GROUP BY ALL
"""


def run_sql(data: Path, memory_limit: str, temp: Path) -> dict:
    import duckdb
    import pandas as pd

    from reciprocity.sources.patentsview import country_codes

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'; SET temp_directory = '{temp}'; "
                "SET preserve_insertion_order = false")
    con.register("codes_df", pd.DataFrame(sorted(country_codes().items()),
                                          columns=["iso2", "iso3"]))
    con.execute("CREATE TEMP TABLE codes AS SELECT * FROM codes_df")
    con.register("cpc_df", pd.DataFrame(cpc_map(data), columns=["symbol", "field"]))
    con.execute("CREATE TEMP TABLE cpc_fields AS SELECT * FROM cpc_df")
    con.register("area_df", pd.DataFrame(cpc_area_map(data), columns=["symbol", "area"]))
    con.execute("CREATE TEMP TABLE cpc_areas AS SELECT * FROM area_df")
    con.register("field_df", pd.DataFrame(field_area_map(), columns=["field", "area"]))
    con.execute("CREATE TEMP TABLE field_areas AS SELECT field::INTEGER AS field, area "
                "FROM field_df")
    t0 = time.perf_counter()
    flows = con.execute(SQL.format(d=data)).df()
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "channels": {"patent_citation": _channel(flows)}}


def run_pandas(data: Path) -> dict:
    from reciprocity.sources.patentsview import country_codes, quirks

    patents_pandas = _sibling("patents_pandas")
    q = quirks()
    out = patents_pandas.run(data, country_codes(), dict(cpc_map(data)),
                             dict(cpc_area_map(data)), dict(field_area_map()),
                             period_length=int(q["periods"]["length_years"]),
                             first_year=int(q["periods"]["first_year"]),
                             rta_floor=float(q["rta_floor_patents"]))
    return {"seconds": out["seconds"], "citation_seconds": out["citation_seconds"],
            "channels": {c: _channel(f) for c, f in out["flows"].items()},
            "country_fields": _country_fields(out["country_fields"]),
            "country_areas": _country_areas(out["country_areas"])}


NO_AREA = "(none)"


def _channel(flows: object) -> dict:
    """What two implementations must agree on for a channel: its cross-border flows, area by
    area (``(none)``: flows of patents in no area)."""
    cross = flows[flows["origin"] != flows["destination"]]
    return {str(area): {"flows": len(part), "fractional": float(part["fractional"].sum()),
                        "patents": int(part["patents"].sum())}
            for area, part in cross.groupby(cross["area"].fillna(NO_AREA))}


def _country_areas(frame: object) -> dict:
    """The country-area counts and RTA, area by area."""
    return {str(area): _country_fields(part)
            for area, part in frame.groupby(frame["area"].fillna(NO_AREA))}


def _country_fields(frame: object) -> dict:
    """What they must agree on for the country-field counts: rows and RTA."""
    rta = frame["rta"].dropna()
    return {"rows": len(frame), "fractional": float(frame["patents_fractional"].sum()),
            "rta_defined": len(rta), "rta_sum": float(rta.sum())}


# -- driver ----------------------------------------------------------------------------------
def phase(name: str, args: argparse.Namespace) -> dict:
    """Run one implementation in a fresh process; its timing and peak memory."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", name,
           "--data", str(args.data), "--memory-limit", args.memory_limit,
           "--engine", args.engine, "--citations", str(args.citations)]
    print(f"running {name} …", file=sys.stderr)
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{name} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="pv-bench-") as tmp:
        temp = Path(tmp)
        if args.phase == "pipeline":
            result = run_pipeline(args.data, args.memory_limit, args.engine, temp)
        elif args.phase == "sql":
            result = run_sql(args.data, args.memory_limit, temp)
        else:
            result = run_pandas(args.data)
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))
    return 0


def disagreements(a: dict, b: dict) -> list[str]:
    """Where two implementations differ: channel by channel and area by area (the flows),
    and the country-field and country-area counts, for all that both computed."""
    def near(x: float, y: float) -> bool:
        return abs(x - y) <= 1e-6 * max(1.0, abs(x))

    out: list[str] = []
    for channel in sorted(a["channels"].keys() & b["channels"].keys()):
        xs, ys = a["channels"][channel], b["channels"][channel]
        for area in sorted(xs.keys() | ys.keys()):
            x, y = xs.get(area), ys.get(area)
            if x is None or y is None or (x["flows"], x["patents"]) != (
                    y["flows"], y["patents"]) or not near(x["fractional"], y["fractional"]):
                out.append(f"{channel} {area}: {x} vs {y}")
    pairs = []
    if "country_fields" in a and "country_fields" in b:
        pairs.append(("country_fields", a["country_fields"], b["country_fields"]))
    if "country_areas" in a and "country_areas" in b:
        for area in sorted(a["country_areas"].keys() | b["country_areas"].keys()):
            pairs.append((f"country_areas {area}", a["country_areas"].get(area),
                          b["country_areas"].get(area)))
    for name, x, y in pairs:
        if x is None or y is None or (x["rows"], x["rta_defined"]) != (
                y["rows"], y["rta_defined"]) or not (
                near(x["fractional"], y["fractional"]) and near(x["rta_sum"], y["rta_sum"])):
            out.append(f"{name}: {x} vs {y}")
    return out


def agree(a: dict, b: dict) -> bool:
    """Same results for every channel and area (and the country counts) both computed."""
    return not disagreements(a, b)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--citations", type=float, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--data", type=Path, help="input directory (default: generated)")
    ap.add_argument("--data-root", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--memory-limit", default="4GB")
    ap.add_argument("--pandas-max", type=float, default=10_000_000)
    ap.add_argument("--engine", default="duckdb", choices=("duckdb", "spark"))
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs of the pipeline and the SQL, alternating; the best counts")
    ap.add_argument("--phase", choices=("pipeline", "sql", "pandas"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.citations = int(args.citations)
    if args.phase:
        return child(args)
    if args.data is None:
        args.data = ensure_input(args.citations, args.seed, args.data_root, args.memory_limit)
    size = sum(p.stat().st_size for p in args.data.glob("*.parquet"))
    runs: dict[str, list[dict]] = {"pipeline": [], "sql": [], "pandas": []}
    with_pandas = args.citations <= args.pandas_max
    for _ in range(args.repeat):  # alternating, so that noise hits every implementation
        runs["pipeline"].append(phase("pipeline", args))
        runs["sql"].append(phase("sql", args))
        if with_pandas:
            runs["pandas"].append(phase("pandas", args))
    paired = [p["seconds"] / q["seconds"] for p, q in zip(runs["pipeline"], runs["sql"],
                                                             strict=True)]
    paired_pandas = [q["seconds"] / p["seconds"] for p, q in zip(runs["pipeline"],
                                                                 runs["pandas"], strict=False)]
    paired_pandas_citation = [q["citation_seconds"] / p["seconds"] for p, q in zip(
        runs["pipeline"], runs["pandas"], strict=False)]
    pipe = min(runs["pipeline"], key=lambda r: r["seconds"])
    sql = min(runs["sql"], key=lambda r: r["seconds"])
    pand = min(runs["pandas"], key=lambda r: r["seconds"]) if runs["pandas"] else None
    result = {
        "benchmark": "patents",
        "citations": args.citations,
        "seed": args.seed,
        "input_bytes": size,
        "engine": args.engine,
        "memory_limit": args.memory_limit,
        "repeat": args.repeat,
        "pipeline_s": round(pipe["seconds"], 2),
        "ingest_s": round(pipe["ingest_seconds"], 2),
        "duckdb_sql_s": round(sql["seconds"], 2),
        "pandas_s": round(pand["seconds"], 2) if pand else None,
        "ratio_vs_sql": round(pipe["seconds"] / sql["seconds"], 3),
        "paired_ratios": [round(r, 3) for r in paired],
        "paired_ratio_median": round(statistics.median(paired), 3),
        "ratio_vs_pandas": round(pand["seconds"] / pipe["seconds"], 2) if pand else None,
        "paired_pandas_ratios": [round(r, 2) for r in paired_pandas],
        "paired_pandas_ratio_median": (round(statistics.median(paired_pandas), 2)
                                       if paired_pandas else None),
        "pandas_citation_s": round(pand["citation_seconds"], 2) if pand else None,
        "ratio_vs_pandas_citation": (round(pand["citation_seconds"] / pipe["seconds"], 2)
                                     if pand else None),
        "paired_pandas_citation_ratios": [round(r, 2) for r in paired_pandas_citation],
        "paired_pandas_citation_ratio_median": (
            round(statistics.median(paired_pandas_citation), 2) if pand else None),
        "citation_ratio_vs_pandas_citation": (
            round(pand["citation_seconds"] / pipe["citation_seconds"], 2) if pand else None),
        "ingest_ratio_vs_sql": round(pipe["ingest_seconds"] / sql["seconds"], 3),
        "pipeline_citation_s": round(pipe["citation_seconds"], 2),
        "citation_ratio_vs_sql": round(pipe["citation_seconds"] / sql["seconds"], 3),
        "pipeline_stages_s": pipe["stages"],
        "all_runs_s": {k: [round(r["seconds"], 2) for r in v] for k, v in runs.items()},
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs["pipeline"]),
        "sql_peak_rss_mb": sql["peak_rss_mb"],
        "pandas_peak_rss_mb": max(r["peak_rss_mb"] for r in runs["pandas"]) if pand else None,
        "area_step_s": round(pipe["area_seconds"], 2),
        "area_step_share": round(pipe["area_seconds"] / pipe["seconds"], 3),
        "citation_flows": sum(v["flows"] for v in pipe["channels"]["patent_citation"].values()),
        "citation_flows_by_area": {area: round(v["fractional"], 1) for area, v in
                                   pipe["channels"]["patent_citation"].items()},
        "disagreements": disagreements(pipe, sql) + (disagreements(pipe, pand) if pand
                                                     else []),
        "results_agree": agree(pipe, sql) and (pand is None or agree(pipe, pand)),
        "targets": {"ratio_vs_sql_max": 1.3, "ratio_vs_pandas_min": 5.0,
                    "peak_rss_mb_max": 8192},
        "measured": time.strftime("%Y-%m-%d"),
        "load_average": [round(x, 1) for x in os.getloadavg()],  # the shared machine's load
        "machine": machine(),
        "python": platform.python_version(),
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
