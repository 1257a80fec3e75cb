"""Outcomes of bulk sends, written to the database in batches, each batch one transaction.

Every outcome holds its place in the platform's window until it is written, so what a crash
can repeat or lose stays within the window. Outcomes wait a moment to be written together,
but never while the window is full or once half of it is waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from bot.core.delivery.window import Window

log = logging.getLogger(__name__)

T = TypeVar("T")

# How long the first outcome of a batch may wait for others.
LINGER_S = 0.1
# After a failed write, how long until the next try (the outcomes are kept meanwhile).
RETRY_S = 1.0


class Marks(Generic[T]):
    """A buffer of outcomes and the loop that writes them (run it as a task)."""

    def __init__(
        self,
        window: Window,
        write: Callable[[Sequence[T]], Awaitable[None]],
        *,
        linger_s: float = LINGER_S,
        name: str = "",
    ) -> None:
        self._window = window
        self._write = write
        self._linger_s = linger_s
        self._name = name
        self._buffer: list[T] = []
        self._arrived = asyncio.Event()
        self._lock = asyncio.Lock()

    def add(self, outcome: T) -> None:
        self._buffer.append(outcome)
        self._arrived.set()

    @property
    def pending(self) -> int:
        return len(self._buffer)

    async def run(self) -> None:
        """Write outcomes as they come, in batches, until cancelled (then call `flush`)."""
        while True:
            await self._arrived.wait()
            deadline = time.monotonic() + self._linger_s
            while self._buffer and not self._due():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._arrived.clear()
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for loses a cancel that
                # arrives as the wait completes, and the task then waits above forever while
                # whoever cancelled it waits for it (a reminder tick hung that way).
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(left):
                        await self._arrived.wait()
            self._arrived.clear()
            if not await self.flush():
                await asyncio.sleep(RETRY_S)
                self._arrived.set()

    def _due(self) -> bool:
        window = self._window
        return window.waiting > 0 or len(self._buffer) * 2 >= window.size

    async def settle(self) -> None:
        """Write every outcome held now, retrying until the database takes them (a row left
        'sending' while its outcome waits here would be picked up and sent again)."""
        while True:
            if await self.flush():
                return
            await asyncio.sleep(RETRY_S)

    async def flush(self) -> bool:
        """Write every outcome held now, in one transaction; False if the write failed (they
        are kept for the next try)."""
        async with self._lock:
            batch, self._buffer = self._buffer, []
            if not batch:
                return True
            try:
                await self._write(batch)
            except asyncio.CancelledError:
                # Stopping mid-write: the transaction is rolled back; the batch is kept for
                # the final `settle`.
                self._buffer[:0] = batch
                raise
            except Exception as error:
                log.error(
                    "delivery: recording %d %s outcomes failed (%s); retrying",
                    len(batch),
                    self._name,
                    type(error).__name__,
                )
                self._buffer[:0] = batch
                return False
            self._window.give_back(len(batch))
            return True
