"""Organizers create, edit and cancel events in chat; everyone else is refused; RSVP and /forget."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.app import Core
from bot.core.conversation import FREE_TEXT
from bot.core.messages import ActionButton, Address, ChatKind, Reply, Request
from bot.core.reminders.values import EventStatus
from tests.support.chat import Say as Ask
from tests.support.fakes import FixedClock
from tests.support.reminders import ORGANIZER, RecordingMessenger, Reminders, make_event

EVENT = (
    "Rally for Chechnya",
    "2026-12-05 14:00",
    "16:00",
    "london",
    "Trafalgar Square",
    "Stand with LGBT Chechens.",
)

# The same answers in the step-by-step form's order: the venue's zone first.
FORM = (EVENT[3], *EVENT[:3], *EVENT[4:])


def pressed(reply: Reply, command: str, *args: str) -> tuple[str, ...]:
    """The arguments of the reply's button for `command` (whose args start with `args`)."""
    for button in reply.buttons:
        is_it = isinstance(button, ActionButton) and button.command == command
        if is_it and button.args[: len(args)] == args:  # type: ignore[union-attr]
            return button.args  # type: ignore[union-attr]
    raise AssertionError(f"no {command} {args} button in {reply.buttons}")


async def publish(ask: Ask, *fields: str, chat: str = ORGANIZER, **who: object) -> str:
    preview = await ask("/newevent", *fields, chat=chat, **who)
    assert "Preview of the new event" in preview.text, preview.text
    draft_id, _ = pressed(
        preview,
        "eventdraft",
    )[:2]
    published = await ask("/eventdraft", draft_id, "publish", chat=chat, **who)
    assert "Published." in published.text, published.text
    return draft_id


async def test_an_organizer_creates_an_event_step_by_step(ask: Ask, rem: Reminders) -> None:
    start = await ask("/newevent", chat=ORGANIZER)
    assert "for everyone" in start.text
    question = await ask("/eventform", chat=ORGANIZER)
    # The zone first (the start and end are read in it), then the rest in /newevent's order.
    assert "Which time zone is the venue in?" in question.text
    title, start, end, zone, place, description = EVENT
    for answer in (zone, title, start, end, place):
        question = await ask(answer, chat=ORGANIZER)
        assert "(Send any command to stop.)" in question.text
    preview = await ask(description, chat=ORGANIZER)
    assert "Preview of the new event" in preview.text
    assert "Saturday, 5 December 2026, 14:00–16:00 (Europe/London)" in preview.text
    assert "Everyone will see it" in preview.text
    # Nothing is public before Publish.
    assert "No events are planned" in (await ask("/events", chat="supporter")).text
    draft_id, action = pressed(
        preview,
        "eventdraft",
    )
    assert action == "publish" and len(f"eventdraft {draft_id} publish".encode()) <= 64
    await ask("/eventdraft", draft_id, "publish", chat=ORGANIZER)
    listing = await ask("/events", chat="supporter")
    assert "Rally for Chechnya" in listing.text and "Trafalgar Square" in listing.text
    assert pressed(listing, "rsvp", draft_id) == (draft_id, "going")


async def test_times_are_read_forgivingly_and_mistakes_explained(ask: Ask) -> None:
    fields = list(EVENT)
    fields[1] = "05.12.2026 14:00"
    assert "Preview" in (await ask("/newevent", *fields, chat=ORGANIZER)).text
    fields[1] = "next friday"
    assert "has no time of day" in (await ask("/newevent", *fields, chat=ORGANIZER)).text
    fields[1] = "whenever"
    assert "could not read the start" in (await ask("/newevent", *fields, chat=ORGANIZER)).text
    fields[1], fields[2] = "2026-12-05 14:00", "2026-12-05 13:00"
    assert "end must come after the start" in (await ask("/newevent", *fields, chat=ORGANIZER)).text
    fields[1], fields[2] = "2026-11-01 14:00", "16:00"
    assert "already passed" in (await ask("/newevent", *fields, chat=ORGANIZER)).text
    fields[1], fields[3] = "2026-12-05 14:00", "Atlantis/Lost"
    assert "not a time zone I know" in (await ask("/newevent", *fields, chat=ORGANIZER)).text


