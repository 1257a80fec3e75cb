"""Retention by default: what is no longer needed is deleted by a purge that runs in the background.

Supporting LGBT people is prosecuted in Russia: a record of who answered "going" to which rally, or
which chats received which broadcast, is a list of supporters. Such records are kept only while
they are useful (reminders, progress reports) and a purge deletes them after that, on its own,
once a day. It logs how many rows went, never which.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.ports import Clock, Sleep

log = logging.getLogger(__name__)

# The first purge comes this soon after start (or sooner with a shorter interval), so a bot that
# is restarted every few hours still purges.
FIRST_RUN_AFTER = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long each kind of record is kept (bot/settings.py documents each)."""

    after_event: timedelta = timedelta(days=7)
    broadcast_recipients: timedelta = timedelta(days=30)
    drafts: timedelta = timedelta(hours=24)


class RetentionStore(Protocol):
    """The deletions, each one short transaction; every method returns counts by kind."""

    async def purge_event_records(self, ended_before: datetime) -> Mapping[str, int]:
        """RSVPs and reminder rows of events that ended before `ended_before` (and of events
        the bot no longer knows at all)."""
        ...

    async def purge_broadcast_recipients(self, finished_before: datetime) -> Mapping[str, int]:
        """Recipient lists of broadcasts finished before `finished_before`, keeping the counts."""
        ...

    async def purge_drafts(self, created_before: datetime, now: datetime) -> Mapping[str, int]:
        """Event and broadcast drafts created before `created_before` or already expired."""
        ...

    async def purge_inactive_chats(self) -> Mapping[str, int]:
        """Chats left switched off (not erased) by an older version when they blocked the bot."""
        ...


class RetentionService:
    """Purges on a timer until cancelled; a failing purge is logged and tried again next time."""

    def __init__(
        self,
        store: RetentionStore,
        clock: Clock,
        policy: RetentionPolicy,
        *,
        interval: timedelta = timedelta(hours=24),
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._store = store
        self._clock = clock
        self._policy = policy
        self._interval = interval
        self._sleep = sleep

    @property
    def policy(self) -> RetentionPolicy:
        return self._policy

    async def run(self) -> None:
        """Purge soon after start, then once every interval, until cancelled."""
        await self._sleep(min(FIRST_RUN_AFTER, self._interval).total_seconds())
        while True:
            try:
                await self.purge(self._clock())
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # The message may quote a value; only the type and the stack are logged.
                stack = "".join(traceback.format_tb(error.__traceback__))
                log.error("retention purge failed with %s\n%s", type(error).__name__, stack)
            await self._sleep(self._interval.total_seconds())

    async def purge(self, now: datetime) -> dict[str, int]:
        """Delete everything past its retention at `now`; how many rows went, by kind."""
        policy = self._policy
        removed: dict[str, int] = {}
        for counts in (
            await self._store.purge_event_records(now - policy.after_event),
            await self._store.purge_broadcast_recipients(now - policy.broadcast_recipients),
            await self._store.purge_drafts(now - policy.drafts, now),
            await self._store.purge_inactive_chats(),
        ):
            for kind, count in counts.items():
                removed[kind] = removed.get(kind, 0) + count
        if any(removed.values()):
            # Counts only: never an id, an event or a chat.
            log.info(
                "retention purge deleted %s",
                ", ".join(f"{count} {kind}" for kind, count in sorted(removed.items()) if count),
            )
        else:
            log.info("retention purge: nothing was due")
        return removed
