"""Synthetic PatentsView bulk tables at any size, seeded, with PatentsView's documented schema.

Usage: python benchmarks/synth_patentsview.py OUTDIR --citations N [--seed S]
       [--format tsv|parquet] [--memory-limit 4GB] [--defence-scale 1]

Writes g_patent, g_us_patent_citation, g_inventor_disambiguated, g_location_disambiguated,
g_assignee_disambiguated, g_wipo_technology and g_cpc_current as ``<table>.parquet`` or as
``<table>.tsv.zip`` (a tab-separated file in a zip, text fields double-quoted as PatentsView
publishes them), readable by ``reciprocity ingest patentsview OUTDIR``.

Sizes follow the real tables' proportions: one patent per 14 citations, about 2.4 inventors
and 1 assignee per patent. Skew: inventor countries drawn from shares close to the U.S.
grants' (US 46 %, JP 16 %, DE 6.5 %, KR 5.5 %, CN 5 %, …) with 12 % of inventors outside the
patent's home country; more patents in later grant years (1976–2024); citation lags drawn
from an exponential distribution; a skewed mix of WIPO fields (computer technology, digital
communication, medical technology and semiconductors lead). Defence classes (``DEFENCE``):
3.3 % of patents carry an additional CPC class placed directly in a defence area of the
taxonomy (aircraft B64C/B64D, space B64G, uncrewed B64U, ships B63, weapons F41/F42, missiles
F42B15, rocket and jet engines F02K, armoured vehicles F41H7, directed energy F41H13, radar
G01S, navigation G01S19), a fifth of them a second one (a patent in two areas). The shares are
an assumption of the order of magnitude (CPC B64 about 1 % of U.S. grants, weapons and
ammunition F41/F42 a few per mille), not measured: no PatentsView table is at hand to check
them; ``defence_scale`` multiplies them (tests use it so that small tables reach every area).
Real-data blemishes are kept in
small, seeded proportions: inventors without a location (0.8 %), locations without a country
(0.5 %), assignees without a location (5 %), unassigned patents (8 %), patents without a WIPO
field (1 %, placed by their CPC class), citations of patents outside the table (2 %), and
organisation names with quotes and tabs. Every value is a hash of the row number and the
seed, so the same arguments give the same files.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
import zipfile
from pathlib import Path

import duckdb

TABLES = ("g_patent", "g_us_patent_citation", "g_inventor_disambiguated",
          "g_location_disambiguated", "g_assignee_disambiguated", "g_wipo_technology",
          "g_cpc_current")

# Inventor-country shares (per mille), close to the shares of U.S. grants by inventor country.
COUNTRIES = [
    ("US", 460), ("JP", 160), ("DE", 65), ("KR", 55), ("CN", 50), ("TW", 32), ("GB", 20),
    ("FR", 20), ("CA", 19), ("IL", 12), ("IT", 10), ("CH", 10), ("NL", 9), ("SE", 9),
    ("IN", 9), ("AU", 5), ("FI", 5), ("BE", 4), ("DK", 4), ("AT", 4), ("SG", 3), ("ES", 3),
    ("NO", 2), ("IE", 2), ("BR", 1), ("RU", 2), ("MX", 1), ("PL", 1), ("NZ", 1), ("ZA", 2),
]
# WIPO field mix (per mille) and a CPC subclass of each field (WIPO's concordance).
FIELDS = [
    (6, 130, "G06F"), (4, 90, "H04L"), (13, 70, "A61B"), (8, 60, "H01L"), (3, 45, "H04W"),
    (10, 45, "G01N"), (1, 45, "H01M"), (2, 40, "H04N"), (9, 35, "G02B"), (16, 35, "A61K"),
    (7, 30, "G06Q"), (32, 30, "B60R"), (31, 25, "F16H"), (15, 22, "C12N"), (14, 20, "C07D"),
    (12, 20, "G05B"), (29, 20, "A01B"), (27, 18, "F02C"), (17, 18, "C08L"), (34, 18, "A63F"),
    (25, 15, "B25J"), (26, 15, "B23K"), (20, 15, "C22C"), (21, 15, "C23C"), (19, 12, "C09K"),
    (35, 12, "E04B"), (33, 12, "A47C"), (23, 10, "B01J"), (5, 10, "H03K"), (11, 8, "G01N33"),
    (30, 8, "F24F"), (24, 8, "B01D"), (28, 6, "D06F"), (18, 5, "A23L"), (22, 4, "B81B"),
]
# Additional CPC classes placed directly in a defence area (per 100,000 patents), each with
# the taxonomy's area (cpc_areas.csv) in the comment. Assumed orders of magnitude, see above.
DEFENCE = [
    ("B64C", 800),    # aerospace: aeroplanes, helicopters
    ("B64D", 400),    # aerospace: aircraft equipment
    ("B64G", 150),    # space
    ("B64U", 150),    # uncrewed_systems: uncrewed aerial vehicles
    ("B63B", 200),    # naval_shipbuilding: ships
    ("B63H", 100),    # naval_shipbuilding: marine propulsion
    ("F41A", 100),    # guns_artillery: weapons
    ("F42B", 100),    # guns_artillery: ammunition
    ("F42B15", 50),   # missiles_propulsion: rockets and missiles
    ("F02K", 50),     # missiles_propulsion: jet and rocket engines
    ("F41H7", 30),    # land_systems: armoured or armed vehicles
    ("F41H13", 20),   # directed_energy: directed-energy weapons
    ("G01S7", 900),   # sensors_radar: radar, sonar, lidar
    ("G01S19", 250),  # pnt: satellite positioning
]
SECOND_DEFENCE_CLASS = 0.2  # share of those patents with a second defence class
SECTORS = {range(1, 9): "Electrical engineering", range(9, 14): "Instruments",
           range(14, 25): "Chemistry", range(25, 33): "Mechanical engineering",
           range(33, 36): "Other fields"}


def _slots(items: list[tuple], weight: int) -> str:
    """``VALUES`` rows mapping 1000 slots to items in proportion to their weight."""
    total = sum(item[weight] for item in items)
    rows: list[str] = []
    for item in items:
        values = ", ".join(repr(v) for i, v in enumerate(item) if i != weight)
        n = max(1, round(item[weight] * 1000 / total))
        rows += [values] * n
    rows = (rows + [rows[0]] * 1000)[:1000]  # rounding: pad with, or trim, the largest tail
    return ", ".join(f"({slot}, {values})" for slot, values in enumerate(rows))


def _sector(field: int) -> str:
    return next(s for r, s in SECTORS.items() if field in r)


def _defence_bounds(scale: float) -> str:
    """``VALUES`` rows ``(cpc, lo, hi)``: each defence class's interval of [0, 1)."""
    rows, lo = [], 0.0
    for cpc, per_100k in DEFENCE:
        hi = lo + per_100k * scale / 100_000
        rows.append(f"({cpc!r}, {lo!r}, {hi!r})")
        lo = hi
    if lo > 1:
        raise ValueError(f"defence_scale {scale} puts {lo:.0%} of patents in defence classes")
    return ", ".join(rows)


