"""Every ``RECIPROCITY_*`` environment variable, read in one place (pydantic-settings).

:func:`current` reads the environment at each call (cheap), so a variable set while the
process runs (a test's ``monkeypatch.setenv``) counts. An empty value counts as unset. A
value of the wrong type is bad input: an :class:`~reciprocity.errors.InputError` naming the
variable, what it holds and what was expected. The table in docs/settings.md is generated
from this model (``python -m reciprocity.docgen``).
"""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from pydantic import AliasChoices, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from reciprocity.errors import InputError
from reciprocity.validation import problems_from

PREFIX = "RECIPROCITY_"
_KINDS = {Path: "path", str: "text", float: "number", int: "whole number"}


class Settings(BaseSettings):
    """The tool's configuration from the environment (each field: ``RECIPROCITY_<NAME>``)."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True,
                                      str_strip_whitespace=True, extra="ignore",
                                      frozen=True, validate_by_name=True)

    db: Path | None = Field(None, description=(
        "Store file (DuckDB) used without `--db`; else ./reciprocity.duckdb, or "
        "./demo/reciprocity.duckdb when only that exists."))
    data: Path | None = Field(None, description=(
        "Folder of downloaded source files the demo reads; else ../shared/data/raw when it "
        "exists."))
    cache: Path | None = Field(None, description=(
        "Folder for downloads and the HTTP cache; else the OS cache folder "
        "(~/.cache/reciprocity on Linux)."))
    lock_wait: float = Field(3.0, ge=0, description=(
        "Seconds a command retries while another process holds the store's lock."))
    secret: str | None = Field(None, description=(
        "Key that signs the web app's session cookies and CSRF tokens; else a random key "
        "per process (sessions end with a restart)."))
    chromium: Path | None = Field(None, description=(
        "Chromium or Chrome executable for PDF briefings; else the usual names on PATH."))
    memory_limit: str = Field("4GB", min_length=1, description=(
        "Memory limit of the patent pipeline: DuckDB's (larger inputs spill to disk), "
        "Spark's driver memory and, on a cluster, executor memory."))
    temp_dir: Path | None = Field(None, description=(
        "Spill and scratch folder of the engines; else a `reciprocity` folder in the "
        "system's temp folder."))
    unpack_dir: Path | None = Field(None, description=(
        "Folder where zipped inputs are unpacked for Spark (storage every worker reads "
        "under the same path); else the temp folder."))
    spark_master: str = Field("local[2]", min_length=1, description=(
        "Spark master: spark://host:port (a standalone master), local or local[N]."))
    spark_partitions: int | None = Field(None, gt=0, description=(
        "Spark shuffle partitions, local mode and cluster alike; else 4 per core."))
    spark_driver_host: str | None = Field(None, description=(
        "Address of this machine the Spark workers connect back to (the driver binds it); "
        "else 127.0.0.1 for a master on 127.0.0.1, Spark's choice otherwise."))
    spark_python: str | None = Field(
        None, validation_alias=AliasChoices(f"{PREFIX}SPARK_PYTHON", "PYSPARK_PYTHON"),
        description="Python the Spark workers run; else $PYSPARK_PYTHON, else this Python "
        "for a master on 127.0.0.1, Spark's `python3` otherwise.")
    spark_connect_timeout: float = Field(5.0, gt=0, description=(
        "Seconds to wait for a Spark master to accept a connection."))
    spark_executor_wait: float = Field(60.0, gt=0, description=(
        "Seconds to wait for a Spark cluster to start an executor (none starts when no "
        "worker has a free core and the executor memory)."))


def env_name(field: str) -> str:
    """The environment variable of a settings field (``lock_wait`` → ``RECIPROCITY_LOCK_WAIT``)."""
    return PREFIX + field.upper()


def current() -> Settings:
    """The settings from the process environment, read now."""
    try:
        return Settings()
    except ValidationError as error:
        problems = problems_from(error, location=lambda loc: "$" + env_name(str(loc[0])))
        raise InputError(f"{len(problems)} environment variable(s) with a bad value",
                         problems) from None


def docs_table() -> str:
    """The Markdown table of every setting: variable, type, default, meaning."""
    lines = ["| variable | type | default | meaning |", "| --- | --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        kinds = [_KINDS.get(k, str(k)) for k in get_args(field.annotation) or (field.annotation,)
                 if k is not type(None)]
        default = "" if field.default is None else f"`{field.default}`"
        lines.append(f"| `{env_name(name)}` | {' or '.join(kinds)} | {default} "
                     f"| {field.description} |")
    return "\n".join(lines) + "\n"


def docs_page() -> str:
    """docs/settings.md: what the settings are and the table of every variable."""
    return (
        "# Settings\n\n"
        "<!-- generated by `python -m reciprocity.docgen` from reciprocity.settings; do not "
        "edit -->\n\n"
        "Every setting is an environment variable, read in one place "
        "(`reciprocity.settings.Settings`, pydantic-settings) each time it is needed. An "
        "empty variable counts as unset; a value of the wrong type stops the command with "
        "exit code 2, naming the variable, the value and what was expected. Command-line "
        "options (`--db`, `--engine`, `--spark-master`, …) override the variables.\n\n"
        + docs_table())
