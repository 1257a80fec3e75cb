"""What Telegram tells about a chat changes what is stored, through the core's ChatEvents.

A campaign link opened, the bot blocked (the chat is erased) or added back, a reply that finds
the chat gone, and a group that became a supergroup (it moves to its new id with its
subscriptions, it is not switched off).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.adapters.telegram import TelegramMessenger
from bot.app import Core
from bot.core.messages import Address, Reply
from bot.core.ports import RecipientGone
from tests.adapters.telegram.fake_server import (
    ALICE,
    BORIS,
    BOT_USERNAME,
    FakeTelegram,
    eventually,
    group_chat,
    private_chat,
)

OLD_GROUP = group_chat(-7399990002, kind="group", title="Old-style group")
SUPERGROUP_ID = -1007399990002


def at(chat_id: int) -> Address:
    return Address("telegram", str(chat_id))


def negated(check: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[bool]]:
    async def negation() -> bool:
        return not await check()

    return negation


async def subscribe_old_group(fake: FakeTelegram, core: Core) -> None:
    """Boris, the old group's owner, subscribes it to two topics (told privately)."""
    fake.make_admin(OLD_GROUP["id"], BORIS["id"], owner=True)
    fake.chats[BORIS["id"]] = private_chat(BORIS)
    for topic in ("events", "appeals"):
        [told] = await fake.answered(OLD_GROUP, BORIS, f"/subscribe@{BOT_USERNAME} {topic}")
        assert told.chat_id == BORIS["id"]
    prefs = await core.store.get_chat(at(OLD_GROUP["id"]))
    assert prefs is not None and prefs.topics == {"events", "appeals"}


async def assert_moved_with_its_topics(core: Core) -> None:
    async def moved() -> bool:
        # subscribers() reads the database itself; polling get_chat() would fill the store's
        # cache while the move is under way.
        return [p.address for p in await core.store.subscribers("events")] == [at(SUPERGROUP_ID)]

    await eventually(moved)
    assert [p.address for p in await core.store.subscribers("appeals")] == [at(SUPERGROUP_ID)]
    prefs = await core.store.get_chat(at(SUPERGROUP_ID))
    assert prefs is not None and prefs.topics == {"events", "appeals"}
    assert await core.store.get_chat(at(OLD_GROUP["id"])) is None


async def test_a_deep_link_start_is_counted_in_aggregate_and_greets(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    [greeting] = await fake.say(private_chat(ALICE), ALICE, "/start pride2026")
    await fake.say(private_chat(BORIS), BORIS, "/start pride2026")
    assert greeting.text is not None and greeting.text.startswith("Hello!")
    assert await core.store.campaign_starts() == {"pride2026": 2}


async def test_blocking_the_bot_erases_the_chat_and_unblocking_starts_afresh(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    chat = private_chat(ALICE)
    await fake.say(chat, ALICE, "/subscribe events")

    async def subscribed() -> bool:
        return bool(await core.store.subscribers("events"))

    fake.membership(chat, ALICE, "kicked")
    await eventually(negated(subscribed))
    assert await core.store.get_chat(at(ALICE["id"])) is None, "erased, not only switched off"
    fake.membership(chat, ALICE, "member")
    await fake.say(chat, ALICE, "/help")
    assert not await subscribed(), "nothing was kept to restore"


async def test_a_forbidden_reply_erases_the_chat(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    chat = private_chat(BORIS)
    await fake.say(chat, BORIS, "/subscribe petitions")
    fake.block(BORIS["id"])  # blocked, and Telegram's my_chat_member update got lost
    fake.message(chat, BORIS, "/donate")
    await fake.wait_until(lambda: fake.calls_to("sendMessage")[-1].status == 403)
    await eventually(negated(lambda: core.store.subscribers("petitions")))
    [ok] = await fake.say(private_chat(ALICE), ALICE, "/help")
    assert ok.text, "the bot keeps serving everyone else"


async def test_a_group_that_becomes_a_supergroup_keeps_its_subscriptions(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    await subscribe_old_group(fake, core)
    supergroup = fake.migrate(OLD_GROUP, SUPERGROUP_ID, BORIS)
    await assert_moved_with_its_topics(core)
    # The supergroup is the same group to the bot: its owner's settings carry on there.
    fake.make_admin(SUPERGROUP_ID, BORIS["id"], owner=True)
    [listing] = await fake.answered(supergroup, BORIS, f"/unsubscribe@{BOT_USERNAME}")
    assert listing.chat_id == BORIS["id"], "the group's settings, shown to its owner privately"
    assert len(listing.buttons) == 3, "events, appeals and stop all"
    # Its buttons, pressed in the private chat, still act for the group.
    [done] = await fake.tap(listing, listing.buttons[-1]["text"], BORIS)
    assert done.chat_id == BORIS["id"]
    await eventually(negated(lambda: core.store.subscribers("events")))
    assert await core.store.subscribers("appeals") == []
    assert [s.chat_id for s in fake.sent if s.chat_id == SUPERGROUP_ID] == []


async def test_a_reply_refused_because_the_group_moved_moves_the_chat(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    await subscribe_old_group(fake, core)
    # The move's service messages got lost; a command typed just before the move is answered
    # after it, and Telegram refuses the reply, naming the supergroup.
    fake.migrate(OLD_GROUP, SUPERGROUP_ID, BORIS, announce=False)
    fake.message(OLD_GROUP, BORIS, f"/donate@{BOT_USERNAME}")
    await fake.wait_until(lambda: fake.calls_to("sendMessage")[-1].status == 400)
    await assert_moved_with_its_topics(core)


async def test_sending_to_a_group_that_moved_names_its_new_address(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    fake.migrate(OLD_GROUP, SUPERGROUP_ID, BORIS, announce=False)
    with pytest.raises(RecipientGone) as gone:
        await tg.send(at(OLD_GROUP["id"]), Reply("News"))
    assert gone.value.moved_to == at(SUPERGROUP_ID)
    await tg.send(at(SUPERGROUP_ID), Reply("News"))
    assert [s.text for s in fake.in_chat(SUPERGROUP_ID)] == ["News"]
