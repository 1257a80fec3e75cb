"""Discreet mode and self-destruct on Discord (and a writer's news on Telegram), end to end: the
real `allybot run` process against the fake Discord (50-150 ms a REST call) and the fake Bot API,
on the real clock, people acting about once a second.

- The Discord organizer chose discreet mode in their DM with the bot. Another organizer's
  broadcast needs their approval: the request arrives in that DM as the neutral line with Show
  (never the broadcast's text); Show edits it to the request with Approve, and they approve.
  The writer's Telegram chat is discreet too: the news that it was approved and that it
  finished arrive as the neutral line, protected, and Show gives the broadcast's state.
- Dana chose "delete after" 20 seconds in her DM: the bot's answers to her slash commands there
  (not the ephemeral ones, which Discord removes itself) and to what she types are deleted
  through DELETE /channels/<dm>/messages/<id> 20 seconds after they were posted.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.adapters.discord.fake_payloads import JSON, snowflake
from tests.adapters.discord.fake_server import Interaction
from tests.adapters.telegram.fake_server import ALICE, ORGANIZER, FakeTelegram, Sent, private_chat
from tests.e2e.conftest import BotProcess, rows_until, stopped_at_the_end
from tests.e2e.discord import LaggyDiscord, answer, button, content, ephemeral
from tests.e2e.people import button_data, eventually, pause

AFTER_S = 20
# The fake answers after 50 to 300 ms and the deletion loop wakes for the earliest due one.
LATE_S = 5.0
NEUTRAL_EN = "You have a new update"
NEUTRAL_RU = "У вас новое сообщение"
UPDATE_MESSAGE = 7
PLAN = "Meet at the usual place on Saturday at 18:00"


@pytest.fixture
async def process(
    fake: FakeTelegram, discord: LaggyDiscord, database_url: str, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    """Both fakes; organizers on Telegram and Discord; every campaign-wide broadcast needs a
    second organizer's approval; "delete after" offers 20 seconds."""
    bot = BotProcess(
        fake,
        database_url,
        tmp_path,
        discord=discord,
        settings={
            "ORGANIZERS": f"telegram:{ORGANIZER['id']},discord:{discord.organizer_id}",
            "BROADCAST_SECOND_APPROVAL_ABOVE": "0",
            "SELF_DESTRUCT_CHOICES": f"{AFTER_S}s,1h",
        },
    )
    async with stopped_at_the_end(bot):
        yield bot
    assert "Traceback" not in bot.stderr, bot.stderr


async def shown_on_telegram(fake: FakeTelegram, sent: Sent, label: str) -> str:
    """The organizer presses Show under `sent`: the same message's text afterwards."""
    await pause()
    fake.press(sent, label, ORGANIZER)
    await fake.wait_until(lambda: sent.text not in (NEUTRAL_EN, NEUTRAL_RU), within=10)
    return sent.text or ""


