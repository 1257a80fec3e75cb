"""One send budget per platform, shared by everything the bot sends on its own.

Broadcasts, reminders, cancellation and announcement notices, approval requests and progress
reports all pass through their platform's `SendBudget`: one paced schedule under the platform's
cap (plus the paid lane where the campaign turned it on), one-a-second spacing per chat shared
by every stream, and one pause: when the platform answers any send with 429 and a retry_after,
every bulk send on it waits exactly that long. Replies to people do not pass through here, so a
broadcast never holds them up; an adapter that gets a 429 on a reply reports it with `pause`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol, TypeVar

from bot.core.delivery.pacing import Pacer
from bot.core.delivery.window import Window, claim_chunk
from bot.core.messages import Address, Reply
from bot.core.ports import (
    LOOK_UP,
    Messenger,
    PlatformPacing,
    RecipientGone,
    SelfDestruct,
    Sleep,
    TryLater,
)

log = logging.getLogger(__name__)

# Told the ids of every message a budget sent (self-destruct's schedule, bot.core.deletion).
OnSent = Callable[[Address, Sequence[str], SelfDestruct], Awaitable[None]]
T = TypeVar("T")

# A bulk send's outcomes as SendObserver hears them: delivered, the chat is gone (blocked, left,
# deleted), the platform asked to try later (429, unreachable, not ready), or refused otherwise.
SENT, GONE, TRY_LATER, FAILED = "sent", "gone", "try_later", "failed"


class SendObserver(Protocol):
    """Told the outcome of every bulk send and every request to wait (a 429), by platform only:
    the operator's metrics (bot/metrics.py) without the core knowing Prometheus. It is called
    on the event loop in the middle of a send, so it must return at once and never raise."""

    def sent(self, platform: str, outcome: str) -> None: ...

    def asked_to_wait(self, platform: str) -> None: ...


class NotSent(Exception):
    """The send was no longer wanted when its turn came (cancelled, or the bot is stopping)."""


class SendBudget:
    """One platform's pace, pause and windows."""

    def __init__(
        self,
        platform: str,
        pacing: PlatformPacing,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        on_sent: OnSent | None = None,
    ) -> None:
        self.platform = platform
        self._on_sent = on_sent
        self.pacing = pacing
        self._monotonic = monotonic
        self._sleep = sleep
        self._pacer = Pacer(pacing, monotonic, sleep)
        self.window = Window(pacing.rate, platform)
        self.paid_window = (
            Window(pacing.paid_rate, f"{platform} paid") if pacing.paid_rate else None
        )
        self._open = asyncio.Event()
        self._open.set()
        self._paused_until = 0.0
        self._reopen: asyncio.Task[None] | None = None
        self.observer: SendObserver | None = None

    def window_for(self, paid: bool) -> Window:
        return self.paid_window if paid and self.paid_window is not None else self.window

    def ready_in(self, chat_id: str, group: bool) -> float:
        """Seconds until this chat may get another message from any stream; 0 if now."""
        return self._pacer.wait_for(chat_id, group)

    def reserve(self, chat_id: str, group: bool) -> bool:
        """Take the chat's next turn for a send about to be claimed; False if it is not free
        (another stream reached it a moment ago): pass it over and come back later."""
        return self._pacer.reserve(chat_id, group)

    async def take_free(
        self, items: Sequence[T], chat_of: Callable[[T], tuple[str, bool]], paid: bool = False
    ) -> tuple[list[T], list[T], int]:
        """A chunk of `items` to claim now: waits for places in the window (a quarter of it at
        most), then reserves the chats of items in order until the places are filled.

        Returns the chunk (each holding a place and its chat's turn), the items passed over
        because their chat had a message a moment ago, and how many items were looked at.
        """
        window = self.window_for(paid)
        taken = await window.take(min(len(items), claim_chunk(window.size)))
        chunk: list[T] = []
        busy: list[T] = []
        looked = 0
        while len(chunk) < taken and looked < len(items):
            item = items[looked]
            looked += 1
            (chunk if self.reserve(*chat_of(item)) else busy).append(item)
        if len(chunk) < taken:
            window.give_back(taken - len(chunk))
        return chunk, busy, looked

    @property
    def paused(self) -> bool:
        return not self._open.is_set()

    async def opened(self) -> None:
        """Return once the platform is not asking us to wait."""
        await self._open.wait()

    def pause(self, seconds: float) -> None:
        """The platform asked to wait: hold every bulk send on it exactly that long."""
        if self.observer is not None:
            self.observer.asked_to_wait(self.platform)
        until = self._monotonic() + seconds
        if until <= self._paused_until and self.paused:
            return
        log.warning("delivery: %s asked to wait %.1fs; pausing", self.platform, seconds)
        self._paused_until = until
        self._open.clear()
        if self._reopen is not None:
            self._reopen.cancel()
        self._reopen = asyncio.get_running_loop().create_task(self._reopen_after(seconds))

    async def _reopen_after(self, seconds: float) -> None:
        await self._sleep(seconds)
        self._open.set()

    async def send(
        self,
        messenger: Messenger,
        address: Address,
        reply: Reply,
        *,
        group: bool,
        wanted: Callable[[], bool] = lambda: True,
        reserved: bool = False,
        delete_after: SelfDestruct = LOOK_UP,
    ) -> Sequence[str]:
        """Wait for the chat's and the platform's turn, then send; NotSent if by then the
        message is no longer `wanted`. A 429 with retry_after pauses the whole platform.
        Returns the ids of the messages sent, after reporting them to `on_sent`."""
        chat_id = address.chat_id
        while True:
            await self._open.wait()
            await self._pacer.acquire(chat_id, group, paid=reply.paid, reserved=reserved)
            reserved = False
            if self._open.is_set():
                break
            # A 429 came in while this send waited for its slot: wait it out, then a new slot.
        if not wanted():
            raise NotSent()
        window = self.window_for(reply.paid)
        started = self._monotonic()
        try:
            sent = await messenger.send(address, reply)
        except TryLater as error:
            self._tell(TRY_LATER)
            if error.retry_after:
                self.pause(error.retry_after)
            raise
        except Exception as error:
            # A refusal (blocked, gone) is a round trip all the same.
            window.observe(self._monotonic() - started)
            self._tell(GONE if isinstance(error, RecipientGone) else FAILED)
            raise
        window.observe(self._monotonic() - started)
        self._tell(SENT)
        if self._on_sent is not None and sent:
            await self._on_sent(address, sent, delete_after)
        return sent

    def _tell(self, outcome: str) -> None:
        if self.observer is not None:
            self.observer.sent(self.platform, outcome)


