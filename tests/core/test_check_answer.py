"""Dispatcher.check_answer: a step-by-step answer checked as the chat checks it, nothing kept."""

from __future__ import annotations

import pytest

from bot.app import Core
from bot.core.commands import UserError
from bot.core.conversation import FREE_TEXT
from bot.core.messages import Address, Request

ORGANIZER = Address("console", "organizer")


def asking(*answers: str, user: str = "organizer", locale: str = "en") -> Request:
    return Request("eventform", answers, Address("console", user), user, locale=locale)


async def test_the_echo_is_the_chats(core: Core) -> None:
    check = core.dispatcher.check_answer
    assert await check(asking("Berlin")) == "Time zone: Europe/Berlin."
    echo = await check(asking("Berlin", "Vigil", "2026-12-05 19:00"))
    assert echo == "Starts: Saturday 5 December 2026, 19:00 (Europe/Berlin)."
    russian = await check(asking("Berlin", "Vigil", "5 декабря 19:00", locale="ru"))
    assert "суббота 5 декабря 2026" in russian


async def test_refusals_are_the_chats_and_nothing_is_remembered(core: Core) -> None:
    with pytest.raises(UserError, match="already passed"):
        await core.dispatcher.check_answer(asking("Berlin", "Vigil", "2020-01-01 10:00"))
    with pytest.raises(UserError, match="Only campaign organizers"):
        await core.dispatcher.check_answer(asking("Berlin", user="stranger"))
    # No step-by-step draft was left: a plain message is not taken as the next answer.
    reply = await core.dispatcher.dispatch(
        Request(FREE_TEXT, ("Vigil",), ORGANIZER, "organizer", locale="en")
    )
    assert reply is not None and "I answer commands" in reply.text