async def test_a_discreet_organizers_approval_request_and_a_writers_news_are_neutral(
    fake: FakeTelegram, discord: LaggyDiscord, process: BotProcess
) -> None:
    await process.start()
    organizer = discord.organizer_id
    # Their DM with the bot: the same channel whether they open it or the bot does.
    dm = discord.opened_dms.setdefault(organizer, snowflake())
    chosen = await discord.dm_slash(
        "settings", {"what": "discreet", "value": "on"}, user_id=organizer, dm=dm
    )
    assert "Show" in content(await answer(discord, chosen))
    await pause()
    [discreet] = await fake.say(private_chat(ORGANIZER), ORGANIZER, "/settings discreet on")
    assert discreet.protect
    await pause()
    await fake.say(private_chat(ALICE), ALICE, "/subscribe events")

    await pause()
    exact, preview = await fake.say(
        private_chat(ORGANIZER), ORGANIZER, f"/broadcast events {PLAN}", count=2
    )
    # What the writer asked to see is there in full, and protected.
    assert exact.text == PLAN and exact.protect
    await pause()
    [confirmed] = await fake.tap(preview, button_data(preview, "bcsend"), ORGANIZER)
    assert "another organizer must approve it" in (confirmed.text or ""), confirmed.text

    # The approval request: only the neutral line in the organizer's DM, with Show.
    await discord.wait_for(lambda: bool(discord.channel_messages[dm]), within=15)
    [asked] = discord.channel_messages[dm]
    assert content(asked) == NEUTRAL_EN and PLAN not in str(asked), asked
    assert not discord.posted(dm, PLAN) and not discord.channel_messages[organizer]
    await pause()
    press = await discord.press(
        asked, button(asked, "Show"), in_guild=False, user_id=organizer, dm_channel_id=dm
    )
    shown = await discord.wait_callback(press)
    assert shown["type"] == UPDATE_MESSAGE and PLAN in shown["data"]["content"], shown
    await pause()
    full = {**asked, **shown["data"]}
    approval = await discord.press(
        full, button(full, "Approve"), in_guild=False, user_id=organizer, dm_channel_id=dm
    )
    assert content(await answer(discord, approval)).startswith("Approved.")

    # Alice gets the broadcast; the writer hears it was approved and that it finished, each
    # as the neutral line alone, protected, with Show.
    await fake.wait_until(
        lambda: any(PLAN in (s.text or "") for s in fake.in_chat(ALICE["id"])), within=20
    )

    def news() -> list[Sent]:
        # Everything the bot sent the writer on its own after their Confirm was answered.
        return [s for s in fake.in_chat(ORGANIZER["id"]) if s.message_id > confirmed.message_id]

    # The report that it finished follows the broadcast's state (polled in the database more
    # often than a Telegram round trip takes, so it is seen first).
    await rows_until(
        process.database_url,
        "SELECT state FROM broadcasts",
        lambda found: found == [("done",)],
        within=30,
        poll_s=0.02,
    )
    done_at = time.time()

    def finished() -> list[Sent]:
        return [s for s in news() if fake._sent_at[(ORGANIZER["id"], s.message_id)] > done_at]

    await fake.wait_until(lambda: bool(finished()), within=20)
    # Approved, perhaps a progress report, and finished: the neutral line alone, protected.
    assert len(news()) >= 2
    assert all(s.first_text == NEUTRAL_EN and s.protect for s in news()), news()
    for call in fake.calls_to("sendMessage"):
        if int(call.params["chat_id"]) == ORGANIZER["id"]:
            text = str(call.params.get("text"))
            assert "approved by a second organizer" not in text and "finished" not in text
    [report] = finished()
    after = await shown_on_telegram(fake, report, "Show")
    assert after.startswith("#") and "finished" in after and "sent 1" in after, after


def answer_id(discord: LaggyDiscord, interaction: Interaction) -> int:
    """The id of the message an interaction was answered with (after a deferral, the first
    follow-up)."""
    return (
        discord.response_messages.get(interaction.id)
        or (discord.followup_messages[interaction.token][0])
    )


@pytest.mark.timeout(180)
async def test_discord_answers_go_at_the_chosen_time_ephemeral_ones_are_left_to_discord(
    fake: FakeTelegram, discord: LaggyDiscord, process: BotProcess
) -> None:
    await process.start()
    dana, dm = snowflake(), snowflake()

    async def slash(name: str, options: dict[str, str]) -> tuple[Interaction, JSON]:
        await pause()
        interaction = await discord.dm_slash(name, options, user_id=dana, dm=dm)
        return interaction, await answer(discord, interaction)

    before, _ = await slash("donate", {})
    chose, chosen = await slash("settings", {"what": "deleteafter", "value": f"{AFTER_S}s"})
    assert "From now on I delete each message I send in this chat" in content(chosen)
    # Settings are the asker's own business: ephemeral, for Discord to remove.
    assert ephemeral(chosen)
    donate, _ = await slash("donate", {})
    events, _ = await slash("events", {})
    await pause()
    await discord.dm_message("hello", user_id=dana, dm_channel_id=dm)
    await discord.wait_for(lambda: bool(discord.channel_messages[dm]), within=10)
    doomed = [
        answer_id(discord, donate),
        answer_id(discord, events),
        *(int(m["id"]) for m in discord.channel_messages[dm]),
    ]

    await eventually(
        lambda: all((dm, m) in discord.deleted_messages for m in doomed), within=AFTER_S + 30
    )
    for message_id in doomed:
        waited = discord.deleted_messages[(dm, message_id)] - discord.posted_at[message_id]
        assert AFTER_S - 1 <= waited <= AFTER_S + LATE_S, waited
    deleted = {m for _, m in discord.deleted_messages}
    # What came before she chose stays; the ephemeral answer was never the bot's to delete.
    assert answer_id(discord, before) not in deleted
    assert answer_id(discord, chose) not in deleted
    assert not [key for key in discord.deleted_messages if key[0] != dm]
