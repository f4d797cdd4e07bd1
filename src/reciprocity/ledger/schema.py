"""The ledger's tables, declared once (DDL, validation and docs come from here).

``ledger_programs`` and ``ledger_transfers`` hold one row per *version* of a record: a change
adds a row (who, when, why) and nothing is updated in place; a deletion is a version with
``is_deleted``. The current state is the newest version of each id that is not deleted
(:data:`CURRENT_SQL`). ``ledger_flow_records`` holds, per ledger vintage of the ``flows`` table,
the executed transfers the flows were derived from (what ``explain`` joins to).
"""

from __future__ import annotations

from reciprocity.store.lineage import record_table
from reciprocity.store.schema import Field, Table, register
from reciprocity.store.versioned import AUDIT_FIELDS, current_sql

FORMS = ("licensed_production", "co_production", "co_development", "joint_research",
         "procurement", "technology_transfer_agreement", "data_exchange", "other")
PROGRAM_STATUSES = ("planned", "active", "completed", "cancelled")
STATUSES = ("proposed", "approved", "executed", "not_carried_out", "cancelled")
KINDS = ("hard", "soft")
SIGNIFICANCE = ("major", "minor")
RATINGS = ("none", "low", "medium", "high")

_AUDIT = AUDIT_FIELDS

PROGRAMS = register(Table(
    name="ledger_programs",
    description="Cooperation programs of the ledger, one row per version of a program "
                "(nothing is updated in place). Nested fields are JSON in the shape of the "
                "interchange format (docs/ledger.md).",
    primary_key=("program_id", "version"),
    fields=(
        Field("program_id", "VARCHAR", "Identifier of the program, e.g. `fsx-development`.",
              False),
        *_AUDIT,
        Field("name", "VARCHAR", "Name of the program.", False),
        Field("partners", "VARCHAR[]", "Codes of the partner countries.", False),
        Field("form", "VARCHAR", "Form of collaboration.", False, enum=FORMS),
        Field("systems", "VARCHAR[]", "Systems the program concerns."),
        Field("areas", "VARCHAR[]", "Technology areas, as the sources name them."),
        Field("start_year", "INTEGER", "First year (agreement or order)."),
        Field("end_year", "INTEGER", "Last year, where it has ended."),
        Field("status", "VARCHAR", "State of the program; empty when the sources do not say.",
              enum=PROGRAM_STATUSES),
        Field("workshare", "JSON", "Per country: `planned_pct` and `actual_pct` of the work "
              "(empty actual = not tracked).", unit="percent"),
        Field("value", "JSON", "Planned and actual value, per country or for the whole program "
              "(`amount_millions`, `currency`, `price_year`)."),
        Field("clauses", "JSON", "Reciprocity clauses, e.g. flowback terms (`kind`, `text`)."),
        Field("plan", "JSON", "Reciprocal-flow plan: desired contributions, technologies to "
              "protect, parts to licence-produce, reciprocity target."),
        Field("sources", "JSON", "Public sources cited (title, author/publisher, year, url, "
              "page); at least one.", False),
        Field("notes", "VARCHAR", "Anything else the compiler wants on record."),
    ),
))

TRANSFERS = register(Table(
    name="ledger_transfers",
    description="Directional technology transfers of the ledger, one row per version "
                "(nothing is updated in place). `status` is the last entry of "
                "`status_history`.",
    primary_key=("transfer_id", "version"),
    fields=(
        Field("transfer_id", "VARCHAR", "Identifier of the transfer.", False),
        *_AUDIT,
        Field("origin", "VARCHAR", "Code of the country the technology flows from.", False),
        Field("destination", "VARCHAR", "Code of the country it flows to.", False),
        Field("program_id", "VARCHAR", "Program it belongs to, if any."),
        Field("technology", "VARCHAR", "What is transferred, as the sources describe it.", False),
        Field("area", "VARCHAR", "Technology area, as the sources name it."),
        Field("firms", "VARCHAR[]", "Firms involved."),
        Field("kind", "VARCHAR", "`hard` (equipment or design data) or `soft` (manufacturing "
              "know-how); empty when the sources do not say.", enum=KINDS),
        Field("significance", "VARCHAR", "`major` or `minor`; only major transfers are tested "
              "by the technology-for-technology check.", enum=SIGNIFICANCE),
        Field("status", "VARCHAR", "Current status (last entry of the history).", False,
              enum=STATUSES),
        Field("status_date", "VARCHAR", "Date of the current status (`YYYY`, `YYYY-MM` or "
              "`YYYY-MM-DD`); empty when the sources give none."),
        Field("status_history", "JSON", "Every status with its date and reason, in order.",
              False),
        Field("value", "JSON", "Value of the transfer (`amount_millions`, `currency`, "
              "`price_year`), where a source gives one."),
        Field("impact", "JSON", "Impact assessment (`rating`, `rationale`, `assessor`, "
              "`date`)."),
        Field("sources", "JSON", "Public sources cited; at least one.", False),
        Field("notes", "VARCHAR", "Anything else the compiler wants on record."),
    ),
))

FLOW_RECORDS = register(record_table(
    name="ledger_flow_records",
    description="The executed transfers behind each vintage of the ledger's `programs` flows "
                "(dataset `reciprocity_ledger`), one row per transfer version; `explain` joins "
                "flows to these rows.",
    record="Stable number of the transfer version (hash of id and version).",
    row="transfer version",
    fields=(
        Field("transfer_id", "VARCHAR", "Transfer id.", False),
        Field("version", "INTEGER", "Transfer version (empty for a file ingested with "
              "`reciprocity ingest ledger`)."),
        Field("origin", "VARCHAR", "From country code.", False),
        Field("destination", "VARCHAR", "To country code.", False),
        Field("program_id", "VARCHAR", "Program id."),
        Field("program_form", "VARCHAR", "Form of collaboration of the program.", enum=FORMS),
        Field("technology", "VARCHAR", "What was transferred.", False),
        Field("area", "VARCHAR", "Technology area."),
        Field("firms", "VARCHAR", "Firms, '; '-separated."),
        Field("kind", "VARCHAR", "hard or soft.", enum=KINDS),
        Field("significance", "VARCHAR", "major or minor.", enum=SIGNIFICANCE),
        Field("executed_on", "VARCHAR", "Date it was executed (`YYYY[-MM[-DD]]`).", False),
        Field("value_amount_millions", "DOUBLE", "Value, in millions of `value_currency`."),
        Field("value_currency", "VARCHAR", "ISO 4217 currency of the value."),
        Field("value_price_year", "INTEGER", "Price year of the value (empty: then-year "
              "money)."),
        Field("impact_rating", "VARCHAR", "Impact rating.", enum=RATINGS),
        Field("sources", "VARCHAR", "Titles of the sources cited, '; '-separated.", False),
    ),
))

CURRENT_SQL = {
    "programs": current_sql("ledger_programs", "program_id"),
    "transfers": current_sql("ledger_transfers", "transfer_id"),
}
"""Newest version of every record (deleted ones included: filter ``NOT is_deleted``)."""

TABLES = (PROGRAMS, TRANSFERS, FLOW_RECORDS)
"""Every table the ledger declares (``api.store_tables`` creates them)."""
