"""Print a briefing's HTML to PDF with headless Chromium (Debian's ``chromium`` package).

Playwright (``pip install playwright``; it drives the system's Chromium, no browser download)
is used when installed: it waits until every chart is drawn and redraws the charts at the
printed width first. Without it, ``chromium --headless --print-to-pdf`` prints the page after a
virtual-time budget that lets the inline scripts finish. Either way the page's print styles
keep charts and tables whole across pages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from reciprocity import settings
from reciprocity.errors import ReciprocityError

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync")
"""Flags Chromium needs here: no sandbox as root, no GPU, and no calls home (the network is
closed, and background requests would otherwise be refused many at a time)."""

HOW_TO_INSTALL = ("Chromium is needed to print PDF briefings. On Debian or Ubuntu: "
                  "sudo apt-get install chromium (or set RECIPROCITY_CHROMIUM to a Chromium or "
                  "Chrome executable); an HTML briefing (-o FILE.html) needs no browser.")

PRINT_WIDTH_PX = 690
"""Chart width in CSS pixels for A4 with the page's 13 mm side margins (184 mm ≈ 695 px)."""


def find_chromium() -> str:
    """Path of a Chromium executable: ``$RECIPROCITY_CHROMIUM``, then the usual names."""
    env = settings.current().chromium
    if env:
        if env.is_file() and os.access(env, os.X_OK):
            return str(env)
        raise ReciprocityError(f"RECIPROCITY_CHROMIUM={env} is not an executable file. "
                               + HOW_TO_INSTALL)
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    for path in ("/usr/bin/chromium", "/usr/lib/chromium/chromium"):
        if Path(path).is_file():
            return path
    raise ReciprocityError(HOW_TO_INSTALL)


def html_to_pdf(html: str, out: Path, *, timeout_s: float = 180.0) -> Path:
    """Write ``html`` (a self-contained page) to ``out`` as an A4 PDF."""
    executable = find_chromium()
    with tempfile.TemporaryDirectory(prefix="reciprocity-pdf-") as tmp:
        page = Path(tmp) / "briefing.html"
        page.write_text(html, encoding="utf-8")
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            _print_with_cli(executable, page, out, Path(tmp), timeout_s)
        else:
            # Playwright's sync API refuses to run in a thread with a running event loop
            # (a notebook, an async caller, another sync_playwright): print in a fresh thread.
            with ThreadPoolExecutor(1) as pool:
                pool.submit(_print_with_playwright, executable, page, out, timeout_s).result()
    if not out.is_file() or out.stat().st_size == 0:
        raise ReciprocityError(f"Chromium wrote no PDF at {out}")
    return out


def _print_with_playwright(executable: str, page_path: Path, out: Path, timeout_s: float
                           ) -> None:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=list(CHROMIUM_FLAGS))
            try:
                page = browser.new_page(viewport={"width": PRINT_WIDTH_PX + 40, "height": 1000})
                page.route("**/*", lambda route: route.continue_()
                           if route.request.url.startswith(("file:", "data:", "blob:"))
                           else route.abort())
                page.goto(page_path.as_uri(), wait_until="load", timeout=timeout_s * 1000)
                page.wait_for_function("window.__briefingReady === true",
                                       timeout=timeout_s * 1000)
                page.evaluate(f"window.__prepareForPrint({PRINT_WIDTH_PX})")
                page.emulate_media(media="print")
                page.pdf(path=str(out), format="A4", print_background=True,
                         prefer_css_page_size=True, display_header_footer=False)
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise ReciprocityError(f"printing the briefing with Chromium failed: {exc}") from exc


def _print_with_cli(executable: str, page_path: Path, out: Path, tmp: Path,
                    timeout_s: float) -> None:
    cmd = [executable, *CHROMIUM_FLAGS, f"--user-data-dir={tmp / 'profile'}",
           "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
           "--virtual-time-budget=20000", f"--window-size={PRINT_WIDTH_PX + 40},1000",
           f"--print-to-pdf={out}", page_path.as_uri()]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReciprocityError(f"printing the briefing with {executable} failed: {exc}") from exc
    if done.returncode != 0:
        raise ReciprocityError(f"printing the briefing with {executable} failed "
                               f"(exit {done.returncode}): {done.stderr.strip()[-500:]}")
