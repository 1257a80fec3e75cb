"""One platform's share of every running broadcast: paced, durable, retried deliveries.

Rows are claimed a window at a time: one statement marks a batch 'sending' as this process's
(`UPDATE … WHERE state = 'queued' … RETURNING id`, fenced by the sender lease) before any of
them is sent, so each row is sent by one process; their outcomes ('sent', gone, failed, queued
again) are written in batches too (bot.core.delivery.marks). A row holds its place in the
platform's window from its claim until its outcome is written, and the window follows the round
trip (rate × latency × 1.5, plus one),
so a crash leaves at most a window of rows 'sending' whose message may have gone out; they are
sent again on restart: a crash duplicates at most a window of messages and skips none. A
graceful stop (cancelling `run`) lets the sends on their way finish and be recorded, within
`stop_grace_s`, puts back the claimed rows not yet sent, and leaves no row 'sending'.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import replace

from bot.core.broadcast.values import BroadcastStore, DeliveryState, Recipient
from bot.core.delivery.budget import NotSent, SendBudget
from bot.core.delivery.marks import Marks
from bot.core.messages import Reply
from bot.core.ports import ChatGone, Messenger, RecipientGone, TryLater

log = logging.getLogger(__name__)

BATCH = 200
MAX_TRIES = 5
RETRY_BASE_S = 1.0
RETRY_MAX_S = 300.0
# How long a stopping bot waits for the sends already on their way.
STOP_GRACE_S = 10.0

Outcome = tuple[int, DeliveryState, int]


def _chat_of(item: tuple[Recipient, Reply]) -> tuple[str, bool]:
    return item[0].address.chat_id, item[0].group


class PlatformSender:
    """Walks the queued rows of one platform in id order, round and round, until none are left."""

    def __init__(
        self,
        messenger: Messenger,
        store: BroadcastStore,
        budget: SendBudget,
        message_of: Callable[[int], Awaitable[Reply | None]],
        cancelled: Collection[int],
        chats: ChatGone,
        *,
        max_tries: int = MAX_TRIES,
        retry_base_s: float = RETRY_BASE_S,
        idle_s: float = 2.0,
        monotonic: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        stop_grace_s: float = STOP_GRACE_S,
        discreet: Callable[[Recipient, Reply], Reply] | None = None,
    ) -> None:
        self.platform = messenger.platform
        self._messenger = messenger
        self._store = store
        self._budget = budget
        self._message_of = message_of
        self._cancelled = cancelled
        self._chats = chats
        self._tasks: set[asyncio.Task[None]] = set()
        self._max_tries = max_tries
        self._retry_base_s = retry_base_s
        self._idle_s = idle_s
        self._monotonic = monotonic
        self._jitter = jitter
        self._stop_grace_s = stop_grace_s
        # Discreet mode: what a discreet recipient gets instead of the full reply.
        self._discreet = discreet
        self._stopping = False
        # Rows waiting out a backoff or a chat's spacing: id -> monotonic time it may go again.
        self._not_before: dict[int, float] = {}
        # One writer of outcomes per window (the free lane, and the paid one where it is on).
        self._marks = {
            paid: Marks(budget.window_for(paid), store.mark_many, name=self.platform)
            for paid in {False, budget.paid_window is not None}
        }
        self._replies: dict[int, Reply] = {}
        self.wake = asyncio.Event()

    async def run(self) -> None:
        """Deliver until cancelled; sleeps while there is nothing to send."""
        writers = [asyncio.create_task(marks.run()) for marks in self._marks.values()]
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
            self._stopping = True
            await self._stop_in_flight()
            for writer in writers:
                writer.cancel()
            await asyncio.gather(*writers, return_exceptions=True)
            for marks in self._marks.values():
                await marks.flush()

    async def _stop_in_flight(self) -> None:
        """Stopping (the bot shuts down): sends already on their way get `stop_grace_s` to
        finish; those still waiting for their turn are not sent; any unfinished after the
        grace period is cut short. Every claimed row not sent goes back to the queue."""
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
        while not self._stopping:
            batch = await self._store.next_recipients(self.platform, after, BATCH)
            if not batch:
                break
            after = batch[-1].id
            acted = await self._send_batch(batch) or acted
        # Rows still in flight must be settled before the next pass could pick them up again.
        await self._drain()
        return acted

    async def _send_batch(self, batch: list[Recipient]) -> bool:
        now, sent = self._monotonic(), False
        gone: list[Outcome] = []
        ready: list[tuple[Recipient, Reply]] = []
        for recipient in batch:
            if recipient.broadcast_id in self._cancelled:
                continue
            if self._not_before.get(recipient.id, 0.0) > now:
                continue
            if not recipient.active:
                gone.append((recipient.id, DeliveryState.GONE, recipient.attempts))
                continue
            reply = await self._reply_for(recipient.broadcast_id)
            if reply is not None and recipient.discreet and self._discreet is not None:
                reply = self._discreet(recipient, reply)
            if reply is not None:
                ready.append((recipient, reply))
        if gone:
            await self._store.mark_many(gone)
        while not self._stopping:
            await self._budget.opened()
            # A broadcast cancelled meanwhile is dropped (one already claimed is not sent).
            ready = [item for item in ready if item[0].broadcast_id not in self._cancelled]
            if not ready:
                break
            paid = ready[0][1].paid
            lane = 0
            while lane < len(ready) and ready[lane][1].paid == paid:
                lane += 1
            chunk, busy, looked = await self._budget.take_free(ready[:lane], _chat_of, paid)
            ready = ready[looked:]
            for recipient, _ in busy:
                # Another stream reached this chat a moment ago: next pass.
                wait = self._budget.ready_in(recipient.address.chat_id, recipient.group)
                self._not_before[recipient.id] = self._monotonic() + wait
            if not chunk:
                continue
            try:
                claimed = await self._store.claim([r.id for r, _ in chunk])
            except BaseException:
                # Cut short (a stop) or failed: whether the claim was written is unknown, so
                # the rows are put back in the queue with the outcomes, which give the places
                # back once written; no row is left 'sending' by a graceful stop.
                marks = self._marks[paid and self._budget.paid_window is not None]
                for recipient, _ in chunk:
                    marks.add((recipient.id, DeliveryState.QUEUED, recipient.attempts))
                raise
            if len(claimed) < len(chunk):
                # Settled or claimed elsewhere since it was read (a cancel, another process):
                # not ours to send; its place in the window is free again.
                self._budget.window_for(paid).give_back(len(chunk) - len(claimed))
                chunk = [item for item in chunk if item[0].id in claimed]
            for recipient, reply in chunk:
                task = asyncio.create_task(self._deliver(recipient, reply))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            sent = True
        return sent or bool(gone)

    async def _reply_for(self, broadcast_id: int) -> Reply | None:
        reply = self._replies.get(broadcast_id)
        if reply is None:
            reply = await self._message_of(broadcast_id)
            if reply is None:
                return None
            if reply.paid and self._budget.paid_window is None:
                # Asked for the paid lane, but this platform has none (or it is off here).
                reply = replace(reply, paid=False)
            self._replies[broadcast_id] = reply
        return reply

    async def _deliver(self, recipient: Recipient, reply: Reply) -> None:
        marks = self._marks[reply.paid]
        outcome: Outcome = (recipient.id, DeliveryState.QUEUED, recipient.attempts)
        try:
            await self._budget.send(
                self._messenger,
                recipient.address,
                reply,
                group=recipient.group,
                wanted=lambda: self._wanted(recipient),
                reserved=True,
                delete_after=recipient.delete_after,
            )
        except NotSent:
            pass  # back to the queue: a cancelled broadcast's rows are never picked again
        except RecipientGone as gone:
            outcome = (recipient.id, DeliveryState.GONE, recipient.attempts)
            try:
                await self._chats.gone(recipient.address, gone)
            except Exception as error:
                log.error("broadcast: recording a gone chat failed (%s)", type(error).__name__)
        except TryLater as error:
            # With a retry_after the budget has paused the platform: the row simply goes
            # again; without one, it backs off like any failure.
            if not error.retry_after:
                outcome = self._retry_later(recipient, "TryLater")
        except asyncio.CancelledError:
            # Cut short while stopping, past the grace period: whether it arrived is
            # unknown, so it is queued again (at least once, as after a crash).
            marks.add(outcome)
            raise
        except Exception as error:
            # The error's text may quote the message or the chat: only its type is logged.
            outcome = self._retry_later(recipient, type(error).__name__)
        else:
            outcome = (recipient.id, DeliveryState.SENT, recipient.attempts)
            self._not_before.pop(recipient.id, None)
        marks.add(outcome)

    def _wanted(self, recipient: Recipient) -> bool:
        return not self._stopping and recipient.broadcast_id not in self._cancelled

    def _retry_later(self, recipient: Recipient, reason: str) -> Outcome:
        attempts = recipient.attempts + 1
        if attempts >= self._max_tries:
            log.warning(
                "broadcast: a %s delivery failed %d times (%s)", self.platform, attempts, reason
            )
            self._not_before.pop(recipient.id, None)
            return (recipient.id, DeliveryState.FAILED, attempts)
        delay = min(self._retry_base_s * 2 ** (attempts - 1), RETRY_MAX_S)
        delay *= 0.5 + self._jitter()  # jitter: retries of many chats do not line up
        self._not_before[recipient.id] = self._monotonic() + delay
        return (recipient.id, DeliveryState.QUEUED, attempts)

    async def _drain(self) -> None:
        """Wait for every send on its way and write every outcome."""
        while self._tasks:
            results = await asyncio.gather(*list(self._tasks), return_exceptions=True)
            for result in results:
                if isinstance(result, Exception):
                    # Its row stays 'sending' and goes again on the next pass.
                    log.error(
                        "broadcast: a %s delivery failed unexpectedly (%s)",
                        self.platform,
                        type(result).__name__,
                    )
        for marks in self._marks.values():
            await marks.settle()

    async def _idle(self) -> None:
        """Wait for new work, or for the earliest deferred row, whichever comes first."""
        now = self._monotonic()
        self._not_before = {k: t for k, t in self._not_before.items() if t > now}
        timeout = self._idle_s
        if self._not_before:
            timeout = min(timeout, max(min(self._not_before.values()) - now, 0.01))
        self.wake.clear()
        # asyncio.timeout, not wait_for, which on Python 3.11 can swallow a cancel (the stop).
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self.wake.wait()
