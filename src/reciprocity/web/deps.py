"""Request-scoped helpers shared by the API and the pages: store, user, CSRF, writes.

Checking a password costs one scrypt hash (about a second of one core at OWASP's
parameters), so it never runs on the event loop: async code awaits :func:`load_user`, which
hashes in a worker thread (at most two at once), and sync handlers already run in threads.
Failed sign-ins are throttled (:mod:`reciprocity.web.throttle`) before any hashing.
"""

from __future__ import annotations

import base64
import binascii

import anyio
from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from reciprocity import accounts
from reciprocity.api import Reciprocity
from reciprocity.web import auth
from reciprocity.web.backend import Backend


def backend(request: Request) -> Backend:
    return request.app.state.backend


def session_id(request: Request) -> str:
    """The browser session's id (created, and the cookie set, on first use)."""
    sid = request.session.get("sid")
    if not sid:
        sid = accounts.new_session_id()
        request.session["sid"] = sid
    return sid


def csrf_token(request: Request) -> str:
    """The CSRF token forms of this session carry."""
    return auth.csrf_token(request.app.state.secret, session_id(request))


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        name, _, password = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise accounts.AuthenticationError("malformed Basic credentials") from None
    return name, password


def client_address(request: Request) -> str:
    """The client's address (the proxy's, unless ``serve --forwarded-allow-ips`` trusts it)."""
    return request.client.host if request.client else "unknown"


def check_password(request: Request, name: str, password: str, *,
                   remember: bool = False) -> accounts.User | None:
    """The user when the password is theirs, else None; blocking (call it from a thread).

    Throttled first (:class:`~reciprocity.web.throttle.TooManyAttemptsError`, no hashing);
    a failure is counted; a hash made with older scrypt parameters is upgraded (unless the
    store is read-only). ``remember`` (Basic credentials) skips the hash when the same name,
    password and stored hash were verified in the last few minutes. No store session is held
    while hashing (the pool is small).
    """
    state = request.app.state
    address = client_address(request)
    state.throttle.check(address, name)
    with backend(request).read() as r:
        found = accounts.user_and_hash(r.store, name)
    if remember and found is not None and state.credentials.hit(name, password, found[1]):
        return found[0]
    user, stored = accounts.check_hash(found, password)
    if user is None or stored is None:
        state.throttle.failure(address, name)
        return None
    state.throttle.success(address, name)
    if accounts.needs_rehash(stored) and not state.read_only:
        new_hash = accounts.hash_password(password)  # before taking the writer: ~1 s of CPU
        with backend(request).write(clear_cache=False) as w:
            if accounts.upgrade_hash(w.store, name, stored, new_hash):
                stored = new_hash
    if remember:
        state.credentials.add(name, password, stored)
    return user


def current_user(request: Request, r: Reciprocity | None = None) -> accounts.User | None:
    """The signed-in user (session cookie or HTTP Basic credentials), or None.

    Blocking: sync handlers call it (they run in worker threads); async code awaits
    :func:`load_user`. Pass the session ``r`` when the caller already holds one (the pool is
    small). A session cookie counts only while its server-side session exists.
    """
    if hasattr(request.state, "user"):
        return request.state.user
    request.state.via_basic = False
    user: accounts.User | None = None
    creds = _basic_credentials(request)
    if creds is not None:
        user = check_password(request, *creds, remember=True)
        if user is None:
            raise accounts.AuthenticationError("wrong user name or password")
        request.state.via_basic = True
        request.state.user = user
        return user
    if r is None:
        with backend(request).read() as session:
            return current_user(request, session)
    if request.session.get("user"):
        user = request.app.state.sessions.user(r.store, request.session.get("sid"),
                                               request.session["user"])
        if user is None:  # signed out, password changed, expired or removed since
            request.session.pop("user", None)
    request.state.user = user
    return user


def request_via_basic(request: Request) -> bool:
    """True when this request's user came from HTTP Basic credentials (not a session)."""
    return bool(getattr(request.state, "via_basic", False))


def hash_limiter(request: Request) -> anyio.CapacityLimiter:
    """Worker threads for password checks: two at a time, apart from the default pool."""
    limiter = getattr(request.app.state, "hash_limiter", None)
    if limiter is None:
        limiter = request.app.state.hash_limiter = anyio.CapacityLimiter(2)
    return limiter


async def load_user(request: Request) -> accounts.User | None:
    """:func:`current_user` for async code: store reads and hashing in worker threads, and a
    throttled client refused at once (429) without queueing for a thread."""
    if hasattr(request.state, "user"):
        return request.state.user
    creds = _basic_credentials(request)
    if creds is not None:
        request.app.state.throttle.check(client_address(request), creds[0])
        return await anyio.to_thread.run_sync(current_user, request,
                                              limiter=hash_limiter(request))
    return await run_in_threadpool(current_user, request)


async def require_writer(request: Request) -> accounts.User:
    """Dependency of every write: a signed-in editor or admin, and a valid CSRF token.

    401 without a user, 403 for a role that may not write or a missing/stale CSRF token.
    Requests authenticated with HTTP Basic carry no cookie and need no token.
    """
    user = await load_user(request)
    if user is None:
        raise accounts.AuthenticationError("sign in as an editor or admin to change anything "
                                       "(reciprocity users add NAME --role editor)")
    if not user.can_write:
        raise accounts.PermissionDeniedError(f"user {user.name!r} has the role {user.role!r}; "
                                         "writing needs the role editor or admin")
    if not request.state.via_basic:
        token = request.headers.get("x-csrf-token")
        if token is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token")
            token = value if isinstance(value, str) else None
        auth.check_csrf(request.app.state.secret, request.session.get("sid"), token)
    return user
