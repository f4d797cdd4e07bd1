"""The server's hold on the store: read-only sessions, and a writer only while it writes.

DuckDB lets many processes read a file, or one process write it. So the server keeps a small
pool of read-only sessions, and the CLI can read the same store while the server runs. A
write (the ledger, users, sign-in sessions) waits for the reads under way, closes the pool,
opens the store for writing, and reopens the pool when it is done: the write lock is held
only for the write. Answers of read endpoints are cached until the next write: while the
server holds its read-only sessions no other process can write the file.
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

WRITE_WAIT = 3.0
"""Seconds a write waits for another process that holds the store (then: StoreBusyError)."""


class ReadOnlyStoreError(ReciprocityError):
    """A write was asked of a server started with ``--read-only``."""

    exit_code = 1


class Backend:
    """Pooled read-only sessions, and one writer opened for each write."""

    def __init__(self, db_path: str | Path, *, read_only: bool = False, pool_size: int = 4,
                 cache_size: int = 512) -> None:
        self.db_path = Path(db_path)
        self.read_only = read_only
        self._pool_size = max(1, pool_size)
        self._pool: queue.LifoQueue[Reciprocity] = queue.LifoQueue()
        self._sessions: list[Reciprocity] = []
        self._gate = threading.Condition()
        self._readers = 0
        self._writing = False
        self._write_lock = threading.RLock()
        self._writer: Reciprocity | None = None
        self._writer_thread: int | None = None
        self.cache = ResponseCache(cache_size)
        if not read_only:
            from reciprocity import accounts

            with Reciprocity(self.db_path, wait=WRITE_WAIT) as w:  # creates a new store
                accounts.ensure_table(w.store)
        self._open_pool()

    def _open_pool(self) -> None:
        self._sessions = [Reciprocity(self.db_path, read_only=True)
                          for _ in range(self._pool_size)]
        for s in self._sessions:
            self._pool.put(s)

    def _close_pool(self) -> None:
        while not self._pool.empty():
            self._pool.get_nowait()
        for s in self._sessions:
            s.close()
        self._sessions = []

    @contextmanager
    def read(self) -> Iterator[Reciprocity]:
        """A read-only session (waits while a write is under way or every session is busy)."""
        with self._gate:
            while self._writing and self._writer_thread != threading.get_ident():
                self._gate.wait()
            self._readers += 1
        try:
            if self._writer is not None and self._writer_thread == threading.get_ident():
                yield self._writer   # a read inside this thread's write sees the write
                return
            session = self._pool.get()
            try:
                yield session
            finally:
                self._pool.put(session)
        finally:
            with self._gate:
                self._readers -= 1
                self._gate.notify_all()

    @contextmanager
    def write(self, clear_cache: bool = True) -> Iterator[Reciprocity]:
        """The store opened for writing, alone; cached answers are dropped afterwards (unless
        ``clear_cache`` is False: writes that change no answer, such as sessions)."""
        if self.read_only:
            raise ReadOnlyStoreError(f"the server opened {self.db_path} read-only "
                                     "(reciprocity serve --read-only); restart it without "
                                     "--read-only to change the ledger or users")
        with self._write_lock:
            if self._writer is not None:   # a write inside a write: the same writer
                yield self._writer
                return
            with self._gate:
                self._writing = True
                self._writer_thread = threading.get_ident()
                while self._readers:
                    self._gate.wait()
            try:
                self._close_pool()
                with Reciprocity(self.db_path, wait=WRITE_WAIT) as writer:
                    self._writer = writer
                    try:
                        yield writer
                    finally:
                        self._writer = None
                        if clear_cache:
                            self.cache.clear()
            finally:
                self._open_pool()
                with self._gate:
                    self._writing = False
                    self._writer_thread = None
                    self._gate.notify_all()

    def close(self) -> None:
        self._close_pool()


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
