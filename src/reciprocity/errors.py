"""One typed error tree. Every message says what was found, where, and what was expected.

Front ends (CLI, API) catch :class:`ReciprocityError` in one place and render it: the CLI
prints the message and exits with ``exit_code``; the web API turns it into one JSON shape.
"""

from __future__ import annotations

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
                 locations: dict[str, str] | None = None) -> None:
        self.names = sorted(set(names))
        where_txt = f" in {where}" if where else ""
        locations = locations or {}
        problems = [
            Problem(locations.get(n) or where or "input", repr(n),
                    "an ISO 3166 alpha-3 code, a known country name, "
                    "or a name mapped in an alias file (--aliases FILE with columns name,code)")
            for n in self.names
        ]
        super().__init__(f"{len(self.names)} unknown country name(s){where_txt}", problems)


class NotFoundError(ReciprocityError, LookupError):
    """Something asked for (a vintage, a dataset, a record, a source) does not exist."""

    exit_code = 3


class FetchError(ReciprocityError):
    """Downloading from a publisher failed; the message says how to get the file by hand."""

    exit_code = 4


class StoreBusyError(ReciprocityError):
    """The store file is locked by another process (DuckDB allows one writer, or many readers,
    per file); the message names the process and what to do."""

    exit_code = 2
    status = 503
