"""The sources' descriptions as Markdown, for ``docs/sources.md``.

The page is written by hand around blocks that ``python -m reciprocity.docgen`` fills from
each source's YAML (:class:`reciprocity.sources.base.SourceInfo`): between
``<!-- generated: sources -->`` and ``<!-- end generated -->`` the table of every registered
source, between ``<!-- generated: source NAME -->`` and the end marker one source's publisher,
terms, credit line, citation and coverage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from reciprocity import channels
from reciprocity.sources.base import SourceInfo

END = "<!-- end generated -->"
_BLOCK = re.compile(r"(<!-- generated: (sources|source (\w+)) -->\n).*?(" + re.escape(END) + ")",
                    re.S)


def _years(info: SourceInfo) -> str:
    first, last = info.coverage.first_year, info.coverage.last_year
    if first is not None and last is not None:
        return f"{first}–{last}"
    if first is not None:
        return f"from {first}"
    return f"to {last}" if last is not None else ""


def _channels(info: SourceInfo) -> str:
    if not info.channels:
        return "none"
    return ", ".join(f"`{c}` ({'directed' if channels.get(c).directed else 'undirected'})"
                     for c in info.channels)


def _units(info: SourceInfo) -> str:
    return ", ".join(dict.fromkeys(f"`{u}`" for u in info.units.values())) or "—"


def _cell(text: str) -> str:
    return text.replace("|", "/")


def sources_table(infos: Mapping[str, SourceInfo]) -> str:
    """One row per source of ``infos`` (by name): name, dataset, channels, units, years,
    title."""
    lines = ["| source | dataset id | channel(s) | units | years | title |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name in sorted(infos):
        info = infos[name]
        lines.append(f"| `{name}` | `{info.dataset}` | {_channels(info)} | {_units(info)} | "
                     f"{_years(info)} | {_cell(info.title)} |")
    return "\n".join(lines)


def source_description(info: SourceInfo) -> str:
    """A source's publisher, terms, credit line, citation, measures and coverage, as a list."""
    years = _years(info)
    units = "; ".join(f"{measure}: `{unit}`" for measure, unit in info.units.items())
    citation = " ".join(info.citation.split())
    lines = [f"- Publisher: {info.publisher}, {info.url}.",
             f"- Terms: {info.licence.rstrip('.')}."]
    if info.credit.endswith(citation):  # the credit line carries the citation
        lines.append(f"- Credit line, with the citation: *{info.credit.rstrip('.')}*.")
    else:
        lines += [f"- Credit line: *{info.credit.rstrip('.')}*.",
                  f"- Cite: {citation.rstrip('.')}."]
    lines += [f"- Measures: {units}." if units else "- Measures: none (no flows or series).",
              f"- Covers: {info.coverage.scope}" + (f" ({years})." if years else ".")]
    return "\n".join(lines)


def fill(page: str, infos: Mapping[str, SourceInfo]) -> str:
    """``page`` with every generated block rewritten from the sources' YAML (``infos``: each
    source's description by name, e.g. from ``queries.catalog.all_sources``)."""
    def render(match: re.Match[str]) -> str:
        body = sources_table(infos) if match.group(2) == "sources" else source_description(
            infos[match.group(3)])
        return f"{match.group(1)}{body}\n{match.group(4)}"

    return _BLOCK.sub(render, page)
