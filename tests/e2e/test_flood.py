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
            before = len(fake.in_chat(chat["id"]))
            fake.message(chat, ALICE, "/start")
            await fake.wait_until(lambda: len(fake.in_chat(chat["id"])) > before, within=5)  # noqa: B023
            menu = fake.in_chat(chat["id"])[before]
            assert not refused(menu.text), menu.text
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
                lambda before=before: len(fake.in_chat(chat["id"])) > before,
                within=10,
            )
            latencies.append(time.monotonic() - asked)
            reply = fake.in_chat(chat["id"])[before]
            assert not refused(reply.text), (command, reply.text)
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - asked)))

    script_chat = private_chat(SCRIPT)
    [menu] = await fake.say(script_chat, SCRIPT, "/start")
    button = next(b["text"] for b in menu.buttons if "callback_data" in b)
    presses: list[str] = []

    async def script() -> None:
        for index in range(50):  # fifty actions in two seconds: typed and pressed in turn
            if index % 2:
                presses.append(fake.press(menu, button, SCRIPT)["callback_query"]["id"])
            else:
                fake.message(script_chat, SCRIPT, "/help")
            await asyncio.sleep(0.04)

    typed = ["/start", "/help", "/events", "/donate", "/petition", "/remember"]
    await asyncio.gather(
        person(ALICE, typed * 2),
        person(BORIS, list(reversed(typed)) * 2),
        person(CAROL, typed[1:] + typed[:1]),
        script(),
    )
    # Every press is answered (a refused one by the button's own answer, with no message), and
    # every typed command by a message: help, or when to try again.
    await fake.wait_until(lambda: all(q in fake.callback_answers for q in presses), within=20)
    pressed_refused = [
        q for q in presses if "try again in" in (fake.callback_answers[q].get("text") or "")
    ]
    expected = 1 + 25 + (25 - len(pressed_refused))
    await fake.wait_until(lambda: len(fake.in_chat(SCRIPT["id"])) >= expected, within=20)
    await asyncio.sleep(0.5)
    messages = fake.in_chat(SCRIPT["id"])
    assert len(messages) == expected
    typed_refused = [s for s in messages if refused(s.text)]
    assert all("try again in" in (s.text or "") for s in typed_refused)
    assert pressed_refused and typed_refused
    # About twenty-five of the fifty-one went through (a burst of 20, then two a second).
    assert 20 <= len(pressed_refused) + len(typed_refused) <= 32
    # The people were answered as promptly as the API's own latency allows.
    p95 = statistics.quantiles(latencies, n=20)[-1]
    assert p95 < 1.0, sorted(latencies)
