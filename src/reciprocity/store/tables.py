"""The core tables of the store: datasets, vintages, the raw archive and flows."""

from __future__ import annotations

from reciprocity.store.lineage import country_code, lineage
from reciprocity.store.schema import YEAR_BOUNDS, Field, Table, register

MODES = ("new", "second_hand", "second_hand_modernized", "licensed_production",
         "joint", "unspecified")

DATASETS = register(Table(
    name="datasets",
    description="One row per source dataset: who publishes it, under which terms, and the "
                "credit line every output using it must carry.",
    primary_key=("dataset",),
    fields=(
        Field("dataset", "VARCHAR", "Dataset identifier, e.g. `sipri_arms_transfers`.", False),
        Field("source", "VARCHAR", "Source module that reads it (`reciprocity sources`).", False),
        Field("title", "VARCHAR", "Human title of the dataset.", False),
        Field("publisher", "VARCHAR", "Organisation that publishes it.", False),
        Field("url", "VARCHAR", "Where users get the data."),
        Field("licence", "VARCHAR", "Terms of use as the publisher states them."),
        Field("credit", "VARCHAR", "Credit line shown wherever the data appears.", False),
        Field("first_year", "INTEGER", "First year the data cover (the source's description); "
              "empty when it does not say, or in a store made before it was recorded."),
        Field("last_year", "INTEGER", "Last year the data cover (the source's description); "
              "empty when each release extends them, or in a store made before it was "
              "recorded."),
    ),
))

VINTAGES = register(Table(
    name="vintages",
    description="One row per ingested file: a release (vintage) of a dataset, with the "
                "publisher's own generation date, when it was ingested, its checksum and counts. "
                "Old vintages are kept when a newer one arrives.",
    primary_key=("vintage_id",),
    fields=(
        Field("vintage_id", "VARCHAR", "`<dataset>/<generation date>`; unique.", False),
        Field("dataset", "VARCHAR", "Dataset this vintage belongs to.", False),
        Field("generated_at", "TIMESTAMP", "When the publisher generated the file (from the "
              "file itself where it says so, otherwise the file's date)."),
        Field("ingested_at", "TIMESTAMP", "When it was ingested here (UTC).", False),
        Field("sha256", "VARCHAR", "SHA-256 of the raw file; ingesting it again adds nothing.",
              False),
        Field("file_name", "VARCHAR", "Base name of the file as given.", False),
        Field("layout", "VARCHAR", "Which of the source's layouts the file had.", False),
        Field("scope", "VARCHAR", "What the file covers, as the publisher states it."),
        Field("is_complete", "BOOLEAN", "True when the scope is the whole dataset; partial "
              "extracts are used only when selected with --vintage.", False),
        Field("rows_read", "BIGINT", "Data rows in the file.", False),
        Field("records_loaded", "BIGINT", "Source records stored.", False),
        Field("flows_loaded", "BIGINT", "Flows derived.", False),
        Field("notes", "VARCHAR", "Counts of anything unusual met while reading."),
        Field("held_back", "VARCHAR", "Why the vintage is not its dataset's default although "
              "newer: under 90 % of the records of the newest vintage of its dataset, layout "
              "and scope (a file cut short), dated in the future, or undated; empty when not "
              "held back or ingested with `--force`. A held-back vintage is used only with "
              "`--vintage`, or when its dataset has no other."),
    ),
))

RAW_FILES = register(Table(
    name="raw_files",
    description="The raw archive: every ingested file, content-addressed by SHA-256 and kept "
                "byte for byte (zlib-compressed), so each figure can be traced to its source rows.",
    primary_key=("sha256",),
    fields=(
        Field("sha256", "VARCHAR", "SHA-256 of the uncompressed bytes.", False),
        Field("size_bytes", "BIGINT", "Size of the file.", False, unit="bytes"),
        Field("content_zlib", "BLOB", "The file's bytes, zlib-compressed.", False),
    ),
))

RAW_REFERENCES = register(Table(
    name="raw_references",
    description="Inputs archived by reference instead of byte for byte (multi-gigabyte inputs "
                "such as PatentsView's bulk tables): one row per file of an ingested input, "
                "with where it was read from, its size and its SHA-256, so the exact input can "
                "be found and verified again.",
    primary_key=("sha256", "file_name"),
    fields=(
        Field("sha256", "VARCHAR", "SHA-256 of the input as a whole (the vintage's `sha256`); "
              "for a directory, of its files' sorted `name<TAB>sha256` lines.", False),
        Field("file_name", "VARCHAR", "Name of the file within the input.", False),
        Field("path", "VARCHAR", "Absolute path the file was read from.", False),
        Field("size_bytes", "BIGINT", "Size of the file.", False, unit="bytes"),
        Field("file_sha256", "VARCHAR", "SHA-256 of the file.", False),
    ),
))

