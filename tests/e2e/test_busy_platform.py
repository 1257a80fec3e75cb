"""A broadcast to 150 chats through the real process while people keep using the bot, against a
Bot API answering in 100 to 300 ms that once answers 429 (README, "How fast broadcasts go").

What people notice: everyone gets the broadcast once; people asking the bot meanwhile get their
answers while the broadcast is still going, not after it; the broadcast keeps to its 25 messages
a second on average and never reaches Telegram's own limit of 30 in any second (the bot paces
at its end; a loaded machine can bunch two sends by a few milliseconds on the way); and when
Telegram says "retry after 2 s", the bot's bulk sends wait that long.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import create_async_engine

from tests.adapters.telegram.fake_server import ORGANIZER, FakeTelegram, private_chat, user
from tests.e2e.conftest import BotProcess
from tests.e2e.people import button_data, eventually, pause
from tests.support.broadcast import add_subscribers

SUBSCRIBERS = 150
TEXT = "Vigil for the disappeared, Saturday 18:00. Bring a candle."
RATE = 25  # BROADCAST_TELEGRAM_RATE's default
TELEGRAM_LIMIT = 30  # what Telegram itself allows a bot in any second
RETRY_AFTER_S = 2
# The fake answers within 0.3 s: sends that left before the 429's answer came back still land.
IN_FLIGHT_S = 0.35
PEOPLE = [user(7300000000 + n, "ru" if n % 2 else "en", f"Person {n}") for n in range(4)]
ASKS_EACH = 5


def most_in_one_second(times: list[float]) -> int:
    times = sorted(times)
    return max(
        (sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times)), default=0
    )


async def subscribe_in_bulk(bot: BotProcess, fake: FakeTelegram) -> list[dict[str, Any]]:
    """150 people who subscribed to events some time ago (rows as /subscribe leaves them)."""
    people = [user(7200000000 + n, "en", f"Subscriber {n}") for n in range(SUBSCRIBERS)]
    for person in people:
        chat = private_chat(person)
        fake.chats[chat["id"]] = chat
    engine = create_async_engine(bot.database_url)
    try:
        await add_subscribers(engine, "telegram", [str(p["id"]) for p in people])
    finally:
        await engine.dispose()
    return people


async def keep_asking(fake: FakeTelegram, person: dict[str, Any]) -> list[int]:
    """A person sends /events about once a second; the message ids of the answers."""
    answers = []
    for _round in range(ASKS_EACH):
        [answer] = await fake.say(private_chat(person), person, "/events")
        assert answer.text
        answers.append(answer.message_id)
        await pause()
    return answers


async def test_replies_keep_coming_during_a_broadcast_which_keeps_the_pace_and_the_429_pause(
    bot: BotProcess, fake: FakeTelegram
) -> None:
    await bot.start()
    subscribers = await subscribe_in_bulk(bot, fake)
    chats = {p["id"] for p in subscribers}
    organizer = private_chat(ORGANIZER)
    [*_shown, preview] = await fake.say(organizer, ORGANIZER, f"/broadcast events {TEXT}", count=2)
    await fake.tap(preview, button_data(preview, "bcsend"), ORGANIZER)

    # The broadcast is under way: people ask, and Telegram floods once in the middle.
    await eventually(lambda: sum(TEXT in (s.text or "") for s in fake.sent) >= 20, within=20)
    fake.flood("sendMessage", retry_after=RETRY_AFTER_S)
    answers = await asyncio.gather(*(keep_asking(fake, person) for person in PEOPLE))

    await eventually(lambda: all(copies(fake, c) >= 1 for c in chats), within=60)
    await asyncio.sleep(2)  # long enough for a repeat to show up
    assert {c: copies(fake, c) for c in chats} == dict.fromkeys(chats, 1)

    # Every answer came while the broadcast was still being sent, not queued behind it.
    last_copy = max(s.message_id for s in fake.sent if s.chat_id in chats)
    assert all(answer < last_copy for per_person in answers for answer in per_person)

    sends = [c for c in fake.calls_to("sendMessage") if int(c.params["chat_id"]) in chats]
    arrivals = sorted(c.at for c in sends if c.status == 200)
    assert most_in_one_second(arrivals) < TELEGRAM_LIMIT
    paused = RETRY_AFTER_S  # the 429's pause is not part of the pace
    assert (len(arrivals) - 1) / (arrivals[-1] - arrivals[0] - paused) <= RATE
    [refused] = [c for c in fake.calls_to("sendMessage") if c.status == 429]
    during_pause = [
        c.at - refused.at
        for c in sends
        if refused.at + IN_FLIGHT_S < c.at < refused.at + RETRY_AFTER_S
    ]
    assert during_pause == [], "bulk sends waited as long as Telegram asked"


def copies(fake: FakeTelegram, chat_id: int) -> int:
    return sum(TEXT in (s.text or "") for s in fake.in_chat(chat_id))
