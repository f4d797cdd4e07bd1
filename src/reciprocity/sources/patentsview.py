"""PatentsView bulk tables (USPTO granted patents): citation, co-invention and ownership flows.

The input is a directory holding PatentsView's "g_" tables as published (``<table>.tsv.zip``)
or as Parquet (``<table>.parquet``). Every table is checked before anything is computed
(present, readable, with a documented header); then one Ibis pipeline
(:mod:`reciprocity.engine.patents`) runs on DuckDB or Spark and returns small aggregates:
flows by channel, country pair, grant year and WIPO field, and patent counts with the revealed
technological advantage per country, field and period. Source rows are not stored: the
aggregates are, each flow with a stable ``record_id`` into ``patent_flow_records``; the input
files are archived by reference (path, size, SHA-256). Quirks live in ``data/patentsview.yaml``.
"""

from __future__ import annotations

import csv
import inspect
import io
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pycountry

from reciprocity import countries
from reciprocity.errors import FormatError, InputError, Problem, ReciprocityError
from reciprocity.sources import patentsview_rows as rows
from reciprocity.sources.base import Parsed, Progress, Source, load_info, load_quirks
from reciprocity.store.lineage import record_table, vintage_id
from reciprocity.store.schema import Field, Table, register

INFO = load_info("patentsview")
CHANNELS = INFO.channels
UNITS = INFO.units
MODES = {"patent_citation": "unspecified", "coinvention": "joint",
         "patent_ownership": "unspecified"}

RECORDS = register(record_table(
    name="patent_flow_records",
    description="PatentsView flows as aggregated by the patent pipeline: one row per channel, "
                "country pair, grant year, WIPO field and technology area, with the whole "
                "and the fractional count (source rows are not stored; the input files are "
                "archived by reference in `raw_references`). Flows point here by `record_id`.",
    record="Stable id of the aggregate, a hash of channel, origin, "
           "destination, year, WIPO field and area (the same in every vintage).",
    fields=(
        Field("channel", "VARCHAR", "Channel of the flow.", False, enum=CHANNELS),
        Field("origin", "VARCHAR", "Cited patent's inventor country (citations), the first "
              "country of the pair in code order (co-invention) or the inventor country "
              "(ownership); `UNK` where inventors could not be placed.", False),
        Field("destination", "VARCHAR", "Citing patent's inventor country, the second country "
              "of the pair, or the assignee (owner) country.", False),
        Field("year", "INTEGER", "Grant year of the citing patent (citations) or of the "
              "patent.", False),
        Field("wipo_field", "INTEGER", "WIPO technology field (1–35) of the citing patent or "
              "of the patent; empty when it has none."),
        Field("area", "VARCHAR", "Technology area of the citing patent or of the patent: "
              "from its CPC classes placed directly in an area (fractional across areas), "
              "else from its WIPO field (docs/taxonomy.md); empty when neither places it."),
        Field("patents", "BIGINT", "Whole count: citations (patent_citation) or patents "
              "(coinvention, patent_ownership) contributing to the row (one in several areas "
              "counts in each).", False),
        Field("fractional_count", "DOUBLE", "Fractional count (the flow's magnitude): each "
              "citation or patent counts 1 in total, split over countries and areas.", False,
              unit="citations_fractional or patents_fractional"),
    ),
))

def _country_counts(unit: str, short: str, *by: Field) -> tuple[Field, ...]:
    """The columns of patent counts per country, ``unit`` (field or area: the ``by``
    columns) and period."""
    return (
        vintage_id(),
        Field("country", "VARCHAR", "Inventor country (`UNK`: inventors not placed).", False),
        *by,
        Field("period", "VARCHAR", "Grant-year window, e.g. `2019–2021`.", False),
        Field("period_start", "INTEGER", "First year of the window.", False),
        Field("patents", "BIGINT", "Patents with at least one inventor in the country "
              f"(whole count; a patent in several {unit}s counts in each).", False),
        Field("patents_fractional", "DOUBLE", f"P_c{short}: the country's fractional patent "
              f"count in the {unit}.", False, unit="patents_fractional"),
        Field("country_patents_fractional", "DOUBLE", "P_c: the country's fractional count "
              f"over all {unit}s in the window.", False, unit="patents_fractional"),
        Field("rta", "DOUBLE", "Revealed technological advantage (an index, never summed); "
              f"empty when P_c is at or below the floor, for `UNK` and for patents without "
              f"a {unit}."),
        Field("below_floor", "BOOLEAN", "P_c is at or below the floor (500 patents in the "
              "window, as the OECD applies): RTA not computed.", False),
    )


