"""The embedded store: one DuckDB file holding flows, source records, vintages and raw files."""

from __future__ import annotations

import hashlib
import os
import re
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import duckdb

from reciprocity.errors import (
    InputError,
    NotFoundError,
    Problem,
    ReciprocityError,
    StoreBusyError,
)
from reciprocity.store import tables
from reciprocity.store.schema import REGISTRY, Table, store_tables

if TYPE_CHECKING:  # pandas, Arrow and the sources load when a store is written, not to read
    import pandas as pd
    import pyarrow as pa

    from reciprocity.sources.base import Progress, Source

DEFAULT_DB = "reciprocity.duckdb"


def default_path() -> Path:
    """``$RECIPROCITY_DB`` or ``./reciprocity.duckdb``."""
    from reciprocity import settings

    return settings.current().db or Path(DEFAULT_DB)


_LOCK_HELD = re.compile(r"Conflicting lock is held in (?P<exe>.*?) \(PID (?P<pid>\d+)\)")


def connect_file(path: Path, *, read_only: bool = False,
                 wait: float = 0.0) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to ``path``, retried for up to ``wait`` seconds while another
    process holds the file's lock; then :class:`StoreBusyError` naming that process and the
    remedy. DuckDB lets one process write a file, or several read it, never both at once."""
    deadline = time.monotonic() + max(wait, 0.0)
    pause = 0.05
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            # DuckDB draws a progress bar on standard output when a query runs over 2 s,
            # in the middle of the CLI's JSON and CSV (seen on a loaded machine)
            con.execute("SET enable_progress_bar = false")
            return con
        except duckdb.Error as exc:
            held = _LOCK_HELD.search(str(exc))
            if held is None:
                raise ReciprocityError(f"cannot open store {path}: {exc}") from exc
            if time.monotonic() >= deadline:
                raise StoreBusyError(busy_message(path, int(held["pid"]), held["exe"],
                                                  read_only, wait)) from exc
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


def busy_message(path: Path, pid: int, exe: str, read_only: bool, wait: float) -> str:
    """What holds the store and what to do about it."""
    holder = _command_of(pid) or exe
    waited = f" (waited {wait:g} s)" if wait > 0 else ""
    if read_only:
        return (f"the store {path} is open for writing by process {pid} ({holder}){waited}; "
                "DuckDB lets one process write a store or several read it, not both. Stop that "
                "process, or serve the store with `reciprocity serve --read-only`, or run the "
                f"command against a copy: cp {path} copy.duckdb; reciprocity --db copy.duckdb …")
    return (f"the store {path} is in use by process {pid} ({holder}){waited}, and this "
            "command writes to it, which needs the store to itself. Stop that process (Ctrl+C "
            f"where it runs, or kill {pid}) and run the command again.")


def _command_of(pid: int) -> str | None:
    """The command line of a process, e.g. ``reciprocity serve`` (Linux; else None)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    args = [a for a in raw.decode("utf-8", "replace").split("\0") if a]
    if not args:
        return None
    names = [Path(a).name for a in args[:2]]
    if "reciprocity" in names:  # the console script, under its Python or on its own
        args = ["reciprocity", *args[names.index("reciprocity") + 1:]]
    text = " ".join(args)
    return text if len(text) <= 120 else text[:117] + "…"


@dataclass(frozen=True)
class IngestResult:
    """What an ingest did."""

    vintage_id: str
    dataset: str
    sha256: str
    added: bool
    rows_read: int
    records_loaded: int
    flows_loaded: int
    notes: Mapping[str, int]
    held_back: str | None = None
    """Why the new vintage is not its dataset's default (see :meth:`Store.ingest`), or None."""


Frame: TypeAlias = "pd.DataFrame | pa.Table"
"""Sources hand the store pandas frames or Arrow tables; both are written the same way."""


def _rows(frame: Frame) -> int:
    import pyarrow as pa

    return frame.num_rows if isinstance(frame, pa.Table) else len(frame)