class SendBudgets:
    """The budgets by platform, made on first use from each messenger's declared pacing.

    `messengers` may be filled after construction (the composition root builds the core before
    the adapters); `pacing` overrides a messenger's own (benchmarks and tests).
    """

    def __init__(
        self,
        messengers: Mapping[str, Messenger],
        pacing: Mapping[str, PlatformPacing] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        on_sent: OnSent | None = None,
    ) -> None:
        self._messengers = messengers
        self._on_sent = on_sent
        self._pacing = dict(pacing or {})
        self._monotonic = monotonic
        self._sleep = sleep
        self._budgets: dict[str, SendBudget] = {}
        self._observer: SendObserver | None = None

    def observe(self, observer: SendObserver) -> None:
        """Report every platform's bulk sends and 429s to `observer` from now on."""
        self._observer = observer
        for budget in self._budgets.values():
            budget.observer = observer

    def pacing_of(self, platform: str) -> PlatformPacing:
        pacing = self._pacing.get(platform)
        if pacing is None:
            messenger = self._messengers.get(platform)
            pacing = messenger.pacing if messenger is not None else PlatformPacing()
        return pacing

    def of(self, platform: str) -> SendBudget:
        budget = self._budgets.get(platform)
        if budget is None:
            budget = SendBudget(
                platform, self.pacing_of(platform), self._monotonic, self._sleep, self._on_sent
            )
            budget.observer = self._observer
            self._budgets[platform] = budget
        return budget

    def pause(self, platform: str, seconds: float) -> None:
        """An adapter's report of a 429 on a reply: the platform's bulk sends wait too."""
        self.of(platform).pause(seconds)