COUNTRY_FIELDS = register(Table(
    name="patent_country_fields",
    description="Patents per inventor country, WIPO field and period (fractional counting) "
                "with the revealed technological advantage, from a PatentsView vintage. RTA = "
                "(P_cf / P_c) / (P_f / P); empty below the OECD-style floor.",
    fields=_country_counts(
        "field", "f",
        Field("wipo_field", "INTEGER", "WIPO technology field (1–35); empty for patents "
              "without a field (not used for RTA)."),
        Field("area", "VARCHAR", "Technology area of the WIPO field (wipo_fields.csv; the "
              "patents' areas from CPC classes are in `patent_country_areas`); empty when "
              "not placed.")),
))

COUNTRY_AREAS = register(Table(
    name="patent_country_areas",
    description="Patents per inventor country, technology area and period (fractional "
                "counting over countries and over a patent's areas, docs/taxonomy.md) with "
                "the revealed technological advantage by area, from a PatentsView vintage. "
                "RTA = (P_ca / P_c) / (P_a / P) over patents placed in an area.",
    fields=_country_counts(
        "area", "a",
        Field("area", "VARCHAR", "Technology area; empty for patents placed in none (not "
              "used for RTA).")),
))


def quirks() -> dict[str, Any]:
    """The PatentsView quirks file (documented headers, NA markers, counting settings)."""
    return load_quirks("patentsview")


def country_codes(aliases: Mapping[str, str] | None = None) -> dict[str, str]:
    """``disambig_country`` (ISO alpha-2) → the project's country code."""
    out: dict[str, str] = {}
    for entry in pycountry.countries:
        found = countries.lookup(entry.alpha_3)
        if found is not None:
            out[entry.alpha_2] = found.code
    for alpha2, code in quirks()["country_code_overrides"].items():
        found = countries.lookup(code)
        if found is not None:
            out[str(alpha2).upper()] = found.code
    for name, code in (aliases or {}).items():
        found = countries.lookup(str(code))
        if len(name.strip()) == 2 and found is not None:
            out[name.strip().upper()] = found.code
    return out


def field_areas() -> dict[int, str | None]:
    """WIPO field (1–35) → technology area id (None: no area), from the taxonomy's
    ``wipo_fields`` crosswalk."""
    from reciprocity import taxonomy

    return {int(r["field"]): (taxonomy.check_area(r["area"]) if r["area"] else None)
            for r in taxonomy.crosswalk_rows("wipo_fields") if r["field"].isdigit()}


def cpc_field() -> Callable[[str], int | None]:
    """The taxonomy's CPC → WIPO field concordance."""
    from reciprocity import taxonomy

    return taxonomy.wipo_field_for_cpc


def cpc_area() -> Callable[[str], str | None]:
    """The taxonomy's direct CPC placements (``cpc_areas.csv``, longest prefix)."""
    from reciprocity import taxonomy

    return taxonomy.direct_area_for_cpc


# -- the input directory ---------------------------------------------------------------------
def locate(path: Path) -> dict[str, Path]:
    """The file of each table in ``path``; a missing required table raises, naming it."""
    path = Path(path)
    if not path.is_dir():
        expected = "a directory holding PatentsView's tables (g_patent.tsv.zip, …)"
        what = "a file" if path.is_file() else "nothing"
        raise InputError(f"{path}: not a directory", [Problem(str(path), what, expected)])
    found: dict[str, Path] = {}
    problems: list[Problem] = []
    patterns = quirks()["file_patterns"]
    for table, spec in quirks()["tables"].items():
        for pattern in patterns:
            candidate = path / pattern.format(table=table)
            if candidate.is_file():
                found[table] = candidate
                break
        else:
            if spec["required"]:
                names = " or ".join(p.format(table=table) for p in patterns)
                problems.append(Problem(f"{path}/{patterns[1].format(table=table)}",
                                        "no such file", f"the {table} table ({names})"))
    if problems:
        raise FormatError(f"{path}: {len(problems)} PatentsView table(s) missing", problems)
    return found


