"""Paid broadcasts on Telegram, end to end: the real `allybot run` process with
BROADCAST_TELEGRAM_PAID=true against the fake Bot API, on the real clock.

The organizer sees what the broadcast costs in Stars and how long it takes before Confirm; after
Confirm each subscriber's copy goes with allow_paid_broadcast, while the organizer's own
messages (the preview, progress and the final report) never pay.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.telegram.fake_server import ALICE, BORIS, ORGANIZER, FakeTelegram, private_chat
from tests.e2e.conftest import BotProcess, stopped_at_the_end
from tests.e2e.people import button_data, pause, texts

RALLY = "Rally at the embassy on Saturday, 14:00. Bring a friend and a sign."
PAID = {"BROADCAST_TELEGRAM_PAID": "true", "BROADCAST_TELEGRAM_RATE": "100"}


@pytest.fixture
async def paid(fake: FakeTelegram, database_url: str, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """The real process with Telegram's paid lane on at 100 messages a second (not started)."""
    process = BotProcess(fake, database_url, tmp_path, settings=PAID)
    async with stopped_at_the_end(process):
        yield process
    assert "Traceback" not in process.stderr, process.stderr


async def subscribe(fake: FakeTelegram, *people: dict[str, Any]) -> None:
    for person in people:
        _ = texts(person["language_code"])
        [done] = await fake.say(private_chat(person), person, "/subscribe events")
        assert _("Done: you will get reminders about {topic}.").split("{")[0] in (done.text or "")
        await pause()


def paid_flags(fake: FakeTelegram, chat_id: int) -> list[object]:
    """allow_paid_broadcast as each message to `chat_id` carried it (None: left out)."""
    return [
        call.params.get("allow_paid_broadcast")
        for call in fake.calls_to("sendMessage")
        if call.params.get("chat_id") == chat_id
    ]


async def preview_of_a_rally(fake: FakeTelegram) -> Any:
    """The organizer writes a campaign-wide broadcast in one line; returns the preview."""
    exact, preview = await fake.say(
        private_chat(ORGANIZER), ORGANIZER, f"/broadcast events {RALLY}", count=2
    )
    assert exact.text == RALLY
    return preview


async def test_the_organizer_sees_the_stars_and_the_duration_before_confirm(
    fake: FakeTelegram, paid: BotProcess
) -> None:
    await paid.start()
    await subscribe(fake, ALICE, BORIS)
    preview = await preview_of_a_rally(fake)
    assert (
        "Paid broadcast on Telegram: at most 1 Telegram Star from the bot's balance, "
        "about 1 second (100 messages a second)."
    ) in (preview.text or ""), preview.text
    assert "Nothing is sent until you press Confirm." in (preview.text or "")
    assert not paid_flags(fake, ALICE["id"])[1:], "only the /subscribe answer reached Alice"
    assert set(paid_flags(fake, ORGANIZER["id"])) == {None}, "the preview never pays"


async def test_subscribers_copies_pay_and_the_organizers_messages_never_do(
    fake: FakeTelegram, paid: BotProcess
) -> None:
    # Needs the sender to mark campaign-wide broadcasts paid (Reply.paid) when the platform has
    # a paid lane: the delivery engine's part of #13.
    await paid.start()
    await subscribe(fake, ALICE, BORIS)
    preview = await preview_of_a_rally(fake)
    await pause()
    await fake.tap(preview, button_data(preview, "bcsend"), ORGANIZER)
    await fake.wait_until(
        lambda: any(RALLY in (s.text or "") for s in fake.in_chat(ALICE["id"])), within=20
    )
    # Boris reads Russian, so his chat is discreet (it never chose): his copy is the neutral
    # line with Show, and it goes through the paid lane like everyone's.
    await fake.wait_until(
        lambda: any(
            b.get("callback_data", "").startswith("show b ")
            for s in fake.in_chat(BORIS["id"])
            for b in s.buttons
        ),
        within=20,
    )
    await fake.wait_until(
        lambda: any("finished" in (s.text or "") for s in fake.in_chat(ORGANIZER["id"])),
        within=20,
    )
    for person in (ALICE, BORIS):
        # The /subscribe answer went free; the broadcast's copy paid.
        assert paid_flags(fake, person["id"]) == [None, True], person["first_name"]
    assert set(paid_flags(fake, ORGANIZER["id"])) == {None}, "preview, progress, report: free"
