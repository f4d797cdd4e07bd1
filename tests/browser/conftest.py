"""Browser tests: Playwright driving Debian's Chromium against ``reciprocity serve``.

The server runs in a subprocess on 127.0.0.1 and a free port, on a private copy of the
session's small store. Every test leaves a screenshot in ``test-artifacts/browser/``.
Tests skip (saying why) only when Playwright or Chromium cannot be had; ``make test``
installs both (``scripts/ensure-chromium.sh``).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from reciprocity.errors import ReciprocityError
from reciprocity.report.pdf import CHROMIUM_FLAGS, find_chromium
from web.support import ARTIFACTS, copy_store, session_store

SHOTS = ARTIFACTS / "browser"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def web_chromium() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("Playwright is not installed (pip install -e '.[test]', or make test)")
    try:
        return find_chromium()
    except ReciprocityError as exc:
        pytest.skip(f"Chromium cannot be had here: {exc} (make test runs "
                    "scripts/ensure-chromium.sh to install it)")


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory, web_chromium: str) -> Iterator[str]:
    """Base URL of ``reciprocity serve`` on a private copy of the session store."""
    store = copy_store(session_store(tmp_path_factory.getbasetemp()),
                       tmp_path_factory.mktemp("browser"))
    port = _free_port()
    log = tmp_path_factory.getbasetemp() / "browser-server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from reciprocity.cli.app import main; main()",
             "--db", str(store), "serve", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "warning"], stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def web_browser(web_chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=web_chromium, args=list(CHROMIUM_FLAGS))
        yield browser
        browser.close()


class Page:
    """A Playwright page that records console errors and requests to other hosts."""

    def __init__(self, page: Any, allowed: tuple[str, ...]) -> None:
        self.page = page
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

        def route(r: Any) -> None:
            if r.request.url.startswith(allowed):
                r.continue_()
            else:
                self.outside.append(r.request.url)
                r.abort()

        page.route("**/*", route)


@pytest.fixture
def web_page(request: pytest.FixtureRequest, web_browser: Any, web_server: str
             ) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page; screenshot kept after the test."""
    context = web_browser.new_context(viewport={"width": 1280, "height": 900},
                                      base_url=web_server)
    context.set_default_timeout(30_000)
    page = Page(context.new_page(), (web_server, "file:", "data:", "blob:"))
    yield page
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page.page.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
    finally:
        context.close()


def sign_in(page: Page, name: str, password: str) -> None:
    """Sign in through the form, by keyboard."""
    page.page.goto("/login")
    page.page.fill("#name", name)
    page.page.fill("#password", password)
    page.page.press("#password", "Enter")
    page.page.wait_for_url("**/ledger")

