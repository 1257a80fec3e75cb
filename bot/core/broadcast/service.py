"""Organizer broadcasts as a service: what handlers ask of it, and the words of its reports.

`run()` is the loop in runner.py (one sender per platform and a supervisor); this module is what
the handlers call (draft, confirm, approve, cancel, the estimates) and how a broadcast's writer
is told how it goes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Protocol

from bot.core.broadcast.paid import PaidEstimate, estimate
from bot.core.broadcast.report import delivery_numbers, minutes_left
from bot.core.broadcast.runner import BroadcastRunner
from bot.core.broadcast.sender import MAX_TRIES, RETRY_BASE_S, STOP_GRACE_S
from bot.core.broadcast.tell import ChatReader, Compose, Teller
from bot.core.broadcast.values import (
    UNFINISHED,
    BroadcastInfo,
    BroadcastState,
    BroadcastStore,
    NewBroadcast,
)
from bot.core.delivery.budget import SendBudgets
from bot.core.discreet import PROGRESS, ShowTarget
from bot.core.i18n import gettext_for, ngettext_for
from bot.core.messages import Address, Reply
from bot.core.ports import ChatGone, Clock, Messenger, PlatformPacing, Sleep, Translator

log = logging.getLogger(__name__)

SECOND_APPROVAL_ABOVE = 1000


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
        self._monotonic = monotonic
        # One budget per platform, shared with the reminders (the composition root passes the
        # same one to both); without one, a budget of its own is made from `pacing` (which
        # overrides a messenger's own), `monotonic` and `sleep` (benchmarks and tests).
        self.budgets = budgets or SendBudgets(messengers, pacing, monotonic, sleep)
        self._runner = BroadcastRunner(
            store,
            messengers,
            self.budgets,
            translator,
            clock,
            chats,
            self._report,
            poll_s=poll_s,
            progress_every_s=progress_every_s,
            monotonic=monotonic,
            sender_options={
                "max_tries": max_tries,
                "retry_base_s": retry_base_s,
                "stop_grace_s": stop_grace_s,
            },
        )
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
        self._runner.wake.set()
        return await self._store.get(broadcast_id)

    async def approve(self, broadcast_id: int, by: Address) -> BroadcastInfo | None:
        """A second organizer's approval (the handler checks it is a different one)."""
        info = await self._store.get(broadcast_id)
        if info is None or info.state is not BroadcastState.APPROVAL:
            return info
        to = self._scheduled_or_sending(info)
        await self._store.transition(broadcast_id, (BroadcastState.APPROVAL,), to, approved_by=by)
        self._runner.wake.set()
        return await self._store.get(broadcast_id)

    async def cancel(self, broadcast_id: int) -> BroadcastInfo | None:
        """Stop a broadcast: nothing more is sent from the moment this returns."""
        self._runner.cancelled.add(broadcast_id)
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
        progress = self._runner.progress.get(info.id)
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
            paid_rate = self.budgets.pacing_of(platform).paid_rate
            if paid_rate is not None and paid_rate > 0:
                return estimate(platform, count, paid_rate)
        return None

    def _scheduled_or_sending(self, info: BroadcastInfo) -> BroadcastState:
        if info.send_at is not None and info.send_at > self._clock():
            return BroadcastState.SCHEDULED
        return BroadcastState.SENDING

    def _rate_of(self, platform: str, info: BroadcastInfo) -> float:
        pacing = self.budgets.pacing_of(platform)
        if info.campaign_wide and pacing.paid_rate:
            return pacing.paid_rate
        return pacing.rate

    # -- the loop ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Deliver every running broadcast and start scheduled ones, until cancelled."""
        await self._runner.run()

    async def _report(self, info: BroadcastInfo, final: bool) -> None:
        """How a broadcast goes (or ended), for its writer: the runner calls it."""
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
