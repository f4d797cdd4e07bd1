"""Request-scoped helpers shared by the API and the pages: store, user, CSRF, writes."""

from __future__ import annotations

import base64
import binascii

from fastapi import Request

from reciprocity.api import Reciprocity
from reciprocity.web import auth
from reciprocity.web.backend import Backend


def backend(request: Request) -> Backend:
    return request.app.state.backend


def session_id(request: Request) -> str:
    """The browser session's id (created, and the cookie set, on first use)."""
    sid = request.session.get("sid")
    if not sid:
        sid = auth.new_session_id()
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
        raise auth.AuthenticationError("malformed Basic credentials") from None
    return name, password


def current_user(request: Request, r: Reciprocity | None = None) -> auth.User | None:
    """The signed-in user (session cookie or HTTP Basic credentials), or None.

    Pass the session ``r`` when the caller already holds one (the pool is small).
    """
    if hasattr(request.state, "user"):
        return request.state.user
    request.state.via_basic = False
    if r is None:
        with backend(request).read() as session:
            return current_user(request, session)
    user: auth.User | None = None
    creds = _basic_credentials(request)
    if creds is not None:
        user = auth.authenticate(r.store, *creds)
        if user is None:
            raise auth.AuthenticationError("wrong user name or password")
        request.state.via_basic = True
    elif request.session.get("user"):
        user = auth.get_user(r.store, request.session["user"])
        if user is None:  # removed since signing in
            request.session.pop("user", None)
    request.state.user = user
    return user


async def require_writer(request: Request) -> auth.User:
    """Dependency of every write: a signed-in editor or admin, and a valid CSRF token.

    401 without a user, 403 for a role that may not write or a missing/stale CSRF token.
    Requests authenticated with HTTP Basic carry no cookie and need no token.
    """
    user = current_user(request)
    if user is None:
        raise auth.AuthenticationError("sign in as an editor or admin to change anything "
                                       "(reciprocity users add NAME --role editor)")
    if not user.can_write:
        raise auth.PermissionDeniedError(f"user {user.name!r} has the role {user.role!r}; "
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
