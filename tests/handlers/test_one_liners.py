"""One-line commands and questions answered by typing: /broadcast <topic> <text> sends now unless
the text starts with a time; "or type it" questions take the next message as the answer;
/editevent and /cancelevent alone offer the organizer's events as buttons."""

from __future__ import annotations

import pytest

from bot.app import Core
from bot.core.commands import MAX_ACTION_BYTES, encode_action
from bot.core.messages import ActionButton, ChatKind, Reply
from tests.support.broadcast import add_subscribers
from tests.support.chat import Say
from tests.support.reminders import ORGANIZER

EVENT = ("Rally for Chechnya", "2026-12-05 14:00", "16:00", "london", "Trafalgar Square", "Come.")


def actions(reply: Reply, command: str) -> list[ActionButton]:
    return [b for b in reply.buttons if isinstance(b, ActionButton) and b.command == command]


async def published(say: Say, *fields: str, **who: object) -> str:
    """A published event's id."""
    preview = await say("/newevent", *fields, **{"chat": ORGANIZER, **who})  # type: ignore[arg-type]
    [publish] = [b for b in actions(preview, "eventdraft") if b.args[1] == "publish"]
    await say("/eventdraft", *publish.args, **{"chat": ORGANIZER, **who})  # type: ignore[arg-type]
    return publish.args[0]


@pytest.mark.parametrize(
    "text", ["Rally at the embassy on Saturday", "3 buses leave from the station", "Saturday rally"]
)
async def test_a_one_line_broadcast_whose_text_mentions_a_day_goes_now(
    say: Say, core: Core, text: str
) -> None:
    await add_subscribers(core.engine, "telegram", ["t1"])
    preview = await say(f"/broadcast events {text}", chat=ORGANIZER)
    assert "When: as soon as you confirm." in preview.text, preview.text
    assert text in preview.text


@pytest.mark.parametrize(
    ("lead", "when"),
    [
        ("at 18:30", "2026-11-21 18:30 UTC"),
        ("18:30", "2026-11-21 18:30 UTC"),
        ("2026-12-01 18:30", "2026-12-01 18:30 UTC"),
        ("tomorrow 18:00", "2026-11-22 18:00 UTC"),
        ("завтра в 18:00", "2026-11-22 18:00 UTC"),
    ],
)
async def test_a_leading_time_schedules_a_one_line_broadcast(
    say: Say, core: Core, lead: str, when: str
) -> None:
    await add_subscribers(core.engine, "telegram", ["t1"])
    preview = await say(f"/broadcast events {lead} Rally at the embassy", chat=ORGANIZER)
    assert f"When: {when}." in preview.text, preview.text
    # The time is taken off the message: recipients get the text alone.
    assert "\n\nRally at the embassy\n\n" in preview.text


async def test_now_and_discords_separate_text_option_send_now(say: Say, core: Core) -> None:
    await add_subscribers(core.engine, "telegram", ["t1"])
    preview = await say("/broadcast events now Rally", chat=ORGANIZER)
    assert "as soon as you confirm" in preview.text
    # Discord's slash command fills `audience` and `text` as two options.
    preview = await say("/broadcast", "events", "Rally on Saturday", chat=ORGANIZER)
    assert "as soon as you confirm" in preview.text and "Rally on Saturday" in preview.text
    preview = await say("/broadcast", "events", "tomorrow 18:00 Rally", chat=ORGANIZER)
    assert "When: 2026-11-22 18:00 UTC." in preview.text
    refused = await say("/broadcast events 2026-11-01 18:00 Rally", chat=ORGANIZER)
    assert "That time has passed" in refused.text


@pytest.mark.parametrize(
    ("locale", "typed", "answer"),
    [("en", "Berlin", "Time zone set to Europe/Berlin"), ("ru", "Berlin", "Europe/Berlin")],
)
async def test_a_typed_time_zone_answers_the_settings_question(
    say: Say, locale: str, typed: str, answer: str
) -> None:
    question = await say("/settings timezone", locale=locale)
    assert question.asks and question.buttons
    reply = await say(typed, locale=locale)
    assert answer in reply.text and "I answer commands" not in reply.text


async def test_typed_quiet_hours_answer_the_settings_question(say: Say) -> None:
    question = await say("/settings quiet")
    assert "type the hours" in question.text and question.asks
    assert "Quiet hours set to 23:00–07:00" in (await say("23:00-07:00")).text
    await say("/settings quiet", locale="ru")
    assert "23:30" in (await say("23:30-06:00", locale="ru")).text


async def test_editevent_alone_offers_the_organizers_events_then_the_fields(say: Say) -> None:
    # Before there is any event, the question points at no buttons that are not there.
    empty = await say("/editevent", chat=ORGANIZER)
    assert "no upcoming events" in empty.text and not empty.buttons
    assert "below" not in empty.text
    event_id = await published(say, *EVENT)
    question = await say("/editevent", chat=ORGANIZER)
    assert "Which event? Choose it below, or type its id" in question.text
    [button] = actions(question, "editevent")
    assert button.label == "Rally for Chechnya · 5 Dec, 14:00" and button.args == (event_id,)
    assert len(encode_action(button.command, button.args).encode()) <= MAX_ACTION_BYTES
    fields = await say("/editevent", *button.args, chat=ORGANIZER)
    assert "What should change?" in fields.text
    labels = {b.label: b.args for b in actions(fields, "editevent")}
    assert labels["Start"] == (event_id, "start")
    await say("/editevent", event_id, "start", chat=ORGANIZER)
    # A past start is asked for again, the event and the field kept.
    again = await say("2026-11-01 15:00", chat=ORGANIZER)
    assert "already passed" in again.text and "What is the new value?" in again.text
    preview = await say("6 December 15:00", chat=ORGANIZER)
    assert "Preview of the changed event" in preview.text
    assert "Sunday, 6 December 2026, 15:00–17:00" in preview.text
    # Organizers see the event's id, the one /editevent takes, never the draft's.
    assert f"Event id: {event_id}" in preview.text


async def test_a_typed_unknown_id_is_asked_again_with_the_buttons(say: Say) -> None:
    await published(say, *EVENT)
    await say("/cancelevent", chat=ORGANIZER)
    again = await say("e_999", chat=ORGANIZER)
    assert "I don't know that event" in again.text and "Which event?" in again.text
    assert actions(again, "cancelevent")


async def test_cancelevent_alone_in_russian_and_a_typed_no_keeps(say: Say) -> None:
    event_id = await published(say, *EVENT)
    question = await say("/cancelevent", chat=ORGANIZER, locale="ru")
    assert "Какое мероприятие?" in question.text
    [button] = actions(question, "cancelevent")
    assert button.label.startswith("Rally for Chechnya · 5 дек")
    confirm = await say("/cancelevent", *button.args, chat=ORGANIZER, locale="ru")
    assert confirm.asks
    kept = await say("нет", chat=ORGANIZER, locale="ru")
    assert "ничего не изменилось" in kept.text or "не отменено" in kept.text, kept.text
    listing = await say("/events", chat="supporter")
    assert "Rally for Chechnya" in listing.text and event_id


async def test_a_groups_admin_is_offered_only_the_groups_own_events(say: Say) -> None:
    group = {"chat": "group", "user": "admin", "kind": ChatKind.GROUP, "admin": True}
    await published(say, *EVENT)  # campaign-wide, by an organizer
    own = await published(say, "Group picnic", *EVENT[1:], **group)
    question = await say("/editevent", **group)  # type: ignore[arg-type]
    assert [b.args for b in actions(question, "editevent")] == [(own,)]
