"""The Python API for notebooks: the operations of the CLI, returning pandas objects.

>>> import reciprocity
>>> r = reciprocity.connect("reciprocity.duckdb")
>>> r.ingest("sipri", "trade-register.csv")
>>> r.dyad("USA", "JPN").by_year
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reciprocity.queries.dyad import Dyad
from reciprocity.queries.dyad import dyad as _dyad
from reciprocity.store.db import IngestResult, Store

if TYPE_CHECKING:  # the other queries (pandas) are imported by the method that runs them
    import pandas as pd

    from reciprocity.assess.allies import AlliesResult
    from reciprocity.assess.capabilities import Capabilities
    from reciprocity.assess.compare import EventStudyResult
    from reciprocity.assess.composite import Composite
    from reciprocity.assess.dependence import Dependence
    from reciprocity.assess.needs import Need
    from reciprocity.assess.opportunities import Opportunities
    from reciprocity.assess.scenarios import ScenarioResult
    from reciprocity.assess.service import AlertsReport, SettingsArg, WeightsArg
    from reciprocity.events.model import Event
    from reciprocity.events.store import Timeline
    from reciprocity.ledger.checks import CheckResult
    from reciprocity.ledger.model import Program, Transfer
    from reciprocity.ledger.store import ImportResult, Ledger, Version
    from reciprocity.queries.diff import Diff
    from reciprocity.queries.indicators import Indicators
    from reciprocity.queries.top import Top
    from reciprocity.sources.base import Progress
    from reciprocity.store.schema import Table


def store_tables() -> dict[str, Table]:
    """Every table a store holds: the store's own, each source's, the ledger's and the
    events' (their modules imported when a store is written). The store creates only its own
    unless its caller passes this (``Store(path, tables=store_tables)``)."""
    from reciprocity.events.schema import TABLES as EVENTS
    from reciprocity.ledger.schema import TABLES as LEDGER
    from reciprocity.queries import catalog
    from reciprocity.store.schema import store_tables as own

    sources = {t.name: t for s in catalog.all_sources().values() for t in s.tables}
    return {**own(), **sources, **{t.name: t for t in (*LEDGER, *EVENTS)}}


def open_store(db: str | Path | None = None, **options: object) -> Store:
    """A :class:`Store` with every table (:func:`store_tables`); ``options`` as ``Store``'s."""
    return Store(db, tables=store_tables, **options)  # type: ignore[arg-type]


