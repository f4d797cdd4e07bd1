"""The pair's headline: one sentence an analyst can hand on, from the figures the product
computes (the dyad's totals and ``by_design``, the composite index with its interval and
verdict). The briefing, the web app's pair page and the demo print the same sentence.

Nothing here computes a figure: it only words the JSON of ``reciprocity dyad --format json``
(``Dyad.to_dict()``) and of ``reciprocity index --format json`` (``Composite.answer()``, dumped).
"""

from __future__ import annotations

import math
from typing import Any

from reciprocity import channels as channels_mod
from reciprocity.labels import figure

CHANNEL_LABELS = {
    "arms": "major arms",
    "programs": "technology transfers recorded in the cooperation ledger",
    "citation": "citations",
    "coauthorship": "co-authorship",
    "patent_citation": "patent citations",
    "patent_ownership": "cross-border patent ownership",
    "coinvention": "co-invented patents",
    "tech_payments": "technology payments",
}
"""Human names of channels (kept small and local: the CLI's labels module may replace it)."""

VERDICTS = {
    "undetermined": "undetermined (not told apart from what chance would give)",
    "less_reciprocal_than_expected": "less reciprocal than chance would give",
    "more_reciprocal_than_expected": "more reciprocal than chance would give",
    "undefined": "undefined (no flow either way)",
}


def number_or_none(value: Any) -> float | None:
    """A value as a float; None when it is missing, not a number or NaN."""
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel.replace("_", " "))


def unit_label(unit: str) -> str:
    from reciprocity.report.figures import unit_label as figure_unit_label

    return figure_unit_label(unit)


def key_label(channel: str, unit: str) -> str:
    """A channel key for people: ``Citations: relative citation index, physics``."""
    name = channel_label(channel)
    return f"{capitalised(name)}: {unit_label(unit)}"


def main_channel(data: dict[str, Any]) -> str | None:
    """The key of the pair's main channel: arms where present, else the first directed
    channel with totals (``sum`` units)."""
    keys = [k for k, ch in data.get("channels", {}).items()
            if ch.get("directed") and ch.get("aggregation") == "sum"]
    if not keys:
        return None
    return next((k for k in keys if data["channels"][k]["channel"] == "arms"), keys[0])


def _span(data: dict[str, Any], ch: dict[str, Any]) -> tuple[int | None, int | None]:
    years = ch.get("years_with_data") or []
    lo = data.get("since") if data.get("since") is not None else (min(years) if years else None)
    hi = data.get("until") if data.get("until") is not None else (max(years) if years else None)
    return lo, hi


def _design(data: dict[str, Any], ch: dict[str, Any]) -> list[str]:
    design = ch.get("by_design") or {}
    a, b = data.get("a_name") or data["a"], data.get("b_name") or data["b"]
    out = []
    licensed = (design.get("a_to_b") or {}).get("supplier_licensed")
    if licensed and number_or_none(licensed.get("share")):
        out.append(f"{figure(licensed['share'], 'proportion')} of it was made in {b} under "
                   "licence or locally")
    back = (design.get("b_to_a") or {}).get("recipient")
    if back and number_or_none(back.get("share")):
        out.append(f"{figure(back['share'], 'proportion')} of what {b} sent was of "
                   f"{_possessive(with_article(a))} own design")
    return out


def _composite(composite: dict[str, Any] | None) -> str | None:
    if not composite:
        return None
    if composite.get("value") is None:
        return "no composite index over the channels (no channel has an interval)"
    level = number_or_none(composite.get("level")) or 0.95
    text = f"the composite index over all channels is {figure(composite['value'], 'index')}"
    if composite.get("ci_low") is not None and composite.get("ci_high") is not None:
        text += (f" ({100 * level:.0f}% interval {figure(composite['ci_low'], 'index')}–"
                 f"{figure(composite['ci_high'], 'index')}")
        if composite.get("expected") is not None:
            text += f", {figure(composite['expected'], 'index')} expected by chance"
        text += ")"
    verdict = str(composite.get("verdict") or "")
    if verdict:
        text += ": " + VERDICTS.get(verdict, verdict.replace("_", " "))
    return text


def sentence(data: dict[str, Any], composite: dict[str, Any] | None = None) -> str:
    """The headline sentence of the pair (``data``: ``Dyad.to_dict()``; ``composite``:
    ``Composite.answer()`` dumped, or None)."""
    a, b = data.get("a_name") or data["a"], data.get("b_name") or data["b"]
    if not data.get("channels"):
        return f"The store holds no flows between {a} and {b} for this span."
    key = main_channel(data)
    if key is None:
        return (f"{capitalised(with_article(a))} and {with_article(b)} share only joint counts "
                "or indices here (no directed flow with totals), so no two-way index applies; "
                "the channels "
                "below give the values by year.")
    ch = data["channels"][key]
    lo, hi = _span(data, ch)
    span = f"From {lo} to {hi}" if lo is not None and hi is not None and lo != hi else (
        f"In {lo}" if lo is not None else "Over the span")
    unit = unit_label(ch["unit"])
    parts = [f"{span} {with_article(a)} sent {with_article(b)} "
             f"{figure(ch['flow_ab'], ch['unit'])} {unit} of "
             f"{channel_label(ch['channel'])} and received {figure(ch['flow_ba'], ch['unit'])} "
             f"(two-way index {figure(ch['gl_index'], 'index')})"]
    parts += _design(data, ch)
    comp = _composite(composite)
    if comp:
        parts.append(comp)
    return "; ".join(parts) + "."


def _possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def capitalised(text: str) -> str:
    """``text`` with its first letter in capitals (a sentence's start)."""
    return text[:1].upper() + text[1:]


def with_article(name: str) -> str:
    """``the United States``, ``the United Kingdom``; other names as they are."""
    if name.startswith(("United ", "Netherlands", "Philippines", "Czech Republic")):
        return "the " + name
    return name


def single_value(ch: dict[str, Any]) -> bool:
    """A channel with one year of data: a value card, not a chart of one dot."""
    return len(ch.get("years_with_data") or []) <= 1


def card(key: str, ch: dict[str, Any]) -> dict[str, Any]:
    """What a value card shows for a channel with a single value."""
    latest = ch.get("latest") or ch
    years = ch.get("years_with_data") or []
    return {"key": key, "title": key_label(ch["channel"], ch["unit"]),
            "year": years[0] if years else None, "directed": ch.get("directed"),
            "flow_ab": latest.get("flow_ab"), "flow_ba": latest.get("flow_ba"),
            "gl_index": latest.get("gl_index") if ch.get("directed") else None,
            "unit": unit_label(ch["unit"]), "unit_name": ch["unit"],
            "additive": channels_mod.is_additive(ch["unit"])}
