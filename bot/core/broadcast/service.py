"""Organizer broadcasts as a service: what handlers ask of it, and the loop that runs them.

`run()` starts one PlatformSender per messenger and a supervisor that starts scheduled
broadcasts when due, reports progress to the sender's chat (a new message at most every
`progress_every_s`, since editing a message is platform-specific), and sends the final report.
Everything it needs to continue is in the database, so a restart resumes within `poll_s`.
Cancelling `run()` is the graceful stop: nothing new starts, the sends on their way finish
(within `stop_grace_s`) and are recorded, so a restart sends each recipient exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Protocol

from bot.core.broadcast.paid import PaidEstimate, estimate
from bot.core.broadcast.report import delivery_numbers, minutes_left
from bot.core.broadcast.sender import MAX_TRIES, RETRY_BASE_S, STOP_GRACE_S, PlatformSender
from bot.core.broadcast.tell import ChatReader, Compose, Teller
from bot.core.broadcast.values import (
    UNFINISHED,
    BroadcastInfo,
    BroadcastState,
    BroadcastStore,
    NewBroadcast,
    Recipient,
)
from bot.core.delivery.budget import SendBudgets
from bot.core.discreet import BROADCAST, PROGRESS, ShowTarget, neutral
from bot.core.i18n import gettext_for, ngettext_for
from bot.core.messages import Address, Reply
from bot.core.ports import ChatGone, Clock, Messenger, PlatformPacing, Sleep, Translator

log = logging.getLogger(__name__)

SECOND_APPROVAL_ABOVE = 1000
DRAFT_LIFETIME = timedelta(hours=24)
CLEANUP_EVERY_S = 600.0


class Broadcasts(Protocol):
    """What the /broadcast commands use (handlers.deps.Deps.broadcasts)."""

    second_approval_above: int

    async def draft(self, new: NewBroadcast) -> BroadcastInfo: ...

    async def breakdown(self, broadcast_id: int) -> Mapping[tuple[str, str], int]: ...

    async def push(self, address: Address, reply: Reply, *, paced: bool = True) -> bool: ...

    async def tell_person(
        self, person: Address, compose: Compose, show: ShowTarget, locale: str | None
    ) -> bool: ...

    async def tell_writer(self, info: BroadcastInfo, compose: Compose) -> bool: ...

    async def get(self, broadcast_id: int) -> BroadcastInfo | None: ...

    async def confirm(self, broadcast_id: int) -> BroadcastInfo | None: ...

    async def approve(self, broadcast_id: int, by: Address) -> BroadcastInfo | None: ...

    async def cancel(self, broadcast_id: int) -> BroadcastInfo | None: ...

    async def recent(self, origin: Address | None, limit: int = 10) -> list[BroadcastInfo]: ...

    def eta_s(self, info: BroadcastInfo) -> float: ...

    def paid_estimate(self, breakdown: Mapping[tuple[str, str], int]) -> PaidEstimate | None: ...


@dataclass
class _Progress:
    started: float
    last_report: float
    done_at_start: int


class BroadcastService:
    """Creates, confirms and runs broadcasts over the messengers, one per platform."""

    def __init__(
        self,
        store: BroadcastStore,
        messengers: Mapping[str, Messenger],
        translator: Translator,
        clock: Clock,
        chats: ChatGone,
        *,
        second_approval_above: int = SECOND_APPROVAL_ABOVE,
        pacing: Mapping[str, PlatformPacing] | None = None,
        budgets: SendBudgets | None = None,
        poll_s: float = 5.0,
        progress_every_s: float = 30.0,
        max_tries: int = MAX_TRIES,
        retry_base_s: float = RETRY_BASE_S,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        stop_grace_s: float = STOP_GRACE_S,
        chat_prefs: ChatReader | None = None,
    ) -> None:
        self.second_approval_above = second_approval_above
        self._store = store
        # Read when run() starts and on every push: the composition root may fill it after
        # building the service, since the adapters themselves need the core first.
        self._messengers = messengers
        self._translator = translator
        self._clock = clock
        self._chats = chats
        self._poll_s = poll_s
        self._progress_every_s = progress_every_s
        self._monotonic = monotonic
        self._cancelled: set[int] = set()
        self._replies: dict[int, Reply] = {}
        self._neutral: dict[tuple[int, str | None, bool], Reply] = {}
        self._progress: dict[int, _Progress] = {}
        self._wake = asyncio.Event()
        self._next_cleanup = 0.0
        # One budget per platform, shared with the reminders (the composition root passes the
        # same one to both); without one, a budget of its own is made from `pacing` (which
        # overrides a messenger's own), `monotonic` and `sleep` (benchmarks and tests).
        self.budgets = budgets or SendBudgets(messengers, pacing, monotonic, sleep)
        self._sender_options: dict[str, Any] = {
            "max_tries": max_tries,
            "retry_base_s": retry_base_s,
            "idle_s": poll_s,
            "monotonic": monotonic,
            "stop_grace_s": stop_grace_s,
        }
        self._senders: dict[str, PlatformSender] = {}
        # Messages for one person follow their private chat's language and discreet mode.
        self._teller = Teller(messengers, translator, chat_prefs, self.push)

    # -- for the handlers -------------------------------------------------------------------

    async def draft(self, new: NewBroadcast) -> BroadcastInfo:
        """Store the broadcast with its recipients, waiting for the sender's Confirm."""
        return await self._store.create(new, self._clock())

    async def breakdown(self, broadcast_id: int) -> Mapping[tuple[str, str], int]:
        """Recipients by (platform, language)."""
        return await self._store.breakdown(broadcast_id)

    async def push(self, address: Address, reply: Reply, *, paced: bool = True) -> bool:
        """Send one message the bot starts (an approval request, a progress report) within the
        platform's send budget; `paced=False` for an answer to the person who asked (a
        preview in their private chat), which must not wait behind a broadcast. False if it
        could not go."""
        messenger = self._messengers.get(address.platform)
        if messenger is None:
            return False
        try:
            if paced:
                budget = self.budgets.of(address.platform)
                await budget.send(messenger, address, reply, group=False)
            else:
                await messenger.send(address, reply)
        except Exception as error:
            log.warning("broadcast: a message to a sender failed (%s)", type(error).__name__)
            return False
        return True

    async def tell_person(
        self, person: Address, compose: Compose, show: ShowTarget, locale: str | None
    ) -> bool:
        """A message the bot starts for one person (an approval request for an organizer), in
        their private chat, in its language (else `locale`), neutral there if it is discreet."""
        return await self._teller.tell_person(person, compose, show, locale)

    async def tell_writer(self, info: BroadcastInfo, compose: Compose) -> bool:
        """News of a broadcast (approved, progress, finished) for the person who wrote it.

        It goes to them in private, never to the chat it was composed in: an organizer may
        compose a campaign-wide broadcast in a server channel with ephemeral answers, and that
        channel's members must not see its progress. Only drafts from before writers were kept
        have no writer; theirs go where they were asked. A discreet chat gets the neutral line,
        whose Show gives the broadcast's state at the time of the press.
        """
        show = ShowTarget(PROGRESS, str(info.id))
        if info.created_by is None:
            return await self._teller.tell_chat(info.origin, compose, show, info.locale)
        return await self._teller.tell_person(info.created_by, compose, show, info.locale)

    async def get(self, broadcast_id: int) -> BroadcastInfo | None:
        """One broadcast with its delivery counts."""
        return await self._store.get(broadcast_id)

    async def confirm(self, broadcast_id: int) -> BroadcastInfo | None:
        """The sender's Confirm: on to approval, the schedule, or sending now."""
        info = await self._store.get(broadcast_id)
        if info is None or info.state is not BroadcastState.DRAFT:
            return info
        if info.campaign_wide and info.total > self.second_approval_above:
            to = BroadcastState.APPROVAL
        else:
            to = self._scheduled_or_sending(info)
        await self._store.transition(broadcast_id, (BroadcastState.DRAFT,), to)
        self._wake.set()
        return await self._store.get(broadcast_id)

    async def approve(self, broadcast_id: int, by: Address) -> BroadcastInfo | None:
        """A second organizer's approval (the handler checks it is a different one)."""
        info = await self._store.get(broadcast_id)
        if info is None or info.state is not BroadcastState.APPROVAL:
            return info
        to = self._scheduled_or_sending(info)
        await self._store.transition(broadcast_id, (BroadcastState.APPROVAL,), to, approved_by=by)
        self._wake.set()
        return await self._store.get(broadcast_id)

    async def cancel(self, broadcast_id: int) -> BroadcastInfo | None:
        """Stop a broadcast: nothing more is sent from the moment this returns."""
        self._cancelled.add(broadcast_id)
        await self._store.transition(
            broadcast_id,
            UNFINISHED,
            BroadcastState.CANCELLED,
        )
        return await self._store.get(broadcast_id)

    async def recent(self, origin: Address | None, limit: int = 10) -> list[BroadcastInfo]:
        """The latest broadcasts, all of them (origin None) or those asked in one chat."""
        return await self._store.recent(origin, limit)

    def eta_s(self, info: BroadcastInfo) -> float:
        """Seconds left at the observed rate, or the configured one before there is any."""
        progress = self._progress.get(info.id)
        done = info.total - info.remaining
        if progress is not None:
            elapsed = self._monotonic() - progress.started
            finished = done - progress.done_at_start
            if elapsed > 5 and finished > 0:
                return info.remaining * elapsed / finished
        rate = min((self._rate_of(p, info) for p in self._messengers), default=25.0)
        return info.remaining / rate

    def paid_estimate(self, breakdown: Mapping[tuple[str, str], int]) -> PaidEstimate | None:
        """Cost and duration of a campaign-wide broadcast with these recipients (`breakdown`)
        through a platform's paid lane; None when no platform with recipients has one on."""
        recipients: dict[str, int] = {}
        for (platform, _locale), count in breakdown.items():
            recipients[platform] = recipients.get(platform, 0) + count
        for platform, count in sorted(recipients.items()):
            if count <= 0 or platform not in self._messengers:
                continue
            paid_rate = self._pacing_of(platform).paid_rate
            if paid_rate is not None and paid_rate > 0:
                return estimate(platform, count, paid_rate)
        return None

    def _scheduled_or_sending(self, info: BroadcastInfo) -> BroadcastState:
        if info.send_at is not None and info.send_at > self._clock():
            return BroadcastState.SCHEDULED
        return BroadcastState.SENDING

    # -- the loop ---------------------------------------------------------------------------

    def _pacing_of(self, platform: str) -> PlatformPacing:
        return self.budgets.pacing_of(platform)

    def _rate_of(self, platform: str, info: BroadcastInfo) -> float:
        pacing = self._pacing_of(platform)
        if info.campaign_wide and pacing.paid_rate:
            return pacing.paid_rate
        return pacing.rate

    async def run(self) -> None:
        """Deliver every running broadcast and start scheduled ones, until cancelled."""
        options = self._sender_options
        self._senders = {
            platform: PlatformSender(
                messenger,
                self._store,
                self.budgets.of(platform),
                self._reply_of,
                self._cancelled,
                self._chats,
                **options,
                discreet=self._discreet_reply,
            )
            for platform, messenger in self._messengers.items()
        }
        # Progress starts afresh: every running broadcast reports once it is picked up again.
        self._progress.clear()
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
            self._wake.clear()
            # asyncio.timeout, not wait_for, which on Python 3.11 can swallow a cancel.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_s):
                    await self._wake.wait()

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
        for info in await self._store.with_state(BroadcastState.SENDING):
            await self._follow(info)

    async def _follow(self, info: BroadcastInfo) -> None:
        now = self._monotonic()
        progress = self._progress.get(info.id)
        if progress is None:
            failed = await self._store.fail_unreachable(info.id, tuple(self._messengers))
            if failed:
                log.warning("broadcast %d: %d recipients on platforms not running", info.id, failed)
                info = await self._store.get(info.id) or info
            progress = _Progress(now, now, info.total - info.remaining)
            self._progress[info.id] = progress
            for sender in self._senders.values():
                sender.wake.set()
            if info.remaining:
                await self._report(info, final=False)
        if info.remaining == 0:
            if await self._store.transition(
                info.id, (BroadcastState.SENDING,), BroadcastState.DONE
            ):
                await self._report(info, final=True)
            self._progress.pop(info.id, None)
            self._replies.pop(info.id, None)
            for key in [k for k in self._neutral if k[0] == info.id]:
                del self._neutral[key]
            return
        if now - progress.last_report >= self._progress_every_s:
            progress.last_report = now
            await self._report(info, final=False)

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

    async def _report(self, info: BroadcastInfo, *, final: bool) -> None:
        if not info.campaign_wide:
            # A group's own broadcast was asked in that group: the message itself is the news,
            # and progress reports there would only be noise for its members (/broadcasts).
            return
        minutes = max(1, round(self.eta_s(info) / 60))

        def compose(locale: str | None) -> Reply:
            _ = gettext_for(self._translator, locale)
            ngettext = ngettext_for(self._translator, locale)
            numbers = delivery_numbers(info, _, ngettext)
            if final:
                text = _("Broadcast #{id} finished: {numbers}.")
                return Reply(text.format(id=info.id, numbers=numbers))
            return Reply(
                _("Broadcast #{id}: {numbers}; {left}.").format(
                    id=info.id, numbers=numbers, left=minutes_left(minutes, ngettext)
                )
            )

        await self.tell_writer(info, compose)
