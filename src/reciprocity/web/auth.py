"""CSRF tokens of the web app (users, passwords and sessions: :mod:`reciprocity.accounts`).

Every form carries a CSRF token: an HMAC of the session id under the server's secret.
Cookie-authenticated API writes send the same token in ``X-CSRF-Token``; API clients that
send HTTP Basic credentials need no token (no cookie, nothing a third-party page can forge).
"""

from __future__ import annotations

import hashlib
import hmac

from reciprocity.errors import ReciprocityError


class CSRFError(ReciprocityError):
    """A write without a valid CSRF token: HTTP 403."""

    status = 403


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
