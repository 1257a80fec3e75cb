"""Self-destruct end to end: the real process deletes a supporter's messages at the chosen time.

Alice chooses "delete after" in /settings with its button; from then on every message
the bot sends her (its replies, and an organizer's broadcast) is deleted through the fake Bot API
at the chosen time on the real clock, and the bot is stopped with SIGTERM and started again in
between: the schedule is in the database, so the deletions still come, and its rows go as they do.
The process offers 20 seconds (SELF_DESTRUCT_CHOICES) so the test fits in about a minute.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.adapters.telegram.fake_server import ALICE, ORGANIZER, FakeTelegram, private_chat
from tests.e2e.conftest import BotProcess, rows_until, stopped_at_the_end
from tests.e2e.people import button_data, pause

AFTER_S = 20
RALLY = "Rally at the embassy on Saturday, 14:00. Bring a friend and a sign."
# The fake answers after 100 to 300 ms and the loop looks once a second at most late: slack.
LATE_S = 5.0


@pytest.fixture
async def bot20(fake: FakeTelegram, database_url: str, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(
        fake,
        database_url,
        tmp_path,
        settings={"SELF_DESTRUCT_CHOICES": f"{AFTER_S}s,1h"},
    )
    async with stopped_at_the_end(process):
        yield process
    assert "Traceback" not in process.stderr, process.stderr


async def test_messages_go_at_the_chosen_time_across_a_restart(
    fake: FakeTelegram, bot20: BotProcess
) -> None:
    await bot20.start()
    chat = private_chat(ALICE)
    [subscribed] = await fake.say(chat, ALICE, "/subscribe events")
    await pause()
    [question] = await fake.say(chat, ALICE, "/settings deleteafter")
    # The choices come from the setting, in Alice's language, and off.
    labels = [str(b["text"]) for b in question.buttons]
    assert labels == ["20 seconds", "1 hour", "Off"], labels
    await pause()
    [chosen] = await fake.tap(question, "20 seconds", ALICE)
    assert "20 seconds" in (chosen.text or ""), chosen.text
    await pause()
    [donate, *_] = await fake.say(chat, ALICE, "/donate")
    # An organizer's broadcast reaches her too (through the send budget).
    _exact, preview = await fake.say(
        private_chat(ORGANIZER), ORGANIZER, f"/broadcast events {RALLY}", count=2
    )
    await pause()
    await fake.tap(preview, button_data(preview, "bcsend"), ORGANIZER)
    await fake.wait_until(
        lambda: any(RALLY in (s.text or "") for s in fake.in_chat(ALICE["id"])), within=20
    )
    doomed = [s for s in fake.in_chat(ALICE["id"]) if s.message_id >= chosen.message_id]
    assert len(doomed) >= 3
    # Each id is scheduled once Telegram has answered its send.
    await rows_until(
        bot20.database_url,
        "SELECT count(*) FROM message_deletions",
        lambda found: int(str(found[0][0])) >= len(doomed),
        within=5,
    )

    # Stopped and started again before any is due.
    code, _ = await bot20.stop()
    assert code == 0
    assert not fake.deleted, "nothing is deleted before its time"
    await bot20.start()

    await fake.wait_until(
        lambda: all((ALICE["id"], s.message_id) in fake.deleted for s in doomed),
        within=AFTER_S + 30,
    )
    sent_at = {s.message_id: fake._sent_at[(ALICE["id"], s.message_id)] for s in doomed}
    for message in doomed:
        waited = fake.deleted[(ALICE["id"], message.message_id)] - sent_at[message.message_id]
        assert AFTER_S - 1 <= waited <= AFTER_S + LATE_S, (message.text, waited)
    # What she saw before choosing stays; the schedule keeps nothing once done.
    assert (ALICE["id"], subscribed.message_id) not in fake.deleted
    assert any(RALLY in (s.text or "") for s in doomed)
    assert donate in doomed
    # Each row goes once Telegram has answered its deletion.
    await rows_until(
        bot20.database_url,
        "SELECT count(*) FROM message_deletions",
        lambda found: found == [(0,)],
        within=5,
    )
    # The organizer did not choose self-destruct: nothing of theirs went.
    assert not [key for key in fake.deleted if key[0] == ORGANIZER["id"]]
    assert time.time() - sent_at[chosen.message_id] < 120
