"""Building the web tests' store: two small SIPRI vintages, a small ledger and three users.

Shared by tests/web, tests/report and tests/browser (import as ``web.support``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reciprocity import accounts
from reciprocity.api import Reciprocity

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "web"
REGISTER = FIXTURES / "register.csv"            # generated 12 Jan 2026 (the default vintage)
REGISTER_2025 = FIXTURES / "register-2025.csv"  # generated 10 Mar 2025 (the older one)
LEDGER = FIXTURES / "ledger.yaml"
EVENTS = FIXTURES / "events.yaml"
CREDIT = "Information from the SIPRI Arms Transfers Database"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

USERS = {"ed": ("editor", "editor-pass-1"), "vi": ("viewer", "viewer-pass-1"),
         "ad": ("admin", "admin-pass-12")}
FAST_SCRYPT = {"n": 2**10, "r": 8, "p": 1}
"""A cheap scrypt cost for tests (the real one, 2^17, takes about a second per hash)."""


@contextmanager
def fast_scrypt() -> Iterator[None]:
    """New password hashes use :data:`FAST_SCRYPT` meanwhile (and count as current)."""
    saved = dict(accounts.SCRYPT)
    accounts.SCRYPT.update(FAST_SCRYPT)
    try:
        yield
    finally:
        accounts.SCRYPT.update(saved)


def build_store(path: Path) -> Path:
    """A store at ``path`` holding both vintages, the ledger, the events and the users."""
    with Reciprocity(path) as r:
        r.ingest("sipri", REGISTER_2025)
        r.ingest("sipri", REGISTER)
        r.ledger_import(LEDGER, by="tests", reason="web test fixture")
        r.events_import(EVENTS, by="tests", reason="web test fixture")
        accounts.ensure_table(r.store)
        with fast_scrypt():  # a real server upgrades these hashes at the first sign-in
            for name, (role, password) in USERS.items():
                accounts.add_user(r.store, name, role, password)
        r.store.con.execute("CHECKPOINT")
    return path


def session_store(basetemp: Path) -> Path:
    """The store of this test session, built on first use (shared by web, report, browser)."""
    path = basetemp / "web-shared" / "web.duckdb"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name("building.duckdb")
        partial.unlink(missing_ok=True)
        build_store(partial)
        partial.rename(path)
    return path


def copy_store(template: Path, target_dir: Path) -> Path:
    """A private copy of a closed store file (for tests that write)."""
    target = target_dir / template.name
    shutil.copyfile(template, target)
    return target


def form_fields(html: str, form_id: str) -> dict[str, str]:
    """What a browser would submit from the form ``form_id`` (inputs, selects, textareas)."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside = False
            self.fields: dict[str, str] = {}
            self.select: str | None = None
            self.first_option: str | None = None
            self.textarea: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = {k: v or "" for k, v in attrs}
            if tag == "form":
                self.inside = a.get("id") == form_id
            if not self.inside:
                return
            if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
                self.fields[a["name"]] = a.get("value", "")
            elif tag == "select":
                self.select, self.first_option = a.get("name"), None
            elif tag == "option" and self.select:
                if self.first_option is None:
                    self.first_option = a.get("value", "")
                    self.fields.setdefault(self.select, self.first_option)
                if "selected" in a:
                    self.fields[self.select] = a.get("value", "")
            elif tag == "textarea":
                self.textarea = a.get("name")
                self.fields[self.textarea or ""] = ""

        def handle_endtag(self, tag: str) -> None:
            if tag == "form":
                self.inside = False
            elif tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None

        def handle_data(self, data: str) -> None:
            if self.inside and self.textarea:
                self.fields[self.textarea] += data

    reader = Reader()
    reader.feed(html)
    return reader.fields
