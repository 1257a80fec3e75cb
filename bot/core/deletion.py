"""Self-destruct: the bot deletes its own messages in a chat some time after sending them.

A phone searched at a checkpoint shows the whole chat with the bot. A chat that chose "delete
after" (/settings) has every message the bot sends there deleted that long after it went: the
ids of those messages (never their text) are kept in the database with the time they are due,
so a restart loses none, and each row goes as soon as its message is deleted. One loop wakes for
the next due one (RoboDanny's reminders), or every poll interval, whichever comes first.

Telegram lets a bot delete its own messages for 48 hours only, so the choices stop there; a
message that is already gone, or too old to delete, counts as done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.messages import Address
from bot.core.ports import (
    LOOK_UP,
    ChatPrefs,
    Clock,
    Messenger,
    RecipientGone,
    SelfDestruct,
    TryLater,
)

log = logging.getLogger(__name__)

# Telegram: "a message can only be deleted if it was sent less than 48 hours ago".
LONGEST = timedelta(hours=48)
DEFAULT_CHOICE_WORDS = "1h,24h,47h"
# "20s", "90m", "1h", "47h", "2d": one number and one unit (a bare number is seconds).
CHOICE = re.compile(r"^\s*(\d{1,6})\s*([smhd]?)\s*$", re.IGNORECASE)
UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
# How long the loop sleeps at most between two looks at the schedule, and how long it waits
# before trying again when a platform asked it to wait or is not running yet.
POLL_S = 60.0
RETRY_S = 5.0
# Deletions handled per look at the schedule; a longer queue is handled in several looks.
BATCH = 500


def parse_choice(text: str) -> timedelta:
    """'1h' -> 1 hour: a whole number of s, m, h or d, above zero and at most 48 hours;
    ValueError on anything else."""
    match = CHOICE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a duration such as 1h, 24h, 47h or 20s")
    after = timedelta(seconds=int(match[1]) * UNITS[match[2].lower()])
    if not timedelta(0) < after <= LONGEST:
        raise ValueError(f"{text!r} must be above zero and at most 48h (Telegram's limit)")
    return after


def parse_choices(text: str) -> tuple[timedelta, ...]:
    """'1h,24h,47h' -> the choices offered, sorted and without repeats; ValueError if none."""
    choices = sorted({parse_choice(part) for part in text.split(",") if part.strip()})
    if not choices:
        raise ValueError("name at least one duration, for example 1h,24h,47h")
    return tuple(choices)


def choice_word(after: timedelta) -> str:
    """The shortest word parse_choice reads back as `after`: 3600 s -> '1h', 90 s -> '90s'."""
    seconds = int(after.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds % UNITS[unit] == 0:
            return f"{seconds // UNITS[unit]}{unit}"
    return f"{seconds}s"


def epoch(moment: datetime) -> int:
    """Whole seconds since 1970, rounded up: a deletion is never due before its time."""
    return math.ceil(moment.timestamp())


DEFAULT_CHOICES = parse_choices(DEFAULT_CHOICE_WORDS)


@dataclass(frozen=True, slots=True)
class DueDeletion:
    """Messages in one chat whose time has come, and the rows that hold them."""

    address: Address
    message_ids: tuple[str, ...]
    rows: tuple[int, ...]


class DeletionStore(Protocol):
    """The schedule (db.stores.deletions): message ids and when they are due; nothing else."""

    async def schedule(self, address: Address, message_ids: Sequence[str], due: int) -> bool:
        """Keep these ids until `due` (epoch seconds); False when the chat has no row."""
        ...

    async def next_due(self) -> int | None:
        """The earliest due time in the schedule, or None when it is empty."""
        ...

    async def due(self, now: int, limit: int) -> list[DueDeletion]:
        """Up to `limit` messages due at `now`, grouped by chat, earliest first."""
        ...

    async def remove(self, rows: Sequence[int]) -> None:
        """Forget these rows: their messages are deleted (or cannot be any more)."""
        ...


class ChatReader(Protocol):
    async def get_chat(self, address: Address) -> ChatPrefs | None: ...


class DeletionService:
    """Schedules the deletion of what the bot sends to a chat that chose it, and deletes it."""

    def __init__(
        self,
        store: DeletionStore,
        chats: ChatReader,
        messengers: Mapping[str, Messenger],
        clock: Clock,
        *,
        poll_s: float = POLL_S,
        retry_s: float = RETRY_S,
    ) -> None:
        self._store = store
        self._chats = chats
        self._messengers = messengers
        self._clock = clock
        self._poll_s = poll_s
        self._retry_s = retry_s
        self._changed = asyncio.Event()

    async def sent(
        self, address: Address, message_ids: Sequence[str], delete_after: SelfDestruct = LOOK_UP
    ) -> None:
        """The bot just sent these messages to `address`: schedule their deletion if the chat
        chose it. A bulk sender passes the choice it read with the recipient, so a broadcast to
        100,000 chats reads none of their rows again; a reply's is read (cached on SQLite)."""
        if not message_ids:
            return
        if delete_after == LOOK_UP:
            prefs = await self._chats.get_chat(address)
            after = prefs.delete_after if prefs is not None else None
        else:
            after = timedelta(seconds=delete_after) if delete_after is not None else None
        if after is None:
            return
        due = epoch(self._clock() + after)
        if await self._store.schedule(address, message_ids, due):
            # The loop may be asleep until a later one, or for the poll interval.
            self._changed.set()

    async def run(self) -> None:
        """Delete what is due, then sleep until the next one (or new ones), until cancelled."""
        while True:
            try:
                delay = await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # The message may quote a value; the type is enough to know what broke.
                log.error("self-destruct: a look at the schedule failed (%s)", type(error).__name__)
                delay = self._retry_s
            # asyncio.timeout, not wait_for, which on Python 3.11 can swallow a cancel (the stop).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._changed.wait()

    async def tick(self) -> float:
        """Delete every message due now; seconds until the loop should look again."""
        self._changed.clear()
        now = epoch(self._clock())
        batch = await self._store.due(now, BATCH)
        waits: list[float] = []
        deleted = 0
        for item in batch:
            wait = await self._delete(item)
            if wait is None:
                await self._store.remove(item.rows)
                deleted += len(item.message_ids)
            else:
                waits.append(wait)
        if deleted:
            # A count only: never a chat or a message.
            log.info("self-destruct: deleted %d message(s)", deleted)
        if waits:
            return min(waits)
        if sum(len(item.rows) for item in batch) >= BATCH:
            return 0.0
        return self.delay_until(await self._store.next_due(), now)

    def delay_until(self, due: int | None, now: int) -> float:
        """Seconds to sleep before the next due time: none left means the poll interval."""
        if due is None:
            return self._poll_s
        return float(min(max(due - now, 0), self._poll_s))

    async def _delete(self, item: DueDeletion) -> float | None:
        """Delete one chat's due messages; None when done, else seconds to wait first."""
        messenger = self._messengers.get(item.address.platform)
        if messenger is None:
            # Its platform is not running (yet): the messages wait for it.
            return self._retry_s
        try:
            await messenger.delete(item.address, item.message_ids)
        except TryLater as error:
            return error.retry_after or self._retry_s
        except RecipientGone:
            # The bot was blocked or removed: it cannot delete anything there any more.
            return None
        except Exception as error:
            # Trying again would fail the same way; the ids go rather than pile up.
            log.warning("self-destruct: a deletion failed (%s)", type(error).__name__)
        return None
