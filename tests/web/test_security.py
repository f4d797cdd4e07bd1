"""The web app as a public service: throttled sign-in, server-side sessions, password hashes at
OWASP's cost (upgraded at sign-in), hashing off the event loop, security headers, Secure
cookies over HTTPS."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reciprocity import accounts
from reciprocity.web.app import create_app
from reciprocity.web.throttle import DEFAULT_RULES, Throttle
from web.support import FAST_SCRYPT, USERS
from web.test_auth import NEW_TRANSFER, basic, csrf_of, sign_in, state

WINDOW = DEFAULT_RULES[0].window
PAIR_LIMIT = DEFAULT_RULES[0].limit


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(web_rw_store: Path, clock: Clock) -> Iterator[TestClient]:
    """A client of an app on a private writable store, its throttle on a hand-moved clock."""
    app = create_app(web_rw_store, secret="test-secret", throttle=Throttle(clock=clock))
    with TestClient(app, follow_redirects=False) as c:
        yield c


def login(client: TestClient, name: str, password: str) -> object:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": token, "next": "/ledger"})


def wrong_basic(name: str = "ed") -> dict[str, str]:
    token = base64.b64encode(f"{name}:not-the-password".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def count_hashes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = accounts.verify_password

    def counting(password: str, stored: str) -> bool:
        calls.append(1)
        return real(password, stored)

    monkeypatch.setattr(accounts, "verify_password", counting)
    return calls


def stored(client: TestClient, name: str) -> str:
    with client.app.state.backend.read() as r:
        return r.store.con.execute("SELECT password_hash FROM web_users WHERE name = ?",
                                   [name]).fetchone()[0]


# -- throttling ------------------------------------------------------------------------------

def test_sign_in_form_is_throttled_then_allowed_after_the_window(
        client: TestClient, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(PAIR_LIMIT):
        assert login(client, "ed", "not-the-password").status_code == 401
    hashes = count_hashes(monkeypatch)
    refused = login(client, "ed", "not-the-password")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) == WINDOW
    assert "too many failed sign-ins" in refused.text
    right = login(client, "ed", USERS["ed"][1])  # the right password, still refused
    assert right.status_code == 429 and "set-cookie" not in {
        k.lower() for k in right.headers if "reciprocity_session" in right.headers[k]}
    assert hashes == []  # refused without hashing anything
    clock.now += 100
    assert int(login(client, "ed", USERS["ed"][1]).headers["retry-after"]) == WINDOW - 100
    clock.now += WINDOW - 100
    assert login(client, "ed", USERS["ed"][1]).status_code == 303
    assert client.get("/api/me").json()["user"]["name"] == "ed"


def test_basic_auth_is_throttled_with_retry_after(
        client: TestClient, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    before = state(client)
    for _ in range(PAIR_LIMIT):
        assert client.post("/api/ledger/transfers", json=NEW_TRANSFER,
                           headers=wrong_basic()).status_code == 401
    hashes = count_hashes(monkeypatch)
    for headers in (wrong_basic(), basic("ed")):
        resp = client.post("/api/ledger/transfers", json=NEW_TRANSFER, headers=headers)
        assert resp.status_code == 429, resp.text
        assert resp.json()["error"] == "TooManyAttemptsError"
        assert resp.headers["retry-after"] == str(int(WINDOW))
    assert hashes == [] and state(client) == before
    clock.now += WINDOW
    resp = client.post("/api/ledger/transfers", json=NEW_TRANSFER, headers=basic("ed"))
    assert resp.status_code == 201, resp.text


def test_one_address_trying_many_names_is_throttled(client: TestClient) -> None:
    limit = next(r.limit for r in DEFAULT_RULES if r.scope == "address")
    for i in range(limit):
        assert login(client, f"guess{i}", "not-the-password").status_code == 401
    assert login(client, "ed", USERS["ed"][1]).status_code == 429


def test_throttle_rules_and_bounds() -> None:
    clock = Clock()
    throttle = Throttle(clock=clock, max_keys=50)
    for _ in range(PAIR_LIMIT - 1):
        throttle.failure("10.0.0.1", "ed")
    assert throttle.retry_after("10.0.0.1", "ed") == 0
    throttle.failure("10.0.0.1", "ED")  # names compare case-insensitively
    assert throttle.retry_after("10.0.0.1", "ed") == WINDOW
    assert throttle.retry_after("10.0.0.2", "ed") == 0  # another address may still try
    throttle.success("10.0.0.2", "ed")  # the user signs in elsewhere…
    assert throttle.retry_after("10.0.0.1", "ed") == WINDOW  # …the guesser stays blocked
    name_limit = next(r.limit for r in DEFAULT_RULES if r.scope == "name")
    for i in range(name_limit):  # one name guessed from many addresses
        throttle.failure(f"10.0.1.{i}", "ad")
    assert throttle.retry_after("10.9.9.9", "ad") == WINDOW
    clock.now += WINDOW
    assert throttle.retry_after("10.9.9.9", "ad") == 0
    throttle = Throttle(clock=clock, max_keys=50)
    for i in range(1000):
        throttle.failure(f"10.1.{i // 250}.{i % 250}", f"n{i}")
    assert len(throttle._failures) <= 50  # memory stays bounded


# -- sessions ----------------------------------------------------------------------------------

def copy_of(client: TestClient) -> TestClient:
    """A second browser holding a copy of the first one's session cookie."""
    other = TestClient(client.app, follow_redirects=False)
    other.cookies.set("reciprocity_session", client.cookies.get("reciprocity_session"))
    return other


