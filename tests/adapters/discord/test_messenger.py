"""The Discord messenger's own work end to end, against the fake Discord: staying connected,
delivering announcements and saying why one could not go, and keeping ids and tokens out of
the logs."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace
from typing import Any

import pytest

from bot.adapters.discord import DiscordLoginError, DiscordMessenger, build_discord
from bot.app import Core
from bot.core.messages import Address, Attachment, Reply
from bot.core.ports import RecipientGone
from bot.settings import Settings
from tests.adapters.discord.conftest import Bot, answer, set_up
from tests.adapters.discord.fake_server import FakeDiscord

# ---- connection ---------------------------------------------------------------------------


async def test_the_bot_survives_losing_the_gateway(bot: Bot) -> None:
    await bot.fake.drop_gateway()
    await bot.fake.wait_for(lambda: bot.fake.resume_count + bot.fake.identify_count >= 2, 15)
    interaction = await bot.fake.slash("donate")
    assert (await answer(bot.fake, interaction))["content"]
    assert bot.task is not None and not bot.task.done()


async def test_a_wrong_token_stops_with_a_clear_error_naming_the_setting(
    fake: FakeDiscord, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    messenger = DiscordMessenger(
        "wrong.token.value", core.registry, core.translator, core.server_setups
    )
    with pytest.raises(DiscordLoginError, match="DISCORD_BOT_TOKEN"):
        await asyncio.wait_for(messenger.run(core.dispatcher.dispatch), 10)
    assert "wrong.token.value" not in caplog.text


async def test_a_token_revoked_while_running_is_retried_not_fatal(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    fake = bot.fake
    fake.token = "a.new.token"  # reset in the developer portal
    await fake.dispatch_op(9, False)  # Discord ends the session: the bot must identify again
    for _ in range(150):
        if "rejected the bot token" in caplog.text:
            break
        await asyncio.sleep(0.1)
    assert "rejected the bot token" in caplog.text
    assert bot.task is not None and not bot.task.done()
    assert "a.new.token" not in caplog.text


async def test_discord_unreachable_at_start_is_retried_not_fatal(
    fake: FakeDiscord, core: Core
) -> None:
    fake.fail(r"^/users/@me$", 502, times=1)
    fake.fail(r"^/users/@me$", 404, 0, "Not Found", times=1)
    bot = Bot(core, fake)
    try:
        messenger = await bot.start()
        assert messenger.reconnects == 1
        assert (await answer(fake, await fake.slash("donate")))["content"]
    finally:
        await bot.stop()


def test_build_discord_reads_the_token_and_wires_the_probe_and_sent_messages(core: Core) -> None:
    probes: dict[str, Any] = {}
    parts = SimpleNamespace(
        settings=Settings(_env_file=None, discord_bot_token="abc.def"),
        registry=core.registry,
        translator=core.translator,
        server_setups=core.server_setups,
        server_probes=probes,
        chat_events=core.chat_events,
    )
    messenger = build_discord(parts)
    assert probes == {"discord": messenger.probe}
    # Its answers are reported for self-destruct like every post.
    assert messenger.interactions.sent_messages is core.chat_events
    with pytest.raises(ValueError, match="DISCORD_BOT_TOKEN"):
        build_discord(SimpleNamespace(settings=Settings(_env_file=None)))


# ---- delivery -----------------------------------------------------------------------------


async def test_a_429_on_send_is_waited_out_and_counted(bot: Bot) -> None:
    channel = bot.channel("general")
    bot.fake.fail(rf"/channels/{channel.chat_id}/messages", 429, retry_after=0.1)
    await bot.running.send(channel, Reply("News"))
    assert [m["content"] for m in bot.fake.channel_messages[int(channel.chat_id)]] == ["News"]
    assert bot.fake.rate_limited == 1
    assert bot.running.rate_limited == 1


@pytest.mark.parametrize(
    ("to", "status", "code", "reason"),
    [
        ("dm", 403, 50007, ""),  # the user closed their DMs
        ("general", 403, 50013, "missing:Send Messages"),
        ("general", 404, 10003, "unknown_channel"),
        ("general", 404, 10008, ""),
    ],
    ids=["closed-dm", "missing-permissions", "unknown-channel", "other-not-found"],
)
async def test_a_refused_send_means_the_recipient_is_gone_and_says_why(
    bot: Bot, to: str, status: int, code: int, reason: str
) -> None:
    address = Address("discord", str(bot.fake.dm_channel_id)) if to == "dm" else bot.channel(to)
    bot.fake.fail(rf"/channels/{address.chat_id}/messages", status, code, "Refused")
    with pytest.raises(RecipientGone) as gone:
        await bot.running.send(address, Reply("Hi"))
    assert gone.value.reason == reason


async def test_a_message_discord_refuses_is_dropped_not_retried(bot: Bot) -> None:
    channel = bot.channel("general")
    bot.fake.fail(rf"/channels/{channel.chat_id}/messages", 400, 50035, "Invalid Form Body")
    await bot.running.send(channel, Reply("x"))
    assert bot.fake.channel_messages[int(channel.chat_id)] == []


async def test_a_file_goes_with_an_announcement(bot: Bot) -> None:
    channel = bot.channel("general")
    reply = Reply("Event", attachment=Attachment("e.ics", b"BEGIN:VCALENDAR", "text/calendar"))
    await bot.running.send(channel, reply)
    assert bot.fake.message_files[int(channel.chat_id)] == [("e.ics", b"BEGIN:VCALENDAR")]


# ---- privacy ------------------------------------------------------------------------------


async def test_no_token_or_id_reaches_the_logs_in_a_whole_run(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = bot.fake
    await bot.restart()
    for command in bot.registry.visible():
        await answer(fake, await fake.slash(command.name, admin=True))
    await set_up(bot, "announcements")
    general = fake.guild.channels["general"]
    fake.fail(rf"/channels/{general}/messages", 429, retry_after=0.05)
    await bot.running.send(Address("discord", str(general)), Reply("News"))
    fake.fail(rf"/channels/{fake.dm_channel_id}/messages", 403, 50007, "Cannot send")
    with pytest.raises(RecipientGone):
        await bot.running.send(Address("discord", str(fake.dm_channel_id)), Reply("x"))
    await fake.drop_gateway()
    await fake.wait_for(lambda: fake.resume_count >= 1, 15)
    await answer(fake, await fake.slash("donate", in_guild=False))

    logged = "\n".join(
        caplog.handler.format(record) for record in caplog.records if record.levelno >= logging.INFO
    )
    assert "rate limited" in logged  # the run did log, and the 429 was among it
    secrets = [
        fake.token,
        *map(
            str,
            (
                fake.member_id,
                fake.admin_id,
                fake.dm_channel_id,
                fake.guild.id,
                fake.app_id,
                *fake.guild.channels.values(),
            ),
        ),
    ]
    for secret in secrets:
        assert secret not in logged
