"""The briefing's alliance sentence: since when A and B are allies and on what terms, worded
from the dyad JSON's ``alliance`` (:func:`reciprocity.queries.alliance.alliance`, ATOP v4).

Nothing is computed here beyond picking the treaties: those of the unbroken allied run (the
ones that overlap it) say since when; those still in force in the reference year say on what
terms, per member, since ATOP codes obligations per member and they can be one-sided.
"""

from __future__ import annotations

from typing import Any

from reciprocity.labels import label
from reciprocity.report.headline import capitalised, with_article
from reciprocity.sources.atop_members import OBLIGATIONS


def _duties(codes: list[str]) -> str:
    return ", ".join(label(o) for o in OBLIGATIONS if o in codes) or "no obligation coded"


def _treaty(t: dict[str, Any]) -> str:
    years = f"from {t['start']}" if t.get("end") is None else f"{t['start']}–{t['end']}"
    return f"{t['atopid']} ({years})"


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def sentence(alliance: dict[str, Any] | None, a: str, a_name: str, b: str,
             b_name: str) -> str:
    """One sentence for page 1 (``alliance``: the dyad JSON's ``alliance``, None when the
    store holds no ATOP data; names as the dyad gives them, e.g. ``United States``)."""
    a_name, b_name = with_article(a_name), with_article(b_name)
    if alliance is None:
        return (f"Whether {a_name} and {b_name} are allies is not shown: the store holds no "
                "ATOP alliance data (reciprocity ingest atop).")
    as_of = alliance["as_of"]
    coverage = f"ATOP v4, data to {alliance.get('coverage_end', as_of)}"
    since = alliance.get("allied_since")
    treaties = alliance.get("treaties") or []
    if since is None:
        past = [t for t in treaties if t.get("end") is not None and t["end"] < as_of]
        text = (f"{capitalised(a_name)} and {b_name} are not allied in ATOP in "
                f"{as_of} ({coverage})")
        if past:
            text += "; earlier, ATOP alliance" + ("s " if len(past) > 1 else " ") + _listed(
                [_treaty(t) for t in past])
        return text + "."
    run = [t for t in treaties if t.get("end") is None or t["end"] >= since]
    now = [t for t in run if t.get("end") is None or t["end"] >= as_of]
    duties = {code: sorted({o for t in now for o in t["obligations"].get(code, [])})
              for code in (a, b)}
    pact = any(o in ("defense", "offense") for codes in duties.values() for o in codes)
    lead = ("Allied since" if pact else  # ATOP counts non-aggression and consultation pacts too
            "Allies in ATOP's sense only (no defence or offence obligation) since")
    text = (f"{lead} {since} ({coverage}) under ATOP alliance"
            + ("s " if len(run) > 1 else " ") + _listed([_treaty(t) for t in run])
            + f"; terms in {as_of}: {a_name}: {_duties(duties[a])}; "
            f"{b_name}: {_duties(duties[b])}")
    one_sided = [(o, who) for o in OBLIGATIONS for who, other in ((a_name, b), (b_name, a))
                 if o in duties[a if who == a_name else b] and o not in duties[other]]
    if one_sided:
        text += " (one-sided: " + "; ".join(f"{label(o)} by {who} only"
                                           for o, who in one_sided) + ")"
    return text + "."
