"""The web app (``reciprocity serve``): pair explorer, partners, ledger, sources, JSON API.

See docs/web.md. ``create_app`` is imported lazily so that importing a module of
this package does not pull in FastAPI.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from reciprocity.web.app import create_app

        return create_app
    raise AttributeError(name)