async def test_a_supporter_is_refused_at_once(ask: Ask) -> None:
    for command in ("/newevent", "/eventform"):
        reply = await ask(command, *EVENT, chat="supporter")
        assert "Only campaign organizers" in reply.text
    assert "No events are planned" in (await ask("/events", chat="supporter")).text


async def test_a_group_admin_makes_events_for_their_group_only(ask: Ask) -> None:
    group = {"chat": "group", "user": "admin", "kind": ChatKind.GROUP, "admin": True}
    start = await ask("/newevent", **group)  # type: ignore[arg-type]
    assert "for this group only" in start.text
    await publish(ask, *EVENT, **group)  # type: ignore[arg-type]
    here = await ask("/events", chat="group", user="member", kind=ChatKind.GROUP)
    assert "Rally for Chechnya" in here.text
    elsewhere = await ask("/events", chat="supporter")
    assert "No events are planned" in elsewhere.text
    member = await ask(
        "/newevent", *EVENT, chat="group", user="member", kind=ChatKind.GROUP, admin=False
    )
    assert "Only" in member.text


async def test_an_organizer_edits_an_event_after_a_preview(ask: Ask, rem: Reminders) -> None:
    event_id = await publish(ask, *EVENT)
    preview = await ask("/editevent", event_id, "start", "2026-12-06 15:00", chat=ORGANIZER)
    assert "Preview of the changed event" in preview.text
    assert "Sunday, 6 December 2026, 15:00–17:00" in preview.text  # the length is kept
    # The organizer's preview names the event's id (which /editevent takes), not the draft's.
    assert f"Event id: {event_id}\n" in preview.text
    before = await ask("/events", chat="supporter")
    assert "5 December" in before.text  # unchanged until confirmed
    draft_id, _ = pressed(preview, "eventdraft")
    updated = await ask("/eventdraft", draft_id, "publish", chat=ORGANIZER)
    assert "Updated." in updated.text
    after = await ask("/events", chat="supporter")
    assert "6 December" in after.text and "5 December" not in after.text
    assert "Event id" not in after.text and event_id not in after.text  # no internal ids
    assert f"Event id: {event_id}" in updated.text  # where the organizer needs it
    step = await ask("/editevent", event_id, chat=ORGANIZER)
    assert "What should change?" in step.text
    await ask("title", chat=ORGANIZER)
    preview = await ask("Vigil for Chechnya", chat=ORGANIZER)
    await ask(
        "/eventdraft",
        *pressed(
            preview,
            "eventdraft",
        )[:1],
        "publish",
        chat=ORGANIZER,
    )
    assert "Vigil for Chechnya" in (await ask("/events", chat="supporter")).text


async def test_supporters_cannot_edit_or_cancel_and_content_events_stay_in_files(
    ask: Ask, clock: FixedClock
) -> None:
    event_id = await publish(ask, *EVENT)
    refused = await ask("/editevent", event_id, "title", "Hacked", chat="supporter")
    assert "Only campaign organizers" in refused.text
    refused = await ask("/cancelevent", event_id, "confirm", chat="supporter")
    assert "Only campaign organizers" in refused.text
    # Refused before the draft is even looked up.
    refused = await ask("/eventdraft", event_id, "publish", chat="supporter")
    assert "Only campaign organizers" in refused.text
    content = await ask("/cancelevent", "hong-kong-loves-chechnya", chat=ORGANIZER)
    assert "content files" in content.text


