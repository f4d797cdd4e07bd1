"""The events table, declared once (DDL, validation and docs come from here).

``policy_events`` holds one row per *version* of an event, with the audit columns shared
with the ledger (:mod:`reciprocity.store.versioned`).
"""

from __future__ import annotations

from reciprocity.store.schema import Field, Table, register
from reciprocity.store.versioned import AUDIT_FIELDS, current_sql

KINDS = ("treaty", "agreement", "export_control", "program_milestone", "dispute", "report")
"""Kinds of events (docs/events.md)."""
PRECISIONS = ("year", "month", "day")
"""How much of an event's date the sources give."""

EVENTS = register(Table(
    name="policy_events",
    description="Policy events of the timeline (treaties, agreements, export-control "
                "changes, program milestones, disputes, reports), one row per version "
                "(nothing is updated in place). Format: docs/events.md.",
    primary_key=("event_id", "version"),
    fields=(
        Field("event_id", "VARCHAR", "Identifier of the event, e.g. `us-jpn-security-1960`.",
              False),
        *AUDIT_FIELDS,
        Field("date", "DATE", "First day of the period the sources date the event to (a "
              "year-precise event on 1 January): read it with `date_precision`.", False),
        Field("date_precision", "VARCHAR", "How much of the date the sources give: `year`, "
              "`month` or `day`.", False, enum=PRECISIONS),
        Field("countries", "VARCHAR[]", "Codes of the countries the event concerns (one or "
              "more).", False),
        Field("kind", "VARCHAR", "Kind of event.", False, enum=KINDS),
        Field("title", "VARCHAR", "Short title.", False),
        Field("label", "VARCHAR", "Short label for chart markers (at most 24 characters); "
              "empty: the title."),
        Field("summary", "VARCHAR", "What happened, in the compiler's words.", False),
        Field("programs", "VARCHAR[]", "Ids of the ledger programs the event concerns."),
        Field("sources", "JSON", "Public sources cited (title, author/publisher, year, url, "
              "page); at least one.", False),
        Field("notes", "VARCHAR", "Anything else the compiler wants on record."),
    ),
))

CURRENT_SQL = current_sql(EVENTS.name, "event_id")
"""Newest version of every event (deleted ones included: filter ``NOT is_deleted``)."""

TABLES = (EVENTS,)
"""Every table the events declare (``api.store_tables`` creates them)."""
