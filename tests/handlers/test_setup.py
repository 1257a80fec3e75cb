"""/setup chat-style through the real dispatcher, with the real SQLite stores and a hand-written
server probe standing in for the Discord adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import Core
from bot.core.messages import Address, ChatKind, Reply, Request
from bot.core.ports import TOPICS
from db.stores.setups import SqlServerSetups

SERVER = "900000000000000001"
GENERAL = "900000000000000010"
NEWS = "900000000000000011"
LOCKED = "900000000000000012"


@dataclass
class FakeProbe:
    """A server with three text channels; the bot may not send in #locked."""

    channels: dict[str, str] = field(
        default_factory=lambda: {GENERAL: "general", NEWS: "news", LOCKED: "locked"}
    )
    missing: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {LOCKED: ("Send Messages",)}
    )

    async def server_of(self, chat: Address) -> str | None:
        return SERVER if chat.chat_id in self.channels else None

    async def missing_permissions(self, server_id: str, channel_id: str) -> tuple[str, ...] | None:
        if server_id != SERVER or channel_id not in self.channels:
            return None
        return self.missing.get(channel_id, ())

    async def channel_name(self, server_id: str, channel_id: str) -> str | None:
        name = self.channels.get(channel_id)
        return "#" + name if name else None


Say = Callable[..., Awaitable[Reply]]


@dataclass
class World:
    core: Core
    setups: SqlServerSetups
    probe: FakeProbe
    say: Say


@pytest.fixture
async def world(core: Core) -> AsyncIterator[World]:
    setups = core.server_setups
    probe = FakeProbe()
    core.server_probes["discord"] = probe
    dispatcher = core.dispatcher

    async def say(
        *args: str,
        channel: str = GENERAL,
        admin: bool = True,
        platform: str = "discord",
        locale: str = "en",
        kind: ChatKind = ChatKind.GROUP,
    ) -> Reply:
        request = Request(
            "setup", args, Address(platform, channel), "42", kind, locale, is_chat_admin=admin
        )
        reply = await dispatcher.dispatch(request)
        assert reply is not None
        return reply

    yield World(core, setups, probe, say)


async def test_a_new_server_is_told_how_to_start(world: World) -> None:
    reply = await world.say()
    assert "no announcements yet" in reply.text and "/setup channel:" in reply.text
    assert reply.private


async def test_choosing_a_channel_subscribes_it_with_the_servers_choices(world: World) -> None:
    reply = await world.say("set", NEWS, "events petitions", "Asia/Yerevan", "ru")
    assert "#news" in reply.text and "Asia/Yerevan" in reply.text
    stored = await world.setups.get_setup("discord", SERVER)
    assert stored is not None
    assert (stored.channel_id, stored.topics, stored.timezone, stored.locale) == (
        NEWS,
        frozenset({"events", "petitions"}),
        "Asia/Yerevan",
        "ru",
    )
    chat = await world.core.store.get_chat(Address("discord", NEWS))
    assert chat is not None and chat.kind is ChatKind.GROUP
    assert (chat.topics, chat.timezone, chat.locale) == (
        frozenset({"events", "petitions"}),
        "Asia/Yerevan",
        "ru",
    )


async def test_all_topics_by_default_and_changes_keep_earlier_choices(world: World) -> None:
    await world.say("set", NEWS)
    first = await world.setups.get_setup("discord", SERVER)
    assert first is not None and first.topics == frozenset(TOPICS)
    await world.say("set", "", "", "Europe/Berlin")
    second = await world.setups.get_setup("discord", SERVER)
    assert second is not None
    assert (second.channel_id, second.topics, second.timezone) == (
        NEWS,
        frozenset(TOPICS),
        "Europe/Berlin",
    )


async def test_moving_to_another_channel_stops_the_old_one(world: World) -> None:
    await world.say("set", NEWS)
    await world.say("set", GENERAL)
    assert await world.core.store.get_chat(Address("discord", NEWS)) is None
    subscribers = await world.core.store.subscribers("events")
    assert [s.address.chat_id for s in subscribers] == [GENERAL]


async def test_a_channel_the_bot_cannot_post_in_is_refused_naming_the_permission(
    world: World,
) -> None:
    reply = await world.say("set", LOCKED)
    assert "Send Messages" in reply.text and "#locked" in reply.text
    assert await world.setups.get_setup("discord", SERVER) is None


