"""Country and actor names to stable codes.

Every entity gets one stable code:

* current states and territories: ISO 3166-1 alpha-3 (from pycountry), e.g. ``JPN``;
* historical states: the ISO 3166-3 former code where one exists (``SUN``, ``DDR``, ``CSK``,
  ``YUG``, ``YMD``), otherwise a project code (``YAR``, ``RVN``, ``XBF``, ``XKT``);
* non-state actors (SIPRI marks them ``name*``): ``NSA-…``; international organisations
  (SIPRI ``name**``): ``ORG-…``; SIPRI's unknown supplier/recipient: ``UNK``; its unknown rebel
  group: ``NSA-UNKNOWN``.

Lookup order for a name: user aliases, then codes, then the project's data files
(``data/countries.csv`` names and ``data/country_aliases.csv`` names), then pycountry's names
(``name``, ``common_name``, ``official_name``). Lookup ignores case, accents and runs of
whitespace, reads ``_`` as a space (so ``south_korea`` works), and only alpha-3 codes are codes
(no alpha-2). A trailing ``*`` or ``**`` is significant: a starred name that is not listed is
unknown, never guessed.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import pycountry

from reciprocity.errors import InputError, Problem, UnknownCountryError

__all__ = [
    "KINDS",
    "Country",
    "all_countries",
    "from_demonym",
    "load_aliases",
    "lookup",
    "name_of",
    "resolve",
    "resolve_all",
    "suggest",
]

KINDS = ("state", "historical", "non_state", "organisation", "unknown")

_PUNCT = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u2013": "-", "\u2014": "-", "_": " "}
)
_STARS = re.compile(r"\s+(\*+)$")


@dataclass(frozen=True)
class Country:
    """One resolved entity."""

    code: str  # ISO 3166-1 alpha-3 or the project's own stable code
    name: str  # display name
    kind: str  # state | historical | non_state | organisation | unknown


@dataclass(frozen=True)
class _Registry:
    by_code: dict[str, Country]
    by_name: dict[str, str]  # normalised name -> code
    demonyms: dict[str, str]  # normalised demonym -> code


def _key(text: str) -> str:
    """Normalise a name for matching: no accents, one space, case-folded, ``_`` as space."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = " ".join(text.translate(_PUNCT).split())
    return _STARS.sub(r"\1", text).casefold()


def _read_data(filename: str) -> list[dict[str, str]]:
    resource = files("reciprocity") / "data" / filename
    with resource.open("r", encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


@lru_cache(maxsize=1)
def _codes() -> tuple[dict[str, Country], list[tuple[str, str]]]:
    """Every code with its entity, and the names (spelled as written) of the data file's
    entities. Cheap next to the name index (:func:`_registry`), which a code alone (``USA``)
    does not need."""
    by_code: dict[str, Country] = {}
    for entry in pycountry.countries:
        code = entry.alpha_3
        display = getattr(entry, "common_name", None) or entry.name
        by_code[code] = Country(code, display, "state")
    data_names: list[tuple[str, str]] = []
    for row in _read_data("countries.csv"):
        code = row["code"].upper()
        if row["kind"] not in KINDS:
            raise ValueError(f"countries.csv: kind {row['kind']!r} for {code} not in {KINDS}")
        by_code[code] = Country(code, row["name"], row["kind"])
        data_names.append((row["name"], code))
    return by_code, data_names


@lru_cache(maxsize=1)
def _registry() -> _Registry:
    by_code, data_rows = _codes()
    iso_names: dict[str, str] = {}
    for entry in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(entry, attr, None)
            if value:
                iso_names.setdefault(_key(value), entry.alpha_3)

    data_names = {_key(name): code for name, code in data_rows}
    demonyms: dict[str, str] = {}
    for row in _read_data("country_aliases.csv"):
        code = row["code"].upper()
        if code not in by_code:
            raise ValueError(f"country_aliases.csv: {row['alias']!r} maps to unknown code {code}")
        target = demonyms if row["kind"] == "demonym" else data_names
        target[_key(row["alias"])] = code

    # Data files take precedence over pycountry's spellings.
    return _Registry(by_code, {**iso_names, **data_names}, demonyms)


def _builtin(name_or_code: str) -> Country | None:
    text = name_or_code.strip()
    if not text:
        return None
    found = _codes()[0].get(text.upper())
    if found is not None:
        return found
    reg = _registry()
    code = reg.by_name.get(_key(text))
    return reg.by_code[code] if code is not None else None


def _prepare(aliases: Mapping[str, str] | None) -> dict[str, Country]:
    """Normalise user aliases to ``key -> Country``; a target that does not resolve raises."""
    if not aliases:
        return {}
    prepared: dict[str, Country] = {}
    bad: list[str] = []
    for alias, target in aliases.items():
        country = _builtin(str(target))
        if country is None:
            bad.append(str(target))
        else:
            prepared[_key(str(alias))] = country
    if bad:
        raise unknown_countries(bad, where="aliases (codes the aliases map to)")
    return prepared


def _lookup(name_or_code: object, prepared: Mapping[str, Country]) -> Country | None:
    if not isinstance(name_or_code, str):
        return None
    if prepared:
        found = prepared.get(_key(name_or_code))
        if found is not None:
            return found
    return _builtin(name_or_code)


def lookup(name_or_code: str, aliases: Mapping[str, str] | None = None) -> Country | None:
    """Resolve one name or code; None when unknown.

    `aliases` maps extra user names to codes (user aliases win over everything else); an alias
    whose code does not resolve raises UnknownCountryError.
    """
    return _lookup(name_or_code, _prepare(aliases))


def suggest(name: str) -> str | None:
    """The known country closest to a name the tool does not know, as ``Japan (JPN)``
    (``difflib`` over names and, for three letters, codes), or None when nothing is close."""
    import difflib

    if not isinstance(name, str) or not name.strip():
        return None
    reg = _registry()
    key = _key(name)
    candidates = dict(reg.by_name)
    if len(key) == 3:
        candidates.update({code.casefold(): code for code in reg.by_code})
    hit = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.6)
    if not hit:
        return None
    country = reg.by_code[candidates[hit[0]]]
    return f"{country.name} ({country.code})"