def _tsv_member(zf: zipfile.ZipFile, table: str, where: str) -> zipfile.ZipInfo:
    members = [i for i in zf.infolist() if not i.is_dir()]
    for info in members:
        if Path(info.filename).name == f"{table}.tsv":
            return info
    tsvs = [i for i in members if i.filename.endswith(".tsv")]
    if len(tsvs) == 1:
        return tsvs[0]
    raise FormatError(f"{where}: no {table}.tsv inside", [Problem(
        where, f"members {[i.filename for i in members][:5]}",
        f"one tab-separated file {table}.tsv, as PatentsView publishes it")])


def _header_line(raw: bytes) -> list[str]:
    line = raw.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", "replace").lstrip("\ufeff")
    return next(csv.reader(io.StringIO(line), delimiter="\t", quotechar='"'), [])


def check(files: Mapping[str, Path]) -> tuple[dict[str, list[str]], list[Problem]]:
    """Header of every table against the documented ones; every problem at once."""
    headers: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for table, path in files.items():
        documented = quirks()["tables"][table]["headers"]
        expected = " or ".join(repr("\t".join(h)) for h in documented)
        try:
            if path.suffix == ".parquet":
                import pyarrow.parquet as pq
                header = list(pq.read_schema(path).names)
                ok = any(sorted(header) == sorted(h) for h in documented)
            else:
                if path.name.endswith(".zip"):
                    with zipfile.ZipFile(path) as zf:
                        member = _tsv_member(zf, table, str(path))
                        with zf.open(member) as fh:
                            head = fh.read(65536)
                else:
                    with open(path, "rb") as fh:
                        head = fh.read(65536)
                header = _header_line(head)
                ok = header in documented
        except FormatError as exc:
            problems += exc.problems
            continue
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            problems.append(Problem(str(path), f"a corrupt or unreadable file ({exc})",
                                    f"a zip holding {table}.tsv as PatentsView publishes it"
                                    if path.name.endswith(".zip") else f"the {table} table"))
            continue
        except Exception as exc:  # pyarrow raises its own error types
            problems.append(Problem(str(path), f"an unreadable file ({exc})",
                                    f"a Parquet file with the columns of {table}"))
            continue
        if not ok:
            shown = "\t".join(header)[:200] if header else "an empty file"
            problems.append(Problem(f"{path}, header", repr(shown),
                                    f"the documented header of {table}: {expected}"))
        headers[table] = header
    return headers, problems


def _extract(path: Path, table: str, into: Path) -> Path:
    """Unzip ``table``'s TSV into ``into`` (checking its CRC); a corrupt zip raises."""
    target = into / f"{table}.tsv"
    try:
        with zipfile.ZipFile(path) as zf:
            member = _tsv_member(zf, table, str(path))
            with zf.open(member) as src, open(target, "wb") as out:
                rows.copy_checked(src, out, str(path))  # refuses a NUL byte
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise FormatError(f"{path}: corrupt zip", [Problem(
            str(path), f"a damaged archive ({exc})",
            f"a complete zip holding {table}.tsv (download it again)")]) from None
    return target


def _published_at(files: Mapping[str, Path]) -> datetime | None:
    """Newest date among the zips' member stamps (the publisher's) and the files' dates."""
    stamps: list[datetime] = []
    for table, path in files.items():
        if path.name.endswith(".zip"):
            try:
                with zipfile.ZipFile(path) as zf:
                    stamps.append(datetime(*_tsv_member(zf, table, str(path)).date_time))
                continue
            except (zipfile.BadZipFile, ValueError, FormatError):
                pass
        stamps.append(datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0))
    return max(stamps) if stamps else None


def _reporter(progress: Progress | None, total: int) -> Callable[[str], None]:
    """``stage(name)``: advance the progress callback, naming the stage where it can."""
    if progress is None:
        return lambda _name: None
    try:
        params = inspect.signature(progress).parameters.values()
        named = any(p.kind is p.VAR_POSITIONAL for p in params) or len(params) >= 3
    except (TypeError, ValueError):
        named = False
    done = iter(range(1, 10_000))

    def stage(name: str) -> None:
        step = min(next(done), total)
        if named:
            progress(step, total, name)  # type: ignore[call-arg]
        else:
            progress(step, total)
    return stage