async def test_a_channel_of_another_server_is_refused(world: World) -> None:
    reply = await world.say("set", "123")
    assert "can't find" in reply.text
    assert await world.setups.get_setup("discord", SERVER) is None


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("set", NEWS, "jokes"), "not one of"),
        (("set", NEWS, "", "Mars/Olympus"), "time zone"),
    ],
)
async def test_bad_choices_are_explained(
    world: World, args: tuple[str, ...], expected: str
) -> None:
    reply = await world.say(*args)
    assert expected in reply.text
    assert await world.setups.get_setup("discord", SERVER) is None


async def test_off_forgets_the_setup_and_the_channel(world: World) -> None:
    await world.say("set", NEWS)
    reply = await world.say("off")
    assert "off" in reply.text
    assert await world.setups.get_setup("discord", SERVER) is None
    assert await world.core.store.get_chat(Address("discord", NEWS)) is None
    assert "nothing to turn off" in (await world.say("off")).text


async def test_only_server_managers_may_change_it(world: World) -> None:
    reply = await world.say("set", NEWS, admin=False)
    assert "admins" in reply.text
    assert await world.setups.get_setup("discord", SERVER) is None


async def test_in_a_dm_or_on_another_platform_setup_says_where_it_works(world: World) -> None:
    dm = await world.say(channel="555", kind=ChatKind.PRIVATE)
    assert "channel of your server" in dm.text
    telegram = await world.say(platform="telegram")
    assert "Discord servers" in telegram.text


async def test_a_broken_setup_is_explained_at_the_next_setup(world: World) -> None:
    await world.say("set", NEWS)
    assert await world.setups.mark_broken("discord", NEWS, "missing:Send Messages") == 1
    shown = await world.say("show")
    assert "stopped" in shown.text and "Send Messages" in shown.text
    await world.say("set", NEWS)
    fixed = await world.setups.get_setup("discord", SERVER)
    assert fixed is not None and fixed.broken_reason is None


async def test_forgetting_the_announcement_channel_erases_the_servers_setup(
    world: World,
) -> None:
    await world.say("set", NEWS)
    await world.core.store.forget_chat(Address("discord", NEWS))
    # The setup names the channel: /forget there erases it too, and the server starts afresh.
    assert await world.setups.get_setup("discord", SERVER) is None
    shown = await world.say("show")
    assert "no announcements" in shown.text


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(topics=st.text(max_size=40), zone=st.text(max_size=30))
async def test_any_typed_topics_or_zone_get_an_answer_never_an_error(
    world: World, topics: str, zone: str
) -> None:
    reply = await world.say("set", NEWS, topics, zone)
    assert "Sorry" not in reply.text
    stored = await world.setups.get_setup("discord", SERVER)
    if stored is not None:
        assert stored.topics <= frozenset(TOPICS)


async def test_a_russian_admin_sets_up_with_russian_words_only(world: World) -> None:
    reply = await world.say("задать", NEWS, "События, петиции", "", "русский", locale="ru")
    assert reply.text.startswith("Готово.") and "Темы: события, петиции." in reply.text
    stored = await world.setups.get_setup("discord", SERVER)
    assert stored is not None
    assert (stored.topics, stored.locale) == (frozenset({"events", "petitions"}), "ru")
    await world.say("задать", NEWS, "все", locale="ru")
    stored = await world.setups.get_setup("discord", SERVER)
    assert stored is not None and stored.topics == frozenset(TOPICS)
    shown = await world.say("показать", locale="ru")
    assert "Темы: события, петиции, память, призывы." in shown.text
    wrong = await world.say("задать", NEWS, "котики", locale="ru")
    assert "«котики» не подходит. Возможные варианты: события, петиции, память, призывы, все." in (
        wrong.text
    )
    await world.say("выкл", locale="ru")
    assert await world.setups.get_setup("discord", SERVER) is None


async def test_english_setup_words_still_read_and_show_in_english(world: World) -> None:
    reply = await world.say("set", NEWS, "appeals", "", "Russian")
    assert "Topics: appeals." in reply.text
    stored = await world.setups.get_setup("discord", SERVER)
    assert stored is not None and stored.locale == "ru"
