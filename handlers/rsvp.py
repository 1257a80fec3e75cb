"""RSVP from an event's buttons: the asker sees their answer, everyone else only counts."""

from __future__ import annotations

from bot.core.commands import UserError
from bot.core.messages import ActionButton, Reply, Request
from bot.core.ports import RsvpAnswer
from bot.core.reminders.values import EventStatus
from handlers.deps import Deps
from handlers.events import find_event
from handlers.prefs import save_chat_if_new


async def rsvp(request: Request, deps: Deps) -> Reply:
    """Record going / maybe / not going for this chat and show the counts."""
    _ = deps.gettext(request)
    event = await find_event(request, deps, request.args[0] if request.args else None)
    labels = {
        RsvpAnswer.GOING: _("going"),
        RsvpAnswer.MAYBE: _("maybe"),
        RsvpAnswer.NOT_GOING: _("not going"),
    }
    title = event.title.get(request.locale)
    answer: RsvpAnswer | None
    if len(request.args) > 1:
        if event.status is EventStatus.CANCELLED:
            raise UserError(_("“{title}” has been cancelled.").format(title=title))
        answer = RsvpAnswer(request.args[1])
        # An RSVP needs the chat's row; creating it stores nothing beyond the chat id.
        await save_chat_if_new(request, deps)
        await deps.store.set_rsvp(request.chat, event.id, answer)
    else:
        answer = await deps.store.get_rsvp(request.chat, event.id)
    counts = await deps.store.rsvp_counts(event.id)
    lines = []
    if answer is not None:
        lines.append(
            _("Your answer for “{title}”: {answer}.").format(title=title, answer=labels[answer])
        )
    lines.append(
        _("So far: {going} going, {maybe} maybe.").format(
            going=counts.get(RsvpAnswer.GOING, 0), maybe=counts.get(RsvpAnswer.MAYBE, 0)
        )
    )
    if answer in (RsvpAnswer.GOING, RsvpAnswer.MAYBE):
        lines.append(_("I will remind you before it starts, and tell you if it is cancelled."))
    buttons = tuple(
        ActionButton(label, "rsvp", (event.id, choice.value))
        for choice, label in labels.items()
        if choice is not answer
    )
    return Reply("\n".join(lines), buttons=buttons)
