"""Step-by-step commands on Telegram: plain messages answer the bot's questions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.adapters.telegram import TelegramMessenger
from bot.core.chats import ChatEvents
from bot.core.commands import Arg, Command, Registry
from bot.core.dispatcher import Dispatcher
from bot.core.messages import Reply, Request
from bot.ratelimit import Unlimited
from content.i18n import CatalogTranslator
from tests.adapters.telegram.fake_server import (
    ALICE,
    GROUP,
    FakeTelegram,
    private_chat,
    running,
    user,
)
from tests.support.fakes import BareDeps, InMemoryStore

ADMIN = user(7355509999, "en", "Ada")


async def plan(request: Request, deps: None) -> Reply:
    """Echo what was gathered, step by step or all at once."""
    return Reply(f"Planned: {request.args[0]} at {request.args[1]}")


REGISTRY: Registry[None] = Registry(
    [
        Command(
            "plan",
            "Plan a vigil",
            plan,
            args=(
                Arg("title", "title", required=True, prompt="What is it called?"),
                Arg("place", "place", required=True, prompt="Where is it?"),
            ),
            changes_chat=True,
        )
    ]
)


@pytest.fixture
async def bot(
    fake: FakeTelegram,
    store: InMemoryStore,
    chat_events: ChatEvents,
    new_messenger: Callable[..., TelegramMessenger],
) -> AsyncIterator[TelegramMessenger]:
    translator = CatalogTranslator()
    dispatcher = Dispatcher(REGISTRY, BareDeps(store, translator), Unlimited())
    messenger = new_messenger(REGISTRY, translator, store, chat_events)
    async with running(messenger, dispatcher.dispatch, fake):
        yield messenger


async def test_plain_messages_answer_the_questions_in_a_private_chat(
    fake: FakeTelegram, bot: TelegramMessenger
) -> None:
    chat = private_chat(ALICE)
    [question] = await fake.say(chat, ALICE, "/plan")
    assert question.text is not None and question.text.startswith("What is it called?")
    [question] = await fake.say(chat, ALICE, "Vigil for <Chechnya>")
    assert question.text is not None and question.text.startswith("Where is it?")
    [done] = await fake.say(chat, ALICE, "Parliament Square")
    assert done.text == "Planned: Vigil for <Chechnya> at Parliament Square"
    assert done.html is not None and "&lt;Chechnya&gt;" in done.html


async def test_in_a_group_only_replies_to_the_bot_answer_and_admins_are_checked(
    fake: FakeTelegram, bot: TelegramMessenger
) -> None:
    fake.make_admin(GROUP["id"], ADMIN["id"])
    [question] = await fake.say(GROUP, ADMIN, "/plan@" + fake.bot_user["username"])
    # Ordinary group talk is not an answer (and privacy mode would not even deliver it).
    fake.message(GROUP, ADMIN, "lovely weather")
    reply: dict[str, Any] = {
        "message_id": question.message_id,
        "date": 0,
        "chat": GROUP,
        "from": fake.bot_user,
        "text": question.text,
    }
    [question] = await fake.say(GROUP, ADMIN, "Vigil", reply_to_message=reply)
    assert question.text is not None and question.text.startswith("Where is it?")
    answer = {**reply, "message_id": question.message_id}
    [done] = await fake.say(GROUP, ADMIN, "Berlin", reply_to_message=answer)
    assert done.text == "Planned: Vigil at Berlin"
    assert len(fake.calls_to("getChatMember")) == 1, "asked once, remembered for the answers"


async def test_an_answer_in_a_group_is_checked_for_the_command_it_completes(
    fake: FakeTelegram,
    store: InMemoryStore,
    chat_events: ChatEvents,
    new_messenger: Callable[..., TelegramMessenger],
) -> None:
    translator = CatalogTranslator()
    dispatcher = Dispatcher(REGISTRY, BareDeps(store, translator), Unlimited())
    # No caching, so each step shows whether the admin question was asked.
    messenger = new_messenger(REGISTRY, translator, store, chat_events, admin_ttl=0)
    fake.make_admin(GROUP["id"], ADMIN["id"])
    fake.chats[ADMIN["id"]] = private_chat(ADMIN)
    async with running(messenger, dispatcher.dispatch, fake):
        [question] = await fake.say(GROUP, ADMIN, "/plan@" + fake.bot_user["username"])
        assert len(fake.calls_to("getChatMember")) == 1
        fake.admins[GROUP["id"]].discard(ADMIN["id"])  # demoted while thinking
        reply = {
            "message_id": question.message_id,
            "date": 0,
            "chat": GROUP,
            "from": fake.bot_user,
            "text": question.text,
        }
        [refused] = await fake.answered(GROUP, ADMIN, "Vigil", reply_to_message=reply)
    assert len(fake.calls_to("getChatMember")) == 2, "the plain answer was checked too"
    assert refused.chat_id == ADMIN["id"], "refusals are private"
    assert (refused.text or "").startswith("Only this group's admins")
