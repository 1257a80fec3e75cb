"""People at human pace are never refused; a flooding script is throttled without slowing them.

The real `allybot run` process, the fake Bot API answering each call in 100-300 ms, the real
clock and the default limits (RATE_LIMIT_PER_MINUTE, RATE_LIMIT_BURST).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from tests.adapters.telegram.fake_server import ALICE, BORIS, FakeTelegram, Sent, private_chat, user
from tests.e2e.conftest import BotProcess

REFUSED = ("Too many", "try again", "very fast", "Слишком много")
SCRIPT = user(7355509999, "en", "Script")
CAROL = user(7355504321, "en", "Carol")


def refused(text: str | None) -> bool:
    return any(word in (text or "") for word in REFUSED)


async def test_a_person_tapping_through_every_menu_once_a_second_is_never_refused(
    fake: FakeTelegram, bot: BotProcess
) -> None:
    await bot.start()
    chat = private_chat(ALICE)
    [menu] = await fake.say(chat, ALICE, "/start")
    # Every action button reachable from /start, breadth first, one press a second.
    queue: list[tuple[Sent, dict[str, Any]]] = [(menu, b) for b in menu.buttons]
    seen: set[str] = set()
    presses, answers, started = 0, 0, time.monotonic()
    while time.monotonic() - started < 40:
        if not queue:
            # Every menu seen: back to the start, as a person looking around again would.
            [menu] = await fake.say(chat, ALICE, "/start")
            queue, seen = [(menu, b) for b in menu.buttons], set()
            await asyncio.sleep(1.0)
            continue
        sent, button = queue.pop(0)
        data = button.get("callback_data")
        if data is None or data in seen or data.startswith("forget"):
            continue  # a link, a button already pressed, or the erasure itself
        seen.add(data)
        tapped = time.monotonic()
        before = len(fake.in_chat(chat["id"]))
        query_id = fake.press(sent, button["text"], ALICE)["callback_query"]["id"]

        def answered(query_id: str = query_id, before: int = before) -> bool:
            answer = fake.callback_answers.get(query_id)
            return answer is not None and (
                bool(answer.get("text")) or len(fake.in_chat(chat["id"])) > before
            )

        await fake.wait_until(answered, within=5)
        presses += 1
        answer = fake.callback_answers[query_id]
        assert not refused(answer.get("text")), (data, answer)
        for reply in fake.in_chat(chat["id"])[before:]:
            assert not refused(reply.text), (data, reply.text)
            assert not (reply.text or "").startswith("Sorry"), (data, reply.text)
            queue += [(reply, b) for b in reply.buttons]
            answers += 1
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - tapped)))
    assert presses >= 30, presses  # about one a second
    assert answers >= presses
    assert not any(refused(s.text) for s in fake.sent)


async def test_a_flooding_script_is_throttled_while_two_people_are_answered_promptly(
    fake: FakeTelegram, bot: BotProcess
) -> None:
    await bot.start()
    latencies: list[float] = []

    async def person(who: dict[str, Any], commands: list[str]) -> None:
        chat = private_chat(who)
        for command in commands:
            asked = time.monotonic()
            before = len(fake.in_chat(chat["id"]))
            fake.message(chat, who, command)
            await fake.wait_until(
                lambda before=before: len(fake.in_chat(chat["id"])) > before,  # type: ignore[misc]
                within=10,
            )
            latencies.append(time.monotonic() - asked)
            reply = fake.in_chat(chat["id"])[before]
            assert not refused(reply.text), (command, reply.text)
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - asked)))

    async def script() -> None:
        chat = private_chat(SCRIPT)
        for _ in range(50):  # fifty commands in two seconds
            fake.message(chat, SCRIPT, "/help")
            await asyncio.sleep(0.04)

    menu = ["/start", "/help", "/events", "/donate", "/petition", "/remember"]
    await asyncio.gather(
        person(ALICE, menu * 2),
        person(BORIS, list(reversed(menu)) * 2),
        person(CAROL, menu[1:] + menu[:1]),
        script(),
    )
    script_chat = SCRIPT["id"]
    # Every one of the fifty commands is answered: help, or when to try again.
    await fake.wait_until(lambda: len(fake.in_chat(script_chat)) >= 50, within=20)
    throttled = [s for s in fake.in_chat(script_chat) if refused(s.text)]
    assert 20 <= len(throttled) <= 30, len(throttled)
    assert all("try again in" in (s.text or "") for s in throttled)
    # The people were answered as promptly as the API's own latency allows.
    p95 = statistics.quantiles(latencies, n=20)[-1]
    assert p95 < 1.0, sorted(latencies)
