"""Keywords typed in Russian: a Russian speaker never has to type an English word.

Chat-style through the real dispatcher and SQLite store. The Russian-chat tests type only
Russian words after the command; the English words keep working in a Russian chat, and the
Russian words work in an English chat (people mix).
"""

from __future__ import annotations

from datetime import time

from bot.app import Core
from bot.core.broadcast.values import BroadcastInfo
from bot.core.messages import ActionButton, Address, ChatKind, Reply
from tests.handlers.test_supporter_commands import is_russian
from tests.support.broadcast import add_subscribers, bot_of
from tests.support.chat import Say

ALICE = Address("console", "alice")
ENGLISH_KEYWORDS = ("events", "petitions", "remembrance", "appeals", " off", "now", "1w", "1d")


async def topics(core: Core) -> frozenset[str]:
    prefs = await core.store.get_chat(ALICE)
    return prefs.topics if prefs else frozenset()


def no_english_keywords(text: str) -> bool:
    return not any(word in text for word in ENGLISH_KEYWORDS)


async def test_subscribe_and_unsubscribe_with_russian_topics(say: Say, core: Core) -> None:
    reply = await say("/subscribe события", locale="ru")
    assert "Готово" in reply.text and "мероприятия и акции" in reply.text
    await say("/subscribe Призывы", locale="ru")
    # A label of two words is typed as it reads.
    await say("/subscribe день памяти", locale="ru")
    assert await topics(core) == {"events", "appeals", "remembrance"}
    stopped = await say("/unsubscribe память", locale="ru")
    assert "Готово" in stopped.text and "День памяти" not in stopped.text
    assert await topics(core) == {"events", "appeals"}
    everything = await say("/unsubscribe ВСЁ", locale="ru")
    assert "Вы не получаете напоминаний" in everything.text
    assert await topics(core) == frozenset()


async def test_an_unknown_word_lists_the_russian_choices(say: Say, core: Core) -> None:
    reply = await say("/subscribe котики", locale="ru")
    assert "«котики» не подходит. Возможные варианты: события, петиции, память, призывы." in (
        reply.text
    )
    assert "/subscribe [события|петиции|память|призывы]" in reply.text
    assert no_english_keywords(reply.text), reply.text
    assert await core.store.get_chat(ALICE) is None
    settings = await say("/settings кот", locale="ru")
    assert "Возможные варианты: пояс, язык, тишина, незаметно, удалять." in settings.text
    assert "/settings [пояс|язык|тишина|незаметно|удалять] [значение]" in settings.text


async def test_quiet_hours_set_and_switched_off_in_russian(say: Say, core: Core) -> None:
    reply = await say("/settings тихие часы 23:00-07:00", locale="ru")
    assert "Тихие часы: 23:00–07:00" in reply.text
    prefs = await core.store.get_chat(ALICE)
    assert prefs is not None and prefs.quiet_hours == (time(23), time(7))
    off = await say("/settings тишина выкл", locale="ru")
    assert off.text == "Тихие часы выключены: напоминания приходят в любое время."
    prefs = await core.store.get_chat(ALICE)
    assert prefs is not None and prefs.quiet_hours is None


async def test_the_quiet_hours_question_names_the_russian_word_and_takes_it(
    say: Say, core: Core
) -> None:
    await say("/settings тишина 22:00-08:00", locale="ru")
    question = await say("/settings тишина", locale="ru")
    assert "«выкл»" in question.text and no_english_keywords(question.text), question.text
    answered = await say("Выкл", locale="ru")
    assert "Тихие часы выключены" in answered.text
    wrong = await say("/settings тишина всегда", locale="ru")
    assert "«всегда»" in wrong.text and "«выкл»" in wrong.text
    assert no_english_keywords(wrong.text), wrong.text


async def test_time_zone_and_language_by_their_russian_names(say: Say, core: Core) -> None:
    await say("/settings пояс Europe/Berlin", locale="ru")
    prefs = await core.store.get_chat(ALICE)
    assert prefs is not None and prefs.timezone == "Europe/Berlin"
    english = await say("/settings язык английский", locale="ru")
    assert english.text == "Language set to English."
    russian = await say("/settings язык русский")
    assert is_russian(russian.text), russian.text
    prefs = await core.store.get_chat(ALICE)
    assert prefs is not None and prefs.locale == "ru"


