"""Argument specs more than one command declares, each once; handlers/registry.py uses them."""

from __future__ import annotations

from bot.core.commands import Arg, ArgKind
from bot.core.i18n import N_
from handlers.broadcast.audiences import AUDIENCES
from handlers.event_admin.choose import check_event, offer_events

# Buttons carry the id; typed commands must give it.
EVENT_ID = Arg("event", N_("the event's id"), required=True)
# Organizers often type the command alone: then the events they may change are offered as
# buttons (they know titles, not ids); a typed id still answers.
WHICH_EVENT = Arg(
    "event",
    N_("the event's id"),
    prompt=N_("Which event? Choose it below, or type its id (e.g. e_12)."),
    offer=offer_events,
    prompt_when_none=N_(
        "Which event? You have no upcoming events to choose from; type an event's id (e.g. "
        "e_12), or send /newevent to create one."
    ),
    check=check_event,
)
BROADCAST_ID = Arg("id", N_("the broadcast's number"), required=True)


def event_fields() -> tuple[Arg, ...]:
    """An event's fields as /newevent takes them on one line (and Discord as options); the
    step-by-step form asks them in its own order (handlers.event_admin.form)."""
    return (
        Arg("title", N_("the event's title")),
        Arg("start", N_("start, e.g. 2027-03-29 18:00 or tomorrow 18:00")),
        Arg("end", N_("end, e.g. 2027-03-29 20:00 or just 20:00")),
        Arg("timezone", N_("the venue's time zone, e.g. Europe/London"), kind=ArgKind.TIMEZONE),
        Arg("place", N_("the place or a link")),
        Arg("description", N_("what it is and how to help"), rest=True),
    )


def broadcast_line() -> tuple[Arg, ...]:
    """/broadcast on one line (or Discord's two options): the audience, then the text, which is
    sent now unless its first words read as a time ("tomorrow 18:00 Rally…", see
    bot.core.dates.split_leading_time). No separate time argument: with one, "/broadcast events
    Rally at the embassy" had to read "Rally" as a time and refused it."""
    return (
        Arg("audience", N_("a topic, or here for this group"), choices=AUDIENCES),
        Arg(
            "text",
            N_("the message; start it with a time such as tomorrow 18:00 to schedule it"),
            rest=True,
        ),
    )


def broadcast_fields() -> tuple[Arg, ...]:
    """The step-by-step broadcast (/bcwrite): the audience from a button, then the time and the
    text, each asked in turn."""
    prompted = True
    return (
        # The step-by-step form starts from an audience button, so the audience is always given.
        Arg(
            "audience",
            N_("a topic, or here for this group"),
            choices=AUDIENCES,
            required=True,
        ),
        Arg(
            "when",
            N_("now, or a time such as 18:30, tomorrow 18:00 or 2026-12-01 18:30"),
            prompt=_prompt(
                prompted,
                N_(
                    "When should it go out? Write now, a time like 18:30, or a day and "
                    "time like tomorrow 18:00 or 2026-12-01 18:30 (in your time zone)."
                ),
            ),
        ),
        Arg(
            "text",
            N_("the message"),
            rest=True,
            prompt=_prompt(
                prompted,
                N_(
                    "Now write the message. Lines like “Label | https://example.org” "
                    "become link buttons. You will see a preview before anything is sent."
                ),
            ),
        ),
    )


def _prompt(prompted: bool, text: str) -> str:
    """The prompt msgid when the command asks step by step; no prompt otherwise."""
    return text if prompted else ""
