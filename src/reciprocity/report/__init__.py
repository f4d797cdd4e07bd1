"""Pair briefings: one self-contained HTML file (charts drawn offline) and its PDF print.

:func:`reciprocity.report.builder.render_html` builds the page from the Python API (so its
numbers match the CLI); :func:`reciprocity.report.builder.write_briefing` writes ``.html`` or
``.pdf`` (printed by headless Chromium, :mod:`reciprocity.report.pdf`). See docs/briefing.md.

The builder (Plotly, Jinja2, pandas) is imported on first use of these names, so that the
briefing's small wording modules (e.g. :mod:`.alliance_text`, used by ``reciprocity dyad``)
load without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reciprocity.report.builder import build_context, render_html, write_briefing

__all__ = ["build_context", "render_html", "write_briefing"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from reciprocity.report import builder

        return getattr(builder, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
