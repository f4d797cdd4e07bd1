"""Heavy modules for the command modules, imported when a command first uses them.

``reciprocity --help`` and shell completion import every command module; with these stand-ins
they import neither pandas nor the metrics (nor, through them, NumPy and PyArrow). A command
module writes::

    if TYPE_CHECKING:
        import pandas as pd
    else:
        from reciprocity.cli.lazy import pandas as pd
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """A module imported on first attribute access (``pd.DataFrame`` imports pandas)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


pandas = LazyModule("pandas")


def clean(value: Any) -> Any:
    """:func:`reciprocity.metrics.twoway.clean` (NaN and NumPy scalars to plain Python)."""
    from reciprocity.metrics.twoway import clean as _clean

    return _clean(value)
