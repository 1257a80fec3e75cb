"""The loop behind BroadcastService.run: one PlatformSender per messenger, and a supervisor that
starts scheduled broadcasts when due, follows the running ones and reports on them.

Progress goes to the broadcast's writer as a new message at most every `progress_every_s` (since
editing a message is platform-specific), then the final report. Everything it needs to continue
is in the database, so a restart resumes within `poll_s`. Cancelling `run()` is the graceful
stop: nothing new starts, the sends on their way finish (within the senders' `stop_grace_s`) and
are recorded, so a restart sends each recipient exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from bot.core.broadcast.sender import PlatformSender
from bot.core.broadcast.values import BroadcastInfo, BroadcastState, BroadcastStore, Recipient
from bot.core.delivery.budget import SendBudgets
from bot.core.discreet import BROADCAST, ShowTarget, neutral
from bot.core.i18n import gettext_for
from bot.core.messages import Reply
from bot.core.ports import ChatGone, Clock, Messenger, Translator

log = logging.getLogger(__name__)

DRAFT_LIFETIME = timedelta(hours=24)
CLEANUP_EVERY_S = 600.0

# Tells the writer how a broadcast is going (final=False) or how it ended (final=True).
Report = Callable[[BroadcastInfo, bool], Awaitable[None]]


@dataclass
class Progress:
    """A running broadcast as this process has followed it since it picked it up."""

    started: float
    last_report: float
    done_at_start: int


class BroadcastRunner:
    """Delivers every running broadcast and starts scheduled ones, until cancelled."""

    def __init__(
        self,
        store: BroadcastStore,
        messengers: Mapping[str, Messenger],
        budgets: SendBudgets,
        translator: Translator,
        clock: Clock,
        chats: ChatGone,
        report: Report,
        *,
        poll_s: float,
        progress_every_s: float,
        monotonic: Callable[[], float],
        sender_options: Mapping[str, Any],
    ) -> None:
        self._store = store
        # Read when run() starts: the composition root may fill it after building the service.
        self._messengers = messengers
        self._budgets = budgets
        self._translator = translator
        self._clock = clock
        self._chats = chats
        self._report = report
        self._poll_s = poll_s
        self._progress_every_s = progress_every_s
        self._monotonic = monotonic
        self._sender_options = {**sender_options, "idle_s": poll_s, "monotonic": monotonic}
        # Broadcasts cancelled by this process: its senders stop them at once, before the
        # database state reaches them.
        self.cancelled: set[int] = set()
        # Set when a broadcast is confirmed or approved, so it starts without waiting a poll.
        self.wake = asyncio.Event()
        self.progress: dict[int, Progress] = {}
        self._senders: dict[str, PlatformSender] = {}
        self._replies: dict[int, Reply] = {}
        self._neutral: dict[tuple[int, str | None, bool], Reply] = {}
        self._next_cleanup = 0.0

    async def run(self) -> None:
        self._senders = {
            platform: PlatformSender(
                messenger,
                self._store,
                self._budgets.of(platform),
                self._reply_of,
                self.cancelled,
                self._chats,
                **self._sender_options,
                discreet=self._discreet_reply,
            )
            for platform, messenger in self._messengers.items()
        }
        # Progress starts afresh: every running broadcast reports once it is picked up again.
        self.progress.clear()
        recovered = await self._store.recover()
        if recovered:
            # Claimed by a process that stopped mid-send (a crash, or a sender that lost its
            # lease): those messages may have gone out already, and go again.
            log.warning(
                "broadcast: %d deliveries claimed by a stopped process are queued again "
                "(at least once: some may arrive twice)",
                recovered,
            )
        try:
            async with asyncio.TaskGroup() as group:
                for sender in self._senders.values():
                    group.create_task(sender.run())
                group.create_task(self._supervise())
        finally:
            await self._store.aclose()

    async def _supervise(self) -> None:
        while True:
            try:
                await self._tick()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # A database hiccup must not end the fan-out: try again on the next tick.
                log.error("broadcast supervisor failed (%s); retrying", type(error).__name__)
            self.wake.clear()
            # asyncio.timeout, not wait_for, which on Python 3.11 can swallow a cancel.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_s):
                    await self.wake.wait()

    async def _tick(self) -> None:
        now = self._clock()
        if self._monotonic() >= self._next_cleanup:
            self._next_cleanup = self._monotonic() + CLEANUP_EVERY_S
            await self._store.delete_drafts(now - DRAFT_LIFETIME)
        for info in await self._store.with_state(BroadcastState.SCHEDULED):
            if info.send_at is None or info.send_at <= now:
                await self._store.transition(
                    info.id, (BroadcastState.SCHEDULED,), BroadcastState.SENDING
                )
        sending = await self._store.with_state(BroadcastState.SENDING)
        for info in sending:
            await self._follow(info)
        await self._notice_ended({info.id for info in sending})

    async def _notice_ended(self, sending: set[int]) -> None:
        """A broadcast this process follows that is no longer sending was cancelled (perhaps by
        another process, whose memory this one cannot see): its claimed rows are not sent."""
        for broadcast_id in [b for b in self.progress if b not in sending]:
            info = await self._store.get(broadcast_id)
            if info is None or info.state is BroadcastState.CANCELLED:
                self.cancelled.add(broadcast_id)
            if info is None or info.state is not BroadcastState.SENDING:
                self.progress.pop(broadcast_id, None)

    async def _follow(self, info: BroadcastInfo) -> None:
        now = self._monotonic()
        progress = self.progress.get(info.id)
        if progress is None:
            failed = await self._store.fail_unreachable(info.id, tuple(self._messengers))
            if failed:
                log.warning("broadcast %d: %d recipients on platforms not running", info.id, failed)
                info = await self._store.get(info.id) or info
            progress = Progress(now, now, info.total - info.remaining)
            self.progress[info.id] = progress
            for sender in self._senders.values():
                sender.wake.set()
            if info.remaining:
                await self._report(info, False)
        if info.remaining == 0:
            if await self._store.transition(
                info.id, (BroadcastState.SENDING,), BroadcastState.DONE
            ):
                await self._report(info, True)
            self.progress.pop(info.id, None)
            self._replies.pop(info.id, None)
            for key in [k for k in self._neutral if k[0] == info.id]:
                del self._neutral[key]
            return
        if now - progress.last_report >= self._progress_every_s:
            progress.last_report = now
            await self._report(info, False)

    async def _reply_of(self, broadcast_id: int) -> Reply | None:
        reply = self._replies.get(broadcast_id)
        if reply is None:
            info = await self._store.get(broadcast_id)
            if info is None:
                return None
            reply = info.message.reply()
            if info.campaign_wide:
                # Where the campaign turned on a paid lane, campaign-wide broadcasts take it
                # (a platform without one sends it as any other message).
                reply = replace(reply, paid=True)
            self._replies[broadcast_id] = reply
        return reply

    def _discreet_reply(self, recipient: Recipient, full: Reply) -> Reply:
        """A discreet chat's copy of a broadcast: a neutral line in its language, and Show."""
        key = (recipient.broadcast_id, recipient.locale, full.paid)
        reply = self._neutral.get(key)
        if reply is None:
            _ = gettext_for(self._translator, recipient.locale)
            target = ShowTarget(BROADCAST, str(recipient.broadcast_id))
            reply = self._neutral[key] = neutral(target, _, paid=full.paid)
        return reply
