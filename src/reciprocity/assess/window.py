"""The one definition of the years an assessment figure covers, and its name.

``index``, ``alerts``, the demo's brief, the briefing and the web all say which window a
figure is over through :class:`Window`: a span (``--since``/``--until``, else every year with
data) or a trailing window of N years ending at a year (the alerts' and scenarios' yearly
index, SIPRI's 5-year trend convention).
"""

from __future__ import annotations

from dataclasses import dataclass

from reciprocity.assess import answers


@dataclass(frozen=True)
class Window:
    """Years ``since``–``until`` (inclusive; None = open) and how they were chosen."""

    since: int | None
    until: int | None
    name: str

    def answer(self) -> answers.Window:
        return answers.Window(since=self.since, until=self.until, name=self.name)


def _years(lo: int | None, hi: int | None) -> str:
    if lo is None and hi is None:
        return "no years with data"
    if lo is None:
        return f"to {hi}"
    if hi is None:
        return f"from {lo}"
    return f"{lo}–{hi}" if lo != hi else str(lo)


def span(since: int | None = None, until: int | None = None, *, first: int | None = None,
         last: int | None = None) -> Window:
    """The span an index is computed over: ``since``/``until`` as asked, the open ends
    closed by the first and last year with data (``first``, ``last``)."""
    lo = since if since is not None else first
    hi = until if until is not None else last
    if since is None and until is None:
        return Window(lo, hi, f"all years with data ({_years(lo, hi)})")
    return Window(lo, hi, f"{_years(lo, hi)} (asked: since {since or '–'}, until "
                          f"{until or '–'})")


def trailing(last: int, years: int) -> Window:
    """The ``years`` years ending at ``last``: ``5-year window 2021–2025``."""
    return Window(last - years + 1, last, f"{years}-year window {_years(last - years + 1, last)}")