def cookie_write(client: TestClient, record_id: str) -> int:
    token = client.get("/api/me").json()["csrf_token"]
    return client.post("/api/ledger/transfers", json={**NEW_TRANSFER, "id": record_id},
                       headers={"X-CSRF-Token": token}).status_code


def test_logout_revokes_a_copied_cookie(client: TestClient) -> None:
    sign_in(client, "ed")
    thief = copy_of(client)
    assert cookie_write(thief, "web-t-copy-1") == 201  # a copy works while signed in
    page = client.get("/ledger")
    assert client.post("/logout", data={"csrf_token": csrf_of(page.text)}).status_code == 303
    assert cookie_write(thief, "web-t-copy-2") == 401
    assert thief.get("/api/me").json()["user"] is None
    with client.app.state.backend.read() as r:
        assert r.store.con.execute("SELECT count(*) FROM web_sessions").fetchone()[0] == 0


def test_password_change_revokes_every_session(client: TestClient) -> None:
    sign_in(client, "ed")
    other = copy_of(client)
    assert client.get("/api/me").json()["user"]["name"] == "ed"
    with client.app.state.backend.write() as w:
        accounts.set_password(w.store, "ed", "a-new-password-1")
    assert client.get("/api/me").json()["user"] is None
    assert cookie_write(other, "web-t-after-change") == 401
    assert login(client, "ed", "a-new-password-1").status_code == 303


def change_password(client: TestClient, current: str, new: str, repeat: str | None = None
                    ) -> object:
    page = client.get("/account")
    assert page.status_code == 200, page.text
    return client.post("/account/password", data={
        "csrf_token": csrf_of(page.text), "current": current, "new": new,
        "repeat": new if repeat is None else repeat})


def test_password_change_in_the_browser_keeps_this_session_only(client: TestClient) -> None:
    assert client.get("/account").status_code == 303  # not signed in: to /login
    sign_in(client, "ed")
    other = copy_of(client)
    before = stored(client, "ed")
    forged = client.post("/account/password", data={
        "current": USERS["ed"][1], "new": "a-new-password-1", "repeat": "a-new-password-1"})
    assert forged.status_code == 403 and stored(client, "ed") == before  # no CSRF token
    bad = change_password(client, USERS["ed"][1], "a-new-password-1", "a-new-password-2")
    assert bad.status_code == 422 and "differ" in bad.text and stored(client, "ed") == before
    wrong = change_password(client, "not-the-password", "a-new-password-1")
    assert wrong.status_code == 401 and stored(client, "ed") == before
    ok = change_password(client, USERS["ed"][1], "a-new-password-1")
    assert ok.status_code == 303 and ok.headers["location"] == "/account?changed=1"
    assert "Password changed" in client.get("/account?changed=1").text
    assert client.get("/api/me").json()["user"]["name"] == "ed"  # this browser stays in
    assert cookie_write(client, "web-t-after-own-change") == 201
    assert other.get("/api/me").json()["user"] is None  # the other session (copy) is out
    assert cookie_write(other, "web-t-from-the-copy") == 401
    assert login(other, "ed", USERS["ed"][1]).status_code == 401
    assert login(other, "ed", "a-new-password-1").status_code == 303


