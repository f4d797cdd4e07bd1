"""Pair briefings: one self-contained HTML file (charts drawn offline) and its PDF print.

:func:`reciprocity.report.builder.render_html` builds the page from the Python API (so its
numbers match the CLI); :func:`reciprocity.report.builder.write_briefing` writes ``.html`` or
``.pdf`` (printed by headless Chromium, :mod:`reciprocity.report.pdf`). See docs/briefing.md.
"""

from __future__ import annotations

from reciprocity.report.builder import build_context, render_html, write_briefing

__all__ = ["build_context", "render_html", "write_briefing"]