def generate(outdir: str | Path, citations: int, seed: int = 1, fmt: str = "parquet",
             memory_limit: str = "4GB", log: bool = False, defence_scale: float = 1.0
             ) -> dict[str, Path]:
    """Write the tables into ``outdir``; returns the path of each."""
    if fmt not in ("tsv", "parquet"):
        raise ValueError(f"format must be tsv or parquet, not {fmt!r}")
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    n_cit = int(citations)
    n_pat = max(60, n_cit // 14)
    n_loc = min(30_000, max(300, n_pat // 40))
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'; SET preserve_insertion_order = false")
    con.execute(f"SET temp_directory = '{out / '.tmp'}'")
    s = int(seed)
    # u(i, salt): a uniform number in [0, 1) from the row number, a salt and the seed
    con.execute(f"CREATE MACRO u(i, salt) AS (hash(i, salt, {s}) % 1000000007) / 1000000007.0")
    con.execute(f"CREATE TABLE cslot AS SELECT * FROM (VALUES {_slots(COUNTRIES, 1)}) "
                "t(slot, iso2)")
    con.execute(f"CREATE TABLE fslot AS SELECT * FROM (VALUES {_slots(FIELDS, 1)}) "
                "t(slot, field, cpc)")
    con.execute(f"CREATE TABLE dbound AS SELECT * FROM (VALUES {_defence_bounds(defence_scale)}"
                ") t(cpc, lo, hi)")
    con.execute("CREATE TABLE fields AS SELECT * FROM (VALUES "
                + ", ".join(f"({f}, {c!r}, {_sector(f)!r})" for f, _, c in FIELDS)
                + ") t(field, cpc, sector)")
    # locations: each country gets a block of ids in proportion to its share
    blocks, start = [], 0
    for iso2, weight in COUNTRIES:
        n = max(3, n_loc * weight // 1000)
        blocks.append(f"({iso2!r}, {start}, {n})")
        start += n
    con.execute(f"CREATE TABLE cblock AS SELECT * FROM (VALUES {', '.join(blocks)}) "
                "t(iso2, first, n)")
    n_loc = start
    timings: dict[str, float] = {}

    def write(name: str, sql: str, quoted: list[str]) -> None:
        t0 = time.perf_counter()
        if fmt == "parquet":
            con.execute(f"COPY ({sql}) TO '{out / (name + '.parquet')}' "
                        "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)")
        else:
            tsv = out / f"{name}.tsv"
            force = f", FORCE_QUOTE ({', '.join(quoted)})" if quoted else ""
            con.execute(f"COPY ({sql}) TO '{tsv}' (FORMAT csv, DELIMITER '\t', HEADER, "
                        f"QUOTE '\"', ESCAPE '\"'{force})")
            _zip_quoted(tsv, out / f"{name}.tsv.zip")
            tsv.unlink()
        timings[name] = time.perf_counter() - t0
        if log:
            print(f"  {name}: {timings[name]:.1f} s", file=sys.stderr)

    year = f"(1976 + floor(48.99 * pow(i / {n_pat}, 0.7)))::INT"
    # patents: index i is also time order; 1 % have no WIPO field (then placed by their CPC)
    con.execute(f"""CREATE TABLE pat AS SELECT i, (4000000 + i)::VARCHAR AS patent_id,
        {year} AS year, c.iso2 AS home, f.field, f.cpc, u(i, 3) < 0.20 AS two_fields,
        u(i, 4) < 0.01 AS no_field, f2.field AS field2
        FROM range({n_pat}) r(i)
        JOIN cslot c ON c.slot = (u(i, 1) * 1000)::INT % 1000
        JOIN fslot f ON f.slot = (u(i, 2) * 1000)::INT % 1000
        JOIN fslot f2 ON f2.slot = (u(i, 5) * 1000)::INT % 1000""")
    write("g_patent", f"""SELECT patent_id, 'utility' AS patent_type,
        make_date(year, 1 + (hash(i, 6, {s}) % 12)::INT, 1 + (hash(i, 7, {s}) % 28)::INT)
            ::VARCHAR AS patent_date,
        'Synthetic invention ' || i || CASE WHEN i % 97 = 0 THEN ' with a "quoted" word'
            ELSE '' END AS patent_title,
        CASE WHEN u(i, 8) < 0.6 THEN 'B2' ELSE 'B1' END AS wipo_kind,
        (1 + hash(i, 9, {s}) % 30)::INT AS num_claims, 0 AS withdrawn,
        'ipg' || year || '.xml' AS filename FROM pat ORDER BY i""",
          ["patent_id", "patent_type", "patent_date", "patent_title", "wipo_kind", "filename"])
    write("g_location_disambiguated", f"""SELECT 'loc' || lpad(l::VARCHAR, 7, '0') AS location_id,
        'City ' || l AS disambig_city, CASE WHEN b.iso2 = 'US' THEN 'CA' END AS disambig_state,
        CASE WHEN u(l, 20) < 0.005 THEN NULL ELSE b.iso2 END AS disambig_country,
        round(-60 + u(l, 21) * 120, 4) AS latitude, round(-180 + u(l, 22) * 360, 4) AS longitude,
        NULL AS county, NULL AS state_fips, NULL AS county_fips
        FROM range({n_loc}) r(l) JOIN cblock b ON l >= b.first AND l < b.first + b.n""",
          ["location_id", "disambig_city", "disambig_state", "disambig_country"])
    # inventors: 1 + geometric (mean ~2.4), 88 % in the patent's home country
    write("g_inventor_disambiguated", f"""WITH inv AS (
          SELECT i, patent_id, home, unnest(range(1 + least(11,
              floor(-ln(1 - u(i, 30)) * 1.6))::INT)) AS seq FROM pat),
        placed AS (SELECT inv.*, i * 16 + seq AS k,
              CASE WHEN u(i * 16 + seq, 31) < 0.88 THEN home ELSE c.iso2 END AS iso2
          FROM inv JOIN cslot c ON c.slot = (u(i * 16 + seq, 32) * 1000)::INT % 1000)
        SELECT p.patent_id, p.seq AS inventor_sequence,
          'inv' || (hash(p.k, 33, {s}) % {max(10, n_pat * 2)}) AS inventor_id,
          'First' || (p.k % 997) AS disambig_inventor_name_first,
          'Last' || (p.k % 991) AS disambig_inventor_name_last,
          CASE WHEN u(p.k, 34) < 0.7 THEN 'M' ELSE 'F' END AS gender_code,
          CASE WHEN u(p.k, 35) < 0.008 THEN NULL ELSE 'loc' || lpad((b.first
              + hash(p.k, 36, {s}) % b.n)::VARCHAR, 7, '0') END AS location_id
        FROM placed p JOIN cblock b USING (iso2)""",
          ["patent_id", "inventor_id", "disambig_inventor_name_first",
           "disambig_inventor_name_last", "gender_code", "location_id"])
    # assignees: none for 8 %, two for 7 %; 80 % in the home country
    write("g_assignee_disambiguated", f"""WITH a AS (
          SELECT i, patent_id, home, unnest(range(CASE WHEN u(i, 40) < 0.08 THEN 0
              WHEN u(i, 40) < 0.93 THEN 1 ELSE 2 END)) AS seq FROM pat),
        placed AS (SELECT a.*, i * 4 + seq AS k,
              CASE WHEN u(i * 4 + seq, 41) < 0.8 THEN home ELSE c.iso2 END AS iso2
          FROM a JOIN cslot c ON c.slot = (u(i * 4 + seq, 42) * 1000)::INT % 1000)
        SELECT p.patent_id, p.seq AS assignee_sequence,
          'asg' || (hash(p.k, 43, {s}) % {max(10, n_pat // 20)}) AS assignee_id,
          NULL AS disambig_assignee_individual_name_first,
          NULL AS disambig_assignee_individual_name_last,
          CASE WHEN p.k % 113 = 0 THEN 'Acme "Widgets"' || chr(9) || 'Corp ' || p.iso2
               ELSE 'Company ' || (hash(p.k, 43, {s}) % 5000) || ' ' || p.iso2 END
               AS disambig_assignee_organization,
          CASE WHEN p.iso2 = 'US' THEN 2 ELSE 3 END AS assignee_type,
          CASE WHEN u(p.k, 44) < 0.05 THEN NULL ELSE 'loc' || lpad((b.first
              + hash(p.k, 45, {s}) % b.n)::VARCHAR, 7, '0') END AS location_id
        FROM placed p JOIN cblock b USING (iso2)""",
          ["patent_id", "assignee_id", "disambig_assignee_organization", "location_id"])
    write("g_wipo_technology", """WITH w AS (
          SELECT patent_id, 0 AS seq, field FROM pat WHERE NOT no_field
          UNION ALL SELECT patent_id, 1, field2 FROM pat
              WHERE two_fields AND NOT no_field AND field2 <> field)
        SELECT w.patent_id, w.seq AS wipo_field_sequence, w.field::VARCHAR AS wipo_field_id,
          f.sector AS wipo_sector_title, 'Field ' || w.field AS wipo_field_title
        FROM w JOIN fields f USING (field)""",
          ["patent_id", "wipo_field_id", "wipo_sector_title", "wipo_field_title"])
    # defence classes: one for a patent whose draw falls in a class's interval, and for a
    # fifth of those a second one drawn alike (possibly the same class: one vote, not two)
    write("g_cpc_current", f"""WITH c AS (
          SELECT patent_id, 0 AS seq, cpc FROM pat
          UNION ALL SELECT patent_id, 1, 'G06F' FROM pat WHERE i % 3 = 0
          UNION ALL SELECT patent_id, 2, d.cpc FROM pat
              JOIN dbound d ON u(i, 60) >= d.lo AND u(i, 60) < d.hi
          UNION ALL SELECT patent_id, 3, d2.cpc FROM pat
              JOIN dbound d ON u(i, 60) >= d.lo AND u(i, 60) < d.hi
              JOIN dbound d2 ON u(i, 62) * (SELECT max(hi) FROM dbound) >= d2.lo
                  AND u(i, 62) * (SELECT max(hi) FROM dbound) < d2.hi
              WHERE u(i, 61) < {SECOND_DEFENCE_CLASS})
        SELECT patent_id, seq AS cpc_sequence, left(cpc, 1) AS cpc_section,
          left(cpc, 3) AS cpc_class, left(cpc, 4) AS cpc_subclass,
          CASE WHEN length(cpc) > 4 THEN cpc || '/00' ELSE cpc || '1/00' END AS cpc_group,
          CASE WHEN seq = 0 THEN 'inventional' ELSE 'additional' END AS cpc_type
        FROM c""",
          ["patent_id", "cpc_section", "cpc_class", "cpc_subclass", "cpc_group", "cpc_type"])
    # citations: later patents cite more; exponential lags; 2 % cite patents outside the table
    # citation_sequence is the row number: no key (nor row) given twice, as in PatentsView
    write("g_us_patent_citation", f"""WITH c AS (
          SELECT r, floor({n_pat} * sqrt(u(r, 50)))::BIGINT AS citing,
            1 + floor(-ln(1 - u(r, 51)) * {max(1.0, n_pat * 0.06)})::BIGINT AS lag
          FROM range({n_cit}) t(r))
        SELECT (4000000 + citing)::VARCHAR AS patent_id, r::BIGINT AS citation_sequence,
          CASE WHEN u(r, 52) < 0.02 THEN (3000000 + hash(r, 53, {s}) % 900000)::VARCHAR
               WHEN citing - lag >= 0 THEN (4000000 + citing - lag)::VARCHAR
               ELSE (4000000 + hash(r, 54, {s}) % greatest(citing, 1))::VARCHAR
          END AS citation_patent_id,
          make_date(1976 + floor(48.99 * pow(greatest(citing - lag, 0) / {n_pat}, 0.7))::INT,
                    1, 1)::VARCHAR AS citation_date,
          'Inventor' AS record_name, 'B2' AS wipo_kind,
          CASE WHEN u(r, 55) < 0.4 THEN 'cited by examiner' ELSE 'cited by applicant' END
            AS citation_category
        FROM c""",
          ["patent_id", "citation_patent_id", "citation_date", "record_name", "wipo_kind",
           "citation_category"])
    con.close()
    shutil.rmtree(out / ".tmp", ignore_errors=True)
    suffix = ".parquet" if fmt == "parquet" else ".tsv.zip"
    return {name: out / f"{name}{suffix}" for name in TABLES}


def _zip_quoted(tsv: Path, target: Path) -> None:
    """Zip ``tsv`` as PatentsView does, with the header's names quoted (DuckDB writes them
    bare), streaming the rest of the file."""
    with open(tsv, "rb") as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED,
                                                  compresslevel=1) as zf:
        names = src.readline().rstrip(b"\r\n").split(b"\t")
        info = zipfile.ZipInfo(tsv.name, date_time=time.localtime()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as dst:
            dst.write(b"\t".join(b'"' + n.strip(b'"') + b'"' for n in names) + b"\n")
            shutil.copyfileobj(src, dst, 16 << 20)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--citations", type=float, required=True,
                    help="number of citation rows (e.g. 1e7); the other tables scale with it")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", choices=("tsv", "parquet"), default="parquet")
    ap.add_argument("--memory-limit", default="4GB")
    ap.add_argument("--defence-scale", type=float, default=1.0,
                    help="multiplies the shares of patents in defence classes")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    paths = generate(args.outdir, int(args.citations), args.seed, args.format,
                     args.memory_limit, log=True, defence_scale=args.defence_scale)
    size = sum(p.stat().st_size for p in paths.values())
    print(f"wrote {len(paths)} tables ({size / 1e6:,.1f} MB) to {args.outdir} in "
          f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