def test_password_change_form_is_throttled(client: TestClient, clock: Clock) -> None:
    sign_in(client, "ed")
    for _ in range(PAIR_LIMIT):
        assert change_password(client, "not-the-password", "a-new-password-1"
                               ).status_code == 401
    refused = change_password(client, USERS["ed"][1], "a-new-password-1")
    assert refused.status_code == 429 and refused.headers["retry-after"] == str(int(WINDOW))
    clock.now += WINDOW
    assert change_password(client, USERS["ed"][1], "a-new-password-1").status_code == 303


def test_forged_session_with_a_valid_signature_but_no_row_is_refused(
        client: TestClient) -> None:
    sign_in(client, "ed")
    with client.app.state.backend.write() as w:
        w.store.con.execute("DELETE FROM web_sessions")  # e.g. expired and pruned
    assert client.get("/api/me").json()["user"] is None


def test_read_only_server_keeps_sessions_in_memory(web_store_path: Path) -> None:
    app = create_app(web_store_path, read_only=True, secret="test-secret")
    with TestClient(app, follow_redirects=False) as c:
        sign_in(c, "vi")
        copy = copy_of(c)
        assert copy.get("/api/me").json()["user"]["name"] == "vi"
        page = c.get("/ledger")
        assert c.post("/logout", data={"csrf_token": csrf_of(page.text)}).status_code == 303
        assert copy.get("/api/me").json()["user"] is None


# -- password hashes -----------------------------------------------------------------------------

def test_new_hashes_use_owasp_scrypt_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "SCRYPT", {"n": 2**17, "r": 8, "p": 1})
    h = accounts.hash_password("correct horse")  # 128 MiB: above OpenSSL's default 32 MiB cap
    assert h.startswith("scrypt$131072$8$1$")
    assert accounts.verify_password("correct horse", h) and not accounts.needs_rehash(h)
    assert not accounts.verify_password("correct hors", h)


