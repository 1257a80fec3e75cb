"""One background sender at a time: a lease in the database, taken over when its holder dies.

Any number of processes may run the sender role on one PostgreSQL database; the one holding the
`sender` lease runs the background services (broadcast fan-out, reminders, the purge,
self-destruct) and the others stand by, trying for the lease every `renew_s`. One sender per
database keeps the platforms' send budgets global without sharing them row by row: one process
paces every bulk send under the platform's cap, as on SQLite.

Why the numbers fit: the holder renews every `renew_s` (5 s) for `ttl_s` (30 s). If it cannot
renew for `give_up_s` (15 s: the database is unreachable, or the process was paused), it steps
down: its services stop as on SIGTERM, finishing the sends on their way within their 10 s
grace, which ends before the lease could pass to anyone else. A holder killed outright is
replaced within `ttl_s` + `renew_s`; the new holder puts back the dead one's claims (see
db/stores/leases.py for the fence that keeps a deposed holder from claiming more).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

log = logging.getLogger(__name__)

SENDER = "sender"
TTL_S = 30
RENEW_S = 5.0
GIVE_UP_S = 15.0

# Runs the background services until the event is set, then stops them gracefully.
Lead = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


class LeaseStore(Protocol):
    async def hold(self, name: str, owner: str, ttl_s: int) -> bool: ...

    async def release(self, name: str, owner: str) -> None: ...

    async def aclose(self) -> None:
        """Give back whatever the store keeps open between calls."""
        ...


def new_owner() -> str:
    """This process's name on its claims and leases: host, pid and a random part (a pid is
    reused after a restart; the claims of the process that had it must not look like ours)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


class Leadership:
    """Takes and keeps one lease, running `lead` while it holds it."""

    def __init__(
        self,
        leases: LeaseStore,
        owner: str,
        *,
        name: str = SENDER,
        ttl_s: int = TTL_S,
        renew_s: float = RENEW_S,
        give_up_s: float = GIVE_UP_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._leases = leases
        self.owner = owner
        self._name = name
        self._ttl_s = ttl_s
        self._renew_s = renew_s
        self._give_up_s = give_up_s
        self._monotonic = monotonic
        self.leading = False
        # How many times this process took the lease (tests and operators).
        self.terms = 0

    async def run(self, lead: Lead, stop: asyncio.Event) -> None:
        """Until `stop` is set: stand by, lead while holding the lease, step down when it cannot
        be kept; on `stop` the services stop gracefully and the lease is given up at once."""
        stopping = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                if await self._hold():
                    await self._lead(lead, stop, stopping)
                else:
                    await asyncio.wait({stopping}, timeout=self._renew_s)
        finally:
            stopping.cancel()
            if self.leading:
                self.leading = False
                with contextlib.suppress(Exception):
                    await self._leases.release(self._name, self.owner)
            with contextlib.suppress(Exception):
                await self._leases.aclose()

    async def _hold(self) -> bool:
        try:
            return await self._leases.hold(self._name, self.owner, self._ttl_s)
        except Exception as error:
            # The database is unreachable: keep trying; the holder's services go on meanwhile.
            log.warning(
                "lease %s: could not reach the database (%s)", self._name, type(error).__name__
            )
            return False

    async def _lead(self, lead: Lead, stop: asyncio.Event, stopping: asyncio.Task[bool]) -> None:
        self.leading = True
        self.terms += 1
        log.info("lease %s: this process now runs the background services", self._name)
        stepping_down = asyncio.Event()
        work = asyncio.create_task(lead(stepping_down))
        kept = self._monotonic()
        try:
            while True:
                await asyncio.wait(
                    {work, stopping}, timeout=self._renew_s, return_when=asyncio.FIRST_COMPLETED
                )
                if work.done() or stop.is_set():
                    break
                if await self._hold():
                    kept = self._monotonic()
                elif self._monotonic() - kept >= self._give_up_s:
                    log.warning(
                        "lease %s: not renewed for %.0fs; stopping the background services",
                        self._name,
                        self._monotonic() - kept,
                    )
                    break
            stepping_down.set()
            await work
        finally:
            if not work.done():
                work.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await work
        self.leading = False
        log.info("lease %s: background services stopped", self._name)
        with contextlib.suppress(Exception):
            await self._leases.release(self._name, self.owner)
