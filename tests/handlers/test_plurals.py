"""A person sees each count in its own form: "1 chat", "2 chats"; "1 чат", "2 чата", "5 чатов".

Through the real core, in English and Russian: the subscriptions /forget reports, the question
/cancelevent asks, and the broadcast preview.
"""

from __future__ import annotations

from bot.app import Core
from tests.handlers.test_event_admin import EVENT, publish
from tests.support.broadcast import add_subscribers, bot_of
from tests.support.chat import Say
from tests.support.reminders import ORGANIZER, Reminders

# A count, its English words, and its Russian ones: one, few and many, and 21 (one again).
CHATS = (
    (0, "0 chats", "0 чатов"),
    (1, "1 chat", "1 чат"),
    (2, "2 chats", "2 чата"),
    (5, "5 chats", "5 чатов"),
    (21, "21 chats", "21 чат"),
)


async def test_forget_counts_the_reminder_subscriptions_it_erased(say: Say) -> None:
    topics = ("events", "petitions", "remembrance", "appeals")
    for count, english, russian in (
        (0, "0 reminder subscriptions and", "0 подписок на напоминания и"),
        (1, "1 reminder subscription and", "1 подписка на напоминания и"),
        (2, "2 reminder subscriptions and", "2 подписки на напоминания и"),
        (4, "4 reminder subscriptions and", "4 подписки на напоминания и"),
    ):
        for locale, expected in (("en", english), ("ru", russian)):
            chat = f"{locale}-{count}"
            await say("/settings", "timezone", "Europe/Berlin", chat=chat, locale=locale)
            for topic in topics[:count]:
                await say("/subscribe", topic, chat=chat, locale=locale)
            erased = await say("/forget", "confirm", chat=chat, locale=locale)
            assert expected in erased.text, erased.text
    one = await say("/forget", "confirm", chat="en-1")
    assert "subscription" not in one.text  # erased already: nothing is claimed twice


async def test_cancelevent_asks_with_the_number_of_chats_that_would_come(
    ask: Say, rem: Reminders
) -> None:
    event_id = await publish(ask, *EVENT)
    answered = 0
    for count, english, russian in CHATS:
        while answered < count:
            answered += 1
            await ask("/rsvp", event_id, "going" if answered % 2 else "maybe", chat=f"c{answered}")
        question = await ask("/cancelevent", event_id, chat=ORGANIZER)
        said = "said it would" if count == 1 else "said they would"
        assert f"{english} {said} or might come" in question.text, question.text
        russian_question = await ask(
            "/cancelevent", event_id, chat="organizer-ru", user=ORGANIZER, locale="ru"
        )
        assert f"? {russian} ответил" in russian_question.text, russian_question.text
    # Nothing was cancelled by asking.
    assert "Cancelled" not in (await ask("/events", chat="supporter")).text


async def test_the_broadcast_preview_says_how_many_chats_it_goes_to(core: Core) -> None:
    bot = bot_of(core)
    subscribed = 0
    for count, english, russian in CHATS[1:]:
        ids = [f"t{i}" for i in range(subscribed, count)]
        await add_subscribers(core.engine, "telegram", ids)
        subscribed = count
        preview = await bot.say("/broadcast events now Rally on Saturday")
        assert f"goes to {english}: Telegram: en {count}." in preview.text, preview.text
        in_russian = await bot.say(
            "/broadcast events now Митинг в субботу",
            chat="organizer-ru",
            user="organizer",
            locale="ru",
        )
        assert f"уйдёт в {russian}: Telegram: en {count}." in in_russian.text, in_russian.text


async def test_a_cancelled_broadcast_and_the_listing_count_chats_in_their_forms(
    core: Core,
) -> None:
    bot = bot_of(core)
    for count, locale, chat, expected, listed, new in (
        (1, "en", "organizer", "0 chats got it; 1 chat will not.", "1 chat: sent 0,", 1),
        (5, "ru", "organizer-ru", "0 чатов её получили; 5 чатов её не получат.", "5 чатов: ", 4),
    ):
        await add_subscribers(core.engine, "telegram", [f"t{count}-{i}" for i in range(new)])
        who = {"chat": chat, "user": "organizer", "locale": locale}
        preview = await bot.say("/broadcast events tomorrow 18:00 Rally", **who)
        [confirm] = [b for b in preview.buttons if getattr(b, "command", "") == "bcsend"]
        broadcast_id = confirm.args[0]  # type: ignore[union-attr]
        await bot.say("/bcsend", broadcast_id, **who)
        listing = await bot.say("/broadcasts", **who)
        assert listed in listing.text, listing.text
        cancelled = await bot.say("/cancel", broadcast_id, **who)
        assert expected in cancelled.text, cancelled.text
