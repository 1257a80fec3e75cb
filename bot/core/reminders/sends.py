"""One tick's reminder sends: claimed a window at a time, paced by the platform's send budget,
their outcomes written in batches.

A reminder is claimed ("sending", committed) before it is sent and never sent twice (at most
once); its place in the window is held until its outcome is written, so a crash leaves at most
a window of reminders unconfirmed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.core.delivery.budget import NotSent, SendBudgets
from bot.core.delivery.marks import Marks
from bot.core.messages import Address, Reply
from bot.core.ports import ChatGone, Messenger, RecipientGone, TryLater
from bot.core.reminders.values import Due, PlanStore

log = logging.getLogger(__name__)

# How long a stopping bot waits for the reminders already on their way.
STOP_GRACE_S = 10.0

Outcome = tuple[int, str]


@dataclass
class TickReport:
    """What one tick did, in counts only."""

    replanned: int = 0
    sent: int = 0
    late: int = 0
    stale: int = 0
    superseded: int = 0
    gone: int = 0
    retry: int = 0
    failed: int = 0
    # Changed chats are still waiting to be re-planned: tick again without sleeping.
    backlog: bool = False


@dataclass(frozen=True, slots=True)
class Ready:
    """A due reminder rendered and ready to go."""

    due: Due
    reply: Reply
    late: bool


def _chat_of(item: Ready) -> tuple[str, bool]:
    return item.due.address.chat_id, item.due.group


class TickSends:
    """Starts each ready reminder in its platform's window; `finish` waits and records."""

    def __init__(
        self,
        plan: PlanStore,
        budgets: SendBudgets,
        messengers: Mapping[str, Messenger],
        chats: ChatGone,
        report: TickReport,
        *,
        stopping: Callable[[], bool],
        stop_grace_s: float = STOP_GRACE_S,
    ) -> None:
        self._plan = plan
        self._budgets = budgets
        self._messengers = messengers
        self._chats = chats
        self.report = report
        self._stopping = stopping
        self._stop_grace_s = stop_grace_s
        # Platforms that said "try later" this tick: the rest of theirs wait for the next one.
        self.backing_off: set[str] = set()
        # Chats that blocked or removed the bot this tick: their other reminders are dropped.
        self.gone: set[Address] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._marks: dict[str, Marks[Outcome]] = {}
        self._writers: list[asyncio.Task[None]] = []

    async def start(self, ready: Sequence[Ready]) -> None:
        """Claim and start every ready reminder, a window at a time, in order.

        A chat that got a message a moment ago (a broadcast walking the same chats, say) is
        passed over and taken up once its second is over, so the window is never held by a
        reminder waiting for its chat while others could go.
        """
        waiting = list(ready)
        while waiting and not self._stopping():
            busy = await self._start_free(waiting)
            if len(busy) == len(waiting):
                # Every chat left had a message a moment ago: wait for the first to be free.
                soonest = min(
                    self._budgets.of(i.due.address.platform).ready_in(
                        i.due.address.chat_id, i.due.group
                    )
                    for i in busy
                )
                await asyncio.sleep(max(soonest, 0.01))
            waiting = busy

    async def _start_free(self, ready: Sequence[Ready]) -> list[Ready]:
        """Start those whose chat is free, in order; the ones whose chat was busy."""
        busy: list[Ready] = []
        at = 0
        while at < len(ready) and not self._stopping():
            platform = ready[at].due.address.platform
            if platform in self.backing_off:
                at += 1  # stays planned: the next tick tries again
                continue
            run = at
            while run < len(ready) and ready[run].due.address.platform == platform:
                run += 1
            budget = self._budgets.of(platform)
            await budget.opened()
            chunk, passed, looked = await budget.take_free(ready[at:run], _chat_of)
            busy += passed
            at += looked
            if not chunk:
                continue
            try:
                claimed = await self._plan.claim([item.due.id for item in chunk])
            except BaseException:
                # Cut short (a stop) or failed: whether the claim was written is unknown, so
                # they go back to planned with the outcomes (which give the places back once
                # written); a graceful stop leaves no row "sending".
                marks = self._marks_of(platform)
                for item in chunk:
                    marks.add((item.due.id, "planned"))
                raise
            if len(claimed) < len(chunk):
                budget.window.give_back(len(chunk) - len(claimed))  # re-planned or purged meanwhile
            for item in chunk:
                if item.due.id in claimed:
                    task = asyncio.create_task(self._one(item))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
        return busy

    async def finish(self) -> None:
        """Wait for the sends on their way (within the grace period when stopping, cut short
        when cancelled), then write every outcome."""
        try:
            while self._tasks:
                timeout = self._stop_grace_s if self._stopping() else None
                _, unfinished = await asyncio.wait(set(self._tasks), timeout=timeout)
                if unfinished:
                    await self._cut_short(unfinished)
        except asyncio.CancelledError:
            await self._cut_short(set(self._tasks))
            raise
        finally:
            for writer in self._writers:
                writer.cancel()
            await asyncio.gather(*self._writers, return_exceptions=True)
            for marks in self._marks.values():
                await marks.settle()

    @staticmethod
    async def _cut_short(tasks: set[asyncio.Task[None]]) -> None:
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)

    def _marks_of(self, platform: str) -> Marks[Outcome]:
        marks = self._marks.get(platform)
        if marks is None:
            window = self._budgets.of(platform).window
            marks = Marks(window, self._plan.settle_many, name="reminder")
            self._marks[platform] = marks
            self._writers.append(asyncio.create_task(marks.run()))
        return marks

    async def _one(self, item: Ready) -> None:
        marks = self._marks_of(item.due.address.platform)
        try:
            state = await self._send(item.due, item.reply)
        except asyncio.CancelledError:
            # Cut short by a stop past its grace period, before the platform answered: back to
            # planned, so it is sent after the restart (a stop, unlike a crash, leaves no
            # reminder unconfirmed).
            marks.add((item.due.id, "planned"))
            raise
        if state == "sent":
            self.report.sent += 1
            self.report.late += item.late
        marks.add((item.due.id, state))

    async def _send(self, due: Due, reply: Reply) -> str:
        """Send one claimed reminder; the state its row should end in."""
        report = self.report
        platform = due.address.platform
        try:
            await self._budgets.of(platform).send(
                self._messengers[platform],
                due.address,
                reply,
                group=due.group,
                wanted=lambda: not self._stopping() and platform not in self.backing_off,
                reserved=True,
                delete_after=due.delete_after,
            )
        except NotSent:
            return "planned"
        except RecipientGone as gone:
            report.gone += 1
            self.gone.add(due.address)
            try:
                await self._chats.gone(due.address, gone)
            except Exception as error:
                log.error("recording a gone chat failed with %s", type(error).__name__)
            return "gone"
        except TryLater:
            # The platform did not take it: back to planned, retried soon (the budget has
            # paused the platform for its retry_after, when it gave one).
            report.retry += 1
            self.backing_off.add(platform)
            return "planned"
        except Exception as error:
            report.failed += 1
            log.error("sending a reminder failed with %s", type(error).__name__)
            return "failed"
        return "sent"