async def test_cancelling_tells_those_who_said_they_would_come(
    ask: Ask, rem: Reminders, clock: FixedClock, messenger: RecordingMessenger
) -> None:
    event_id = await publish(ask, *EVENT)
    await ask("/rsvp", event_id, "going", chat="going")
    await ask("/rsvp", event_id, "maybe", chat="maybe")
    await ask("/rsvp", event_id, "no", chat="no")
    await ask("/subscribe", "events", chat="subscriber")
    await ask("/settings", "quiet", "off", chat="going")
    await rem.scheduler.tick()
    ask_first = await ask("/cancelevent", event_id, chat=ORGANIZER)
    assert "2 chats said they would or might come" in ask_first.text
    assert pressed(ask_first, "cancelevent") == (event_id, "confirm")
    done = await ask("/cancelevent", event_id, "confirm", chat=ORGANIZER)
    assert "Cancelled" in done.text
    event = await rem.events.get(event_id)
    assert event is not None and event.status is EventStatus.CANCELLED
    assert "No events are planned" in (await ask("/events", chat="supporter")).text
    await rem.scheduler.tick()  # 12:00 UTC: nobody's quiet hours
    # The subscriber had only the announcement of the newly published event.
    assert [t[:12] for t in messenger.texts("subscriber")] == ["📣 New event:"]
    told = {a.chat_id for a, reply in messenger.sent if "has been cancelled" in reply.text}
    assert told == {"going", "maybe"}
    assert "has been cancelled" in messenger.texts("going")[0]
    # No reminder follows for a cancelled event, and the news is not repeated.
    clock.now = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)
    await rem.scheduler.tick()
    assert len(messenger.sent) == 3
    refused = await ask("/rsvp", event_id, "going", chat="late")
    assert "cancelled" in refused.text


async def test_rsvp_counts_show_only_numbers_and_forget_erases_answers_and_plans(
    ask: Ask, rem: Reminders, core: Core, clock: FixedClock
) -> None:
    event = await make_event(rem, clock, "2026-12-05 14:00")
    await ask("/rsvp", event.id, "going", chat="chat-a1")
    await ask("/rsvp", event.id, "maybe", chat="chat-b2")
    reply = await ask("/rsvp", event.id, "going", chat="chat-c3")
    assert "So far: 2 going, 1 maybe." in reply.text
    assert "Your answer" in reply.text and reply.private
    assert "chat-a1" not in reply.text and "chat-b2" not in reply.text  # counts only
    await rem.scheduler.tick()
    counts = await rem.plan.counts()
    assert counts.get("planned") == 6  # three chats, a day and an hour before
    erased = await ask("/forget", "confirm", chat="chat-a1")
    assert "and 1 event answer." in erased.text
    assert "Also erased: 2 other records" in erased.text
    assert await core.store.get_rsvp(Address("console", "chat-a1"), event.id) is None
    assert (await rem.plan.counts()).get("planned") == 4
    assert "So far: 1 going, 1 maybe." in (await ask("/rsvp", event.id, chat="chat-b2")).text


async def test_a_stored_event_has_a_calendar_file_in_its_own_zone(ask: Ask) -> None:
    event_id = await publish(ask, *EVENT)
    reply = await ask("/ics", event_id, chat="supporter")
    assert reply.attachment is not None
    ics = reply.attachment.content.decode()
    assert "DTSTART;TZID=Europe/London:20261205T140000" in ics
    assert f"UID:{event_id}@allybot" in ics


async def test_an_unpublished_draft_expires(ask: Ask, clock: FixedClock) -> None:
    preview = await ask("/newevent", *EVENT, chat=ORGANIZER)
    draft_id, _ = pressed(preview, "eventdraft")
    clock.advance(days=1, minutes=1)
    late = await ask("/eventdraft", draft_id, "publish", chat=ORGANIZER)
    assert "expired" in late.text
    assert "No events are planned" in (await ask("/events", chat="supporter")).text


async def test_a_group_that_forgets_itself_takes_its_events_along(ask: Ask, rem: Reminders) -> None:
    group = {"chat": "group", "user": "admin", "kind": ChatKind.GROUP, "admin": True}
    event_id = await publish(ask, *EVENT, **group)  # type: ignore[arg-type]
    await ask("/forget", "confirm", **group)  # type: ignore[arg-type]
    assert await rem.events.get(event_id) is None


