"""An import that would empty parts of records already in the ledger needs ``--force``.

A ledger YAML cut at a line boundary is often still valid YAML: the records after the cut are
missing (an import leaves records it does not mention as they are) and the last one is cut
short. Importing it would store that shortened record as a new version. So an import file
may *change* any value, but a record that would *lose* something its current version has —
a field, an item of a list (a source, a status step, a firm), or the end of a text — is
refused, naming the record and what it would lose, unless the import is forced (``ledger
import --force``: an intended removal). Like a new source vintage much smaller than the last
one, a shrink is taken as a sign of a damaged file, not as an edit (docs/ledger.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reciprocity.errors import InputError, Problem


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    """Every non-empty leaf of plain data, by path (``sources[1].url``)."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_leaves(item, f"{path}.{key}" if path else str(key)))
        return out
    if isinstance(value, list | tuple):
        out = {}
        for i, item in enumerate(value):
            out.update(_leaves(item, f"{path}[{i}]"))
        return out
    if value is None or value == "":
        return {}
    return {path: value}


def lost(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Paths whose value ``old`` has and ``new`` lacks, or whose text ``new`` cuts short."""
    before, after = _leaves(old), _leaves(new)
    out = []
    for path, value in before.items():
        if path not in after:
            out.append(path)
        elif (isinstance(value, str) and isinstance(after[path], str)
              and len(after[path]) < len(value) and value.startswith(after[path])):
            out.append(f"{path} (text cut short)")
    return out


def refuse_shrink(records: Iterable[Any], known: Mapping[str, Any], name: str) -> None:
    """Raise :class:`InputError` when an imported record would lose what its current
    version in the ledger (``known``) has; every such record at once."""
    problems = []
    for record in records:
        current = known.get(record.id)
        if current is None or type(current) is not type(record):
            continue
        paths = lost(current.model_dump(mode="json"), record.model_dump(mode="json"))
        if paths:
            shown = ", ".join(paths[:6]) + (f" and {len(paths) - 6} more" if len(paths) > 6
                                            else "")
            problems.append(Problem(
                f"{name} {record.record_kind} {record.id}", f"a version without {shown}",
                "a file that changes records, not one that empties them (a file cut short?); "
                "if the removal is intended, import with --force"))
    if problems:
        raise InputError(f"{name}: {len(problems)} record(s) would lose fields or items "
                         "they have in the ledger; nothing was written", problems)
