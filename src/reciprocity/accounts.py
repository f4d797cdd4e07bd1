"""Users, roles, passwords and sessions (the web app's accounts, kept in the store).

* Users live in the store's ``web_users`` table with a role (``viewer``, ``editor``,
  ``admin``) and a password hashed with scrypt (``hashlib.scrypt``, a random 16-byte salt,
  n=2**17, r=8, p=1: OWASP's Password Storage Cheat Sheet); ``reciprocity users add NAME
  --role R`` creates them. A hash made with other parameters still verifies and is replaced
  at the user's next sign-in (:func:`needs_rehash`, :func:`upgrade_hash`).
* A signed-in browser holds a session cookie signed by Starlette's ``SessionMiddleware``
  (itsdangerous) with a random session id and the user's name. The session is also kept on
  the server (``web_sessions``, the SHA-256 of its id): signing out, a password change or the
  user's removal deletes it, so a copied cookie stops working at once. The role is read from
  the store on every request.

A core module (no web import): the store declares its tables, ``reciprocity users`` and the
web app (:mod:`reciprocity.web.auth` adds the CSRF tokens) use it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import pandas as pd

from reciprocity.errors import InputError, NotFoundError, Problem, ReciprocityError
from reciprocity.store.db import Store
from reciprocity.store.schema import Field, Table

ROLES = ("viewer", "editor", "admin")
WRITE_ROLES = frozenset({"editor", "admin"})
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 8
SCRYPT = {"n": 2**17, "r": 8, "p": 1}
"""scrypt cost of new hashes: OWASP Password Storage Cheat Sheet (N=2^17, r=8, p=1; 128 MiB
and about a second of one core per hash on a small machine)."""
MAX_SCRYPT_MEMORY = 1 << 30
"""Stored parameters asking for more memory than this are refused (the hash does not verify)."""
HASH_SLOTS = threading.BoundedSemaphore(2)
"""At most two scrypt computations at once in the process: bounds memory (2 × 128 MiB) and CPU
whatever the number of requests."""

USERS = Table(
    name="web_users",
    description="People who may sign in to the web app (`reciprocity serve`), with their role "
                "and a salted scrypt hash of their password (never the password). Reading is "
                "open; writing needs the role `editor` or `admin`.",
    primary_key=("name",),
    fields=(
        Field("name", "VARCHAR", "Sign-in name (letters, digits, `._@-`).", False),
        Field("role", "VARCHAR", "What the user may do: `viewer` reads, `editor` and `admin` "
              "also write.", False, enum=ROLES),
        Field("password_hash", "VARCHAR", "`scrypt$n$r$p$salt$hash` (base64 parts).", False),
        Field("created_at", "TIMESTAMP", "When the user was added (UTC).", False),
        Field("updated_at", "TIMESTAMP", "When the role or password last changed (UTC).",
              False),
    ),
)
"""Declared with the store's schema classes (DDL, validation, docs) but kept out of the global
registry, so ``docs/schema.md`` does not depend on whether the web app was imported; its
reference is in docs/web.md (a test keeps it in step)."""

SESSIONS = Table(
    name="web_sessions",
    description="Signed-in browser sessions of the web app. A session cookie is honoured only "
                "while its row exists: signing out deletes it, a password change or removing "
                "the user deletes all of the user's rows.",
    primary_key=("id_hash",),
    fields=(
        Field("id_hash", "VARCHAR", "SHA-256 (hex) of the session id the cookie carries (the "
              "id itself is not stored).", False),
        Field("name", "VARCHAR", "The signed-in user.", False),
        Field("created_at", "TIMESTAMP", "When the user signed in (UTC).", False),
        Field("expires_at", "TIMESTAMP", "When the session ends (UTC), 12 hours after "
              "signing in.", False),
    ),
)
"""Kept out of the global registry, like :data:`USERS` (reference in docs/web.md)."""


class AuthenticationError(ReciprocityError):
    """Not signed in (or wrong credentials): HTTP 401."""

    status = 401


class PermissionDeniedError(ReciprocityError):
    """Signed in, but the role may not do this: HTTP 403."""

    status = 403


@dataclass(frozen=True)
class User:
    """A signed-in user."""

    name: str
    role: str

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES


# -- passwords -------------------------------------------------------------------------------

def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    """scrypt with room for its memory (OpenSSL's default cap is 32 MiB), a few at a time."""
    need = 128 * r * (n + p + 2) + (1 << 20)
    if need > MAX_SCRYPT_MEMORY:
        raise ValueError("scrypt parameters above the memory limit")
    with HASH_SLOTS:
        return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                              dklen=dklen, maxmem=need)


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` in the form ``scrypt$n$r$p$salt$hash``."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT["n"], SCRYPT["r"], SCRYPT["p"], 32)
    b64 = base64.b64encode
    return (f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}$"
            f"{b64(salt).decode()}${b64(digest).decode()}")


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the ``stored`` hash (constant-time comparison)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(got, expected)


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` was made with other scrypt parameters than :data:`SCRYPT`."""
    parts = stored.split("$")
    return len(parts) != 6 or parts[0] != "scrypt" or parts[1:4] != [
        str(SCRYPT["n"]), str(SCRYPT["r"]), str(SCRYPT["p"])]


# -- the users table ---------------------------------------------------------------------------

def ensure_table(store: Store) -> None:
    """Create ``web_users`` and ``web_sessions`` if the store does not have them yet."""
    for table in (USERS, SESSIONS):
        for stmt in table.ddl():
            store.con.execute(stmt)


def _has_table(store: Store, name: str = USERS.name) -> bool:
    return bool(store.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
        [name]).fetchone()[0])


def validate_user(name: str, role: str, password: str | None) -> list[Problem]:
    """Every problem with a new user's name, role and password."""
    problems = []
    if not NAME_PATTERN.match(name or ""):
        problems.append(Problem("name", repr(name), "1–64 letters, digits or ._@- , starting "
                                "with a letter or digit"))
    if role not in ROLES:
        problems.append(Problem("role", repr(role), "one of " + ", ".join(ROLES)))
    if password is not None and len(password) < MIN_PASSWORD:
        problems.append(Problem("password", f"{len(password)} characters",
                                f"at least {MIN_PASSWORD} characters"))
    return problems


