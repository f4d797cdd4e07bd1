"""Users, roles, passwords, sessions and CSRF tokens of the web app.

* Users live in the store's ``web_users`` table with a role (``viewer``, ``editor``,
  ``admin``) and a password hashed with scrypt (``hashlib.scrypt``, a random 16-byte salt,
  n=2**14, r=8, p=1); ``reciprocity users add NAME --role R`` creates them.
* A signed-in browser holds a session cookie signed by Starlette's ``SessionMiddleware``
  (itsdangerous) with a random session id and the user's name; the role is read from the
  store on every request, so removing a user or changing a role takes effect at once.
* Every form carries a CSRF token: an HMAC of the session id under the server's secret.
  Cookie-authenticated API writes send the same token in ``X-CSRF-Token``; API clients that
  send HTTP Basic credentials need no token (no cookie, nothing a third-party page can forge).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import pandas as pd

from reciprocity.errors import InputError, NotFoundError, Problem, ReciprocityError
from reciprocity.store.db import Store
from reciprocity.store.schema import Field, Table

ROLES = ("viewer", "editor", "admin")
WRITE_ROLES = frozenset({"editor", "admin"})
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 8
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}

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


class AuthenticationError(ReciprocityError):
    """Not signed in (or wrong credentials): HTTP 401."""

    status = 401


class PermissionDeniedError(ReciprocityError):
    """Signed in, but the role may not do this: HTTP 403."""

    status = 403


class CSRFError(ReciprocityError):
    """A write without a valid CSRF token: HTTP 403."""

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

def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` in the form ``scrypt$n$r$p$salt$hash``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    b64 = base64.b64encode
    return (f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}$"
            f"{b64(salt).decode()}${b64(digest).decode()}")


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the ``stored`` hash (constant-time comparison)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt),
                             n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(got, expected)


# -- the users table ---------------------------------------------------------------------------

def ensure_table(store: Store) -> None:
    """Create ``web_users`` if the store does not have it yet."""
    for stmt in USERS.ddl():
        store.con.execute(stmt)


def _has_table(store: Store) -> bool:
    return bool(store.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
        [USERS.name]).fetchone()[0])


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


def set_password(store: Store, name: str, password: str) -> None:
    """Replace a user's password."""
    problems = validate_user(name, "viewer", password)
    if problems:
        raise InputError(f"cannot set the password of {name!r}", problems)
    _require(store, name)
    store.con.execute("UPDATE web_users SET password_hash = ?, updated_at = ? WHERE name = ?",
                      [hash_password(password), datetime.now(UTC).replace(tzinfo=None), name])


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


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The user when ``password`` is theirs, else None (same work either way)."""
    row = None
    if name and _has_table(store):
        row = store.con.execute("SELECT name, role, password_hash FROM web_users WHERE name = ?",
                                [name]).fetchone()
    if row is None:
        verify_password(password, _dummy_hash())  # spend the same time for unknown names
        return None
    return User(row[0], row[1]) if verify_password(password, row[2]) else None


def list_users(store: Store) -> pd.DataFrame:
    """Users with their roles and dates (no hashes)."""
    if not _has_table(store):
        return pd.DataFrame(columns=["name", "role", "created_at", "updated_at"])
    return store.query("SELECT name, role, created_at, updated_at FROM web_users ORDER BY name")


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(12))


# -- CSRF ------------------------------------------------------------------------------------

def new_session_id() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(secret: str, session_id: str) -> str:
    """The CSRF token of a session: HMAC-SHA256 of its id under the server's secret."""
    mac = hmac.new(secret.encode("utf-8"), b"csrf:" + session_id.encode("utf-8"),
                   hashlib.sha256)
    return mac.hexdigest()


def check_csrf(secret: str, session_id: str | None, token: str | None) -> None:
    """Raise :class:`CSRFError` unless ``token`` belongs to the session."""
    if not session_id or not token or not hmac.compare_digest(
            csrf_token(secret, session_id), token):
        raise CSRFError("the form's security token is missing or stale; reload the page and "
                        "submit again")
