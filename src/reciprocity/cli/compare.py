"""``reciprocity compare A B --at YEAR``: an event study of a pair's flows
(docs/event_studies.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from reciprocity.cli.common import ChannelOpt, FormatOpt, WideOpt, session
from reciprocity.cli.render import Format, View, emit
from reciprocity.labels import label

if TYPE_CHECKING:
    import pandas as pd

    from reciprocity.assess.compare import EventStudyResult

TABLE_COLUMNS = ["channel", "direction", "before", "after", "change", "ci_low", "ci_high",
                 "p_value", "verdict"]


def register(app: typer.Typer) -> None:
    app.command("compare")(compare)


def compare(ctx: typer.Context,
            a: Annotated[str, typer.Argument(help="Country A: ISO3 code or name.")],
            b: Annotated[str, typer.Argument(help="Country B: ISO3 code or name.")],
            at: Annotated[int | None, typer.Option(
                "--at", help="The event year: 'before' is the window's years up to the one "
                "before it, 'after' starts with it.")] = None,
            event: Annotated[str | None, typer.Option(
                "--event", help="Take the year from this timeline event (reciprocity events "
                "A B lists them).")] = None,
            window: Annotated[int, typer.Option(
                "--window", "-w", help="Years on each side (before: AT−N … AT−1; after: "
                "AT … AT+N−1).")] = 5,
            channel: ChannelOpt = None,
            replicates: Annotated[int | None, typer.Option(
                "--replicates", help="Bootstrap replicates (default 2000).")] = None,
            seed: Annotated[int | None, typer.Option(
                "--seed", help="Random seed of the bootstrap.")] = None,
            wide: WideOpt = False, fmt: FormatOpt = Format.table) -> None:
    """Flows each way and the two-way index before and after a year, per channel: the
    change (after − before) with a bootstrap interval over the sampling unit (SIPRI deals
    whole; blocks of years for yearly series) and the p-value of a segmented regression
    (level and slope change, Newey–West errors)."""
    with session(ctx, read_only=True) as r:
        result = r.compare(a, b, at, window=window, channel=channel, replicates=replicates,
                           seed=seed, event=event)
    frame = result.frame()
    emit(frame, fmt, json_data=result.answer().model_dump(mode="json"), csv_frame=frame,
         wide=wide,
         views=[View(_shown(result, frame), _title(result), columns=TABLE_COLUMNS,
                     caption=" · ".join(result.credits) or None,
                     wide_columns=[*TABLE_COLUMNS, "unit", "n_years_before", "n_years_after",
                                   "reason"],
                     units={"ci_low": "decimal", "ci_high": "decimal"},
                     labels={"before": f"before {result.at - result.window}–{result.at - 1}",
                             "after": f"after {result.at}–{result.at + result.window - 1}"})],
         empty=f"No channel with flows between {result.a} and {result.b}.",
         notes=_notes(result))


def _shown(r: EventStudyResult, frame: pd.DataFrame) -> pd.DataFrame:
    """The table's rows: directions as A→B, B→A, two-way; p-values to 3 significant
    digits; verdicts in words."""
    shown = frame.copy()
    shown["direction"] = shown["direction"].map(_directions(r))
    shown["p_value"] = [("" if p is None or p != p else "<0.001" if p < 0.001 else f"{p:.3f}")
                        for p in shown["p_value"]]
    shown["verdict"] = shown["verdict"].str.replace("_", " ")
    return shown


def _title(r: EventStudyResult) -> str:
    return (f"{r.a} and {r.b} around {r.at}: mean yearly flow (indices: mean of the years "
            f"with data) {r.window} years before and after, change and "
            f"{round(100 * r.level)}% interval")


def _directions(r: EventStudyResult) -> dict[str, str]:
    """The directions as people read them (``b_to_a`` → ``JPN→USA``)."""
    return {"a_to_b": f"{r.a}→{r.b}", "b_to_a": f"{r.b}→{r.a}", "two_way": "two-way index"}


def _notes(r: EventStudyResult) -> list[str]:
    names = _directions(r)
    lines = []
    if r.event:
        lines.append(f"Event {r.event['id']} ({r.event['date']}): {r.event['title']}; "
                     + "; ".join(r.event["sources"]))
    for c in r.channels:
        lines.append(f"{label(c.channel)} ({label(c.unit)}): interval over {c.resampled}"
                     + ("" if c.directed else "; undirected: both directions hold the joint "
                        "count, no two-way index"))
        for name, side in c.sides.items():
            if side is not None and side.reason:
                lines.append(f"  {names.get(name, label(name))}: no verdict, {side.reason}")
    lines += [f"{label(name)}: left out, {why}" for name, why in r.skipped.items()]
    lines.append("p-value: joint test of no change in level and slope at the event year "
                 "(segmented OLS, Newey–West errors); verdict from the interval alone.")
    return lines
