"""Discreet mode: what a lock screen or a chat list may show of a message the bot starts.

A discreet chat's unprompted messages (reminders, notices, broadcasts, approval requests, a
broadcast's news for its writer) arrive
as one neutral line with a Show button; the button carries what the core needs to render the
full text again on the press (a broadcast's id, an event's id with the reminder's kind and
lead), so no message text is ever stored for it. Every message to a discreet chat is protected
from forwarding and saving where the platform can.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.core.messages import ActionButton, Reply

SHOW = "show"
# What a Show button re-renders; one letter each, to keep callback data short.
BROADCAST = "b"
REMINDER = "r"
APPROVAL = "a"
# News of a broadcast for its writer (approved, progress, finished): Show gives its state now.
PROGRESS = "p"
# Russian-language chats are discreet until they choose: that is where a lock screen is searched.
DISCREET_LANGUAGES = frozenset({"ru"})


def is_discreet(choice: bool | None, locale: str | None) -> bool:
    """The chat's own choice, or, before it made one, on for Russian-language chats."""
    if choice is not None:
        return choice
    return (locale or "").split("_")[0].split("-")[0].lower() in DISCREET_LANGUAGES


@dataclass(frozen=True, slots=True)
class ShowTarget:
    """What a Show button points at: a broadcast, an approval request or a broadcast's news (by
    broadcast id), or a reminder (an event's id, its Kind's value and its lead)."""

    what: str
    id: str
    kind: str = ""
    lead: int = 0

    def args(self) -> tuple[str, ...]:
        if self.what == REMINDER:
            return (self.what, self.id, self.kind, str(self.lead))
        return (self.what, self.id)


def parse_show(args: tuple[str, ...]) -> ShowTarget | None:
    """A Show button's arguments back as a target; None for anything it never sends."""
    if len(args) == 2 and args[0] in (BROADCAST, APPROVAL, PROGRESS) and args[1].isascii():
        # A database id, never past a signed 64-bit integer.
        return ShowTarget(args[0], args[1]) if args[1].isdigit() and len(args[1]) <= 18 else None
    if len(args) == 4 and args[0] == REMINDER and args[1] and args[2].isalpha():
        lead = args[3]
        if lead.isascii() and lead.isdigit() and len(lead) <= 7:
            return ShowTarget(REMINDER, args[1], args[2], int(lead))
    return None


def neutral(target: ShowTarget, _: Callable[[str], str], *, paid: bool = False) -> Reply:
    """The neutral message sent instead: one line that reveals nothing, and Show."""
    return Reply(
        _("You have a new update"),
        buttons=(ActionButton(_("Show"), SHOW, target.args()),),
        paid=paid,
        protect=True,
    )