def _arrow(frame: Frame, without: Mapping[str, object] | None = None) -> pa.Table:
    """``frame`` as an Arrow table, without the columns the store fills in itself.

    DuckDB scans Arrow tables directly; a pandas frame whose text columns are Arrow-backed
    (pandas' default string dtype) would be copied value by value instead.
    """
    import pyarrow as pa

    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(
        frame, preserve_index=False)
    drop = [c for c in (without or {}) if c in table.column_names]
    return table.drop(drop) if drop else table


def _packed(path: Path) -> tuple[int, bytes]:
    """A file's size and its bytes zlib-compressed, for the raw archive."""
    content = path.read_bytes()
    return len(content), zlib.compress(content, 1)


def _packed_part(path: Path) -> tuple[str, int, bytes]:
    """A file's SHA-256, size and zlib-compressed bytes (one part of an input in parts)."""
    content = path.read_bytes()
    return hashlib.sha256(content).hexdigest(), len(content), zlib.compress(content, 1)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def digest_of_files(files: list[Path]) -> tuple[str, list[tuple[str, int, str]]]:
    """SHA-256 of a set of files (a directory input): of its sorted ``name<TAB>sha256`` lines.

    Also returns ``(name, size, sha256)`` of each file, for the archive by reference.
    """
    entries = sorted((f.name, f.stat().st_size, sha256_of(f)) for f in files)
    listing = "".join(f"{name}\t{digest}\n" for name, _, digest in entries)
    return hashlib.sha256(listing.encode("utf-8")).hexdigest(), entries


