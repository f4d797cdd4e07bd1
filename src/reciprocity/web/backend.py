"""The server's hold on the store: one DuckDB database, a small pool of sessions, one writer.

DuckDB lets one process write a file. The server opens the store once (every session in the
pool is a connection to the same in-process database, so they share its memory and see each
other's commits); reads take a free session from the pool and run in parallel, writes go
through the one writer session under a lock. Answers of read endpoints are cached until the
next write: nothing else can change the file while the server holds it.
"""

from __future__ import annotations

import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reciprocity.api import Reciprocity
from reciprocity.errors import ReciprocityError


class ReadOnlyStoreError(ReciprocityError):
    """A write was asked of a server started with ``--read-only``."""

    exit_code = 1


class Backend:
    """Pooled read sessions and one locked writer on one store file."""

    def __init__(self, db_path: str | Path, *, read_only: bool = False, pool_size: int = 4,
                 cache_size: int = 512) -> None:
        self.db_path = Path(db_path)
        self.read_only = read_only
        self._writer = Reciprocity(self.db_path, read_only=read_only)
        self._pool: queue.LifoQueue[Reciprocity] = queue.LifoQueue()
        self._sessions = [Reciprocity(self.db_path, read_only=read_only)
                          for _ in range(max(1, pool_size))]
        for s in self._sessions:
            self._pool.put(s)
        self._write_lock = threading.RLock()
        self.cache = ResponseCache(cache_size)
        if not read_only:
            from reciprocity.web import auth

            with self._write_lock:
                auth.ensure_table(self._writer.store)

    @contextmanager
    def read(self) -> Iterator[Reciprocity]:
        """A session for reading (blocks while every session is busy)."""
        session = self._pool.get()
        try:
            yield session
        finally:
            self._pool.put(session)

    @contextmanager
    def write(self, clear_cache: bool = True) -> Iterator[Reciprocity]:
        """The writer session, alone; cached answers are dropped afterwards (unless
        ``clear_cache`` is False: writes that change no answer, such as sessions)."""
        if self.read_only:
            raise ReadOnlyStoreError(f"the server opened {self.db_path} read-only "
                                     "(reciprocity serve --read-only); restart it without "
                                     "--read-only to change the ledger or users")
        with self._write_lock:
            try:
                yield self._writer
            finally:
                if clear_cache:
                    self.cache.clear()

    def close(self) -> None:
        for s in self._sessions:
            s.close()
        self._writer.close()


class ResponseCache:
    """A small thread-safe LRU of computed answers, cleared on every write; bounded in entries
    (``size``) and in bytes (``max_bytes``, counted from values with an ``nbytes``): the
    least recently used answers go first, and an answer larger than an eighth of the bound is
    not kept."""

    def __init__(self, size: int, max_bytes: int = 256 << 20) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: Any) -> None:
        nbytes = int(getattr(value, "nbytes", 0))
        if self.size <= 0 or nbytes > self.max_bytes // 8:
            return
        with self._lock:
            old = self._data.pop(key, None)
            self.bytes -= int(getattr(old, "nbytes", 0))
            self._data[key] = value
            self.bytes += nbytes
            while len(self._data) > self.size or self.bytes > self.max_bytes:
                _, dropped = self._data.popitem(last=False)
                self.bytes -= int(getattr(dropped, "nbytes", 0))

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        value = self.get(key)
        if value is None:
            value = compute()
            self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.bytes = 0
