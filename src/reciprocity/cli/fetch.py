"""``reciprocity fetch sipri``: download a publisher's current export into the cache."""

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
    from reciprocity.fetch import fetch_sipri

    path = fetch_sipri(out)
    console.print(f"Saved {path}\nNext: reciprocity ingest sipri {path}")


def fetch_source(name: str, out: Path | None = None) -> Path:
    """Fetch by source name (used by the demo)."""
    if name != "sipri":
        raise NotFoundError(f"no fetcher for {name!r}")
    from reciprocity.fetch import fetch_sipri

    return fetch_sipri(out)
