"""One platform's share of every running broadcast: paced, durable, retried deliveries.

Each delivery is marked 'sending' in the database before the send and 'sent' (or gone, failed,
queued again) after it. With `in_flight` sends at a time, a crash leaves at most that many rows
'sending'; they are sent again on restart, so a crash duplicates at most `in_flight` messages per
platform and skips none. A graceful stop (cancelling `run`) lets the sends on their way finish
and be recorded, within `stop_grace_s`, so it leaves no row 'sending' and duplicates nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Collection

from bot.core.broadcast.pacing import Pacer
from bot.core.broadcast.values import BroadcastStore, DeliveryState, Recipient
from bot.core.messages import Reply
from bot.core.ports import ChatGone, Messenger, RecipientGone, Sleep, TryLater

log = logging.getLogger(__name__)

BATCH = 200
MAX_TRIES = 5
RETRY_BASE_S = 1.0
RETRY_MAX_S = 300.0
# How long a stopping bot waits for the sends already on their way.
STOP_GRACE_S = 10.0


class PlatformSender:
    """Walks the queued rows of one platform in id order, round and round, until none are left."""

    def __init__(
        self,
        messenger: Messenger,
        store: BroadcastStore,
        pacer: Pacer,
        message_of: Callable[[int], Awaitable[Reply | None]],
        cancelled: Collection[int],
        chats: ChatGone,
        *,
        in_flight: int = 1,
        max_tries: int = MAX_TRIES,
        retry_base_s: float = RETRY_BASE_S,
        idle_s: float = 2.0,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        stop_grace_s: float = STOP_GRACE_S,
    ) -> None:
        self.platform = messenger.platform
        self._messenger = messenger
        self._store = store
        self._pacer = pacer
        self._message_of = message_of
        self._cancelled = cancelled
        self._chats = chats
        self._slots = asyncio.Semaphore(in_flight)
        self._tasks: set[asyncio.Task[None]] = set()
        self._max_tries = max_tries
        self._retry_base_s = retry_base_s
        self._idle_s = idle_s
        self._sleep = sleep
        self._monotonic = monotonic
        self._jitter = jitter
        self._stop_grace_s = stop_grace_s
        # Rows waiting out a backoff or a chat's spacing: id -> monotonic time it may go again.
        self._not_before: dict[int, float] = {}
        # Closed while the platform asked us to wait (a 429's retry_after).
        self._open = asyncio.Event()
        self._open.set()
        self.wake = asyncio.Event()

    async def run(self) -> None:
        """Deliver until cancelled; sleeps while there is nothing to send."""
        try:
            while True:
                try:
                    sent_any = await self._one_pass()
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    # A database hiccup must not end the fan-out (or the bot): the rows are
                    # all still there, so the next pass picks up where this one stopped.
                    log.error(
                        "broadcast: a %s pass failed (%s); retrying",
                        self.platform,
                        type(error).__name__,
                    )
                    await self._drain()
                    sent_any = False
                if not sent_any:
                    await self._idle()
        finally:
            await self._stop_in_flight()

    async def _stop_in_flight(self) -> None:
        """Stopping (the bot shuts down): sends already on their way get `stop_grace_s` to
        finish and be recorded; any still unfinished is cut short and its row queued again."""
        if not self._tasks:
            return
        _, unfinished = await asyncio.wait(set(self._tasks), timeout=self._stop_grace_s)
        for task in unfinished:
            task.cancel()
        if unfinished:
            await asyncio.wait(unfinished)

    async def _one_pass(self) -> bool:
        """Go once through every queued row; True if anything was sent or changed."""
        after, acted = 0, False
        while True:
            batch = await self._store.next_recipients(self.platform, after, BATCH)
            if not batch:
                break
            for recipient in batch:
                after = recipient.id
                acted = await self._consider(recipient) or acted
        # Rows still in flight must be settled before the next pass could pick them up again.
        await self._drain()
        return acted

    async def _consider(self, recipient: Recipient) -> bool:
        if recipient.broadcast_id in self._cancelled:
            return False
        now = self._monotonic()
        if self._not_before.get(recipient.id, 0.0) > now:
            return False
        if not recipient.active:
            await self._store.mark(recipient.id, DeliveryState.GONE, recipient.attempts)
            return True
        wait = self._pacer.wait_for(recipient.address.chat_id, recipient.group)
        if wait > 0:
            self._not_before[recipient.id] = now + wait
            return False
        reply = await self._message_of(recipient.broadcast_id)
        if reply is None:
            return False
        await self._open.wait()
        await self._slots.acquire()
        if recipient.broadcast_id in self._cancelled:  # cancelled while we waited
            self._slots.release()
            return False
        task = asyncio.create_task(self._deliver(recipient, reply))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def _deliver(self, recipient: Recipient, reply: Reply) -> None:
        try:
            await self._store.mark(recipient.id, DeliveryState.SENDING, recipient.attempts)
            try:
                # The slot is taken after the durable mark, right before the request leaves, so
                # what the platform sees is paced, not what the database happened to delay.
                await self._pacer.acquire(recipient.address.chat_id, recipient.group)
                await self._messenger.send(recipient.address, reply)
            except RecipientGone as gone:
                await self._store.mark(recipient.id, DeliveryState.GONE, recipient.attempts)
                await self._chats.gone(recipient.address, gone)
            except TryLater as error:
                if error.retry_after:
                    await self._pause(recipient, error.retry_after)
                else:
                    await self._retry_later(recipient, "TryLater")
            except asyncio.CancelledError:
                # Cut short while stopping, past the grace period: whether it arrived is
                # unknown, so it is queued again (at least once, as after a crash).
                await self._store.mark(recipient.id, DeliveryState.QUEUED, recipient.attempts)
                raise
            except Exception as error:
                # The error's text may quote the message or the chat: only its type is logged.
                await self._retry_later(recipient, type(error).__name__)
            else:
                await self._store.mark(recipient.id, DeliveryState.SENT, recipient.attempts)
                self._not_before.pop(recipient.id, None)
        finally:
            self._slots.release()

    async def _pause(self, recipient: Recipient, retry_after: float) -> None:
        """The platform said how long to wait: hold every send on it exactly that long."""
        await self._store.mark(recipient.id, DeliveryState.QUEUED, recipient.attempts)
        log.warning("broadcast: %s asked to wait %.1fs; pausing", self.platform, retry_after)
        self._open.clear()
        try:
            await self._sleep(retry_after)
        finally:
            self._open.set()

    async def _retry_later(self, recipient: Recipient, reason: str) -> None:
        attempts = recipient.attempts + 1
        if attempts >= self._max_tries:
            log.warning(
                "broadcast: a %s delivery failed %d times (%s)", self.platform, attempts, reason
            )
            await self._store.mark(recipient.id, DeliveryState.FAILED, attempts)
            self._not_before.pop(recipient.id, None)
            return
        delay = min(self._retry_base_s * 2 ** (attempts - 1), RETRY_MAX_S)
        delay *= 0.5 + self._jitter()  # jitter: retries of many chats do not line up
        self._not_before[recipient.id] = self._monotonic() + delay
        await self._store.mark(recipient.id, DeliveryState.QUEUED, attempts)

    async def _drain(self) -> None:
        while self._tasks:
            results = await asyncio.gather(*list(self._tasks), return_exceptions=True)
            for result in results:
                if isinstance(result, Exception):
                    # Its row stays queued or sending and goes again on the next pass.
                    log.error(
                        "broadcast: a %s delivery could not be recorded (%s)",
                        self.platform,
                        type(result).__name__,
                    )

    async def _idle(self) -> None:
        """Wait for new work, or for the earliest deferred row, whichever comes first."""
        now = self._monotonic()
        self._not_before = {k: t for k, t in self._not_before.items() if t > now}
        timeout = self._idle_s
        if self._not_before:
            timeout = min(timeout, max(min(self._not_before.values()) - now, 0.01))
        self.wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wake.wait(), timeout)
