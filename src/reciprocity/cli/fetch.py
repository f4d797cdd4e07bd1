"""``reciprocity fetch sipri|wdi|openalex``: download publishers' current data into the cache."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reciprocity.cli.render import console
from reciprocity.errors import NotFoundError

fetch_app = typer.Typer(help="Download current data from the publishers into a local cache.",
                        no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(fetch_app, name="fetch")


@fetch_app.command("sipri")
def sipri(
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Folder for the file (default: the cache).")] = None,
) -> None:
    """Download the full SIPRI trade register (CSV) from SIPRI's website."""
    from reciprocity.fetch.sipri import fetch_sipri

    path = fetch_sipri(out)
    console.print(f"Saved {path}\nNext: reciprocity ingest sipri {path}")


@fetch_app.command("wdi")
def wdi(
    indicators: Annotated[list[str], typer.Argument(
        help="WDI indicator codes, e.g. BM.GSR.ROYL.CD BX.GSR.ROYL.CD.")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Folder for the files (default: the cache).")] = None,
) -> None:
    """Download World Bank WDI indicators (API v2; cached on disk), one CSV per indicator."""
    from reciprocity.fetch.wdi import fetch_wdi

    for path in fetch_wdi(indicators, out):
        console.print(f"Saved {path}\nNext: reciprocity ingest wdi {path}")


@fetch_app.command("openalex")
def openalex(
    pair: Annotated[tuple[str, str], typer.Option(
        "--pair", help="Two countries, e.g. --pair USA JPN.")],
    since: Annotated[int, typer.Option("--since", help="First publication year.")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Folder for the file (default: the cache).")] = None,
    max_works: Annotated[int | None, typer.Option(
        "--max", help="Stop after this many works (default: all).")] = None,
    references: Annotated[bool, typer.Option(
        "--references/--no-references",
        help="Also fetch the works they cite (for citation flows).")] = True,
) -> None:
    """Download works co-authored by a pair from OpenAlex (cursor paging, cached)."""
    from reciprocity.fetch.openalex import fetch_openalex

    path = fetch_openalex(pair[0], pair[1], since, out, max_works=max_works,
                          references=references)
    console.print(f"Saved {path}\nNext: reciprocity ingest openalex {path}")


def fetch_source(name: str, out: Path | None = None) -> Path:
    """Fetch by source name (used by the demo)."""
    if name != "sipri":
        raise NotFoundError(f"no fetcher for {name!r}")
    from reciprocity.fetch.sipri import fetch_sipri

    return fetch_sipri(out)
