"""Step-by-step commands on Telegram: plain messages answer the bot's questions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.adapters.telegram.messenger import TelegramMessenger
from bot.core.commands import Arg, Command, Registry
from bot.core.dispatcher import Dispatcher
from bot.core.messages import Reply, Request
from bot.ratelimit import Unlimited
from content.i18n import CatalogTranslator
from tests.adapters.telegram.fake_server import (
    TOKEN,
    FakeTelegram,
    group_chat,
    private_chat,
    running,
    user,
)
from tests.support.fakes import BareDeps, InMemoryStore

ALICE = user(7355501234, "en", "Alice")
ADMIN = user(7355509999, "en", "Ada")
GROUP = group_chat(-1007399990077)


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
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[TelegramMessenger]:
    store = InMemoryStore()
    translator = CatalogTranslator()
    dispatcher = Dispatcher(REGISTRY, BareDeps(store, translator), Unlimited())
    messenger = TelegramMessenger(
        TOKEN,
        REGISTRY,
        translator,
        store,
        frozenset(),
        base_url=fake.base_url,
        poll_timeout=1,
        retry_backoff=0.01,
        concurrent_updates=1,
    )
    async with running(messenger, dispatcher.dispatch, fake):
        yield messenger


async def test_plain_messages_answer_the_questions_in_a_private_chat(
    fake: FakeTelegram, bot: TelegramMessenger
) -> None:
    chat = private_chat(ALICE)
    fake.message(chat, ALICE, "/plan")
    [question] = await fake.replies(chat["id"])
    assert question.text is not None and question.text.startswith("What is it called?")
    fake.message(chat, ALICE, "Vigil for <Chechnya>")
    [question] = await fake.replies(chat["id"])
    assert question.text is not None and question.text.startswith("Where is it?")
    fake.message(chat, ALICE, "Parliament Square")
    [done] = await fake.replies(chat["id"])
    assert done.text == "Planned: Vigil for <Chechnya> at Parliament Square"
    assert done.html is not None and "&lt;Chechnya&gt;" in done.html


async def test_in_a_group_only_replies_to_the_bot_answer_and_admins_are_checked(
    fake: FakeTelegram, bot: TelegramMessenger
) -> None:
    fake.make_admin(GROUP["id"], ADMIN["id"])
    fake.message(GROUP, ADMIN, "/plan@" + fake.bot_user["username"])
    [question] = await fake.replies(GROUP["id"])
    # Ordinary group talk is not an answer (and privacy mode would not even deliver it).
    fake.message(GROUP, ADMIN, "lovely weather")
    reply: dict[str, Any] = {
        "message_id": question.message_id,
        "date": 0,
        "chat": GROUP,
        "from": fake.bot_user,
        "text": question.text,
    }
    fake.message(GROUP, ADMIN, "Vigil", reply_to_message=reply)
    [question] = await fake.replies(GROUP["id"])
    assert question.text is not None and question.text.startswith("Where is it?")
    fake.message(
        GROUP, ADMIN, "Berlin", reply_to_message={**reply, "message_id": question.message_id}
    )
    [done] = await fake.replies(GROUP["id"])
    assert done.text == "Planned: Vigil at Berlin"
