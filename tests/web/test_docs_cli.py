"""docs/web.md keeps up with the app; ``reciprocity users`` and ``serve`` behave."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from reciprocity import accounts
from reciprocity.store.db import Store

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_web_doc_has_the_users_table() -> None:
    text = (DOCS / "web.md").read_text(encoding="utf-8")
    assert accounts.USERS.markdown() in text and accounts.SESSIONS.markdown() in text


def test_web_doc_names_every_endpoint(web_client: TestClient) -> None:
    text = (DOCS / "web.md").read_text(encoding="utf-8")
    for path, ops in web_client.get("/openapi.json").json()["paths"].items():
        documented = re.sub(r"\{[^}]+\}", "{id}", path)
        for method in ops:
            assert re.search(rf"{method.upper()}[^|]*{re.escape(documented)}", text), (
                f"{method.upper()} {path} is not in docs/web.md")


def test_users_commands(run_main, tmp_path: Path) -> None:
    db = tmp_path / "u.duckdb"
    added = run_main("--db", db, "users", "add", "alice", "--role", "editor",
                     "--password-stdin", env={"RECIPROCITY_DB": None})
    # CliRunner gives no stdin: an empty password is refused, nothing written
    assert added.exit_code == 2 and "password" in added.output
    from typer.testing import CliRunner

    from reciprocity.cli.app import app

    runner = CliRunner()
    ok = runner.invoke(app, ["--db", str(db), "users", "add", "alice", "--role", "editor",
                             "--password-stdin"], input="long-enough-1\n")
    assert ok.exit_code == 0, ok.output
    listed = runner.invoke(app, ["--db", str(db), "users", "list", "--format", "json"])
    assert '"alice"' in listed.stdout and "long-enough" not in listed.stdout
    bad = run_main("--db", db, "users", "add", "bob", "--role", "boss")
    assert bad.exit_code == 2 and "role" in bad.output
    assert runner.invoke(app, ["--db", str(db), "users", "set-role", "alice",
                               "--role", "admin"]).exit_code == 0
    with Store(db, read_only=True) as store:
        assert accounts.get_user(store, "alice") == accounts.User("alice", "admin")
    assert runner.invoke(app, ["--db", str(db), "users", "remove", "alice"]).exit_code == 0
    gone = run_main("--db", db, "users", "remove", "alice")
    assert gone.exit_code == 3


def test_serve_help(run_main) -> None:
    result = run_main("serve", "--help")
    assert result.exit_code == 0 and "--read-only" in result.output
