"""Broadcast flows: strangers refused at the first step, and only a draft's writer confirms it.

The real core (dispatcher, handlers, BroadcastService) on SQLite and on PostgreSQL; nothing is
fanned out here, so no service runs: these tests stop at the confirm.
"""

from __future__ import annotations

import pytest

from bot.app import Core
from bot.core.broadcast.compose import compose
from bot.core.broadcast.values import HERE, BroadcastInfo, BroadcastState, NewBroadcast
from bot.core.messages import ActionButton, Address, ChatKind, Reply
from bot.settings import Settings
from tests.support.broadcast import Bot, add_subscribers, bot_of
from tests.support.settings import settings_on

ORGANIZER, SECOND = "organizer", "second"
GROUP = {"chat": "-100777", "kind": ChatKind.GROUP, "platform": "telegram", "admin": True}


@pytest.fixture
def settings(migrated_database_url: str) -> Settings:
    return settings_on(migrated_database_url, organizers="console:organizer,console:second")


@pytest.fixture
def bot(core: Core) -> Bot:
    return bot_of(core)


def confirm_of(reply: Reply) -> str:
    [button] = [b for b in reply.buttons if isinstance(b, ActionButton) and b.command == "bcsend"]
    return " ".join(("/bcsend", *button.args))


async def stored(bot: Bot, reply: Reply) -> BroadcastInfo:
    """The broadcast a preview's Confirm button names."""
    info = await bot.service.get(int(confirm_of(reply).split()[1]))
    assert info is not None
    return info


async def test_a_stranger_is_refused_at_the_first_step_and_left_no_draft(bot: Bot) -> None:
    for line in ("/bcwrite events", "/bcwrite here", "/broadcast"):
        refused = await bot.say(line, chat="supporter")
        assert refused.text.startswith("Only campaign organizers"), line
        assert "I answer commands" in (await bot.say("now", chat="supporter")).text
    member = await bot.say("/bcwrite here", user="member", **{**GROUP, "admin": False})  # type: ignore[arg-type]
    assert member.text.startswith("Only campaign organizers")
    assert await bot.service.recent(None) == []


async def test_an_organizer_and_a_group_admin_write_step_by_step(bot: Bot) -> None:
    await add_subscribers(bot.core.engine, "telegram", ["t1"])
    for line, who in (
        ("/bcwrite events", {"chat": ORGANIZER}),
        ("/bcwrite here", {"user": "55", **GROUP}),
    ):
        question = await bot.say(line, **who)  # type: ignore[arg-type]
        assert "When should it go out?" in question.text, who
        assert "Now write the message" in (await bot.say("now", **who)).text  # type: ignore[arg-type]
        preview = await bot.say("Rally tonight", **who)  # type: ignore[arg-type]
        assert "Nothing is sent until you press Confirm" in preview.text
        expected = Address(who.get("platform", "console"), who.get("user", ORGANIZER))
        assert (await stored(bot, preview)).created_by == expected


async def test_only_the_admin_who_wrote_it_confirms_a_group_broadcast(bot: Bot) -> None:
    preview = await bot.say("/broadcast here now Meeting tonight", user="55", **GROUP)  # type: ignore[arg-type]
    # Another admin of the same group may manage it (cancel) but never send it.
    refused = await bot.say(confirm_of(preview), user="66", **GROUP)  # type: ignore[arg-type]
    assert "Only the organizer who wrote a broadcast can confirm it." in refused.text
    info = await stored(bot, preview)
    assert info.state is BroadcastState.DRAFT and info.created_by == Address("telegram", "55")
    started = await bot.say(confirm_of(preview), user="55", **GROUP)  # type: ignore[arg-type]
    assert "Only" not in started.text
    assert (await stored(bot, preview)).state is not BroadcastState.DRAFT


async def test_only_the_organizer_who_wrote_it_confirms_a_campaign_broadcast(bot: Bot) -> None:
    await add_subscribers(bot.core.engine, "telegram", ["t1", "t2"])
    preview = await bot.say("/broadcast events now Rally", chat=ORGANIZER)
    refused = await bot.say(confirm_of(preview), chat=SECOND)
    assert "Only the organizer who wrote a broadcast can confirm it." in refused.text
    assert (await stored(bot, preview)).state is BroadcastState.DRAFT


async def test_a_draft_without_a_recorded_writer_is_confirmed_by_nobody(bot: Bot) -> None:
    """Drafts stored before writers were always recorded: nobody can send them any more."""
    group = Address("telegram", "-100777")
    info = await bot.service.draft(
        NewBroadcast(
            audience=HERE,
            message=compose("Meeting tonight"),
            origin=group,
            locale="en",
            created_by=None,
            send_at=None,
            target=group,
        )
    )
    for who in ({"chat": ORGANIZER}, {"user": "55", **GROUP}):
        refused = await bot.say(f"/bcsend {info.id}", **who)  # type: ignore[arg-type]
        assert "Only the organizer who wrote a broadcast can confirm it." in refused.text, who
    stored = await bot.service.get(info.id)
    assert stored is not None and stored.state is BroadcastState.DRAFT
