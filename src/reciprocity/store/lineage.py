"""The columns every source table shares, declared once: where a row came from (``dataset``,
``vintage_id``, ``record_id``) and the store's country code.

A source's record table starts with ``vintage_id`` and ``record_id`` (the store fills in the
first; ``explain`` and ``diff`` join on both): :func:`record_table` declares it so. The
``flows`` and ``indicators`` tables end with :func:`lineage`. Each source says only what its
``record_id`` is (a line number, a position, a hash), in its own words.
"""

from __future__ import annotations

from typing import Any

from reciprocity.store.schema import Field, Table

STORE_CODES = "ISO 3166 alpha-3 or the project's"
"""What a country code in the store is (``countries.py``)."""


def vintage_id(description: str = "Vintage the row belongs to.") -> Field:
    """``vintage_id``: the vintage (``<dataset>/<date>``) a row was read from."""
    return Field("vintage_id", "VARCHAR", description, False)


def record_id(description: str) -> Field:
    """``record_id``: the source record a row is (or comes from); ``description`` says what
    the number is for this source."""
    return Field("record_id", "BIGINT", description, False)


def dataset() -> Field:
    """``dataset``: the dataset (or dataset part, ``<dataset>:<part>``) of the record."""
    return Field("dataset", "VARCHAR", "Dataset of the record.", False)


def lineage(vintage: str, record: str) -> tuple[Field, Field, Field]:
    """``dataset``, ``vintage_id`` and ``record_id``: the last columns of a derived table
    (flows, indicators), joined to the source's record table by ``explain``."""
    return dataset(), vintage_id(vintage), record_id(record)


def country_code(then: str = "", name: str = "code", nullable: bool = False) -> Field:
    """The country code used in the store (:data:`STORE_CODES`) for a source's own spelling
    of a country; ``then`` says what else it may hold (``; for an aggregate, …``)."""
    return Field(name, "VARCHAR", f"Country code used in the store ({STORE_CODES}){then}.",
                 nullable)


def record_table(name: str, description: str, record: str, fields: tuple[Field, ...],
                 row: str = "row", unique_key: tuple[str, ...] = ("vintage_id", "record_id"),
                 **options: Any) -> Table:
    """A source's record table: ``vintage_id`` (``Vintage the <row> belongs to.``) and
    ``record_id`` (``record``: what the number is) first, then ``fields``; one row per
    ``unique_key`` (by default the record in its vintage)."""
    return Table(name=name, description=description, unique_key=unique_key,
                 fields=(vintage_id(f"Vintage the {row} belongs to."), record_id(record),
                         *fields), **options)