def unknown_countries(names: Iterable[str], where: str = "",
                      locations: Mapping[str, str] | None = None) -> UnknownCountryError:
    """The error for names that are no known country, each suggesting the closest known one
    (:func:`suggest`, for the 25 names a message shows)."""
    names = sorted({str(n) for n in names})
    return UnknownCountryError(names, where=where, locations=locations,
                               suggestions={n: suggest(n) for n in names[:25]})


def resolve(name_or_code: str, aliases: Mapping[str, str] | None = None) -> Country:
    """Like :func:`lookup` but raises UnknownCountryError([name_or_code])."""
    found = lookup(name_or_code, aliases)
    if found is None:
        raise unknown_countries([str(name_or_code)])
    return found


def resolve_all(
    names: Iterable[str], aliases: Mapping[str, str] | None = None, where: str = ""
) -> dict[str, Country]:
    """Resolve many names, keyed by the name as given.

    Raises one UnknownCountryError listing every unknown name (with `where` in the message).
    """
    prepared = _prepare(aliases)
    resolved: dict[str, Country] = {}
    unknown: list[str] = []
    for name in names:
        if name in resolved:
            continue
        found = _lookup(name, prepared)
        if found is None:
            unknown.append(str(name))
        else:
            resolved[name] = found
    if unknown:
        raise unknown_countries(unknown, where=where)
    return resolved


def load_aliases(path: str | Path) -> dict[str, str]:
    """Read a user alias CSV with header ``name,code``; returns ``name -> code``.

    The code column may hold any code or name that itself resolves; it is stored as the code.
    Every bad row is reported at once in an InputError, each problem naming its line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(
            f"alias file {path} not found",
            [Problem(str(path), "no such file", "a CSV file with header name,code")],
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"alias file {path} is not UTF-8",
            [Problem(str(path), f"undecodable byte at offset {exc.start}", "UTF-8 text")],
        ) from None

    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    columns = [h.strip().casefold() for h in header or []]
    if "name" not in columns or "code" not in columns:
        raise InputError(
            f"alias file {path} has no name,code header",
            [Problem(f"{path}:1", repr(",".join(header or [])), "a header row: name,code")],
        )
    i_name, i_code = columns.index("name"), columns.index("code")

    out: dict[str, str] = {}
    seen_at: dict[str, tuple[int, str]] = {}
    problems: list[Problem] = []
    for row in reader:
        line = reader.line_num
        where = f"{path}:{line}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(i_name, i_code):
            problems.append(Problem(where, f"{len(row)} field(s)", "two fields: name,code"))
            continue
        name, code = row[i_name].strip(), row[i_code].strip()
        if not name or not code:
            problems.append(Problem(where, repr(",".join(row)), "a non-empty name and code"))
            continue
        country = _builtin(code)
        if country is None:
            problems.append(
                Problem(
                    where,
                    f"code {code!r} for {name!r}",
                    "an ISO 3166 alpha-3 code or a code this package knows",
                )
            )
            continue
        key = _key(name)
        if key in seen_at and seen_at[key][1] != country.code:
            first_line, first_code = seen_at[key]
            problems.append(
                Problem(
                    where,
                    f"{name!r} mapped to {country.code}",
                    f"one code per name ({name!r} already maps to "
                    f"{first_code} on line {first_line})",
                )
            )
            continue
        seen_at.setdefault(key, (line, country.code))
        out[name] = country.code
    if problems:
        raise InputError(f"{len(problems)} bad row(s) in alias file {path}", problems)
    return out


def from_demonym(word: str) -> Country | None:
    """'US' -> USA, 'Soviet' -> SUN, 'French' -> FRA, 'Israeli' -> ISR, 'South Korean' -> KOR.

    Falls back to names and codes, so 'USA' or 'Japan' in a comment also resolve.
    """
    if not isinstance(word, str):
        return None
    reg = _registry()
    code = reg.demonyms.get(_key(word))
    if code is not None:
        return reg.by_code[code]
    return _builtin(word)


def name_of(code: str) -> str:
    """Display name for a code (the code itself if unknown)."""
    found = _codes()[0].get(code.strip().upper()) if isinstance(code, str) else None
    return found.name if found is not None else code


def all_countries() -> list[Country]:
    """Every entity this module knows (ISO states and territories plus project entities)."""
    return sorted(_codes()[0].values(), key=lambda c: c.code)
