"""The core's step-by-step forms check each answer as it is given (Arg.check) and offer values
as buttons that answer the question (Arg.offer), whichever handlers use them."""

from __future__ import annotations

from typing import Any

from bot.core.commands import MAX_ACTION_BYTES, Arg, Command, Registry, UserError
from bot.core.conversation import FREE_TEXT, Conversations, MemoryDrafts
from bot.core.dispatcher import Dispatcher
from bot.core.messages import ActionButton, Address, Reply, Request
from bot.ratelimit import Unlimited
from content.i18n import CatalogTranslator
from tests.support.fakes import BareDeps, InMemoryStore

CHAT = Address("console", "p1")


async def plan(request: Request, deps: BareDeps) -> Reply:
    return Reply("planned: " + " | ".join(request.args))


async def even(request: Request, deps: Any) -> str:
    number = request.args[-1]
    if not number.isdigit() or int(number) % 2:
        raise UserError(f"“{number}” is not an even number.")
    return f"Got {number}."


async def sizes(request: Request, deps: Any) -> tuple[tuple[str, str], ...]:
    # Too long for a button's data, and two words: neither may become a button.
    return (("Two", "2"), ("Long", "8" * MAX_ACTION_BYTES), ("Spaced", "4 6"))


FORM = Command(
    "form",
    "A form",
    plan,
    args=(
        Arg("name", "n", prompt="Name?"),
        Arg("count", "c", prompt="How many?", check=even, offer=sizes),
        Arg("note", "o", prompt="Note?", rest=True),
    ),
)


def dispatcher() -> Dispatcher[BareDeps]:
    deps = BareDeps(InMemoryStore(), CatalogTranslator(), frozenset())
    return Dispatcher(Registry([FORM]), deps, Unlimited(), MemoryDrafts(Conversations()))


async def typed(bot: Dispatcher[BareDeps], text: str) -> Reply:
    reply = await bot.dispatch(Request(FREE_TEXT, (text,), CHAT, "p1"))
    assert reply is not None
    return reply


async def test_a_refused_answer_asks_the_same_question_and_keeps_earlier_answers() -> None:
    bot = dispatcher()
    await bot.dispatch(Request("form", (), CHAT, "p1"))
    question = await typed(bot, "Vigil")
    assert question.text.startswith("How many?")
    again = await typed(bot, "three")
    assert again.text.startswith("“three” is not an even number.\n\nHow many?") and again.asks
    again = await typed(bot, "3")
    assert "not an even number" in again.text
    note = await typed(bot, "4")
    # The check's note comes before the next question.
    assert note.text.startswith("Got 4.\n\nNote?")
    assert (await typed(bot, "bring candles")).text == "planned: Vigil | 4 | bring candles"


async def test_offered_values_are_buttons_that_answer_and_are_checked_too() -> None:
    bot = dispatcher()
    await bot.dispatch(Request("form", (), CHAT, "p1"))
    question = await typed(bot, "Vigil")
    buttons = [b for b in question.buttons if isinstance(b, ActionButton)]
    assert [(b.label, b.command, b.args) for b in buttons] == [("Two", "form", ("Vigil", "2"))]
    pressed = await bot.dispatch(Request("form", ("Vigil", "2"), CHAT, "p1"))
    assert pressed is not None and pressed.text.startswith("Got 2.\n\nNote?")
    # A button carrying a refused value is refused like a typed one, the question asked again.
    refused = await bot.dispatch(Request("form", ("Vigil", "5"), CHAT, "p1"))
    assert refused is not None and refused.text.startswith("“5” is not an even number.")
    assert (await typed(bot, "6")).text.startswith("Got 6.")