RAW_PARTS = register(Table(
    name="raw_parts",
    description="Inputs read in parts (e.g. a SIPRI export split into year ranges): one row per "
                "file of the input, in the order the source read it. Each file's bytes are in "
                "`raw_files` under its own SHA-256, so the exact input can be recovered.",
    primary_key=("sha256", "part"),
    fields=(
        Field("sha256", "VARCHAR", "SHA-256 of the input as a whole (the vintage's `sha256`): "
              "of its files' sorted `name<TAB>sha256` lines.", False),
        Field("part", "INTEGER", "Position of the file in reading order (1-based).", False),
        Field("file_name", "VARCHAR", "Base name of the file as given.", False),
        Field("file_sha256", "VARCHAR", "SHA-256 of the file (its row in `raw_files`).", False),
        Field("size_bytes", "BIGINT", "Size of the file.", False, unit="bytes"),
        Field("line_offset", "BIGINT", "Lines of the files read before this one: a record's "
              "`record_id` is its line number in this file plus this offset.", False),
    ),
))

FLOWS = register(Table(
    name="flows",
    # No ART indexes: DuckDB answers the pair filters from its zone maps, and indexes would
    # cost more at every ingest than they save in queries.
    description="Directed technology flows: one row per source record, year and direction. "
                "Magnitudes are only ever added within one unit. Undirected channels store one "
                "row per pair with `origin` < `destination`.",
    fields=(
        Field("channel", "VARCHAR", "How technology moves (see `reciprocity channels`).", False),
        Field("origin", "VARCHAR", "Code of the country technology flows from.", False),
        Field("destination", "VARCHAR", "Code of the country technology flows to.", False),
        Field("year", "INTEGER", "Year the flow happened (delivery year for arms).", False,
              **YEAR_BOUNDS),
        Field("area", "VARCHAR", "Technology area (taxonomy id); empty when not mapped."),
        Field("magnitude", "DOUBLE", "Size of the flow, in `unit`.", False, min=0),
        Field("unit", "VARCHAR", "Unit of `magnitude`, e.g. `tiv_millions`.", False),
        Field("mode", "VARCHAR", "How, within the channel.", False, enum=MODES),
        Field("is_estimated", "BOOLEAN", "The magnitude was apportioned by the project (e.g. a "
              "deal's TIV split evenly over its delivery years).", False),
        Field("is_uncertain", "BOOLEAN", "The source marks part of the record as uncertain.",
              False),
        Field("design_origin", "VARCHAR", "Country whose design it is, where the source says."),
        *lineage("Vintage the flow was read from.", "Source record id (for SIPRI: the line "
                 "number in the raw file), joined to the source's record table by `explain`."),
    ),
))

INDICATORS = register(Table(
    name="indicators",
    description="Country-level indicators (not pair flows), e.g. World Bank WDI charges for the "
                "use of intellectual property: one row per series, country or aggregate and "
                "year, with the same lineage as flows. Regional and income aggregates (`WLD`, "
                "`HIC`, …) are kept apart from countries by `is_aggregate`.",
    indexes=(("country", "indicator"), ("vintage_id",)),
    unique_key=("vintage_id", "indicator", "country", "year"),
    fields=(
        Field("indicator", "VARCHAR", "Publisher's series code, e.g. `BM.GSR.ROYL.CD`.", False),
        country_code("; for an aggregate, the publisher's aggregate code (e.g. `WLD`)",
                     name="country"),
        Field("is_aggregate", "BOOLEAN", "The row is a regional, income or other aggregate, "
              "not a country.", False),
        Field("year", "INTEGER", "Year of the observation.", False, **YEAR_BOUNDS),
        Field("value", "DOUBLE", "The value, in `unit`.", False),
        Field("unit", "VARCHAR", "Unit of `value`, e.g. `usd_current`, `percent_of_gdp`.", False),
        *lineage("Vintage the value was read from.", "Source record id (the line number in the "
                 "raw file), joined to the source's record table."),
    ),
))

STORE_INFO = register(Table(
    name="store_info",
    description="Facts about the store file itself, e.g. `created_by` = `demo` for a store "
                "that `reciprocity demo` may rebuild.",
    primary_key=("key",),
    fields=(
        Field("key", "VARCHAR", "Name of the fact.", False),
        Field("value", "VARCHAR", "Its value.", False),
    ),
))

TABLES = (DATASETS, VINTAGES, RAW_FILES, RAW_REFERENCES, RAW_PARTS, FLOWS, INDICATORS,
          STORE_INFO)
"""The store's own tables (:func:`reciprocity.store.schema.store_tables`)."""