def test_default_parameters_are_owasp_ones() -> None:
    """In a fresh interpreter (these tests lower the cost): N=2^17, r=8, p=1."""
    out = subprocess.run([sys.executable, "-c", "from reciprocity import accounts; "
                          "print(sorted(accounts.SCRYPT.items()))"],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[('n', 131072), ('p', 1), ('r', 8)]"


def test_old_hash_verifies_and_is_upgraded_at_sign_in(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    old = stored(client, "ed")
    assert old.startswith(f"scrypt${FAST_SCRYPT['n']}$")
    monkeypatch.setattr(accounts, "SCRYPT", {"n": 2**11, "r": 8, "p": 1})  # the cost went up
    assert accounts.needs_rehash(old)
    assert login(client, "ed", "not-the-password").status_code == 401
    assert stored(client, "ed") == old  # a wrong password upgrades nothing
    assert login(client, "ed", USERS["ed"][1]).status_code == 303
    new = stored(client, "ed")
    assert new.startswith("scrypt$2048$8$1$") and new != old
    assert accounts.verify_password(USERS["ed"][1], new)
    # Basic credentials upgrade the same way
    old_ad = stored(client, "ad")
    assert client.get("/api/me", headers=basic("ad")).json()["user"]["name"] == "ad"
    assert stored(client, "ad").startswith("scrypt$2048$") and stored(client, "ad") != old_ad


def test_basic_credentials_are_not_hashed_again_for_every_request(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    hashes = count_hashes(monkeypatch)
    for _ in range(3):
        assert client.get("/api/me", headers=basic("ed")).json()["user"]["name"] == "ed"
    assert len(hashes) == 1
    with client.app.state.backend.write() as w:
        accounts.set_password(w.store, "ed", "a-new-password-1")
    assert client.get("/api/me", headers=basic("ed")).status_code == 401  # old one: refused


# -- the event loop --------------------------------------------------------------------------

def test_hashing_does_not_block_the_event_loop(client: TestClient,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """While a wrong Basic password is being hashed (held here until released), /api/health
    answers: the hash runs in a worker thread, not on the event loop."""
    entered, release = threading.Event(), threading.Event()

    def slow_verify(password: str, stored_hash: str) -> bool:
        entered.set()
        release.wait(10)
        return False

    monkeypatch.setattr(accounts, "verify_password", slow_verify)
    answers: dict[str, int] = {}

    def write() -> None:
        answers["write"] = client.post("/api/ledger/transfers", json=NEW_TRANSFER,
                                       headers=wrong_basic()).status_code

    def health() -> None:
        answers["health"] = client.get("/api/health").status_code

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert entered.wait(10), "the write never reached the password check"
        prober = threading.Thread(target=health)
        prober.start()
        prober.join(5)
        assert answers.get("health") == 200, "/api/health waited for the password hash"
    finally:
        release.set()
        writer.join(15)
    assert answers["write"] == 401


# -- headers and cookies ------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/pair?a=USA&b=JPN", "/ledger", "/login", "/sources",
                                  "/no-such-page", "/api/health", "/api/dyad?a=USA&b=JPN",
                                  "/api/nothing", "/openapi.json"])
def test_security_headers_on_pages_and_api(web_client: TestClient, path: str) -> None:
    resp = web_client.get(path)
    h = resp.headers
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "same-origin"
    csp = dict(part.strip().split(" ", 1) for part in h["content-security-policy"].split(";"))
    assert csp["script-src"] == "'self'"  # no inline or foreign script
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert csp["default-src"] == "'self'"
    assert "strict-transport-security" not in h  # plain HTTP: no HSTS


def test_pages_have_no_inline_script_the_policy_would_block(web_client: TestClient) -> None:
    """Every <script> of the pages is a file of the app or inert JSON data."""
    for path in ("/pair?a=USA&b=JPN", "/partners?a=JPN", "/ledger", "/ledger/web-t-licence",
                 "/ledger/check", "/sources", "/login"):
        html = web_client.get(path).text
        for attrs, _body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            assert 'src="/' in attrs or 'type="application/json"' in attrs, (path, attrs)
        assert not re.search(r"\son[a-z]+=", html), path  # no inline event handlers


def test_briefing_and_api_docs_policies(web_client: TestClient) -> None:
    docs = web_client.get("/docs").headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-inline'" in docs and "frame-ancestors 'none'" in docs
    report = web_client.get("/report?a=USA&b=JPN")
    policy = report.headers["content-security-policy"]
    assert "sandbox allow-scripts" in policy and "default-src 'none'" in policy
    assert "connect-src" not in policy  # falls back to default-src 'none': no network


def test_https_option_marks_cookies_secure_and_sends_hsts(web_store_path: Path) -> None:
    app = create_app(web_store_path, read_only=True, secret="test-secret", https=True)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        page = c.get("/login")
        assert "secure" in page.headers["set-cookie"].lower()
        assert page.headers["strict-transport-security"].startswith("max-age=")
        token = csrf_of(page.text)
        resp = c.post("/login", data={"name": "vi", "password": USERS["vi"][1],
                                      "csrf_token": token})
        assert resp.status_code == 303
        cookie = resp.headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_plain_http_cookies_are_not_secure(web_client: TestClient) -> None:
    resp = TestClient(web_client.app).get("/login")  # a new browser: its first cookie
    assert "httponly" in resp.headers["set-cookie"].lower()
    assert "secure" not in resp.headers["set-cookie"].lower()


def test_serve_options_reach_the_app(run_main, web_store_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    seen: dict[str, object] = {}

    def fake_run(app: object, **kwargs: object) -> None:
        seen.update(kwargs, app=app)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    result = run_main("serve", "--db", web_store_path, "--read-only", "--https",
                      "--forwarded-allow-ips", "127.0.0.1")
    assert result.exit_code == 0, result.output
    assert seen["app"].state.https is True  # type: ignore[attr-defined]
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == "127.0.0.1"
    result = run_main("serve", "--db", web_store_path, "--read-only")
    assert seen["app"].state.https is False and seen["proxy_headers"] is False  # type: ignore[attr-defined]
