"""One typed error tree. Every message says what was found, where, and what was expected.

Front ends (CLI, API) catch :class:`ReciprocityError` in one place and render it: the CLI
prints the message and exits with ``exit_code``; the web API turns it into one JSON shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, what was found, what was expected."""

    location: str
    found: str
    expected: str

    def __str__(self) -> str:
        return f"{self.location}: found {self.found}; expected {self.expected}"

    def to_dict(self) -> dict[str, str]:
        return {"location": self.location, "found": self.found, "expected": self.expected}


class ReciprocityError(Exception):
    """Base of every error the package raises on purpose."""

    exit_code = 1

    def to_dict(self) -> dict[str, object]:
        return {"error": type(self).__name__, "message": str(self)}


class InputError(ReciprocityError, ValueError):
    """A file or value given by the user is not what it should be.

    Carries every problem found, so a user can fix them all in one pass.
    """

    exit_code = 2

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        self.problems = list(problems or [])
        self.message = message
        super().__init__(self._render())

    def _render(self, limit: int = 25) -> str:
        if not self.problems:
            return self.message
        lines = [self.message]
        lines += [f"  - {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  … and {len(self.problems) - limit} more problems")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "error": type(self).__name__,
            "message": self.message,
            "problems": [p.to_dict() for p in self.problems],
        }


class FormatError(InputError):
    """A file is not in the layout its source expects (wrong source, truncated, ragged…)."""


class UnknownCountryError(InputError):
    """One or more country names or codes could not be resolved.

    Fix by spelling the country as an ISO 3166 alpha-3 code or an English name, or map the
    names in an alias file (``name,code`` CSV) passed with ``--aliases``.
    """

    def __init__(self, names: list[str], where: str = "",
                 locations: Mapping[str, str] | None = None,
                 suggestions: Mapping[str, str | None] | None = None) -> None:
        """``suggestions``: the closest known country of each name, computed by the caller
        (:func:`reciprocity.countries.unknown_countries`; this module is a leaf)."""
        self.names = sorted(set(names))
        where_txt = f" in {where}" if where else ""
        locations = locations or {}
        near = dict(suggestions or {})
        problems = [
            Problem(locations.get(n) or where or "input", repr(n),
                    "an ISO 3166 alpha-3 code, a known country name, "
                    "or a name mapped in an alias file (--aliases FILE with columns name,code)"
                    + (f"; did you mean {near[n]}?" if near.get(n) else ""))
            for n in self.names
        ]
        if len(self.names) == 1 and not where:
            name = self.names[0]
            message = f"unknown country {name!r}" + (
                f"; did you mean {near[name]}?" if near.get(name) else "")
        else:
            message = f"{len(self.names)} unknown country name(s){where_txt}"
        super().__init__(message, problems)


class NotFoundError(ReciprocityError, LookupError):
    """Something asked for (a record, a user, a store, a vintage to compare with) does not
    exist. A name the user typed that the tool does not know is bad input
    (:func:`unknown_name`)."""

    exit_code = 3


def closest(found: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``found`` (``difflib``, ignoring case), or None."""
    import difflib

    by_key: dict[str, str] = {}
    for choice in choices:
        by_key.setdefault(str(choice).casefold(), str(choice))
    hit = difflib.get_close_matches(str(found).casefold(), list(by_key), n=1, cutoff=0.6)
    return by_key[hit[0]] if hit else None


def unknown_name(what: str, found: str, choices: Iterable[str], *, hint: str = "",
                 suggestion: str | None = None, limit: int = 12,
                 not_found: bool = False) -> ReciprocityError:
    """The error for a name the tool does not know (a channel, mode, area, source, vintage),
    in the one message style: ``unknown channel 'arm'; did you mean 'arms'? (one of arms,
    citation, …)``. It is bad input: exit code 2 on the command line. With ``not_found`` it
    is a :class:`NotFoundError` (for the web API's 404 on unknown channels, datasets and
    vintages) that still exits with 2."""
    options = sorted({str(c) for c in choices})
    near = suggestion if suggestion is not None else closest(found, options)
    shown = ", ".join(options[:limit]) + (f", … ({len(options) - limit} more)"
                                           if len(options) > limit else "")
    message = (f"unknown {what} {found!r}"
               + (f"; did you mean {near!r}?" if near else "")
               + (f" (one of {shown})" if options else "")
               + (f"; {hint}" if hint else ""))
    if not not_found:
        return InputError(message)
    error = NotFoundError(message)
    error.exit_code = 2  # a name the user typed: bad input, like every other unknown name
    error.bad_input = True  # type: ignore[attr-defined]
    return error


class FetchError(ReciprocityError):
    """Downloading from a publisher failed; the message says how to get the file by hand."""

    exit_code = 4


class StoreBusyError(ReciprocityError):
    """The store file is locked by another process (DuckDB allows one writer, or many readers,
    per file); the message names the process and what to do."""

    exit_code = 2
    status = 503
