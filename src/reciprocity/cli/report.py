"""``reciprocity report A B -o FILE.html|FILE.pdf``: a pair briefing that works offline."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from reciprocity.cli.common import SinceOpt, UntilOpt, session
from reciprocity.cli.render import console


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report(
        ctx: typer.Context,
        a: Annotated[str, typer.Argument(help="Country A: ISO3 code or name (USA).")],
        b: Annotated[str, typer.Argument(help="Country B: ISO3 code or name (JPN).")],
        out: Annotated[Path, typer.Option(
            "--out", "-o", help="Output file: FILE.html (self-contained, works offline) or "
            "FILE.pdf (printed by headless Chromium).")],
        since: SinceOpt = None,
        until: UntilOpt = None,
    ) -> None:
        """Write a pair briefing: page 1 the headline (figures, one sentence, each channel's
        coverage); then flows per channel, ledger, assessment, method and provenance."""
        from reciprocity.report.builder import write_briefing

        started = time.perf_counter()
        with session(ctx, read_only=True) as r:
            path = write_briefing(r, a, b, out, since=since, until=until)
        console.print(f"Wrote {path} ({path.stat().st_size / 1e6:.1f} MB) in "
                      f"{time.perf_counter() - started:.1f} s")
