"""The events interchange format: a YAML file of events (docs/events.md).

Reading validates everything at once and raises one :class:`~reciprocity.errors.InputError`
whose problems carry the file, line and field (``us_japan.yaml:42 events[3].kind``), with the
ledger's bounded safe YAML reader. Writing produces files that read back to the same events.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import yaml

from reciprocity.errors import InputError
from reciprocity.events.model import FORMAT, Event, parse_events
from reciprocity.ledger.io import read_located, read_text

HEADER = ("# Reciprocity policy events ({fmt}); format: docs/events.md.\n"
          "# Every event cites its public sources; edit, then: reciprocity events import FILE\n")


def load(path: str | Path, programs: Collection[str] | None = None) -> list[Event]:
    """Read and validate an events YAML file (``programs``: the ledger's program ids)."""
    path = Path(path)
    return loads_yaml(read_text(path, "an events YAML file"), path.name, programs)


def loads_yaml(text: str, name: str = "events.yaml",
               programs: Collection[str] | None = None) -> list[Event]:
    """Validate YAML text; raise InputError listing every problem with its line."""
    data, locate, problems = read_located(text, name, "a mapping with events:")
    events, found = parse_events(data, locate, programs)
    problems += found
    if problems:
        raise InputError(f"{name}: {len(problems)} problem(s); nothing was written", problems)
    return events


def dumps_yaml(events: list[Event]) -> str:
    """Events as YAML that :func:`loads_yaml` reads back to the same events."""
    body = yaml.safe_dump({"format": FORMAT, "events": [e.model_dump(mode="json") for e in events]},
                          sort_keys=False, allow_unicode=True, width=96,
                          default_flow_style=False)
    return HEADER.format(fmt=FORMAT) + body
