"""The corpus tests write docs/reliability.md's table when all of them passed in a run."""

from __future__ import annotations

import pytest

CORPUS = "tests/reliability/test_corpus.py::"
passed: set[str] = set()
ran: set[str] = set()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Note the corpus tests that ran and those that passed (every phase)."""
    if CORPUS in report.nodeid:
        ran.add(report.nodeid)
        if report.when == "call" and report.passed:
            passed.add(report.nodeid)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """All corpus tests collected in this run passed: their counts go into the docs."""
    import figures

    wanted = {item.nodeid for item in session.items if CORPUS in item.nodeid}
    if len(wanted) == len(figures.PARSERS) and wanted == passed == ran:
        figures.update()
