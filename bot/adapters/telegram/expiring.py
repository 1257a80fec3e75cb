"""A small bounded map whose entries expire: what the adapter remembers for a while, in memory."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ExpiringMap(Generic[K, V]):
    """Entries live `ttl` seconds; past `size` entries the oldest goes first.

    Every entry lives equally long, so the oldest insertion is always the first to expire:
    expiry and eviction both happen at the front of one ordered dict, O(1) per insert. Held in
    memory only (a restart forgets it) and never logged.
    """

    def __init__(self, ttl: float, size: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._size = size
        self._clock = clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K) -> V | None:
        self._expire()
        entry = self._entries.get(key)
        return entry[1] if entry is not None else None

    def put(self, key: K, value: V) -> None:
        if self._ttl <= 0:
            return
        self._entries.pop(key, None)
        self._entries[key] = (self._clock() + self._ttl, value)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
        self._expire()

    def drop_where(self, doomed: Callable[[K], bool]) -> None:
        """Forget every entry whose key `doomed` picks (rare: a scan is fine)."""
        for key in [key for key in self._entries if doomed(key)]:
            del self._entries[key]

    def __len__(self) -> int:
        self._expire()
        return len(self._entries)

    def _expire(self) -> None:
        now = self._clock()
        while self._entries:
            key, (expires, _) = next(iter(self._entries.items()))
            if expires > now:
                return
            del self._entries[key]
