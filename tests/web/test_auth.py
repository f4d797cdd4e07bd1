"""Who may write: 401 without a user, 403 for viewers and missing CSRF tokens, nothing written."""

from __future__ import annotations

import base64
import re

import pytest
from fastapi.testclient import TestClient

from reciprocity import accounts
from reciprocity.errors import InputError, NotFoundError
from reciprocity.store.db import Store
from web.support import USERS

NEW_TRANSFER = {
    "id": "web-t-new", "from": "JPN", "to": "USA", "technology": "Test sensor know-how",
    "status_history": [{"status": "proposed", "date": "2024", "reason": "offered"}],
    "sources": [{"title": "A test source", "publisher": "Reciprocity tests"}],
}


def basic(name: str) -> dict[str, str]:
    password = USERS[name][1]
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def state(client: TestClient) -> tuple:
    """Everything a refused write must leave as it was."""
    with client.app.state.backend.read() as r:
        return tuple(r.store.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("ledger_programs", "ledger_transfers", "vintages", "flows",
                               "web_users"))


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def sign_in(client: TestClient, name: str) -> None:
    token = csrf_of(client.get("/login").text)
    resp = client.post("/login", data={"name": name, "password": USERS[name][1],
                                       "csrf_token": token, "next": "/ledger"})
    assert resp.status_code == 303, resp.text
    assert resp.headers["location"] == "/ledger"


# -- passwords and users ---------------------------------------------------------------------

def test_passwords_are_salted_scrypt_hashes() -> None:
    h1, h2 = accounts.hash_password("correct horse"), accounts.hash_password("correct horse")
    assert h1 != h2 and h1.startswith("scrypt$") and "correct" not in h1
    assert accounts.verify_password("correct horse", h1)
    assert not accounts.verify_password("correct hors", h1)
    assert not accounts.verify_password("x", "not-a-hash")


