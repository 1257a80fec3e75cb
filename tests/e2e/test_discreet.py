"""Discreet mode end to end on Telegram: the real `allybot run` process against the fake Bot API
(100-300 ms a call), on the real clock, people acting about once a second.

Boris reads Russian, so his chat is discreet until he chooses (/start offers the choice; he
keeps it). Alice reads English and turns discreet mode off from the same offer. An organizer
creates an event starting in six to seven minutes and broadcasts to everyone
subscribed. Boris's announcement, broadcast and reminder arrive as "У вас новое сообщение"
(the message's first text is all a notification can show), each with protect_content and a
Show button that edits the very message to its full text; Alice gets every one in full. The
reminder is due one to two minutes after the event's creation and the loop ticks every 30 s,
so the test takes two to three minutes.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.adapters.telegram.fake_server import ALICE, BORIS, ORGANIZER, FakeTelegram, Sent
from tests.adapters.telegram.fake_server import private_chat as chat_of
from tests.e2e.conftest import BotProcess
from tests.e2e.people import button_data, pause, texts
from tests.e2e.test_organizer_day import EVENT_ZONE, LOOP_S, TITLE, callback, create_event

NEUTRAL = "У вас новое сообщение"
RALLY = "Rally at the embassy on Saturday at 18:00"
# The reminder (5 minutes before) is due 60 to 120 s after the event is made: the form takes
# about 20 s and the reminder loop plans the new event at its next tick (up to 30 s later); a
# reminder whose time has passed before it is planned is never sent, so it must not come sooner.
STARTS_AFTER = timedelta(minutes=6)


def starting_soon() -> tuple[datetime, datetime]:
    earliest = datetime.now(UTC) + STARTS_AFTER
    starts = (earliest + timedelta(minutes=1)).replace(second=0, microsecond=0)
    zone = ZoneInfo(EVENT_ZONE)
    return starts.astimezone(zone), (starts + timedelta(hours=1)).astimezone(zone)


def showing(fake: FakeTelegram, person: dict[str, Any], data: str) -> list[Sent]:
    """`person`'s messages with a Show button whose callback data starts with `data`."""
    return [
        sent
        for sent in fake.in_chat(person["id"])
        if any(str(b.get("callback_data", "")).startswith(data) for b in sent.buttons)
    ]


async def neutral_then_shown(fake: FakeTelegram, data: str, within: float, full: str) -> Sent:
    """Boris's neutral message whose Show button starts with `data`: protected, nothing in it
    but the neutral line; he presses Show and the same message becomes the full text."""
    try:
        await fake.wait_until(lambda: bool(showing(fake, BORIS, data)), within=within)
    except TimeoutError:
        got = [
            (s.first_text, [b.get("callback_data") for b in s.buttons])
            for s in fake.in_chat(BORIS["id"])
        ]
        raise AssertionError(f"no {data!r} within {within:.0f}s; Boris has {got}") from None
    [sent] = showing(fake, BORIS, data)
    assert sent.text == NEUTRAL and sent.protect, sent
    await pause()
    fake.press(sent, "Показать", BORIS)
    await fake.wait_until(lambda: sent.text != NEUTRAL, within=10)
    assert sent.first_text == NEUTRAL
    assert full in (sent.text or ""), sent.text
    assert not [b for b in sent.buttons if str(b.get("callback_data", "")).startswith("show ")]
    return sent


def full_copy(fake: FakeTelegram, person: dict[str, Any], words: str) -> Sent | None:
    return next((s for s in fake.in_chat(person["id"]) if words in (s.text or "")), None)


# Longer than the suite's 120 s: the reminder comes minutes after the event is created.
@pytest.mark.timeout(300)
async def test_a_discreet_chat_gets_neutral_protected_messages_that_show_in_full(
    fake: FakeTelegram, bot: BotProcess
) -> None:
    await bot.start()
    ru = texts("ru")

    async def get_ready(person: dict[str, Any], discreet: bool) -> None:
        chat = chat_of(person)
        [start] = await fake.say(chat, person, "/start")
        offer = texts(person["language_code"])(
            "Discreet mode is on." if discreet else "Discreet mode is off."
        )
        assert offer in (start.text or ""), start.text
        assert start.protect is discreet
        if not discreet:
            # Alice chooses from the offer: off, as it already is for an English chat.
            await pause()
            [off] = await fake.tap(start, "Discreet mode off", person)
            assert "full text" in (off.text or ""), off.text
        for line in ("/settings quiet off", "/subscribe events", "/reminders 5m"):
            await pause()
            [answer] = await fake.say(chat, person, line)
            assert answer.protect is discreet, (line, answer)

    await asyncio.gather(get_ready(BORIS, True), get_ready(ALICE, False))

    starts, ends = starting_soon()
    preview = await create_event(fake, ORGANIZER, starts, ends)
    await pause()
    [published] = await fake.tap(preview, button_data(preview, "eventdraft"), ORGANIZER)
    assert (published.text or "").startswith("Published."), published.text
    event_id = callback(published, "ics ").split()[1]

    # The organizer broadcasts while the announcement is on its way.
    exact, broadcast_preview = await fake.say(
        chat_of(ORGANIZER), ORGANIZER, f"/broadcast events {RALLY}", count=2
    )
    assert exact.text == RALLY
    await pause()
    await fake.tap(broadcast_preview, button_data(broadcast_preview, "bcsend"), ORGANIZER)

    new_event = ru("📣 New event: “{title}”").format(title=TITLE)
    await neutral_then_shown(fake, f"show r {event_id} announce ", LOOP_S, new_event)
    await neutral_then_shown(fake, "show b ", 30, RALLY)
    # Alice's copies are whole and may be forwarded.
    await fake.wait_until(lambda: full_copy(fake, ALICE, RALLY) is not None, within=10)
    for words in ("📣 New event: “Vigil”", RALLY):
        copy = full_copy(fake, ALICE, words)
        assert copy is not None and not copy.protect, words

    # The reminder, five minutes before the start.
    due = starts - timedelta(minutes=5)
    wait_s = (due - datetime.now(UTC)).total_seconds() + LOOP_S
    reminder = ru("⏰ Reminder: “{title}” starts in {lead}.").split("{lead}")[0].format(title=TITLE)
    try:
        await neutral_then_shown(fake, f"show r {event_id} event 5", wait_s, reminder)
    except AssertionError as error:
        alice = [s.text for s in fake.in_chat(ALICE["id"])][-3:]
        raise AssertionError(f"{error}\nAlice: {alice}\nlog: {bot.stderr[-4000:]}") from None
    await fake.wait_until(lambda: full_copy(fake, ALICE, "⏰ Reminder") is not None, within=10)
    assert not full_copy(fake, ALICE, "⏰ Reminder").protect  # type: ignore[union-attr]
    # Nothing but the neutral line was ever sent to Boris unprompted, and all of it protected.
    unprompted = [s for s in fake.in_chat(BORIS["id"]) if s.earlier]
    assert len(unprompted) == 3 and all(s.first_text == NEUTRAL and s.protect for s in unprompted)
    assert not [
        c
        for c in fake.calls_to("sendMessage")
        if RALLY in str(c.params.get("text")) and int(c.params["chat_id"]) == BORIS["id"]
    ]
