"""Two cores on one database, as two processes would be (README, "Scaling out"): a webhook worker
where the organizer confirms and cancels, and the sender holding the lease that delivers. What one
does through the database the other sees within its poll: nothing in memory is shared."""

from __future__ import annotations

import asyncio

from bot.app import build_core, serve
from bot.core.broadcast.values import BroadcastState, Message, NewBroadcast
from bot.core.messages import Address
from bot.core.ports import PlatformPacing
from bot.settings import Settings
from tests.support.broadcast import FakeMessenger, add_subscribers

ORGANIZER = Address("console", "organizer")
RATE = 20.0
POLL_S = 0.2


async def test_a_cancel_made_in_another_process_stops_the_sender_within_a_poll(
    database_url: str,
) -> None:
    settings = Settings(_env_file=None, database_url=database_url, organizers="console:organizer")
    options = {"poll_s": POLL_S}
    sender = await build_core(
        settings, broadcast_options=options, fenced=True, leadership_options={"renew_s": 0.1}
    )
    worker = await build_core(settings, broadcast_options=options, fenced=True)
    messenger = FakeMessenger("telegram", pacing=PlatformPacing(rate=RATE), delay_s=0.05)
    stop = asyncio.Event()
    running = asyncio.create_task(serve(sender, [messenger], stop))
    try:
        await add_subscribers(worker.engine, "telegram", [str(n) for n in range(200)])
        info = await worker.broadcasts.draft(
            NewBroadcast("events", Message("Rally on Saturday"), ORGANIZER, "en", ORGANIZER, None)
        )
        # Confirmed on the worker: the sender has no wake-up call from it, only its poll.
        await worker.broadcasts.confirm(info.id)
        async with asyncio.timeout(10):
            while len(messenger.sent) < 20:  # noqa: ASYNC110 - the sender tells nothing else
                await asyncio.sleep(0.05)
        cancelled = await worker.broadcasts.cancel(info.id)
        assert cancelled is not None and cancelled.state is BroadcastState.CANCELLED
        at_cancel = len(messenger.sent)
        await asyncio.sleep(POLL_S * 5)
        after = len(messenger.sent)
        await asyncio.sleep(1.0)
        # Within a poll nothing more goes: at most what was already on its way.
        assert len(messenger.sent) == after
        assert after - at_cancel <= RATE * (POLL_S + 0.1) + 4, (at_cancel, after)
        assert after < 200
    finally:
        stop.set()
        await running
        await worker.aclose()
    assert sender.leadership.terms == 1 and worker.leadership.terms == 0
