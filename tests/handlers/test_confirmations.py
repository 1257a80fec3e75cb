"""Every destructive question has a way back: /forget and /cancelevent offer Keep beside Yes, and
any answer but yes (no, нет, n, cancel, отмена) keeps everything, in English and Russian, whether
pressed, typed with the command, or typed as a plain answer to the question."""

from __future__ import annotations

import pytest

from bot.app import Core
from bot.core.messages import ActionButton, Address, Reply
from bot.core.reminders.values import EventStatus
from tests.support.chat import Say as Ask
from tests.support.fakes import FixedClock
from tests.support.reminders import ORGANIZER, Reminders, make_event

KEEP_WORDS = ("no", "нет", "n", "cancel", "отмена", "Нет", "keep")


def buttons(reply: Reply) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(b.label, b.command, b.args) for b in reply.buttons if isinstance(b, ActionButton)]


@pytest.mark.parametrize(
    ("locale", "yes", "keep", "kept"),
    [
        ("en", "🗑 Yes, erase everything", "✖ Keep my data", "Kept: nothing was erased"),
        ("ru", "🗑 Да, удалить всё", "✖ Оставить мои данные", "Оставлено: ничего не удалено"),
    ],
)
async def test_forget_offers_keep_and_keep_erases_nothing(
    say: Ask, core: Core, locale: str, yes: str, keep: str, kept: str
) -> None:
    await say("/subscribe", "events", locale=locale)
    question = await say("/forget", locale=locale)
    assert buttons(question) == [(yes, "forget", ("confirm",)), (keep, "forget", ("keep",))]
    answer = await say("/forget", "keep", locale=locale)
    assert answer.text.startswith(kept), answer.text
    prefs = await core.store.get_chat(Address("console", "alice"))
    assert prefs is not None and prefs.topics == frozenset({"events"})
    for word in KEEP_WORDS:
        answer = await say("/forget", word, locale=locale)
        assert answer.text.startswith(kept), (word, answer.text)
    assert await core.store.get_chat(Address("console", "alice")) is not None
    erased = await say("/forget", "да" if locale == "ru" else "yes", locale=locale)
    assert await core.store.get_chat(Address("console", "alice")) is None, erased.text


@pytest.mark.parametrize(
    ("locale", "keep", "kept"),
    [
        ("en", "✖ Keep the event", "Kept: “Rally” is not cancelled"),
        ("ru", "✖ Оставить событие", "Оставлено: «Rally» не отменено"),
    ],
)
async def test_cancelevent_offers_keep_and_keep_cancels_nothing(
    ask: Ask, rem: Reminders, clock: FixedClock, locale: str, keep: str, kept: str
) -> None:
    event = await make_event(rem, clock, "2026-12-05 14:00")
    question = await ask("/cancelevent", event.id, chat=ORGANIZER, locale=locale)
    assert buttons(question)[1] == (keep, "cancelevent", (event.id, "keep"))
    for word in KEEP_WORDS:
        answer = await ask("/cancelevent", event.id, word, chat=ORGANIZER, locale=locale)
        assert answer.text.startswith(kept), (word, answer.text)
    still = await rem.events.get(event.id)
    assert still is not None and still.status is EventStatus.SCHEDULED
    await ask("/cancelevent", event.id, "confirm", chat=ORGANIZER, locale=locale)
    gone = await rem.events.get(event.id)
    assert gone is not None and gone.status is EventStatus.CANCELLED


@pytest.mark.parametrize(("locale", "no", "yes"), [("en", "no", "yes"), ("ru", "нет", "да")])
async def test_a_plain_answer_to_the_question_keeps_or_erases(
    say: Ask, locale: str, no: str, yes: str
) -> None:
    await say("/subscribe", "events", locale=locale)
    await say("/forget", locale=locale)
    kept = await say(no, locale=locale)  # typed, not a command: the answer to "Erase now?"
    assert "I answer commands" not in kept.text and "Отправьте /help" not in kept.text
    assert (await say("/settings", locale=locale)).text  # still stored: the chat has settings
    await say("/forget", locale=locale)
    erased = await say(yes, locale=locale)
    assert erased.text != kept.text
    assert "Nothing about this chat is stored any more." in erased.text or "больше" in erased.text