async def test_reminder_lead_times_in_russian_units(say: Say, core: Core) -> None:
    reply = await say("/reminders 2д,3ч", locale="ru")
    assert "2 дня, 3 часа" in reply.text and is_russian(reply.text)
    assert await core.deps.events.leads(ALICE) == (2 * 24 * 60, 3 * 60)
    await say("/reminders 1 неделя, 15 минут", locale="ru")
    assert await core.deps.events.leads(ALICE) == (7 * 24 * 60, 15)
    off = await say("/reminders выкл", locale="ru")
    assert "выключены" in off.text
    assert await core.deps.events.leads(ALICE) == ()


async def test_reminder_prompts_and_errors_name_russian_units(say: Say) -> None:
    shown = await say("/reminders", locale="ru")
    assert "/reminders 1н,1д,1ч (н — недели, д — дни, ч — часы, м — минуты)" in shown.text
    assert no_english_keywords(shown.text), shown.text
    wrong = await say("/reminders 2 года", locale="ru")
    assert "«2 года»" in wrong.text and "1н,1д,1ч" in wrong.text and "«выкл»" in wrong.text
    assert no_english_keywords(wrong.text), wrong.text


async def test_past_events_and_the_letter_in_russian(say: Say) -> None:
    past = await say("/events прошедшие", locale="ru")
    assert past.text.startswith("Прошедшие мероприятия") and "Гонконг" in past.text
    letter = await say("/petition письмо", locale="ru")
    assert letter.text.startswith("Скопируйте это письмо")


async def test_a_broadcast_written_step_by_step_in_russian_goes_now(core: Core) -> None:
    bot = bot_of(core)
    await add_subscribers(core.engine, "console", ["s1", "s2"], topic="events")
    when = await bot.say("/bcwrite события", locale="ru")
    assert "«сейчас»" in when.text and no_english_keywords(when.text), when.text
    text = await bot.say("сейчас", locale="ru")
    assert text.text.startswith("Теперь напишите сообщение")
    preview = await bot.say("Митинг у посольства в субботу", locale="ru")
    info = await _drafted(core, preview)
    assert (info.audience, info.total, info.send_at) == ("events", 2, None)
    assert "Когда: сразу после вашего подтверждения." in preview.text


async def test_a_one_line_broadcast_here_in_russian(core: Core) -> None:
    bot = bot_of(core)
    group = {"chat": "-100777", "kind": ChatKind.GROUP, "platform": "telegram", "admin": True}
    preview = await bot.say(
        "/broadcast сюда сейчас Собрание сегодня вечером", user="55", locale="ru", **group
    )  # type: ignore[arg-type]
    info = await _drafted(core, preview)
    assert (info.audience, info.send_at) == ("here", None)
    assert "Собрание сегодня вечером" in preview.text and "сейчас Собрание" not in preview.text


async def test_the_past_time_error_asks_for_the_russian_now(core: Core) -> None:
    bot = bot_of(core)
    await add_subscribers(core.engine, "console", ["s1"], topic="events")
    await bot.say("/bcwrite события", locale="ru")
    await bot.say("2020-01-01 10:00", locale="ru")
    refused = await bot.say("Текст", locale="ru")
    assert "Напишите «сейчас»" in refused.text and no_english_keywords(refused.text)


async def test_english_words_still_work_in_a_russian_chat(say: Say, core: Core) -> None:
    reply = await say("/subscribe events", locale="ru")
    assert "мероприятия и акции" in reply.text
    await say("/reminders 1d,2h", locale="ru")
    assert await core.deps.events.leads(ALICE) == (24 * 60, 2 * 60)
    off = await say("/settings quiet off", locale="ru")
    assert "Тихие часы выключены" in off.text
    assert (await say("/events past", locale="ru")).text.startswith("Прошедшие мероприятия")
    await say("/unsubscribe all", locale="ru")
    assert await topics(core) == frozenset()


async def test_russian_words_work_in_an_english_chat(say: Say, core: Core) -> None:
    reply = await say("/subscribe события")
    assert "events and rallies" in reply.text
    reminders = await say("/reminders 2д")
    assert "2 days" in reminders.text
    off = await say("/settings тишина выкл")
    assert off.text == "Quiet hours are off: reminders come at any hour."
    assert (await say("/events прошедшие")).text.startswith("Past events")
    # An English reader is told the English words.
    wrong = await say("/unsubscribe котики")
    assert "is not one of: events, petitions, remembrance, appeals, all." in wrong.text
    await say("/unsubscribe все")
    assert await topics(core) == frozenset()


async def _drafted(core: Core, preview: Reply) -> BroadcastInfo:
    [confirm] = [
        b for b in preview.buttons if isinstance(b, ActionButton) and b.command == "bcsend"
    ]
    info = await core.broadcasts.get(int(confirm.args[0]))
    assert info is not None, preview.text
    return info
