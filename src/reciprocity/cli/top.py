"""``top``: SIPRI's rankings of the largest exporters or importers over a window of years."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from reciprocity.cli.common import FormatOpt, SinceOpt, UntilOpt, VintageOpt, WideOpt, session
from reciprocity.cli.render import Format, View, emit, with_credit
from reciprocity.labels import label

if TYPE_CHECKING:  # the query (pandas, DuckDB) is imported when the command runs
    from reciprocity.queries.top import Top

DEFAULT_LIMIT = 25
"""The API's default, :data:`reciprocity.queries.top.DEFAULT_LIMIT` (a test keeps them equal)."""


def register(app: typer.Typer) -> None:
    @app.command("top")
    def top(
        ctx: typer.Context,
        kind: Annotated[str, typer.Argument(
            help="exporters (ranked by flows sent) or importers (by flows received).")],
        channel: Annotated[str, typer.Option(
            "--channel", "-c", help="A directed channel whose unit adds up over years.")
        ] = "arms",
        since: SinceOpt = None,
        until: UntilOpt = None,
        vintage: VintageOpt = None,
        limit: Annotated[int, typer.Option(
            "--limit", "-n", help="Rows to show; 0 lists every country.")] = DEFAULT_LIMIT,
        unit: Annotated[str | None, typer.Option(
            "--unit", help="Unit (default: the channel's first additive unit in the data).")
        ] = None,
        fmt: FormatOpt = Format.table,
        wide: WideOpt = False,
    ) -> None:
        """The largest exporters or importers over a window, as SIPRI ranks them each March.

        Default window: the last five complete years of data; each row has its share of the
        world total (unknown parties included) and the change from the five years before.
        """
        with session(ctx, read_only=True) as r:
            result = r.top(kind, channel=channel, since=since, until=until, vintage=vintage,
                           limit=limit, unit=unit)
        previous = f"{result.previous_since}–{result.previous_until}"
        emit(result.rows, fmt, json_data=result.answer().model_dump(mode="json"), wide=wide,
             csv_frame=with_credit(result.rows, " · ".join(result.credits)),
             views=[View(result.rows, _title(result),
                         columns=["rank", "name", "country", "value", "share",
                                  "previous_value", "change_pct"],
                         units={"value": result.unit, "previous_value": result.unit},
                         labels={"value": f"{result.since}–{result.until}",
                                 "previous_value": previous})],
             empty=f"No {result.channel} flows in the store for {_span(result)}.",
             notes=_notes(result))


def _span(t: Top) -> str:
    return "these filters" if t.since is None else f"{t.since}–{t.until}"


def _title(t: Top) -> str:
    n = len(t.rows)
    head = f"Top {n} of {t.countries_total}" if n < t.countries_total else f"All {n}"
    return f"{head} {label(t.channel).lower()} {t.kind}, {_span(t)} ({label(t.unit)})"


def _notes(t: Top) -> list[str]:
    if t.world_total is None:
        return []
    return [f"World total {t.since}–{t.until}: {t.world_total:,.0f} {label(t.unit)} (unknown "
            f"parties included; share % is of it) · change % from {t.previous_since}–"
            f"{t.previous_until}, empty when that is 0 or has no data · vintage {t.vintage}",
            *([f"[bold]A partial extract, not the world:[/] {t.partial_scope}"]
              if t.partial_scope else []),
            *(f"[dim]{credit}[/]" for credit in t.credits)]
