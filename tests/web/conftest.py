"""Fixtures of the web tests (prefixed ``web_``): one store per session, clients on it."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

# Starlette 1.x prefers the httpx2 package for its test client; httpx works the same here.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
from fastapi.testclient import TestClient  # noqa: E402

from reciprocity.web.app import create_app  # noqa: E402
from web.support import copy_store, fast_scrypt, session_store  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def web_fast_scrypt() -> Iterator[None]:
    """Cheap password hashes in the web tests (tests of the real cost say so)."""
    with fast_scrypt():
        yield


@pytest.fixture(scope="session")
def web_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's store (closed after building; open it read-only or copy it)."""
    return session_store(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def web_client(web_store_path: Path) -> Iterator[TestClient]:
    """A client of an app that opened the session store read-only (for reading tests)."""
    with TestClient(create_app(web_store_path, read_only=True, secret="test-secret")) as c:
        yield c


@pytest.fixture
def web_rw_store(web_store_path: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the session store."""
    return copy_store(web_store_path, tmp_path)


@pytest.fixture
def web_rw_client(web_rw_store: Path) -> Iterator[TestClient]:
    """A client of an app on a private writable store (for tests that write)."""
    with TestClient(create_app(web_rw_store, secret="test-secret"),
                    follow_redirects=False) as c:
        yield c
