"""The step-by-step event form checks each answer as it is typed: a bad one is asked again with
every earlier answer kept, dates are read as people write them (English and Russian) in the
venue's zone, and an accepted start or end is echoed back in words before the preview."""

from __future__ import annotations

from bot.core.messages import ActionButton, Reply
from tests.support.chat import Say
from tests.support.reminders import ORGANIZER

# The tests' clock: Saturday 21 November 2026, 12:00 UTC.
BERLIN_SATURDAY = "Starts: Saturday 5 December 2026, 19:00 (Europe/Berlin)."


def zone_buttons(reply: Reply) -> list[ActionButton]:
    return [b for b in reply.buttons if isinstance(b, ActionButton) and b.command == "eventform"]


async def form(say: Say, *answers: str, locale: str = "en") -> Reply:
    """/eventform, then each answer typed in turn; the last reply."""
    reply = await say("/eventform", chat=ORGANIZER, locale=locale)
    for answer in answers:
        reply = await say(answer, chat=ORGANIZER, locale=locale)
    return reply


async def test_the_zone_comes_first_and_the_chats_own_is_a_button_that_answers(
    say: Say,
) -> None:
    await say("/settings timezone Europe/Berlin", chat=ORGANIZER)
    question = await say("/eventform", chat=ORGANIZER)
    assert "Which time zone is the venue in?" in question.text and "type it" in question.text
    [button] = zone_buttons(question)
    assert (button.label, button.args) == ("Europe/Berlin", ("Europe/Berlin",))
    # Pressing it answers the question; the next question follows, and typing goes on from it.
    title_question = await say("/eventform", *button.args, chat=ORGANIZER)
    assert "Time zone: Europe/Berlin." in title_question.text
    assert "What is the event called?" in title_question.text
    start_question = await say("Vigil", chat=ORGANIZER)
    assert "When does it start?" in start_question.text


async def test_a_bad_answer_is_asked_again_and_earlier_answers_are_kept(say: Say) -> None:
    again = await form(say, "Berlin", "Vigil for Chechnya", "whenever")
    assert "I could not read the start “whenever”" in again.text
    assert "When does it start?" in again.text and again.asks
    # A day alone is not enough: the time is asked for.
    again = await say("saturday", chat=ORGANIZER)
    assert "has no time of day" in again.text and "When does it start?" in again.text
    # A start in the past is refused at once, not after four more answers.
    again = await say("2026-11-01 18:00", chat=ORGANIZER)
    assert "already passed" in again.text and "When does it start?" in again.text
    end_question = await say("5 December 19:00", chat=ORGANIZER)
    assert end_question.text.startswith(BERLIN_SATURDAY)
    assert "When does it end?" in end_question.text
    await say("21:00", chat=ORGANIZER)
    await say("Brandenburger Tor", chat=ORGANIZER)
    preview = await say("Candles and names.", chat=ORGANIZER)
    # Every earlier answer survived the three refusals.
    assert "Preview of the new event" in preview.text, preview.text
    assert "Vigil for Chechnya" in preview.text
    assert "Saturday, 5 December 2026, 19:00–21:00 (Europe/Berlin)" in preview.text


async def test_an_end_time_before_the_start_is_refused_not_moved_to_the_next_day(
    say: Say,
) -> None:
    refused = await form(say, "Berlin", "Vigil", "Sat 19:00", "18:00")
    assert "The end must come after the start." in refused.text
    assert "When does it end?" in refused.text and refused.asks
    # A full date may be the next day: that is said, so it is no accident.
    place_question = await say("29.11.2026 01:00", chat=ORGANIZER)
    assert "Ends: Sunday 29 November 2026, 01:00 (Europe/Berlin)." in place_question.text
    assert "Where is it?" in place_question.text


async def test_the_form_in_russian_reads_russian_dates_and_echoes_them_in_russian(
    say: Say,
) -> None:
    end_question = await form(say, "Europe/Moscow", "Пикет", "в субботу 19:00", locale="ru")
    assert end_question.text.startswith("Начало: суббота 28 ноября 2026, 19:00 (Europe/Moscow).")
    refused = await say("18:00", chat=ORGANIZER, locale="ru")
    assert "Окончание должно быть позже начала." in refused.text, refused.text
    await say("21:00", chat=ORGANIZER, locale="ru")
    await say("Пушкинская площадь", chat=ORGANIZER, locale="ru")
    preview = await say("Одиночный пикет.", chat=ORGANIZER, locale="ru")
    assert "Пикет" in preview.text and "28 ноября 2026" in preview.text


async def test_natural_dates_on_one_line_in_both_languages(say: Say) -> None:
    for locale, start, end in (
        ("en", "tomorrow 18:00", "20:00"),
        ("en", "saturday 7pm", "9pm"),
        ("ru", "завтра 18:00", "20:00"),
        ("ru", "29 марта 18:00", "29 марта 20:00"),
    ):
        preview = await say(
            "/newevent", "Rally", start, end, "London", "Embassy", "Come.", chat=ORGANIZER,
            locale=locale,
        )  # fmt: skip
        heading = "Preview of the new event" if locale == "en" else "Предпросмотр"
        assert heading in preview.text, (start, preview.text)
    refused = await say(
        "/newevent", "Rally", "tomorrow 18:00", "17:00", "London", "Embassy", "Come.",
        chat=ORGANIZER,
    )  # fmt: skip
    assert "The end must come after the start." in refused.text


async def test_an_offset_typed_as_the_venues_zone_is_echoed_as_the_offset(say: Say) -> None:
    """Etc/GMT-3 reads as minus three: the form's echoes name it the way it was typed, UTC+3."""
    reply = await form(say, "UTC+3", "Vigil", "2027-03-29 18:00")
    assert "Starts: Monday 29 March 2027, 18:00 (UTC+3)." in reply.text, reply.text
    assert "GMT" not in reply.text
