"""Reciprocity: measure, manage and plan the reciprocity of technology flows between allies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reciprocity.errors import ReciprocityError

if TYPE_CHECKING:
    from reciprocity.api import Reciprocity, connect

__all__ = ["Reciprocity", "ReciprocityError", "connect"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # The API (pandas, DuckDB, the queries) is imported on first use, so that the command
    # line's --help and completion, which import this package, start at once.
    if name in ("Reciprocity", "connect"):
        from reciprocity import api

        return getattr(api, name)
    raise AttributeError(f"module 'reciprocity' has no attribute {name!r}")