# -- the source ------------------------------------------------------------------------------
class PatentsViewSource(Source):
    """Reader for a directory of PatentsView granted-patent bulk tables."""

    info = INFO
    record_table = RECORDS
    other_tables = (COUNTRY_FIELDS, COUNTRY_AREAS)
    record_key = ("channel", "origin", "destination", "year", "wipo_field", "area")
    sampling_unit = None  # records are sums over patents, which are not kept
    archive_by_reference = True
    STAGES = 14
    """Stages :meth:`read` reports: 4 here, 9 in the pipeline (one of them, CPC fields for
    patents without a WIPO field, only with a CPC table), then shaping the flows."""

    def input_files(self, path: Path) -> list[Path]:
        """The table files the store hashes and archives by reference."""
        return sorted(locate(Path(path)).values())

    def sniff(self, head: str) -> str | None:
        header = _header_line(head.encode("utf-8"))
        for table, spec in quirks()["tables"].items():
            if header in spec["headers"]:
                return f"tsv:{table}"
        return None

    def read(self, path: Path, aliases: Mapping[str, str] | None = None,
             progress: Progress | None = None,
             options: Mapping[str, object] | None = None) -> Parsed:
        from reciprocity import engine
        from reciprocity.engine import patents as pipeline

        opts = dict(options or {})
        stage = _reporter(progress, self.STAGES)
        path = Path(path)
        stage("checking tables")
        files = locate(path)
        _headers, problems = check(files)
        if problems:
            raise FormatError(f"{path}: {len(problems)} table(s) not as PatentsView documents "
                              "them", problems)
        if opts.get("engine") == "spark":  # a wrong master is named before unzipping
            engine.check_master(_opt(opts, "spark_master"))
        temp_root = Path(str(opts.get("temp_dir") or engine.default_temp_dir()))
        temp_root.mkdir(parents=True, exist_ok=True)
        # zipped tables are unpacked where every Spark worker can read them (--unpack-dir)
        unpack_root = Path(str(opts.get("unpack_dir") or engine.default_unpack_dir(temp_root)))
        unpack_root.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="patentsview-", dir=unpack_root))
        con = None
        try:
            stage("unzipping tables")
            readable = {t: (_extract(p, t, work) if p.name.endswith(".zip") else p)
                        for t, p in files.items()}
            for p in files.values():
                if p.suffix == ".tsv":
                    rows.scan_file(p)
            engine_name = str(opts.get("engine") or "duckdb")
            # Spark's session (and its spill folder) outlives one ingest: not under `work`
            spill = work / "spill" if engine_name == "duckdb" else temp_root / "spark-local"
            con = engine.connect(engine_name,
                                 spark_master=_opt(opts, "spark_master"),
                                 memory_limit=_opt(opts, "memory_limit"),
                                 temp_dir=spill,
                                 threads=int(opts["threads"]) if opts.get("threads") else None,
                                 spark_driver_host=_opt(opts, "spark_driver_host"),
                                 spark_python=_opt(opts, "spark_python"))
            q = quirks()
            settings = pipeline.Settings(
                na_markers=tuple(q["na_markers"]),
                period_length=int(q["periods"]["length_years"]),
                period_first_year=int(q["periods"]["first_year"]),
                rta_floor=float(q["rta_floor_patents"]))
            stage(f"loading tables ({engine.describe(con)})")
            try:
                tables = pipeline.load(con, readable)
                stage("checking rows")
                rows.refuse_repeated(con, tables, files, readable)
                result = pipeline.run(con, tables, country_codes(aliases), settings, stage,
                                      cpc_field=cpc_field(), cpc_area=cpc_area(),
                                      field_areas=field_areas())
            except ReciprocityError:
                raise
            except Exception as exc:  # engine errors: unreadable files, parse errors, …
                raise engine.engine_failure(exc, engine_name, str(path)) from exc
        finally:
            if con is not None and pipeline.backend_name(con) == "duckdb":
                con.disconnect()
            shutil.rmtree(work, ignore_errors=True)
        stage("shaping flows")
        return self._parsed(files, result)

    def _parsed(self, files: Mapping[str, Path], result: Any) -> Parsed:
        areas = field_areas()
        notes = {k: round(v) for k, v in result.notes.items()}
        records, flows = [], []
        for channel in CHANNELS:
            frame = result.flows[channel]
            rec = frame.rename(columns={"fractional": "fractional_count"})
            rec["channel"] = pd.Series([channel] * len(rec), dtype="str", index=rec.index)
            rec["record_id"] = record_ids(rec)
            records.append(rec)
            n = len(rec)
            flows.append(pd.DataFrame({
                "channel": pd.Series([channel] * n, dtype="str", index=rec.index),
                "origin": rec["origin"].astype("str"),
                "destination": rec["destination"].astype("str"),
                "year": rec["year"].astype("int64"),
                "area": rec["area"],
                "magnitude": rec["fractional_count"].astype("float64"),
                "unit": pd.Series([UNITS[channel]] * n, dtype="str", index=rec.index),
                "mode": pd.Series([MODES[channel]] * n, dtype="str", index=rec.index),
                "is_estimated": rec["fractional_count"] < rec["patents"] - 1e-9,
                "is_uncertain": False,
                "design_origin": pd.Series([None] * n, dtype="str", index=rec.index),
                "record_id": rec["record_id"].astype("int64"),
            }))
            notes[f"{channel}_flows"] = len(rec)
        record_frame = pd.concat(records, ignore_index=True).loc[
            :, [c for c in RECORDS.columns if c != "vintage_id"]]
        cf = result.country_fields.copy()
        cf["area"] = _areas(cf["wipo_field"], areas)
        length = int(quirks()["periods"]["length_years"])
        cf["period"] = (cf["period_start"].astype(str) + "–"
                        + (cf["period_start"] + length - 1).astype(str))
        cf = cf.loc[:, [c for c in COUNTRY_FIELDS.columns if c != "vintage_id"]]
        ca = result.country_areas.copy()
        ca["period"] = (ca["period_start"].astype(str) + "–"
                        + (ca["period_start"] + length - 1).astype(str))
        ca = ca.loc[:, [c for c in COUNTRY_AREAS.columns if c != "vintage_id"]]
        if not areas:
            notes["wipo_fields_without_area_crosswalk"] = 35
        else:
            notes["flow_rows_without_area"] = int(record_frame["area"].isna().sum())
        years = cf["period_start"]
        scope = (f"PatentsView granted patents: {notes.get('patents_counted', 0):,} patents"
                 + (f", grant years from {int(years.min())}" if len(years) else "")
                 + f", {notes.get('rows_g_us_patent_citation', 0):,} citations")
        rows_read = sum(v for k, v in notes.items() if k.startswith("rows_"))
        kinds = sorted({"parquet" if p.suffix == ".parquet" else
                        "tsv_zip" if p.name.endswith(".zip") else "tsv" for p in files.values()})
        return Parsed(
            layout=kinds[0] if len(kinds) == 1 else "mixed",
            generated_at=_published_at(files),
            scope=scope,
            is_complete=True,
            rows_read=int(rows_read),
            records={RECORDS.name: record_frame, COUNTRY_FIELDS.name: cf,
                     COUNTRY_AREAS.name: ca},
            flows=pd.concat(flows, ignore_index=True),
            notes=notes,
        )


def _opt(opts: Mapping[str, object], key: str) -> str | None:
    value = opts.get(key)
    return str(value) if value not in (None, "") else None


def _areas(fields: pd.Series, areas: Mapping[int, str | None]) -> pd.Series:
    known = {int(k): v for k, v in areas.items() if v}
    return fields.astype("Int64").map(known).astype("str").where(
        fields.astype("Int64").isin(list(known)), None)


def record_ids(frame: pd.DataFrame) -> pd.Series:
    """Stable 64-bit ids of aggregate rows: a hash of channel, countries, year, field and
    area."""
    columns = ["channel", "origin", "destination", "year", "wipo_field", "area"]
    keys = frame.loc[:, columns].astype({"year": "Int64", "wipo_field": "Int64"}).astype(str)
    hashed = pd.util.hash_pandas_object(keys, index=False, categorize=False)
    return pd.Series(hashed.to_numpy().view(np.int64), index=frame.index)


SOURCE = PatentsViewSource()
