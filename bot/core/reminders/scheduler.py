"""The reminder loop: re-plan what changed, then send what is due, recording every delivery.

Delivery is at-most-once. Each reminder's row is marked "sending" and committed *before* the
platform is asked to deliver it, so a crash at any moment can never make it go out twice; the price
is that a crash during the one send in flight leaves that single reminder unconfirmed, and it is
not retried (counted and logged at the next start). Everything else survives any crash: the plan
lives in the database, and reminders that came due while the bot was down are sent at start (with
an apology for the delay) or dropped if their event has already begun.

Cancelling `run()` is the graceful stop: the reminder on its way finishes and is recorded as sent
(within `stop_grace_s`; cut short after that, it goes back to planned), no other is claimed, and
no row is left "sending".
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from bot.core.messages import Address, Reply
from bot.core.ports import ChatGone, Clock, Messenger, RecipientGone, Sleep, TryLater
from bot.core.reminders.plan import event_mark, plan_chat, plan_event, plan_remembrance
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
# How long a stopping bot waits for the reminder already on its way.
STOP_GRACE_S = 10.0
# How soon a tick whose platform said "try later" runs again.
RETRY_SOON_S = 5.0


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
    ) -> None:
        self._plan = plan
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
        """Tick until cancelled; a failing tick is logged and the next one tries again."""
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
                    "%d reminders were being sent when the bot stopped; not resent "
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
        confirmed: list[int] = []
        backing_off: set[str] = set()
        gone: set[Address] = set()
        try:
            async for batch in self._plan.due(now, self._batch):
                dropped: list[int] = []
                for due in batch:
                    if self._stopping:
                        return  # the rows already sent are settled below; the rest stay planned
                    platform = due.address.platform
                    messenger = self._messengers.get(platform)
                    if messenger is None or platform in backing_off:
                        continue  # stays planned: sent when the platform is back
                    if due.address in gone:
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
                    reply = self._render(due, event, late)
                    if not await self._plan.claim(due.id, confirmed):
                        continue
                    confirmed = []
                    sending = asyncio.ensure_future(self._send(messenger, due, reply, report))
                    try:
                        outcome = await asyncio.shield(sending)
                    except asyncio.CancelledError:
                        # The bot is stopping: the reminder on its way is let finish and be
                        # recorded (or, past the grace period, goes back to planned); no other
                        # one is claimed.
                        if await self._finish(sending) == "sent":
                            confirmed.append(due.id)
                        raise
                    if outcome == "sent":
                        confirmed.append(due.id)
                        report.late += late
                    elif outcome == "gone":
                        gone.add(due.address)
                    elif outcome == "planned":
                        backing_off.add(platform)
                if dropped:
                    await self._plan.settle(dropped, "dropped")
        finally:
            if confirmed:
                await self._plan.settle(confirmed, "sent")

    async def _finish(self, sending: asyncio.Future[str]) -> str | None:
        """Wait up to `stop_grace_s` for a send in flight; cut it short after that."""
        done, _ = await asyncio.wait({sending}, timeout=self._stop_grace_s)
        if not done:
            sending.cancel()
            await asyncio.wait({sending})
            return None
        return None if sending.cancelled() or sending.exception() else sending.result()

    async def _send(self, messenger: Messenger, due: Due, reply: Reply, report: TickReport) -> str:
        """Send one claimed reminder; the state its row should end in."""
        try:
            await messenger.send(due.address, reply)
        except asyncio.CancelledError:
            # Cut short by a stop past its grace period, before the platform answered: back to
            # planned, so it is sent after the restart (a stop, unlike a crash, leaves no
            # reminder unconfirmed).
            await self._plan.settle([due.id], "planned")
            raise
        except RecipientGone as gone:
            report.gone += 1
            await self._plan.settle([due.id], "gone")
            await self._chats.gone(due.address, gone)
            return "gone"
        except TryLater:
            # The platform did not take it: back to planned, retried next tick.
            report.retry += 1
            await self._plan.settle([due.id], "planned")
            return "planned"
        except Exception as error:
            report.failed += 1
            log.error("sending a reminder failed with %s", type(error).__name__)
            await self._plan.settle([due.id], "failed")
            return "failed"
        report.sent += 1
        return "sent"
