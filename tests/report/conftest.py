"""Fixtures of the briefing tests (prefixed ``web_``): the shared small store, opened read-only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reciprocity.api import Reciprocity
from web.support import session_store


@pytest.fixture(scope="session")
def web_report_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return session_store(tmp_path_factory.getbasetemp())


@pytest.fixture
def web_session(web_report_store: Path) -> Iterator[Reciprocity]:
    with Reciprocity(web_report_store, read_only=True) as r:
        yield r


def chromium_or_skip() -> str:
    """Chromium's path, or skip the test saying why."""
    from reciprocity.errors import ReciprocityError
    from reciprocity.report.pdf import find_chromium

    try:
        return find_chromium()
    except ReciprocityError as exc:
        pytest.skip(f"no Chromium here: {exc}")
