"""/cancelevent: cancel an event after a confirmation; those who said they would come are told."""

from __future__ import annotations

from bot.core.messages import ActionButton, Reply, Request
from bot.core.ports import RsvpAnswer
from bot.core.reminders.values import EventStatus
from handlers.deps import Deps
from handlers.event_admin.access import check_may_change
from handlers.events import describe, find_event
from handlers.texts.answers import KEEP, is_yes


async def cancelevent(request: Request, deps: Deps) -> Reply:
    """Cancel an event after a yes (Keep, or any other answer, changes nothing); comers are told."""
    _ = deps.gettext(request)
    event = await find_event(request, deps, request.args[0])
    check_may_change(event, request, deps)
    title = event.title.get(request.locale)
    if event.status is EventStatus.CANCELLED:
        return Reply(_("“{title}” is already cancelled.").format(title=title))
    if len(request.args) < 2:
        counts = await deps.store.rsvp_counts(event.id)
        coming = counts.get(RsvpAnswer.GOING, 0) + counts.get(RsvpAnswer.MAYBE, 0)
        ngettext = deps.ngettext(request)
        return Reply(
            ngettext(
                "Cancel “{title}”? {count} chat said it would or might come; it will be told.",
                "Cancel “{title}”? {count} chats said they would or might come; they will be told.",
                coming,
            ).format(title=title, count=coming)
            + "\n\n"
            + describe(event, request, deps, show_id=True),
            buttons=(
                ActionButton(_("❌ Yes, cancel it"), "cancelevent", (event.id, "confirm")),
                ActionButton(_("✖ Keep the event"), "cancelevent", (event.id, KEEP)),
            ),
            asks=True,
        )
    if not is_yes(request.args[1]):
        return Reply(_("Kept: “{title}” is not cancelled; nothing changed.").format(title=title))
    cancelled = await deps.events.cancel(event.id, deps.clock())
    if cancelled is None:
        return Reply(_("“{title}” is already cancelled.").format(title=title))
    return Reply(
        _("Cancelled “{title}”. Everyone who said they would or might come will be told.").format(
            title=title
        )
    )
