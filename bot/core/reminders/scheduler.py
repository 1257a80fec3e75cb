"""The reminder loop: re-plan what changed, then send what is due, recording every delivery.

Delivery is at-most-once. Reminders are claimed a window at a time: one transaction marks the
batch "sending" and commits *before* any of them is sent, so a crash at any moment can never
make one go out twice. The price: a crash leaves the claimed batch unconfirmed (at most the
platform's window, which follows the round trip; see bot.core.delivery.window), and those are
not retried (counted and logged at the next start). Sends go through the platform's send
budget shared with broadcasts (bot.core.delivery.budget), several at a time, and their
outcomes are written in batches. Everything else survives any crash: the plan lives in the
database, and reminders that came due while the bot was down are sent at start (with an apology
for the delay) or dropped if their event has already begun.

Cancelling `run()` is the graceful stop: the reminders on their way finish and are recorded as
sent (within `stop_grace_s`; cut short after that, they go back to planned), those claimed but
not yet sent go back to planned, no other is claimed, and no row is left "sending".
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import partial

from bot.core.delivery.budget import SendBudgets
from bot.core.messages import Reply
from bot.core.ports import ChatGone, Clock, Messenger, Sleep
from bot.core.reminders.plan import event_mark, plan_chat, plan_event, plan_remembrance
from bot.core.reminders.sends import STOP_GRACE_S, Ready, TickReport, TickSends
from bot.core.reminders.values import REMEMBRANCE, Due, EventInfo, EventStore, Kind, PlanStore

log = logging.getLogger(__name__)

# (due reminder, its event or None for the remembrance, whether it is late) -> the message.
Render = Callable[[Due, EventInfo | None, bool], Reply]

TICK_SECONDS = 30.0
BATCH = 500
LATE_AFTER = timedelta(minutes=15)
DIRTY_BATCH = 500
# Re-planning a flood of changed chats (a mass subscription) yields to delivery after this long;
# the rest continues on the next tick, which then comes at once.
REPLAN_BUDGET_S = 10.0
# How soon a tick whose platform said "try later" runs again.
RETRY_SOON_S = 5.0


class ReminderScheduler:
    """Polls the plan for due reminders and sends each through its chat's platform."""

    def __init__(
        self,
        plan: PlanStore,
        events: EventStore,
        chats: ChatGone,
        messengers: Mapping[str, Messenger],
        clock: Clock,
        render: Render,
        remembrance: tuple[int, int],
        *,
        tick_seconds: float = TICK_SECONDS,
        batch: int = BATCH,
        late_after: timedelta = LATE_AFTER,
        sleep: Sleep = asyncio.sleep,
        stop_grace_s: float = STOP_GRACE_S,
        budgets: SendBudgets | None = None,
    ) -> None:
        self._plan = plan
        # The send budget per platform, shared with broadcasts (the composition root passes
        # the same one to both).
        self._budgets = budgets or SendBudgets(messengers)
        self._events = events
        self._chats = chats
        self._messengers = messengers
        self._clock = clock
        self._render = render
        self._remembrance = remembrance
        self._tick_seconds = tick_seconds
        self._batch = batch
        self._late_after = late_after
        self._sleep = sleep
        self._stop_grace_s = stop_grace_s
        self._started = False
        # A stop asked for while a tick runs: no further reminder is claimed, the one on its way
        # finishes, and the tick's rows are settled before run() returns. Cancelling the task
        # instead could interrupt a database write and leave its transaction holding the lock.
        self._stopping = False
        self._ticking = False

    def stop(self) -> bool:
        """Ask run() to end; True when it must be waited for (a tick is under way), False when
        it is only sleeping and may simply be cancelled."""
        self._stopping = True
        return self._ticking

    async def run(self) -> None:
        """Tick until cancelled; a failing tick is logged and the next one tries again.

        Each run starts afresh (a sender that stepped down may lead again later): the first
        tick recovers what stopped processes left claimed."""
        self._stopping, self._started = False, False
        while not self._stopping:
            backlog, retry = False, False
            self._ticking = True
            try:
                report = await self.tick()
                backlog, retry = report.backlog, report.retry > 0
            except asyncio.CancelledError:
                raise
            except Exception as error:
                stack = "".join(traceback.format_tb(error.__traceback__))
                log.error("reminder tick failed with %s\n%s", type(error).__name__, stack)
            finally:
                self._ticking = False
            if self._stopping:
                return
            # A platform that asked to wait (not ready yet at start, or briefly unreachable) is
            # tried again soon, not a whole tick later: its reminders are already due.
            if backlog:
                pause = 0.0
            elif retry:
                pause = min(RETRY_SOON_S, self._tick_seconds)
            else:
                pause = self._tick_seconds
            await self._sleep(pause)

    async def tick(self) -> TickReport:
        """Re-plan what changed, then send everything due now."""
        if not self._started:
            unconfirmed = await self._plan.recover()
            if unconfirmed:
                log.warning(
                    "%d reminders were being sent when a sender stopped; not resent "
                    "(at-most-once delivery)",
                    unconfirmed,
                )
            self._started = True
        now = self._clock()
        events = await self._events.planning(now)
        report = TickReport()
        report.replanned, report.backlog = await self._replan(events, now)
        await self._deliver(now, {e.id: e for e in events}, report)
        if report.stale or report.superseded:
            log.info(
                "dropped %d reminders whose events had begun and %d repeated by a later one",
                report.stale,
                report.superseded,
            )
        return report

    async def _replan(self, events: list[EventInfo], now: datetime) -> tuple[int, bool]:
        marks = await self._plan.marks()
        replanned = 0
        for event in events:
            mark = event_mark(event)
            if marks.get(event.id) != mark:
                replanned += await self._plan.replan_event(
                    event, mark, partial(plan_event, event, now=now), now
                )
        month, day = self._remembrance
        mark = f"{month}-{day}|{now.year}"
        if marks.get(REMEMBRANCE) != mark:
            replanned += await self._plan.replan_topic(
                REMEMBRANCE,
                REMEMBRANCE,
                mark,
                lambda facts: plan_remembrance(month, day, facts, now),
                now,
            )
        started = time.monotonic()
        while True:
            done = await self._plan.replan_dirty_chats(
                lambda facts: plan_chat(events, self._remembrance, facts, now), now, DIRTY_BATCH
            )
            replanned += done
            if done < DIRTY_BATCH:
                return replanned, False
            if time.monotonic() - started > REPLAN_BUDGET_S:
                return replanned, True

    async def _deliver(
        self, now: datetime, events: Mapping[str, EventInfo], report: TickReport
    ) -> None:
        sends = TickSends(
            self._plan,
            self._budgets,
            self._messengers,
            self._chats,
            report,
            stopping=lambda: self._stopping,
            stop_grace_s=self._stop_grace_s,
        )
        try:
            async for batch in self._plan.due(now, self._batch, tuple(self._messengers)):
                if self._stopping:
                    return
                dropped: list[int] = []
                ready: list[Ready] = []
                for due in batch:
                    platform = due.address.platform
                    if platform not in self._messengers or platform in sends.backing_off:
                        continue  # stays planned: sent when the platform is back
                    if due.address in sends.gone:
                        dropped.append(due.id)  # the chat blocked the bot earlier this tick
                        continue
                    if now >= due.stale_at:
                        report.stale += 1
                        dropped.append(due.id)
                        continue
                    if due.superseded:
                        report.superseded += 1
                        dropped.append(due.id)
                        continue
                    event = None
                    if due.kind is not Kind.REMEMBRANCE:
                        event = events.get(due.event_id) or await self._events.get(due.event_id)
                        if event is None:
                            report.stale += 1
                            dropped.append(due.id)
                            continue
                    late = now - due.due_at > self._late_after
                    ready.append(Ready(due, self._render(due, event, late), late))
                if dropped:
                    await self._plan.settle(dropped, "dropped")
                await sends.start(ready)
        finally:
            await sends.finish()