class Reciprocity:
    """A session on one store. Use as a context manager or call :meth:`close`."""

    def __init__(self, db: str | Path | None = None, *, read_only: bool = False,
                 wait: float = 0.0) -> None:
        self.store = open_store(db, read_only=read_only, wait=wait)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Reciprocity:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ingest(self, source: str, path: str | Path | Sequence[str | Path],
               aliases: Mapping[str, str] | None = None,
               progress: Progress | None = None, *, force: bool = False) -> IngestResult:
        """Ingest a file as a new vintage (atomic; the same file twice adds nothing).

        For SIPRI, ``path`` may also be several files, or a folder holding them, that are the
        parts of one export (e.g. deliveries 1950-1989 and 1990-2023): they become one vintage.
        A vintage much smaller than the newest, dated in the future or undated is held back
        (``result.held_back`` says why) unless ``force``.
        """
        from reciprocity.queries import catalog

        src = catalog.get(source) if isinstance(source, str) else source
        return self.store.ingest(src, path, aliases=aliases, progress=progress, force=force)

    def dyad(self, a: str, b: str, **filters: object) -> Dyad:
        """Flows A→B and B→A with two-way measures; see :func:`reciprocity.queries.dyad.dyad`."""
        _check_area(filters.get("area"))
        return _dyad(self.store, a, b, **filters)  # type: ignore[arg-type]

    def partners(self, a: str, **filters: object) -> pd.DataFrame:
        """A's partners ranked by two-way index and volume."""
        from reciprocity.queries.partners import partners as _partners

        _check_area(filters.get("area"))
        return _partners(self.store, a, **filters)  # type: ignore[arg-type]

    def top(self, kind: str, **filters: object) -> Top:
        """The largest ``exporters`` or ``importers`` of a channel over a window of years
        (SIPRI's rankings); see :func:`reciprocity.queries.top.top`."""
        from reciprocity.queries.top import top as _top

        return _top(self.store, kind, **filters)  # type: ignore[arg-type]

    def indicators(self, a: str, **filters: object) -> Indicators:
        """Country-level indicator series and the technology-payments coverage ratio."""
        from reciprocity.queries.indicators import indicators as _indicators

        return _indicators(self.store, a, **filters)  # type: ignore[arg-type]

    def taxonomy(self, vintage: str | None = None) -> dict[str, object]:
        """The technology areas and crosswalks, and how this store's flows are placed."""
        from reciprocity.queries import taxonomy as report

        return {**report.describe(), "store": report.coverage(self.store, vintage)}

    def explain(self, a: str, b: str, **filters: object) -> pd.DataFrame:
        """Source records behind a pair's figure."""
        from reciprocity.queries.explain import explain as _explain

        return _explain(self.store, a, b, **filters)  # type: ignore[arg-type]

    def sources(self) -> pd.DataFrame:
        """Datasets and vintages with dates, checksums and counts."""
        from reciprocity.queries.sources import sources as _sources

        return _sources(self.store)

    def diff(self, dataset: str = "sipri", from_vintage: str | None = None,
             to_vintage: str | None = None, *, pair: tuple[str, str] | None = None,
             country: str | None = None) -> pd.DataFrame:
        """Every record added, removed and changed between two vintages, the largest effect
        on the flows first; the summary (counts, changed fields, totals) is in
        ``.attrs["summary"]``."""
        from reciprocity.queries.diff import diff as _diff

        return _diff(self.store, dataset, from_vintage=from_vintage, to_vintage=to_vintage,
                     pair=pair, country=country)

    def diff_summary(self, dataset: str = "sipri", from_vintage: str | None = None,
                     to_vintage: str | None = None, *, pair: tuple[str, str] | None = None,
                     country: str | None = None, limit: int | None = 50) -> Diff:
        """What a revision did: counts by kind, changed fields, totals per supplier,
        recipient and pair, and the first ``limit`` changes (0: all); ``.to_dict()`` is the
        JSON of ``reciprocity diff --format json``."""
        from reciprocity.queries.diff import compare as _compare

        return _compare(self.store, dataset, from_vintage=from_vintage, to_vintage=to_vintage,
                        pair=pair, country=country, limit=limit)

    # -- cooperation ledger (see docs/ledger.md) --------------------------------------------
    @property
    def ledger(self) -> Ledger:
        """The store's cooperation ledger (programs, transfers, audit trail)."""
        from reciprocity.ledger.store import Ledger

        return Ledger(self.store)

    def ledger_import(self, path: str | Path, by: str | None = None,
                      reason: str | None = None, force: bool = False) -> ImportResult:
        """Validate a ledger YAML or transfers CSV and add a version of each changed record;
        one that would lose fields or items it has is refused unless ``force``."""
        return self.ledger.import_file(path, by=by, reason=reason, force=force)

    def ledger_export(self, fmt: str = "yaml") -> str:
        """The current ledger as YAML (programs and transfers) or CSV (transfers)."""
        return self.ledger.export(fmt)

    def ledger_list(self, kind: str = "transfers") -> pd.DataFrame:
        """Current programs or transfers, one row each."""
        return self.ledger.frame(kind)

    def ledger_show(self, record_id: str) -> Program | Transfer:
        """The current version of a program or transfer."""
        return self.ledger.get(record_id)

    def ledger_history(self, record_id: str) -> list[Version]:
        """Every version of a record (who, when, why, what changed), oldest first."""
        return self.ledger.history(record_id)

    def ledger_set_status(self, transfer_id: str, status: str, date: str, reason: str,
                          by: str | None = None) -> Transfer:
        """Move a transfer to a new status (refused, nothing written, when out of order)."""
        return self.ledger.set_status(transfer_id, status, date, reason, by=by)

    def ledger_delete(self, record_id: str, reason: str, by: str | None = None) -> None:
        """Delete a record with a trace (a version marked deleted); a program that current
        policy events link is refused (edit or delete the events first)."""
        from reciprocity.errors import InputError
        from reciprocity.ledger.model import Program

        ledger = self.ledger
        record = ledger.get(record_id)
        if isinstance(record, Program) and reason and reason.strip():
            events = self.timeline.linking(record.id)
            if events:
                raise InputError(f"program {record.id} is linked by policy events "
                                 f"{', '.join(events)}; edit or delete them first "
                                 "(reciprocity events show ID)")
        ledger.delete(record_id, reason, by=by)

    def ledger_check(self, a: str | None = None, b: str | None = None,
                     years: int = 5) -> CheckResult:
        """Technology-for-technology matches and planned-versus-actual variances."""
        return self.ledger.check(a, b, years)

    # -- policy events (see docs/events.md) -------------------------------------------------
    @property
    def timeline(self) -> Timeline:
        """The store's timeline of policy events (versioned, with an audit trail)."""
        from reciprocity.events.store import Timeline

        return Timeline(self.store)

    def events(self, a: str, b: str, *, kind: str | None = None, since: int | None = None,
               until: int | None = None, joint_only: bool = False) -> list[Event]:
        """A pair's events by date: those of both countries and (unless ``joint_only``)
        each one's own; filtered by ``kind`` and years."""
        return self.timeline.for_pair(a, b, kind=kind, since=since, until=until,
                                      joint_only=joint_only)

    def events_import(self, path: str | Path, by: str | None = None,
                      reason: str | None = None) -> ImportResult:
        """Validate an events YAML and add a version of each new or changed event."""
        return self.timeline.import_file(path, by=by, reason=reason)

    def events_export(self) -> str:
        """The current timeline as YAML (the interchange format)."""
        return self.timeline.export()

    def event(self, event_id: str) -> Event:
        """The current version of an event."""
        return self.timeline.get(event_id)

    def event_history(self, event_id: str) -> list[Version]:
        """Every version of an event (who, when, why, what changed), oldest first."""
        return self.timeline.history(event_id)

    # -- assessment (see docs/assessment.md) -------------------------------------------------
    def capabilities(self, a: str, *, area: str | None = None,
                     settings: SettingsArg = None) -> Capabilities:
        """A's capability catalogue per area and period (value, share, rank, RTA, trend)."""
        from reciprocity.assess import service

        return service.capabilities(self.store, a, area=area, settings=settings)

    def needs(self, path: str | Path | None = None, country: str | None = None) -> list[Need]:
        """Declared needs from a needs file (default: the 1995 U.S. needs example)."""
        from reciprocity import countries
        from reciprocity.assess.needs import load_needs

        needs = load_needs(path)
        if country is None:
            return needs
        code = countries.resolve(country).code
        return [n for n in needs if n.country == code]

    def opportunities(self, a: str, b: str, *, needs: str | Path | None = None,
                      settings: SettingsArg = None, include_all: bool = False) -> Opportunities:
        """"A needs, B provides": ranked areas with evidence and the present B→A flow."""
        from reciprocity.assess import service

        return service.opportunities(self.store, a, b, needs=needs, settings=settings,
                                     include_all=include_all)

    def dependence(self, a: str, *, channel: str = "arms", area: str | None = None,
                   since: int | None = None, until: int | None = None,
                   settings: SettingsArg = None) -> Dependence:
        """A's supplier concentration (HHI, top supplier, trend, risk flags) in a channel."""
        from reciprocity.assess import service

        return service.dependence(self.store, a, channel=channel, area=area, since=since,
                                  until=until, settings=settings)

    def composite_index(self, a: str, b: str, *, weights: WeightsArg = None,
                        since: int | None = None, until: int | None = None,
                        replicates: int | None = None, seed: int | None = None,
                        settings: SettingsArg = None) -> Composite:
        """The composite reciprocity index of A and B with interval and null expectation.

        ``weights``: ``None`` or ``"precision"`` (inverse-variance weights, the default),
        ``"declared"`` (the shipped weights.yaml), a weights file or :class:`Weights`.
        """
        from reciprocity.assess import service

        return service.composite_index(self.store, a, b, weights=weights, since=since,
                                       until=until, replicates=replicates, seed=seed,
                                       settings=settings)

    def scenario(self, path: str | Path, *, weights: WeightsArg = None,
                 settings: SettingsArg = None) -> ScenarioResult:
        """What a scenario file's program would do to the composite index: ``index``'s
        composite over the scenario's window, before and after adding the program's records
        (``weights`` as for :meth:`composite_index`)."""
        from reciprocity.assess import service

        return service.scenario(self.store, path, weights=weights, settings=settings)

    def alerts(self, config: str | Path | None = None, *, weights: WeightsArg = None,
               settings: SettingsArg = None) -> AlertsReport:
        """Evaluate alert rules (default: the shipped rules) and report what trips them; an
        index rule's value for each window is ``composite_index`` over those years."""
        from reciprocity.assess import service

        return service.alerts(self.store, config, weights=weights, settings=settings)

    def allies(self, a: str, *, since: int | None = None, until: int | None = None,
               channel: str | None = None, replicates: int | None = None,
               seed: int | None = None, settings: SettingsArg = None) -> AlliesResult:
        """A's flows with its ATOP treaty allies against its other partners (shares of its
        exports and imports, per channel) and the two-way index with each ally, with its
        interval; years after ATOP's coverage (2016) are not classified."""
        from reciprocity.assess import service
        from reciprocity.assess.allies import allies

        cfg = service._bootstrap_settings(service._settings(settings), replicates, seed)
        return allies(self.store, a, since=since, until=until, channel=channel, cfg=cfg)

    def compare(self, a: str, b: str, at: int | None = None, *, window: int = 5,
                channel: str | None = None, replicates: int | None = None,
                seed: int | None = None, settings: SettingsArg = None,
                event: str | None = None) -> EventStudyResult:
        """Event study of A and B at year ``at`` (or the year of timeline event ``event``):
        each channel's flows each way and two-way index in the ``window`` years before
        (at−window … at−1) and from ``at`` on, the change with a bootstrap interval over the
        sampling unit and a segmented regression's p-value (docs/event_studies.md)."""
        from reciprocity.assess.compare import compare

        return compare(self.store, a, b, at, window=window, channel=channel,
                       replicates=replicates, seed=seed, settings=settings, event=event)


def _check_area(area: object) -> None:
    """An --area must be a taxonomy id (``reciprocity taxonomy`` lists them)."""
    if area is None:
        return
    from reciprocity import taxonomy
    from reciprocity.errors import unknown_name

    if area not in taxonomy.areas():
        raise unknown_name("technology area", str(area), taxonomy.areas(), limit=30,
                           hint="see: reciprocity taxonomy")


def connect(db: str | Path | None = None, *, read_only: bool = False) -> Reciprocity:
    """Open (or create) a store; ``db`` defaults to ``$RECIPROCITY_DB`` or ./reciprocity.duckdb."""
    return Reciprocity(db, read_only=read_only)
