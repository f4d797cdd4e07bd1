"""What SIPRI's free-text comments say about how an item was made: the classic export's reading.

SIPRI's classic trade register has no field for licensed or local production; its comments say
it in words ("Incl 199 assembled/produced in Japan", "produced under licence in India as …").
This module reads those words, clause by clause (a clause is the text between ``;``), and keeps
only clauses about the delivered item itself:

* a clause about the platform the item is fitted to ("For 3 Minegumo frigates produced in
  Japan") is read only up to its ``for``; the phrase after it describes the platform;
* unused or expired options, original plans and abandoned licences, "prior to", "without
  licence" and export licences are taken out before anything is read;
* production or assembly must be in the recipient: a licence held in a third country ("French
  design produced under licence in India for France" delivered by India to France) is not
  licensed production into the recipient.

Local assembly (from kits) and local production of components count, as in SIPRI's own
``Local production`` flag, which marks a whole deal. Phrases and exclusions are data in
``data/sipri.yaml`` (``local_production``). Measured against SIPRI's flag in docs/methods.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache

from reciprocity import countries
from reciprocity.sources.base import load_quirks


@dataclass(frozen=True)
class LocalProduction:
    """A comment's statement that the item was (partly) made in the recipient.

    ``clause`` holds SIPRI's exact words; ``kind`` is ``licence`` (a licence is named),
    ``assembly_or_production`` (assembled, produced or built in the recipient) or
    ``components``; ``number`` the count made locally where the comment gives one ("Incl 199
    assembled/produced in Japan" → 199), or the whole order when the clause covers all of it.
    """

    clause: str
    kind: str
    number: float | None


@dataclass(frozen=True)
class _Patterns:
    exclusions: re.Pattern[str]
    platform: re.Pattern[str]
    continuation: re.Pattern[str]
    phrases: tuple[tuple[str, re.Pattern[str]], ...]
    without_place: frozenset[str]
    unlicensed: re.Pattern[str]
    when_unlicensed: frozenset[str]
    partial: re.Pattern[str]
    counted: re.Pattern[str]
    design: tuple[re.Pattern[str], ...]


@cache
def _patterns() -> _Patterns:
    q = load_quirks("sipri")

    def union(items: list[str]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in items), re.I)

    lp = q["local_production"]
    return _Patterns(
        exclusions=union(lp["exclusions"]),
        platform=re.compile(lp["platform"], re.I),
        continuation=re.compile(lp["continuation"]),
        phrases=tuple((kind, union(items)) for kind, items in lp["phrases"].items()),
        without_place=frozenset(lp["kinds_without_place"]),
        unlicensed=re.compile(lp["unlicensed"], re.I),
        when_unlicensed=frozenset(lp["kinds_when_unlicensed"]),
        partial=re.compile(lp["partial"], re.I),
        counted=re.compile(lp["counted"], re.I),
        design=tuple(re.compile(p) for p in q["design_patterns"]),
    )


_IN = re.compile(r"\s*(?:\([^)]*\)\s*)?(?:(?:of|from)\b[^;()]{0,40}?\s)?in\s+(?P<place>\S.*)",
                 re.S)
"""Where a phrase says it happened: "in India", "(…) in China", "of 45 in Belgium", "from kits of
11 in South Africa"."""
_STOP = frozenset({"as", "for", "from", "with", "by", "after", "under", "and", "or", "of",
                   "the", "to", "since", "until", "in"})
_TYPO_RATIO = 0.8
"""How close a misspelt place must be to the recipient's name ("Geramny", "Itaky",
"Banghladesh", "Chechoslovakia" are all in SIPRI's comments)."""


def _names(text: str) -> list[str]:
    """Candidate place names at the start of ``text``, longest first: "South Korea as" →
    ["South Korea", "South"]; a list ("Germany and Netherlands") gives each of its names."""
    tokens = [t.strip("(),.:;/'") for t in text.split()[:8]]
    names: list[str] = []
    run: list[str] = []
    for token in [*tokens, "and"]:
        if token.lower() in _STOP or not token or not token[0].isalpha():
            names.extend(" ".join(run[:n]) for n in range(min(len(run), 4), 0, -1))
            run = []
            if token.lower() not in ("and", "or") and names:
                break
            continue
        run.append(token)
    return names


def _is_place(text: str, recipient: str, aliases: Mapping[str, str] | None) -> bool:
    """True when ``text`` starts by naming the recipient (a code), alone or in a list."""
    target = countries.name_of(recipient).casefold()
    for name in _names(text):
        country = countries.from_demonym(name) or countries.lookup(name, aliases)
        if country is not None and (name.isupper() or name.casefold() != country.code.casefold()):
            if country.code == recipient:
                return True
            continue
        if SequenceMatcher(None, name.casefold(), target).ratio() >= _TYPO_RATIO:
            return True
    return False


def about_item(clause: str) -> str:
    """The part of a clause about the delivered item: exclusions out, the platform part cut."""
    p = _patterns()
    text = p.exclusions.sub(" ", clause)
    # a 'for' inside brackets ("(… for UK armed forces)") does not make the rest a platform's
    cut = p.platform.search(_BRACKETED.sub(lambda m: " " * len(m.group()), text))
    return text[:cut.start()] if cut else text


_BRACKETED = re.compile(r"\([^()]*\)")


def local_production(comment: str | None, recipient: str, number_ordered: float | None = None,
                     aliases: Mapping[str, str] | None = None) -> LocalProduction | None:
    """What the comment says was made in ``recipient`` (a code), or None.

    Phrase kinds are tried in the order of ``data/sipri.yaml`` (licence first), each over all
    clauses, so the strongest statement decides and is kept word for word.
    """
    if not comment:
        return None
    p = _patterns()
    clauses = [(raw.strip(), about_item(raw)) for raw in _clauses(comment)]
    for kind, phrase in p.phrases:
        for raw, text in clauses:
            if kind not in p.when_unlicensed and p.unlicensed.search(raw):
                continue
            for match in phrase.finditer(text):
                where = None
                if text[match.start() - 1:match.start()] == "-":   # "Chinese-produced"
                    before = text[:match.start() - 1].split()
                    if not before or not _is_place(before[-1], recipient, aliases):
                        continue
                elif (where := _IN.match(text, match.end())) is not None:
                    if not _is_place(where.group("place"), recipient, aliases):
                        continue
                elif kind not in p.without_place:
                    continue
                said = text[match.start():where.start("place")] if where else match.group()
                return LocalProduction(raw, kind, _number(text[:match.start()], said, kind,
                                                          number_ordered))
    return None


def _clauses(comment: str) -> list[str]:
    """The comment's clauses; a platform list that runs on over ';' stays one clause."""
    out: list[str] = []
    for raw in comment.split(";"):
        if out and _patterns().continuation.match(raw):
            out[-1] += ";" + raw
        else:
            out.append(raw)
    return out


def _number(before: str, phrase: str, kind: str, number_ordered: float | None) -> float | None:
    """How many were made locally: "Incl 199 assembled" or "assembly of 45" → 199, 45; the
    whole order when nothing qualifies the phrase; None when only part is meant."""
    p = _patterns()
    count = p.counted.search(before) or _OF_COUNT.search(phrase)
    if count:
        return float(count.group(1).replace(",", ""))
    if kind == "components" or p.partial.search(before) or p.partial.search(phrase):
        return None
    return number_ordered


_OF_COUNT = re.compile(r"\bof\s+(?:[a-z]+\s+){0,2}(\d[\d,]*)")


def design_origin(comment: str | None, aliases: Mapping[str, str] | None = None) -> str | None:
    """Code of the design's country where the comment states it ("French design", "designed in
    Israel", "to Israeli design")."""
    if not comment or "esign" not in comment:
        return None
    for pattern in _patterns().design:
        for match in pattern.finditer(comment):
            word = match.group(1)
            country = countries.from_demonym(word) or countries.lookup(word, aliases)
            if country is None and " " in word:
                first = word.split(" ")[0]
                country = countries.from_demonym(first) or countries.lookup(first, aliases)
            if country is not None:
                return country.code
    return None
