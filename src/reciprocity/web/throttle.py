"""Throttling of failed sign-ins (form and HTTP Basic): 429 with ``Retry-After``.

Failures are counted in sliding windows under three keys: the client address with the user
name, the client address alone and the user name alone (each with its own limit). Once a key
has ``limit`` failures within ``window`` seconds, every attempt under it is refused, the right
password included, without checking the password (no hashing), until the oldest of those
failures leaves the window. A successful sign-in clears its name's counters. Memory is bounded:
at most ``limit`` timestamps per key and ``max_keys`` keys (the oldest are dropped).

The clock is injectable (``clock``), so tests need no sleeping.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from reciprocity.errors import ReciprocityError


class TooManyAttemptsError(ReciprocityError):
    """Too many failed sign-ins: HTTP 429, with the seconds to wait in ``retry_after``."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(f"too many failed sign-ins; try again in {minutes} minute"
                         f"{'s' if minutes > 1 else ''} ({retry_after} s)")


@dataclass(frozen=True)
class Rule:
    scope: str  # "pair" (address + name), "address" or "name"
    limit: int
    window: float


DEFAULT_RULES = (Rule("pair", 5, 900.0), Rule("address", 20, 900.0), Rule("name", 50, 900.0))
"""5 failures for one name from one address, 20 from one address, 50 for one name (from
anywhere) in 15 minutes."""


class Throttle:
    """Failed sign-ins per key in sliding windows; thread-safe."""

    def __init__(self, rules: tuple[Rule, ...] = DEFAULT_RULES, *,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000) -> None:
        self.rules = rules
        self.clock = clock
        self.max_keys = max_keys
        self._failures: OrderedDict[tuple[str, ...], deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _keys(self, address: str, name: str) -> list[tuple[Rule, tuple[str, ...]]]:
        name = name.casefold()
        keyed = {"pair": ("pair", address, name), "address": ("address", address),
                 "name": ("name", name)}
        return [(rule, keyed[rule.scope]) for rule in self.rules]

    def retry_after(self, address: str, name: str) -> int:
        """Seconds until an attempt for ``name`` from ``address`` is allowed (0: now)."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for rule, key in self._keys(address, name):
                stamps = self._failures.get(key)
                if stamps is not None and len(stamps) >= rule.limit:
                    wait = max(wait, stamps[-rule.limit] + rule.window - now)
        return math.ceil(wait) if wait > 0 else 0

    def check(self, address: str, name: str) -> None:
        """Raise :class:`TooManyAttemptsError` while the attempt must wait."""
        wait = self.retry_after(address, name)
        if wait:
            raise TooManyAttemptsError(wait)

    def failure(self, address: str, name: str) -> None:
        """Count a failed attempt."""
        now = self.clock()
        with self._lock:
            for rule, key in self._keys(address, name):
                stamps = self._failures.get(key)
                if stamps is None:
                    stamps = self._failures[key] = deque(maxlen=rule.limit)
                stamps.append(now)
                self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def success(self, address: str, name: str) -> None:
        """A successful sign-in clears the counters of its name (not of its address)."""
        with self._lock:
            for rule, key in self._keys(address, name):
                if rule.scope != "address":
                    self._failures.pop(key, None)
