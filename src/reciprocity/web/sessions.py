"""Server-side sign-in state: browser sessions and recently verified Basic credentials.

* :class:`SessionStore` keeps signed-in sessions in the store's ``web_sessions`` table (see
  :mod:`reciprocity.web.auth`); a server started with ``--read-only`` cannot write the store
  and keeps them in memory instead (they end when it stops). A cookie is honoured only while
  its session exists, so signing out or changing the password revokes copied cookies.
* :class:`CredentialCache` remembers, for a few minutes, that a Basic name and password
  matched a stored hash, so a script sending the same credentials with every request costs one
  scrypt hash, not one per request. The key is an HMAC (under the server's secret) of the
  name, the password and the stored hash: a changed password or a removed user misses.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from reciprocity import accounts

if TYPE_CHECKING:
    from reciprocity.store.db import Store
    from reciprocity.web.backend import Backend


class SessionStore:
    """Sessions of signed-in browsers (the store's table, or memory when read-only)."""

    def __init__(self, backend: Backend, max_age: int,
                 clock: Callable[[], float] = time.time) -> None:
        self.backend = backend
        self.max_age = max_age
        self.clock = clock
        self._memory: dict[str, tuple[str, float]] | None = {} if backend.read_only else None
        self._lock = threading.Lock()

    def start(self, name: str) -> str:
        """A new session id for ``name``."""
        if self._memory is None:
            with self.backend.write(clear_cache=False) as w:
                return accounts.start_session(w.store, name, self.max_age)
        session_id = accounts.new_session_id()
        now = self.clock()
        with self._lock:
            for key in [k for k, (_, exp) in self._memory.items() if exp <= now]:
                del self._memory[key]
            self._memory[accounts._sid_hash(session_id)] = (name, now + self.max_age)
        return session_id

    def user(self, store: Store, session_id: str | None, name: str | None) -> accounts.User | None:
        """The user of a live session, read with ``store`` (a session the caller holds)."""
        if self._memory is None:
            return accounts.session_user(store, session_id, name)
        if not session_id or not name:
            return None
        with self._lock:
            entry = self._memory.get(accounts._sid_hash(session_id))
        if entry is None or entry[0] != name or entry[1] <= self.clock():
            return None
        return accounts.get_user(store, name)

    def end(self, session_id: str | None) -> None:
        """Sign a session out."""
        if not session_id:
            return
        if self._memory is None:
            with self.backend.write(clear_cache=False) as w:
                accounts.end_session(w.store, session_id)
            return
        with self._lock:
            self._memory.pop(accounts._sid_hash(session_id), None)

    def end_all(self, name: str, keep: str | None = None) -> None:
        """End every session of ``name`` but ``keep``."""
        if self._memory is None:
            with self.backend.write(clear_cache=False) as w:
                accounts.end_sessions(w.store, name, keep)
            return
        keep_hash = accounts._sid_hash(keep) if keep else None
        with self._lock:
            for key in [k for k, (n, _) in self._memory.items() if n == name and k != keep_hash]:
                del self._memory[key]


class CredentialCache:
    """Basic credentials verified in the last ``ttl`` seconds (at most ``size`` entries)."""

    def __init__(self, secret: str, ttl: float = 300.0, size: int = 1024,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._secret = secret.encode("utf-8")
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._data: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def _key(self, name: str, password: str, stored: str) -> str:
        msg = "\0".join((name, password, stored)).encode("utf-8")
        return hmac.new(self._secret, msg, hashlib.sha256).hexdigest()

    def hit(self, name: str, password: str, stored: str) -> bool:
        key = self._key(name, password, stored)
        with self._lock:
            expires = self._data.get(key)
            if expires is None:
                return False
            if expires <= self.clock():
                del self._data[key]
                return False
            return True

    def add(self, name: str, password: str, stored: str) -> None:
        key = self._key(name, password, stored)
        with self._lock:
            self._data[key] = self.clock() + self.ttl
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