async def test_a_whole_organizer_and_reminder_session_logs_no_ids_or_text(
    ask: Ask, rem: Reminders, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "Grozny-safehouse-Kadyrov"
    caplog.set_level(logging.INFO)
    for ours in ("bot", "handlers", "content", "db", "tests"):
        caplog.set_level(logging.DEBUG, logger=ours)
    chat, user = "5550001234", "7770009999"
    fields = (secret, "2026-12-05 14:00", "16:00", "london", secret, secret)
    preview = await ask("/newevent", *fields, chat=chat, user=ORGANIZER)
    draft_id, _ = pressed(preview, "eventdraft")
    await ask("/eventdraft", draft_id, "publish", chat=chat, user=ORGANIZER)
    await ask("/rsvp", draft_id, "going", chat=chat, user=user)
    await ask("/reminders", secret, chat=chat, user=user)
    await ask("/editevent", draft_id, "start", secret, chat=chat, user=ORGANIZER)
    for when in ("2026-12-04 14:00", "2026-12-05 13:00"):
        clock.now = datetime.fromisoformat(when).replace(tzinfo=UTC)
        await rem.scheduler.tick()
    await ask("/cancelevent", draft_id, "confirm", chat=chat, user=ORGANIZER)
    await rem.scheduler.tick()
    await ask("/forget", "confirm", chat=chat, user=user)
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert chat not in logged and user not in logged and secret not in logged


async def test_a_stranger_is_refused_at_the_first_step_and_left_no_draft(ask: Ask) -> None:
    for command in ("/eventform", "/editevent"):
        refused = await ask(command, chat="supporter")
        assert refused.text.startswith("Only campaign organizers"), command
        # No question was asked: the next plain message is not taken as an answer.
        assert "I answer commands" in (await ask("Rally for Chechnya", chat="supporter")).text
    member = {"chat": "group", "user": "member", "kind": ChatKind.GROUP, "admin": False}
    refused = await ask("/eventform", **member)  # type: ignore[arg-type]
    assert refused.text.startswith("Only campaign organizers")


async def test_group_admins_in_their_group_and_organizers_anywhere_fill_the_form(
    ask: Ask,
) -> None:
    admin = {"chat": "group", "user": "admin", "kind": ChatKind.GROUP, "admin": True}
    # An organizer needs no admin rights, in a group or in private.
    in_group = {"chat": "other-group", "user": ORGANIZER, "kind": ChatKind.GROUP, "admin": False}
    in_private = {"chat": ORGANIZER}
    for who, audience in ((admin, "Only this chat"), (in_group, "Everyone"), (in_private, "Every")):
        question = await ask("/eventform", **who)  # type: ignore[arg-type]
        assert "Which time zone is the venue in?" in question.text, who
        for answer in FORM[:-1]:
            await ask(answer, **who)  # type: ignore[arg-type]
        preview = await ask(FORM[-1], **who)  # type: ignore[arg-type]
        assert "Preview of the new event" in preview.text and audience in preview.text


async def test_forget_in_a_group_drops_every_half_typed_event_there(ask: Ask, core: Core) -> None:
    """Another admin's /forget erases the group's open drafts too, not only the asker's own."""
    alice = {"chat": "group", "user": "alice", "kind": ChatKind.GROUP, "admin": True}
    boris = {"chat": "group", "user": "boris", "kind": ChatKind.GROUP, "admin": True}
    await ask("/eventform", **alice)  # type: ignore[arg-type]
    await ask(EVENT[0], **alice)  # type: ignore[arg-type]
    assert "erase" in (await ask("/forget", "confirm", **boris)).text  # type: ignore[arg-type]
    # Alice's next answer is group talk now, not the start time of a draft.
    answer = Request(
        FREE_TEXT, (EVENT[1],), Address("console", "group"), "alice", ChatKind.GROUP, "en"
    )
    assert await core.dispatcher.dispatch(replace(answer, is_chat_admin=True)) is None


async def test_only_the_admin_who_wrote_a_draft_publishes_or_discards_it(ask: Ask) -> None:
    group = {"chat": "-100777", "kind": ChatKind.GROUP, "admin": True}
    await ask("/subscribe", "events", user="ada", **group)  # the group is a stored chat
    preview = await ask("/newevent", *EVENT, user="ada", **group)
    draft_id, _ = pressed(preview, "eventdraft")[:2]
    for other in ("boris", ORGANIZER):  # another admin of the group; the campaign's organizer
        for action in ("publish", "discard"):
            refused = await ask("/eventdraft", draft_id, action, user=other, **group)
            assert "Only the person who wrote this draft" in refused.text, refused.text
    published = await ask("/eventdraft", draft_id, "publish", user="ada", **group)
    assert "Published." in published.text, published.text