def add_user(store: Store, name: str, role: str, password: str) -> User:
    """Add a user (refused, nothing written, when the name is taken or a value is bad)."""
    ensure_table(store)
    problems = validate_user(name, role, password)
    if problems:
        raise InputError(f"cannot add user {name!r}", problems)
    if get_user(store, name) is not None:
        raise InputError(f"user {name!r} exists", [Problem(
            "name", repr(name), "a name not yet taken (reciprocity users list)")])
    now = datetime.now(UTC).replace(tzinfo=None)
    store.con.execute("INSERT INTO web_users VALUES (?, ?, ?, ?, ?)",
                      [name, role, hash_password(password), now, now])
    return User(name, role)


def set_password(store: Store, name: str, password: str, *,
                 password_hash: str | None = None) -> None:
    """Replace a user's password and end every session of theirs. ``password_hash`` is
    ``hash_password(password)`` when the caller computed it already (outside a lock)."""
    problems = validate_user(name, "viewer", password)
    if problems:
        raise InputError(f"cannot set the password of {name!r}", problems)
    _require(store, name)
    store.con.execute("UPDATE web_users SET password_hash = ?, updated_at = ? WHERE name = ?",
                      [password_hash or hash_password(password),
                       datetime.now(UTC).replace(tzinfo=None), name])
    end_sessions(store, name)  # every session of the user ends (copied cookies too)


def set_role(store: Store, name: str, role: str) -> None:
    """Change a user's role."""
    if role not in ROLES:
        raise InputError(f"cannot change the role of {name!r}",
                         [Problem("role", repr(role), "one of " + ", ".join(ROLES))])
    _require(store, name)
    store.con.execute("UPDATE web_users SET role = ?, updated_at = ? WHERE name = ?",
                      [role, datetime.now(UTC).replace(tzinfo=None), name])


def remove_user(store: Store, name: str) -> None:
    """Remove a user; their sessions end at their next request."""
    _require(store, name)
    store.con.execute("DELETE FROM web_users WHERE name = ?", [name])
    end_sessions(store, name)


def _require(store: Store, name: str) -> None:
    if get_user(store, name) is None:
        raise NotFoundError(f"no user {name!r} (reciprocity users list)")


def get_user(store: Store, name: str) -> User | None:
    """The user called ``name``, or None."""
    if not name or not _has_table(store):
        return None
    row = store.con.execute("SELECT name, role FROM web_users WHERE name = ?",
                            [name]).fetchone()
    return User(row[0], row[1]) if row else None