def test_users_table(tmp_path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        accounts.add_user(store, "alice", "editor", "long-enough-1")
        with pytest.raises(InputError) as exc:
            accounts.add_user(store, "alice", "viewer", "long-enough-2")
        assert exc.value.problems[0].location == "name"
        with pytest.raises(InputError) as exc:
            accounts.add_user(store, "bad name!", "boss", "short")
        assert [p.location for p in exc.value.problems] == ["name", "role", "password"]
        assert (accounts.authenticate(store, "alice", "long-enough-1")
                == accounts.User("alice", "editor"))
        assert accounts.authenticate(store, "alice", "wrong-password") is None
        assert accounts.authenticate(store, "nobody", "long-enough-1") is None
        accounts.set_role(store, "alice", "viewer")
        accounts.set_password(store, "alice", "another-pass-1")
        assert (accounts.authenticate(store, "alice", "another-pass-1")
                == accounts.User("alice", "viewer"))
        stored = store.con.execute("SELECT password_hash FROM web_users").fetchone()[0]
        assert "another-pass" not in stored
        accounts.remove_user(store, "alice")
        with pytest.raises(NotFoundError):
            accounts.remove_user(store, "alice")


# -- the API ---------------------------------------------------------------------------------

def test_write_without_user_is_401_and_changes_nothing(web_rw_client: TestClient) -> None:
    before = state(web_rw_client)
    resp = web_rw_client.post("/api/ledger/transfers", json=NEW_TRANSFER)
    assert resp.status_code == 401
    assert resp.json()["error"] == "AuthenticationError"
    assert resp.headers["www-authenticate"].startswith("Basic")
    for method, url in (("put", "/api/ledger/records/web-t-licence?reason=x"),
                        ("delete", "/api/ledger/records/web-t-flowback?reason=x"),
                        ("post", "/api/ledger/transfers/web-t-flowback/status"),
                        ("post", "/api/ledger/import")):
        assert web_rw_client.request(method, url, json={}).status_code == 401, url
    assert state(web_rw_client) == before


def test_wrong_password_is_401(web_rw_client: TestClient) -> None:
    token = base64.b64encode(b"ed:not-the-password").decode()
    resp = web_rw_client.post("/api/ledger/transfers", json=NEW_TRANSFER,
                              headers={"Authorization": f"Basic {token}"})
    assert resp.status_code == 401


def test_viewer_is_403_and_changes_nothing(web_rw_client: TestClient) -> None:
    before = state(web_rw_client)
    resp = web_rw_client.post("/api/ledger/transfers", json=NEW_TRANSFER, headers=basic("vi"))
    assert resp.status_code == 403
    assert resp.json()["error"] == "PermissionDeniedError"
    assert state(web_rw_client) == before


def test_editor_writes_through_the_api(web_rw_client: TestClient) -> None:
    resp = web_rw_client.post("/api/ledger/transfers?reason=test", json=NEW_TRANSFER,
                              headers=basic("ed"))
    assert resp.status_code == 201, resp.text
    assert resp.json()["result"]["added"] == ["web-t-new"]
    again = web_rw_client.post("/api/ledger/transfers", json=NEW_TRANSFER, headers=basic("ed"))
    assert again.status_code == 409
    changed = {**NEW_TRANSFER, "technology": "Test sensor know-how, revised"}
    put = web_rw_client.put("/api/ledger/records/web-t-new?reason=revised", json=changed,
                            headers=basic("ad"))
    assert put.status_code == 200, put.text
    history = web_rw_client.get("/api/ledger/records/web-t-new/history").json()
    assert [(v["version"], v["changed_by"], v["changes"]) for v in history] == [
        (1, "ed", ["created"]), (2, "ad", ["technology"])]
    status = web_rw_client.post("/api/ledger/transfers/web-t-new/status", headers=basic("ed"),
                                json={"status": "approved", "date": "2025", "reason": "signed"})
    assert status.status_code == 200 and status.json()["record"]["status_history"][-1][
        "status"] == "approved"
    bad = web_rw_client.post("/api/ledger/transfers/web-t-new/status", headers=basic("ed"),
                             json={"status": "proposed", "date": "2025", "reason": "again"})
    assert bad.status_code == 422 and bad.json()["problems"]
    # the dyad sees nothing new (only executed transfers are flows), but the cache was reset
    assert web_rw_client.get("/api/dyad?a=USA&b=JPN&channel=programs").status_code == 200


def test_invalid_record_is_422_with_every_problem(web_rw_client: TestClient) -> None:
    before = state(web_rw_client)
    bad = {"id": "web bad", "from": "Atlantis", "to": "USA", "sources": []}
    resp = web_rw_client.post("/api/ledger/transfers", json=bad, headers=basic("ed"))
    assert resp.status_code == 422
    locations = {p["location"] for p in resp.json()["problems"]}
    assert {"transfers[0].id", "transfers[0].from", "transfers[0].technology",
            "transfers[0].sources"} <= locations
    assert state(web_rw_client) == before


def test_cookie_write_needs_csrf_token(web_rw_client: TestClient) -> None:
    sign_in(web_rw_client, "ed")
    before = state(web_rw_client)
    resp = web_rw_client.post("/api/ledger/transfers", json=NEW_TRANSFER)
    assert resp.status_code == 403 and resp.json()["error"] == "CSRFError"
    resp = web_rw_client.post("/api/ledger/transfers", json=NEW_TRANSFER,
                              headers={"X-CSRF-Token": "0" * 64})
    assert resp.status_code == 403
    assert state(web_rw_client) == before
    token = web_rw_client.get("/api/me").json()["csrf_token"]
    resp = web_rw_client.post("/api/ledger/transfers", json=NEW_TRANSFER,
                              headers={"X-CSRF-Token": token})
    assert resp.status_code == 201, resp.text


def test_removed_user_loses_access_at_once(web_rw_client: TestClient) -> None:
    sign_in(web_rw_client, "ed")
    assert web_rw_client.get("/api/me").json()["user"]["role"] == "editor"
    with web_rw_client.app.state.backend.write() as w:
        accounts.remove_user(w.store, "ed")
    assert web_rw_client.get("/api/me").json()["user"] is None


def test_read_only_server_refuses_writes(web_client: TestClient) -> None:
    resp = web_client.post("/api/ledger/transfers", json=NEW_TRANSFER, headers=basic("ed"))
    assert resp.status_code == 409 and resp.json()["error"] == "ReadOnlyStoreError"


# -- forms -------------------------------------------------------------------------------------

def test_login_and_logout(web_rw_client: TestClient) -> None:
    page = web_rw_client.get("/login")
    token = csrf_of(page.text)
    wrong = web_rw_client.post("/login", data={"name": "ed", "password": "nope",
                                               "csrf_token": token})
    assert wrong.status_code == 401 and "wrong user name or password" in wrong.text
    no_token = web_rw_client.post("/login", data={"name": "ed", "password": USERS["ed"][1]})
    assert no_token.status_code == 403
    sign_in(web_rw_client, "ed")
    page = web_rw_client.get("/ledger")
    assert 'data-user="ed"' in page.text
    out = web_rw_client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303
    assert 'data-user="ed"' not in web_rw_client.get("/ledger").text


def test_login_does_not_redirect_elsewhere(web_rw_client: TestClient) -> None:
    token = csrf_of(web_rw_client.get("/login").text)
    resp = web_rw_client.post("/login", data={"name": "ed", "password": USERS["ed"][1],
                                              "csrf_token": token,
                                              "next": "//evil.example/"})
    assert resp.status_code == 303 and resp.headers["location"] == "/ledger"


def test_form_write_without_sign_in_is_refused(web_rw_client: TestClient) -> None:
    before = state(web_rw_client)
    token = csrf_of(web_rw_client.get("/login").text)
    resp = web_rw_client.post("/ledger/new/transfer", data={
        "csrf_token": token, "id": "web-t-form", "from": "USA", "to": "JPN",
        "technology": "x", "status_history-0-status": "proposed",
        "sources-0-title": "t", "sources-0-publisher": "p"})
    assert resp.status_code == 401
    assert "Sign in" in resp.text and "Nothing was changed" in resp.text
    assert web_rw_client.get("/ledger/new/transfer").status_code == 303  # to /login
    assert state(web_rw_client) == before


def test_form_without_csrf_token_is_refused(web_rw_client: TestClient) -> None:
    sign_in(web_rw_client, "ed")
    before = state(web_rw_client)
    resp = web_rw_client.post("/ledger/web-t-flowback/status", data={
        "status": "approved", "date": "2024", "reason": "x"})
    assert resp.status_code == 403
    assert state(web_rw_client) == before


EXECUTED = {
    "id": "web-t-executed", "from": "JPN", "to": "USA", "technology": "Test sensor know-how",
    "status_history": [{"status": "proposed", "date": "2023", "reason": "offered"},
                       {"status": "approved", "date": "2024", "reason": "signed"},
                       {"status": "executed", "date": "2025", "reason": "delivered"}],
    "sources": [{"title": "A test source", "publisher": "Reciprocity tests"}],
}


def test_a_write_through_the_api_clears_the_cached_answers(web_rw_client: TestClient) -> None:
    """Read answers are cached until the next write: after a ledger create, the cached dyad and
    sources answers must show it (they would not if the write left the cache as it was)."""
    dyad_url = "/api/dyad?a=USA&b=JPN&channel=programs"
    cache = web_rw_client.app.state.backend.cache
    first = web_rw_client.get(dyad_url)
    sources = {v["vintage_id"] for v in web_rw_client.get("/api/sources").json()}
    hits = cache.hits
    assert web_rw_client.get(dyad_url).content == first.content and cache.hits == hits + 1
    before = first.json()["channels"]["programs"]
    assert 2025 not in before["years_with_data"]
    resp = web_rw_client.post("/api/ledger/transfers", json=EXECUTED, headers=basic("ed"))
    assert resp.status_code == 201, resp.text
    after = web_rw_client.get(dyad_url).json()["channels"]["programs"]
    assert after["flow_ba"] == before["flow_ba"] + 1 and 2025 in after["years_with_data"]
    new = {v["vintage_id"] for v in web_rw_client.get("/api/sources").json()} - sources
    assert new == {resp.json()["result"]["vintage_id"]}
