"""The sender lease's holder steps down when it must: at once when another process has taken the
lease, after `give_up_s` when the database stops answering, and never while renewals succeed."""

from __future__ import annotations

import asyncio

from bot.core.leadership import Leadership


class Leases:
    """A lease store whose answers the test decides: True, False or an error."""

    def __init__(self) -> None:
        self.answer: bool | Exception = True
        self.released = 0
        self.closed = 0

    async def hold(self, name: str, owner: str, ttl_s: int) -> bool:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    async def release(self, name: str, owner: str) -> None:
        self.released += 1

    async def aclose(self) -> None:
        self.closed += 1


async def run_until_stepped_down(leases: Leases, change: bool | Exception) -> float:
    """Lead, then change what the store answers; seconds until the services were told to stop."""
    told: list[float] = []
    loop = asyncio.get_running_loop()

    async def lead(stepping_down: asyncio.Event) -> None:
        await stepping_down.wait()
        told.append(loop.time())

    stop = asyncio.Event()
    leadership = Leadership(leases, "me", renew_s=0.05, give_up_s=0.5)
    running = asyncio.create_task(leadership.run(lead, stop))
    await asyncio.sleep(0.2)
    assert leadership.leading and not told
    leases.answer = change
    changed = loop.time()
    async with asyncio.timeout(3):
        while not told:  # noqa: ASYNC110 - the services' own signal is the thing measured
            await asyncio.sleep(0.01)
    stop.set()
    await running
    return told[0] - changed


async def test_a_lease_taken_by_another_process_stops_the_services_at_once() -> None:
    leases = Leases()
    assert await run_until_stepped_down(leases, False) < 0.3


async def test_a_silent_database_stops_the_services_after_give_up() -> None:
    leases = Leases()
    waited = await run_until_stepped_down(leases, ConnectionError("no route"))
    assert 0.4 <= waited < 1.0
    assert leases.closed == 1


async def test_a_stop_gives_the_lease_up_and_leads_no_more() -> None:
    leases = Leases()
    stop = asyncio.Event()
    terms: list[int] = []

    async def lead(stepping_down: asyncio.Event) -> None:
        terms.append(1)
        await stepping_down.wait()

    leadership = Leadership(leases, "me", renew_s=0.05)
    running = asyncio.create_task(leadership.run(lead, stop))
    await asyncio.sleep(0.2)
    stop.set()
    await running
    assert terms == [1] and leases.released == 1 and not leadership.leading
