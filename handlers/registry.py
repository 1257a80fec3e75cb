"""The one place commands are registered, in menu order. Summaries are English msgids."""

from __future__ import annotations

import handlers.broadcast as broadcast
import handlers.event_admin as event_admin
from bot.core.commands import Arg, Command, Registry
from bot.core.i18n import N_
from bot.core.ports import TOPICS
from handlers import (
    donate,
    events,
    forget,
    petition,
    remember,
    rsvp,
    settings,
    start,
    subscriptions,
)
from handlers.deps import Deps
from handlers.setup import setup_command


def build_registry() -> Registry[Deps]:
    """Every command the bot answers, for the dispatcher and every adapter's menus."""
    return Registry(
        [
            Command("start", N_("What this bot is and how to help"), start.start),
            Command("help", N_("All commands"), start.help_),
            Command("donate", N_("Verified funds and what money does"), donate.donate),
            Command(
                "events",
                N_("Fundraisers and rallies in your time zone"),
                events.events,
                args=(Arg("when", N_("upcoming or past events"), choices=("upcoming", "past")),),
            ),
            Command(
                "petition",
                N_("Petitions, letters to your MP, who else to call"),
                petition.petition,
                args=(Arg("part", N_("show the letter template"), choices=("letter",)),),
            ),
            Command(
                "remember",
                N_("29 March, the Chechen LGBT Day of Remembrance"),
                remember.remember,
            ),
            Command(
                "subscribe",
                N_("Choose the reminders you want"),
                subscriptions.subscribe,
                args=(Arg("topic", N_("what to be reminded about"), choices=TOPICS),),
                private=True,
                changes_chat=True,
            ),
            Command(
                "unsubscribe",
                N_("Stop reminders"),
                subscriptions.unsubscribe,
                args=(Arg("topic", N_("which reminders to stop"), choices=(*TOPICS, "all")),),
                private=True,
                changes_chat=True,
            ),
            Command(
                "settings",
                N_("Time zone, language and quiet hours"),
                settings.settings,
                args=(
                    Arg("what", N_("what to change"), choices=("timezone", "language", "quiet")),
                    Arg("value", N_("the new value"), rest=True, kind_from="what"),
                ),
                private=True,
                changes_chat=True,
            ),
            setup_command(),
            Command(
                "forget",
                N_("Erase everything stored about this chat"),
                forget.forget,
                args=(Arg("confirm", N_("erase without asking again"), choices=("confirm",)),),
                private=True,
                changes_chat=True,
            ),
            *event_admin.commands(),
            Command(
                "broadcast",
                N_("Organizers and admins: send a message to subscribers or this group"),
                broadcast.broadcast,
                args=(
                    Arg(
                        "audience",
                        N_("a topic, or here for this group"),
                        choices=broadcast.AUDIENCES,
                    ),
                    Arg("when", N_("now, or a time such as 18:30 or 2026-12-01T18:30")),
                    Arg("text", N_("the message"), rest=True),
                ),
                private=True,
                changes_chat=True,
            ),
            Command(
                "broadcasts",
                N_("Organizers and admins: recent broadcasts and their progress"),
                broadcast.broadcasts,
                private=True,
                changes_chat=True,
            ),
            Command(
                "bcwrite",
                N_("Write a broadcast step by step"),
                broadcast.write,
                args=(
                    Arg(
                        "audience",
                        N_("a topic, or here for this group"),
                        choices=broadcast.AUDIENCES,
                        required=True,
                    ),
                    Arg(
                        "when",
                        N_("now, or a time such as 18:30 or 2026-12-01T18:30"),
                        prompt=N_(
                            "When should it go out? Write now, a time like 18:30, or a date and "
                            "time like 2026-12-01 18:30 (in your time zone)."
                        ),
                    ),
                    Arg(
                        "text",
                        N_("the message"),
                        rest=True,
                        prompt=N_(
                            "Now write the message. Lines like “Label | https://example.org” "
                            "become link buttons. You will see a preview before anything is sent."
                        ),
                    ),
                ),
                private=True,
                hidden=True,
                changes_chat=True,
            ),
            Command(
                "bcsend",
                N_("Confirm a broadcast"),
                broadcast.send,
                args=(Arg("id", N_("the broadcast's number"), required=True),),
                private=True,
                hidden=True,
                changes_chat=True,
            ),
            Command(
                "approve",
                N_("Approve another organizer's broadcast"),
                broadcast.approve,
                args=(
                    Arg("id", N_("the broadcast's number"), required=True),
                    Arg("confirm", N_("approve without asking again"), choices=("yes",)),
                ),
                organizer_only=True,
                private=True,
                hidden=True,
            ),
            Command(
                "cancel",
                N_("Stop a broadcast"),
                broadcast.cancel,
                args=(Arg("id", N_("the broadcast's number"), required=True),),
                private=True,
                hidden=True,
                changes_chat=True,
            ),
            Command(
                "ics",
                N_("An event as a calendar file"),
                events.ics,
                args=(Arg("event", N_("the event's id"), required=True),),
                hidden=True,
            ),
            Command(
                "rsvp",
                N_("Tell organizers whether you will come"),
                rsvp.rsvp,
                args=(
                    Arg("event", N_("the event's id"), required=True),
                    Arg("answer", N_("going, maybe or no"), choices=("going", "maybe", "no")),
                ),
                private=True,
                hidden=True,
                changes_chat=True,
            ),
        ]
    )
