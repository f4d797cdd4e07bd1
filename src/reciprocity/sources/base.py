"""The contract every data source implements.

A source recognises its files, reads one into validated frames (source records plus the
flows derived from them), and describes itself. It does no I/O on the store: the store
archives the raw file, records the vintage and writes the frames in one transaction.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from reciprocity.errors import InputError
from reciprocity.store.schema import Table
from reciprocity.validation import problems_from

if TYPE_CHECKING:
    import pandas as pd


DATA_PACKAGE = "reciprocity.sources"
"""Where a source's YAML lives by default: ``<package>/data/<name>.yaml``."""


@cache
def load_quirks(name: str, package: str = DATA_PACKAGE) -> dict[str, Any]:
    """A source's YAML, ``<package>/data/<name>.yaml``: its description (``source:``, read
    as :class:`SourceInfo` by :func:`load_info`) and its quirks (headers, markers, patterns)."""
    text = resources.files(package).joinpath(f"data/{name}.yaml").read_text("utf-8")
    return yaml.safe_load(text)


Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while a file is read. A source that works in named
stages also passes the stage, ``progress(done, total, stage)``, to callbacks that take it."""


class Coverage(BaseModel):
    """What a source covers: its years (the last empty when each release extends them) and
    which countries or records, in words."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    first_year: int | None = Field(None, description="the first year the data cover")
    last_year: int | None = Field(None, description="the last year the data cover; empty "
                                  "when each release extends them")
    scope: str = Field(min_length=1, description="what the data cover, in words")


class SourceInfo(BaseModel):
    """What a source is: publisher, terms, credit line, citation, what it measures in which
    units, and what it covers. Read from the ``source:`` section of its YAML (:func:`load_info`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, description="the source's name (`reciprocity ingest NAME`)")
    dataset: str = Field(min_length=1, description="the dataset id in the store")
    title: str = Field(min_length=1, description="the dataset's title")
    publisher: str = Field(min_length=1, description="who publishes the data")
    url: str = Field(min_length=1, description="where users get the data")
    licence: str = Field(min_length=1, description="the terms of use as the publisher states them")
    credit: str = Field(min_length=1, description="the credit line shown wherever the data appear")
    citation: str = Field(min_length=1, description="how to cite the data")
    units: dict[str, str] = Field(description="each measure and its unit (declared in "
                                  "`channels.py`); empty for a source without measures")
    coverage: Coverage
    channels: tuple[str, ...] = Field((), description="the channels whose flows it gives")

    @model_validator(mode="before")
    @classmethod
    def _cite_in_credit(cls, data: Any) -> Any:
        """``credit_cites: true``: the credit line ends with the citation (``. Cite: …``),
        for a publisher that asks every use to cite its work."""
        if isinstance(data, dict) and data.get("credit_cites"):
            data = {k: v for k, v in data.items() if k != "credit_cites"}
            data["credit"] = (f"{data.get('credit', '')}. Cite: "
                              f"{' '.join(str(data.get('citation', '')).split())}")
        return data


def load_info(name: str, package: str = DATA_PACKAGE) -> SourceInfo:
    """The description of source ``name``: the ``source:`` section of its YAML, validated.
    Raises InputError naming the file and every field that is missing or wrong."""
    where = f"{package.replace('.', '/')}/data/{name}.yaml"
    section = load_quirks(name, package).get("source")
    try:
        return SourceInfo.model_validate({"name": name, **(section or {})})
    except ValidationError as exc:
        raise InputError(f"{where}: the source description does not fit",
                         problems_from(exc, prefix=("source",), model=SourceInfo)) from None


@dataclass(frozen=True)
class Part:
    """One file of an input read in parts (see :meth:`Source.read_parts`), in reading order."""

    path: Path
    line_offset: int
    """Lines of the parts read before this one: a record's ``record_id`` is its line number in
    this file plus this offset."""


@dataclass
class Parsed:
    """One file read by a source, ready for the store.

    ``records`` maps a record table's name to its rows (without ``vintage_id``, which the
    store fills in); ``flows`` holds rows of the ``flows`` table likewise, and
    ``indicators`` rows of the ``indicators`` table (country-level series, not pair flows).
    A source whose publication is a set of separately released tables or series names the
    part a file belongs to in ``dataset_part``: the file is then a vintage of the dataset
    ``<dataset>:<part>`` (titled ``dataset_title``), so each part keeps its own newest vintage.
    An input read from several files (``read_parts``) lists them in ``parts``, in the order read.
    """

    layout: str
    generated_at: datetime | None
    scope: str | None
    is_complete: bool
    rows_read: int
    records: dict[str, pd.DataFrame]
    flows: pd.DataFrame
    notes: dict[str, int] = field(default_factory=dict)
    indicators: pd.DataFrame | None = None
    dataset_part: str | None = None
    dataset_title: str | None = None
    parts: tuple[Part, ...] = ()


class Source(ABC):
    """Base class of source modules; see ``docs/architecture.md`` for how to add one."""

    @property
    def tables(self) -> tuple[Table, ...]:
        """Every table the source declares: its record table and ``other_tables``."""
        return (self.record_table, *self.other_tables)

    info: SourceInfo
    record_table: Table
    """Table of source records; its first two columns are ``vintage_id`` and ``record_id``."""
    record_key: tuple[str, ...]
    """Columns that identify one record across vintages (used by ``diff``)."""
    other_tables: tuple[Table, ...] = ()
    """Tables the source writes besides ``record_table`` (e.g. PatentsView's areas)."""
    archive_by_reference: bool = False
    """Record the input's path, size and SHA-256 (``raw_references``) instead of its bytes."""
    reads_parts: bool = False
    """Several files (or a folder of them) can be the parts of one vintage (``read_parts``)."""

    @abstractmethod
    def sniff(self, head: str) -> str | None:
        """Name of the layout if the text at the start of a file is this source's, else None."""

    @abstractmethod
    def read(self, path: Path, aliases: Mapping[str, str] | None = None,
             progress: Progress | None = None) -> Parsed:
        """Read one file completely; raise :class:`reciprocity.errors.InputError` listing
        every problem found. Must not touch the store."""

    def read_parts(self, paths: list[Path], aliases: Mapping[str, str] | None = None,
                   progress: Progress | None = None) -> Parsed:
        """Read several files that are the parts of one publication as one vintage; raise
        InputError, naming the files, when they do not fit together. Only for sources that set
        ``reads_parts``; must not touch the store."""
        raise InputError(f"{self.info.name} reads one input (a file or a folder) at a time, "
                         f"not {len(paths)} files")

    def input_files(self, path: Path) -> list[Path]:
        """The files the store hashes and archives for ``path``: ``[path]`` for a file.

        A source that reads a directory returns its files (raising InputError, naming what
        is missing); the store then hashes the directory as the list of their hashes.
        """
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        return [path]

    def explain_columns(self) -> list[str]:
        """Record columns shown by ``explain`` (all by default)."""
        return self.record_table.columns
