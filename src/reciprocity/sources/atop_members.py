"""What a query needs to read ATOP's member table, without the reader (:mod:`.atop`).

The table's name, its obligation columns and the Correlates of War state codes behind each
project code: plain constants and one small CSV, so that answering a pair (``dyad``) does not
import the source module, its description (PyYAML, pydantic) or pandas. The reader declares
its table from these. ATOP's coverage and credit line are read from the store's ``datasets``
row (written at ingest from the source's YAML), see :mod:`reciprocity.queries.alliance`.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources
from typing import Any

NAME = "atop"
"""The source's name (``reciprocity ingest atop``; its YAML is ``data/atop.yaml``)."""

TABLE = "atop_members"
"""The member-level record table."""

OBLIGATIONS: tuple[str, ...] = ("defense", "offense", "neutral", "nonagg", "consul")
"""The five ATOP obligation types, each coded 0/1 per member and phase (ATOP codebook);
each is a column of :data:`TABLE` under the file's own name."""


@cache
def cow_states() -> dict[int, dict[str, Any]]:
    """COW code → ``{"name", "code" (or None), "also" (other project codes)}``."""
    text = resources.files("reciprocity.sources").joinpath(
        "data/atop_cow_states.csv").read_text("utf-8")
    return {int(r["cow_code"]): {"name": r["cow_name"], "code": r["code"] or None,
                                 "also": tuple(r["also"].split())}
            for r in csv.DictReader(io.StringIO(text))}


def cow_codes_of(code: str) -> list[int]:
    """The COW codes that stand for a project code (SUN and RUS: 365)."""
    return sorted(c for c, s in cow_states().items() if code == s["code"] or code in s["also"])