def user_and_hash(store: Store, name: str) -> tuple[User, str] | None:
    """The user called ``name`` with their stored password hash, or None (a quick read)."""
    if not name or not _has_table(store):
        return None
    row = store.con.execute("SELECT name, role, password_hash FROM web_users WHERE name = ?",
                            [name]).fetchone()
    return (User(row[0], row[1]), row[2]) if row else None


def check_hash(found: tuple[User, str] | None, password: str
               ) -> tuple[User | None, str | None]:
    """``(user, stored_hash)`` when ``password`` matches what :func:`user_and_hash` found,
    else ``(None, None)``; the same work for an unknown name. Slow (one scrypt hash): needs
    no store, so callers run it without holding a session."""
    if found is None:
        verify_password(password, _dummy_hash(SCRYPT["n"], SCRYPT["r"], SCRYPT["p"]))
        return None, None
    user, stored = found
    return (user, stored) if verify_password(password, stored) else (None, None)


def verify_user(store: Store, name: str, password: str) -> tuple[User | None, str | None]:
    """``(user, stored_hash)`` when ``password`` is theirs, else ``(None, None)``.

    Spends the same work for unknown names. Pass the hash to :func:`upgrade_hash` when
    :func:`needs_rehash` says so (the caller decides where to write).
    """
    return check_hash(user_and_hash(store, name), password)


def upgrade_hash(store: Store, name: str, old_hash: str, new_hash: str) -> bool:
    """Replace ``old_hash`` by ``new_hash`` (from :func:`hash_password`, at the current
    parameters; compute it before taking the store's writer) only if it is still the stored
    one: a password changed meanwhile is left alone. True when replaced."""
    changed = store.con.execute(
        "UPDATE web_users SET password_hash = ? WHERE name = ? AND password_hash = ? "
        "RETURNING name", [new_hash, name, old_hash]).fetchall()
    return bool(changed)


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The user when ``password`` is theirs, else None (same work either way); a hash made
    with older parameters is upgraded on the way."""
    user, stored = verify_user(store, name, password)
    if user is not None and stored is not None and needs_rehash(stored):
        upgrade_hash(store, name, stored, hash_password(password))
    return user


def list_users(store: Store) -> pd.DataFrame:
    """Users with their roles and dates (no hashes)."""
    if not _has_table(store):
        return pd.DataFrame(columns=["name", "role", "created_at", "updated_at"])
    return store.query("SELECT name, role, created_at, updated_at FROM web_users ORDER BY name")


@cache
def _dummy_hash(n: int, r: int, p: int) -> str:
    return hash_password(secrets.token_urlsafe(12))


# -- server-side sessions ----------------------------------------------------------------------

def _sid_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def start_session(store: Store, name: str, max_age: int) -> str:
    """A new session id for ``name``, recorded in ``web_sessions`` (expired rows pruned)."""
    session_id = new_session_id()
    now = _now()
    store.con.execute("DELETE FROM web_sessions WHERE expires_at <= ?", [now])
    store.con.execute("INSERT INTO web_sessions VALUES (?, ?, ?, ?)",
                      [_sid_hash(session_id), name, now, now + timedelta(seconds=max_age)])
    return session_id


def session_user(store: Store, session_id: str | None, name: str | None) -> User | None:
    """The user of a live session (its row exists, is the user's and has not expired)."""
    if not session_id or not name:
        return None
    row = store.con.execute(
        "SELECT u.name, u.role FROM web_sessions s JOIN web_users u ON u.name = s.name "
        "WHERE s.id_hash = ? AND s.name = ? AND s.expires_at > ?",
        [_sid_hash(session_id), name, _now()]).fetchone()
    return User(row[0], row[1]) if row else None


def end_session(store: Store, session_id: str | None) -> None:
    """Sign one session out (its cookie, copied or not, is no longer honoured)."""
    if session_id:
        store.con.execute("DELETE FROM web_sessions WHERE id_hash = ?", [_sid_hash(session_id)])


def end_sessions(store: Store, name: str, keep: str | None = None) -> None:
    """End every session of ``name`` (but ``keep``, the id of the session asking)."""
    if not _has_table(store, SESSIONS.name):
        return
    store.con.execute("DELETE FROM web_sessions WHERE name = ? AND id_hash <> ?",
                      [name, _sid_hash(keep) if keep else ""])


# -- session ids ---------------------------------------------------------------------------

def new_session_id() -> str:
    return secrets.token_urlsafe(24)