class Store:
    """A DuckDB file with the schema of :mod:`reciprocity.store.tables` and the sources'."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False,
                 wait: float = 0.0,
                 tables: Callable[[], Mapping[str, Table]] = store_tables) -> None:
        """Open (or create) the store; ``wait``: seconds to retry while another process
        holds the file's lock, before :class:`StoreBusyError`. ``tables`` returns every
        table to create: by default the store's own (:func:`store_tables`); the API passes
        every table (``api.store_tables``: the sources', the ledger's, the events'), as
        the store knows no module above it."""
        self.path = Path(path) if path is not None else default_path()
        self._tables = tables
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                self._create()
        elif not self.path.exists():
            raise NotFoundError(f"no store at {self.path}; ingest data first "
                                "(reciprocity ingest sipri FILE, or reciprocity demo)")
        self.con = connect_file(self.path, read_only=read_only, wait=wait)
        if not read_only:
            self._ensure_schema()
        else:
            self._check_schema()

    def _create(self) -> None:
        """Create a new store whole: its file and tables are built under a temporary name
        beside it and renamed into place, so a process killed while creating it (even while
        DuckDB writes the file's first blocks) leaves no store, never a half-written file."""
        tmp = self.path.with_name(f".{self.path.name}.creating-{os.getpid()}")
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        con = connect_file(tmp, read_only=False, wait=0.0)
        try:
            try:
                self.con = con
                self._ensure_schema()
                con.execute("CHECKPOINT")
            finally:
                con.close()
        except BaseException:   # no half-made file left behind either
            for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
                leftover.unlink(missing_ok=True)
            raise
        try:   # never over a store another process created meanwhile
            os.link(tmp, self.path)
        except FileExistsError:
            pass
        except OSError:   # a file system without hard links
            if not self.path.exists():
                os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)

    # -- life cycle -------------------------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_schema(self) -> None:
        """A store opened read-only must have been created whole: a file killed during its
        first schema creation (or any DuckDB file that is not a store) is named as such."""
        have = {r[0] for r in self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()}
        missing = [t.name for t in (tables.DATASETS, tables.VINTAGES, tables.FLOWS,
                                    tables.INDICATORS) if t.name not in have]
        if missing:
            self.con.close()
            what = ("is empty: it holds no tables" if not have else
                    f"was not created completely (no table {', '.join(missing)})")
            raise NotFoundError(
                f"the store {self.path} {what}; ingest data into it (reciprocity --db "
                f"{self.path} ingest sipri FILE), which creates the tables, or remove the file")

    def _ensure_schema(self) -> None:
        # One transaction: a process killed while creating a new store's tables leaves
        # either all of them or none.
        self.con.begin()
        try:
            self._declare(self._tables().values())
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise

    def _declare(self, declared: Iterable[Table]) -> None:
        """Create the tables of ``declared`` the store lacks, and add the columns a table of a
        store made before it gained them lacks (empty in the old rows, e.g.
        sipri_transfers.source_file and line), so the store can still be written to. Part of
        the caller's transaction."""
        declared = list(declared)
        for table in declared:
            for stmt in table.ddl():
                self.con.execute(stmt)
        have: dict[str, set[str]] = {}
        for name, column in self.con.execute(
                    "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'main'").fetchall():
            have.setdefault(name, set()).add(column)
        for table in declared:
            for f in table.fields:
                if f.name in have.get(table.name, {f.name}):
                    continue
                if not f.nullable:
                    raise ReciprocityError(
                        f"store {self.path} predates the required column {table.name}."
                        f"{f.name}; build it again (reciprocity ingest …) in a new file")
                self.con.execute(f"ALTER TABLE {table.name} ADD COLUMN {f.name} {f.type}")

    # -- queries ----------------------------------------------------------------------------
    def query(self, sql: str, params: list | tuple | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    def run(self, sql: str, params: Sequence[object] = ()) -> duckdb.DuckDBPyConnection:
        """Execute ``sql`` with ``params`` written in as literals (:mod:`.literals`: DuckDB's
        own binding imports pandas); fetch from the result (``.fetchall()``)."""
        from reciprocity.store.literals import bind

        return self.con.execute(bind(sql, params))

    def datasets(self) -> pd.DataFrame:
        return self.query("SELECT * FROM datasets ORDER BY dataset")

    def vintages(self, dataset: str | None = None) -> pd.DataFrame:
        sql = ("SELECT v.*, v.vintage_id IN (SELECT vintage_id FROM active_default) AS is_default "
               "FROM vintages v")
        sql = self._with_active(None) + sql
        if dataset:
            return self.query(sql + " WHERE dataset = ? ORDER BY generated_at", [dataset])
        return self.query(sql + " ORDER BY dataset, generated_at")

    def resolve_vintage(self, spec: str) -> str:
        """A vintage id from an id, a generation date (``2025-03-13``) or a unique prefix."""
        ids = [r[0] for r in self.con.execute("SELECT vintage_id FROM vintages").fetchall()]
        if spec in ids:
            return spec
        hits = [i for i in ids if i.split("/", 1)[-1].startswith(spec) or i.startswith(spec)]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            from reciprocity.errors import closest, unknown_name

            dates = {i.split("/", 1)[-1]: i for i in ids}
            near = closest(spec, ids) or dates.get(closest(spec, dates) or "")
            raise unknown_name("vintage", spec, ids, suggestion=near, limit=6, not_found=True,
                               hint="reciprocity sources lists them")
        raise NotFoundError(f"vintage {spec!r} is ambiguous: {sorted(hits)}")

    def _with_active(self, vintage: str | None) -> str:
        """SQL ``WITH`` clause defining ``active_default`` and ``active`` vintage sets.

        Default: per dataset, the newest complete vintage by the publisher's date (partial
        extracts only when a dataset has nothing else), skipping vintages held back at ingest
        (``held_back``: much smaller than the newest, dated in the future, undated) unless the
        dataset has nothing else. A requested vintage replaces its dataset's default.
        """
        chosen = ""
        if vintage is not None:
            vid = self.resolve_vintage(vintage).replace("'", "''")
            chosen = (f" UNION ALL SELECT vintage_id, dataset FROM vintages "
                      f"WHERE vintage_id = '{vid}'")
            exclude = (f" WHERE dataset NOT IN (SELECT dataset FROM vintages "
                       f"WHERE vintage_id = '{vid}')")
        else:
            exclude = ""
        return (
            "WITH active_default AS (SELECT vintage_id, dataset FROM ("
            " SELECT vintage_id, dataset, row_number() OVER (PARTITION BY dataset"
            f" ORDER BY is_complete DESC, {self._held_back_sql()}"
            " generated_at DESC NULLS LAST, ingested_at DESC) AS rn"
            " FROM vintages) WHERE rn = 1),"
            f" active AS (SELECT vintage_id, dataset FROM active_default{exclude}{chosen}) "
        )

    def _held_back_sql(self) -> str:
        """The ordering term that puts held-back vintages last (nothing in a store made before
        the column existed, opened read-only)."""
        if getattr(self, "_has_held_back", None) is None:
            # the result's columns, not the catalogue: DuckDB's first look at
            # information_schema.columns scans every table's columns (30-100 ms, issue 14)
            self._has_held_back = "held_back" in {d[0] for d in self.con.execute(
                "SELECT * FROM vintages LIMIT 0").description}
        return "held_back IS NULL DESC," if self._has_held_back else ""

    def active_flows_sql(self, vintage: str | None = None) -> str:
        """SQL prefix: ``WITH …, af AS (flows of the active vintages)``; select from ``af``."""
        return self._with_active(vintage).rstrip() + (
            ", af AS (SELECT f.* FROM flows f JOIN active USING (vintage_id)) ")

    def active_indicators_sql(self, vintage: str | None = None) -> str:
        """SQL prefix: ``WITH …, ai AS (indicators of the active vintages)``; select from ``ai``."""
        return self._with_active(vintage).rstrip() + (
            ", ai AS (SELECT i.* FROM indicators i JOIN active USING (vintage_id)) ")

    def raw_bytes(self, sha256: str) -> bytes:
        row = self.con.execute("SELECT content_zlib FROM raw_files WHERE sha256 = ?",
                               [sha256]).fetchone()
        if row is None:
            raise NotFoundError(f"no raw file with sha256 {sha256}")
        return zlib.decompress(row[0])

    def raw_parts(self, sha256: str) -> list[tuple[str, bytes]]:
        """The files of an input read in parts (a vintage's ``sha256``), in reading order, as
        ``(file name, bytes)``."""
        rows = self.con.execute("SELECT file_name, file_sha256 FROM raw_parts WHERE sha256 = ? "
                                "ORDER BY part", [sha256]).fetchall()
        if not rows:
            raise NotFoundError(f"no input in parts with sha256 {sha256}")
        return [(name, self.raw_bytes(sha)) for name, sha in rows]

    # -- ingest -----------------------------------------------------------------------------
    def ingest(self, src: Source, path: str | Path | Sequence[str | Path],
               aliases: Mapping[str, str] | None = None,
               progress: Progress | None = None,
               options: Mapping[str, object] | None = None,
               force: bool = False) -> IngestResult:
        """Read ``path`` with the source ``src`` and store it as a new vintage, all or nothing.

        The same file twice adds nothing (``added`` is False the second time). ``path`` is a
        directory for sources that read one (hashed as the list of its files' hashes);
        ``options`` (e.g. the compute engine) are passed to the source's ``read``. For sources
        that read inputs in parts (``reads_parts``, e.g. SIPRI), ``path`` may also be several
        files, or a folder holding them: they become one vintage (hashed as the list of their
        hashes, so their order does not matter), each file archived byte for byte.

        Values that fit the schema but not the world (the fields' ``min``/``max``, NaN or
        infinity, NUL in text) refuse the file, with the field and the lines. A new vintage
        that would replace its dataset's default but is much smaller than the newest complete
        one of its layout, dated in the future, or undated is kept but held back
        (``held_back`` says why; :attr:`IngestResult.held_back`) unless ``force``. The caller
        names the source (``sources.registry.get(name)``): the store knows no registry.
        """
        paths = ([Path(p) for p in path] if isinstance(path, Sequence)
                 and not isinstance(path, str) else [Path(path)])
        if not paths:
            raise InputError(f"no input given to ingest with {src.info.name}")
        if src.reads_parts:
            files = [f for p in paths for f in src.input_files(p)]
            path = files[0] if len(files) == 1 else paths[0]
        elif len(paths) > 1:
            raise InputError(f"{src.info.name} reads one input (a file or a folder) at a time, "
                             f"not {len(paths)}: {', '.join(p.name for p in paths)}")
        else:
            path = paths[0]
            files = src.input_files(path)
        in_parts = src.reads_parts and len(files) > 1
        digest, entries = ((sha256_of(path), []) if files == [path]
                           else digest_of_files(files))
        known = self.con.execute(
            "SELECT vintage_id, dataset, rows_read, records_loaded, flows_loaded FROM vintages "
            "WHERE sha256 = ? AND (dataset = ? OR starts_with(dataset, ?))",
            [digest, src.info.dataset, src.info.dataset + ":"]).fetchone()
        if known:
            if force:  # the same file again with --force: no longer held back
                self.con.execute("UPDATE vintages SET held_back = NULL WHERE vintage_id = ?",
                                 [known[0]])
            held = self.con.execute("SELECT held_back FROM vintages WHERE vintage_id = ?",
                                    [known[0]]).fetchone()[0]
            return IngestResult(known[0], known[1], digest, False, known[2], known[3], known[4],
                                {}, held)
        by_reference = (bool(entries) and not in_parts) or src.archive_by_reference
        label = " + ".join(f.name for f in files) if in_parts else path.name
        try:
            with ThreadPoolExecutor(max_workers=1) as pool:
                # the raw archive is compressed beside the reading (zlib releases the GIL)
                packing = None if by_reference or in_parts else pool.submit(_packed, path)
                packing_parts = (pool.submit(lambda: {f: _packed_part(f) for f in files})
                                 if in_parts else None)
                if in_parts:
                    parsed = src.read_parts(files, aliases=aliases, progress=progress)
                else:
                    parsed = src.read(path, aliases=aliases, progress=progress,
                                      **({"options": options} if options else {}))
                size, packed = packing.result() if packing is not None else (0, b"")
                packed_parts = packing_parts.result() if packing_parts is not None else {}
        except (ReciprocityError, KeyboardInterrupt, MemoryError):
            raise
        except Exception as exc:  # a reader's unforeseen failure: a message, not a traceback
            raise InputError(f"{label}: the {src.info.name} reader could not read it "
                             f"({type(exc).__name__}: {str(exc)[:300]}); the file is not in a "
                             "layout the reader knows, or it is damaged", [Problem(
                                 label, f"{type(exc).__name__}",
                                 f"a {src.info.name} file as the publisher gives it")]) from exc
        if in_parts:
            label = " + ".join(part.path.name for part in parsed.parts)
        dataset = (f"{src.info.dataset}:{parsed.dataset_part}" if parsed.dataset_part
                   else src.info.dataset)
        vintage_id = self._new_vintage_id(dataset, parsed.generated_at, digest)
        # Frames may be pandas or Arrow; the store adds dataset and vintage columns itself.
        lineage = {"dataset": dataset, "vintage_id": vintage_id}
        frames: list[tuple[Table, Frame, dict[str, str]]] = [(tables.FLOWS, parsed.flows, lineage)]
        if parsed.indicators is not None:
            frames.append((tables.INDICATORS, parsed.indicators, lineage))
        for name, frame in parsed.records.items():
            frames.append((REGISTRY[name], frame, {"vintage_id": vintage_id}))
        frames = [(table, _arrow(frame, constants), constants)
                  for table, frame, constants in frames]
        problems = [p for table, frame, constants in frames
                    for p in self.check(table, frame, f"{label} → {table.name}", constants,
                                        plausible=False)]
        if problems:
            raise InputError(f"{label}: the {src.info.name} reader produced rows that do not fit "
                             "the store's schema (a bug; please report it)", problems)
        problems = [p for table, frame, constants in frames
                    for p in self.check_plausible(table, frame, f"{label} → {table.name}",
                                                  constants)]
        if problems:
            raise InputError(f"{label}: {len(problems)} implausible value(s); nothing was "
                             "stored", problems)
        records_loaded = int(sum(_rows(f) for f in parsed.records.values()))
        held_back = None if force else self._hold_back(
            dataset, parsed.layout, parsed.generated_at, parsed.is_complete, records_loaded,
            parsed.scope, {k: v for k, v in parsed.notes.items() if k.startswith("rows_")})
        flows_loaded = _rows(parsed.flows)
        if by_reference and not entries:
            entries = [(path.name, path.stat().st_size, digest)]
        import pandas as pd

        vintage = pd.DataFrame([{
            "vintage_id": vintage_id, "dataset": dataset,
            "generated_at": parsed.generated_at, "ingested_at": datetime.now(UTC).replace(
                tzinfo=None), "sha256": digest, "file_name": label,
            "layout": parsed.layout, "scope": parsed.scope, "is_complete": parsed.is_complete,
            "rows_read": parsed.rows_read,
            "records_loaded": records_loaded,
            "flows_loaded": flows_loaded,
            "notes": "; ".join(f"{k}: {v}" for k, v in sorted(parsed.notes.items())) or None,
            "held_back": held_back,
        }])
        self.con.begin()
        try:
            # a source's tables, should the caller not declare them (or the store predate them)
            self._declare(REGISTRY[name] for name in parsed.records)
            self.record_dataset(dataset, src, parsed.dataset_title)
            if by_reference:
                self.con.executemany(
                    "INSERT INTO raw_references VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [[digest, name, str(path.resolve() / name if path.is_dir() else path.resolve()),
                      size, file_digest] for name, size, file_digest in entries])
            elif in_parts:
                for i, part in enumerate(parsed.parts, 1):
                    part_sha, part_size, part_packed = packed_parts[part.path]
                    self.con.execute(
                        "INSERT INTO raw_files VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                        [part_sha, part_size, part_packed])
                    self.con.execute(
                        "INSERT INTO raw_parts VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        [digest, i, part.path.name, part_sha, part_size, part.line_offset])
            else:
                self.con.execute(
                    "INSERT INTO raw_files VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [digest, size, packed])
            self.append(tables.VINTAGES, vintage)
            for table, frame, constants in frames:
                self.append(table, frame, constants)
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise
        return IngestResult(vintage_id, dataset, digest, True, parsed.rows_read,
                            records_loaded, flows_loaded, parsed.notes, held_back)

    HOLD_BACK_SHARE = 0.9
    """A new vintage with fewer records than this share of the newest one of the same dataset,
    layout and scope (any complete one; a partial extract of the same stated scope) is held
    back (a register cut short, a part missing)."""

    def _hold_back(self, dataset: str, layout: str, generated_at: datetime | None,
                   is_complete: bool, records: int, scope: str | None = None,
                   table_rows: Mapping[str, int] | None = None) -> str | None:
        """Why a new vintage should not become its dataset's default without ``--force``.

        ``table_rows``: the rows read from each input table (notes ``rows_<table>``, as a
        source of several tables gives them); one under the share of the same table's rows
        in the newest vintage holds it back too (an aggregating source keeps most of its
        records when one of its tables is cut short)."""
        reasons = []
        now = datetime.now(UTC).replace(tzinfo=None)
        if generated_at is not None and generated_at > now + timedelta(days=1):
            reasons.append(f"dated in the future ({generated_at:%Y-%m-%d}, after today "
                           f"{now:%Y-%m-%d})")
        others = self.con.execute(
            "SELECT vintage_id, generated_at, records_loaded, notes FROM vintages "
            "WHERE dataset = ? "
            "AND layout = ? AND is_complete = ? AND (is_complete OR scope IS NOT DISTINCT FROM ?)"
            " AND held_back IS NULL "
            "ORDER BY generated_at DESC NULLS LAST, ingested_at DESC LIMIT 1",
            [dataset, layout, is_complete, scope]).fetchone()
        if generated_at is None and self.con.execute(
                "SELECT count(*) FROM vintages WHERE dataset = ?", [dataset]).fetchone()[0]:
            reasons.append("undated (the file states no generation date), while the dataset "
                           "already has vintages")
        if (others is not None and records < self.HOLD_BACK_SHARE * others[2]
                and (generated_at is None or others[1] is None or generated_at >= others[1])):
            reasons.append(f"much smaller than the newest vintage of its layout and scope: "
                           f"{records:,} records against {others[2]:,} in {others[0]} (under "
                           f"{self.HOLD_BACK_SHARE:.0%}; a file cut short?)")
        if others is not None and table_rows and (
                generated_at is None or others[1] is None or generated_at >= others[1]):
            before = {k: int(v) for k, v in re.findall(r"(rows_\w+): (\d+)", others[3] or "")}
            short = [f"{k[5:]} {table_rows[k]:,} rows against {before[k]:,}"
                     for k in sorted(table_rows) if k in before
                     and table_rows[k] < self.HOLD_BACK_SHARE * before[k]]
            if short:
                reasons.append(f"a table much smaller than in {others[0]}: "
                               + ", ".join(short) + " (a file cut short?)")
        return "; ".join(reasons) or None

    def check(self, table: Table, frame: Frame, where: str = "",
              provided: Mapping[str, object] | None = None, *,
              plausible: bool = True) -> list[Problem]:
        """Every problem of a pandas or Arrow frame against ``table``'s schema (in SQL), and
        (``plausible``, once the schema fits) its implausible values (:meth:`check_plausible`).

        ``provided`` names the columns the caller fills in itself (see :meth:`append`).
        """
        self.con.register("_incoming", _arrow(frame, provided))
        try:
            problems = table.validate_relation(self.con, "_incoming", where=where or table.name,
                                               provided=provided or {})
            if plausible and not problems:
                problems = table.implausible(self.con, "_incoming", where=where or table.name,
                                             provided=provided or {})
            return problems
        finally:
            self.con.unregister("_incoming")

    def check_plausible(self, table: Table, frame: Frame, where: str = "",
                        provided: Mapping[str, object] | None = None) -> list[Problem]:
        """Values of a frame that fit ``table``'s types but not its fields' plausible ranges
        (``min``/``max``, finite numbers, no NUL in text); see :meth:`Table.implausible`."""
        self.con.register("_incoming", _arrow(frame, provided))
        try:
            return table.implausible(self.con, "_incoming", where=where or table.name,
                                     provided=provided or {})
        finally:
            self.con.unregister("_incoming")

    def record_dataset(self, dataset: str, source: Source, title: str | None = None) -> None:
        """Insert or refresh a dataset's row (title, publisher, terms, credit line, the years
        covered), so that queries read them from the store rather than import the source."""
        info = source.info
        self.con.execute(
            "INSERT INTO datasets (dataset, source, title, publisher, url, licence, credit,"
            " first_year, last_year) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (dataset) DO UPDATE"
            " SET title = excluded.title, publisher = excluded.publisher, url = excluded.url,"
            " licence = excluded.licence, credit = excluded.credit,"
            " first_year = excluded.first_year, last_year = excluded.last_year",
            [dataset, info.name, title or info.title, info.publisher, info.url, info.licence,
             info.credit, info.coverage.first_year, info.coverage.last_year])

    def append(self, table: Table, frame: Frame,
               constants: Mapping[str, object] | None = None) -> None:
        """Insert a pandas or Arrow frame; ``constants`` fill columns the frame lacks.

        Part of the caller's transaction: checks are the caller's (:meth:`check`).
        """
        constants = dict(constants or {})
        incoming = _arrow(frame, constants)
        # an optional column the frame lacks (one added to the table later) is left empty
        absent = {f.name for f in table.fields if f.nullable and f.name not in constants
                  and f.name not in incoming.column_names}
        self.con.register("_incoming", incoming)
        try:
            cols = ", ".join(table.columns)
            select = ", ".join("?" if c in constants else "NULL" if c in absent else c
                               for c in table.columns)
            params = [constants[c] for c in table.columns if c in constants]
            self.con.execute(f"INSERT INTO {table.name} ({cols}) SELECT {select} "
                             "FROM _incoming", params)
        finally:
            self.con.unregister("_incoming")

    def _new_vintage_id(self, dataset: str, generated_at: datetime | None, digest: str) -> str:
        label = generated_at.strftime("%Y-%m-%d") if generated_at else f"sha-{digest[:12]}"
        vid = f"{dataset}/{label}"
        taken = self.con.execute("SELECT count(*) FROM vintages WHERE vintage_id = ?",
                                 [vid]).fetchone()[0]
        return f"{vid}-{digest[:8]}" if taken else vid
