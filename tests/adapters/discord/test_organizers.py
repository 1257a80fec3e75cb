"""Organizers on Discord, through the real adapter against the fake Discord: their commands are
slash commands hidden from members by default permissions, a campaign-wide broadcast works from
a server channel with an ephemeral preview and Confirm, and the second organizer's approval
request arrives in a DM the bot opens, where pressing Approve works."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from tests.adapters.discord.conftest import CYRILLIC, EPHEMERAL, JSON, Bot, answer
from tests.adapters.discord.fake_server import FakeDiscord
from tests.support.broadcast import add_subscribers

MANAGE_SERVER = 1 << 5
SECOND_ORGANIZER = 424242424242424242


@pytest.fixture
def settings(tmp_path: Path, fake: FakeDiscord) -> Settings:
    # The fake's ordinary member (no Manage Server) organizes, and so does someone else.
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'allybot.sqlite3'}",
        organizers=f"discord:{fake.member_id},discord:{SECOND_ORGANIZER}",  # type: ignore[arg-type]
        broadcast_second_approval_above=0,
    )


def synced(bot: Bot, name: str) -> JSON:
    _, commands = bot.fake.command_puts[-1]
    [command] = [c for c in commands if c["name"] == name]
    return command


def button(message: JSON, label: str) -> str:
    """The custom id of the button whose label has `label`."""
    for row in message.get("components", []):
        for component in row["components"]:
            if label in component.get("label", ""):
                return str(component["custom_id"])
    raise AssertionError(f"no {label!r} button in {message!r}")


async def test_organizer_and_admin_commands_are_slash_commands_hidden_from_members(
    bot: Bot,
) -> None:
    admin_commands = ("broadcast", "broadcasts", "cancel", "newevent", "editevent", "cancelevent")
    for name in (*admin_commands, "setup"):
        command = synced(bot, name)
        assert int(command["default_member_permissions"]) == MANAGE_SERVER, name
        assert set(command["description_localizations"]["ru"]) & CYRILLIC, name
    # Organizers only: in no server by default (its admins may grant it); in a DM with the bot.
    assert int(synced(bot, "approve")["default_member_permissions"]) == 0
    assert synced(bot, "approve")["contexts"] == [0, 1]
    for name in ("events", "donate", "help", "petition"):
        assert synced(bot, name)["default_member_permissions"] is None, name


async def test_an_organizers_campaign_wide_broadcast_from_a_server_channel_is_answered_privately(
    bot: Bot,
) -> None:
    fake = bot.fake
    await add_subscribers(bot.core.engine, "discord", ["1001", "1002"])
    # The organizer has no Manage Server here: a campaign-wide broadcast is theirs all the same.
    sent = await fake.slash("broadcast", {"audience": "events", "text": "Rally on Saturday"})
    preview = await answer(fake, sent)
    assert preview["flags"] & EPHEMERAL, preview
    assert "Only this group's admins" not in preview["content"]
    assert "Rally on Saturday" in preview["content"]

    confirm = await fake.press(preview, button(preview, "Confirm"))
    confirmed = await answer(fake, confirm)
    assert confirmed["flags"] & EPHEMERAL, confirmed
    assert "another organizer must approve" in confirmed["content"]


async def test_a_second_organizer_gets_the_approval_request_in_a_dm_and_approve_works(
    bot: Bot,
) -> None:
    fake, core = bot.fake, bot.core
    core.outbox["discord"] = bot.running
    await add_subscribers(core.engine, "discord", ["1001", "1002"])
    sent = await fake.slash(
        "broadcast", {"audience": "events", "text": "Letters this week"}, in_guild=False
    )
    preview = await answer(fake, sent)
    confirm = await fake.press(preview, button(preview, "Confirm"), in_guild=False)
    await answer(fake, confirm)

    # The bot opened a DM with the second organizer (not a "channel" named by their user id).
    await fake.wait_for(lambda: SECOND_ORGANIZER in fake.opened_dms)
    dm = fake.opened_dms[SECOND_ORGANIZER]
    await fake.wait_for(lambda: fake.channel_messages[dm])
    [request] = fake.channel_messages[dm]
    assert "Letters this week" in request["content"]
    assert not fake.channel_messages[SECOND_ORGANIZER]

    approval = await fake.press(
        request,
        button(request, "Approve"),
        in_guild=False,
        user_id=SECOND_ORGANIZER,
        dm_channel_id=dm,
    )
    approved = await answer(fake, approval)
    assert "Only campaign organizers" not in approved["content"]
    info = await core.broadcasts.get(int(button(request, "Approve").rsplit(" ", 2)[-2]))
    assert info is not None and info.approved_by is not None


async def test_a_members_refused_organizer_command_is_shown_only_to_them(bot: Bot) -> None:
    stranger = 515151515151515151
    refused = await answer(bot.fake, await bot.fake.slash("newevent", user_id=stranger))
    assert "Only campaign organizers" in refused["content"]
    assert refused["flags"] & EPHEMERAL, refused
    # What everyone may use is still answered for the channel.
    events = await answer(bot.fake, await bot.fake.slash("events", user_id=stranger))
    assert not events.get("flags", 0) & EPHEMERAL
