"""Who may create an event where, and who may change or cancel which: the refusals, in words."""

from __future__ import annotations

from bot.core.commands import UserError
from bot.core.messages import Address, Request
from bot.core.reminders.values import EventInfo
from handlers.deps import Deps
from handlers.policy import is_group_admin, is_organizer, may_manage


def new_scope(request: Request, deps: Deps) -> Address | None:
    """Where a new event goes: everywhere (organizers) or this group (its admins)."""
    _ = deps.gettext(request)
    if is_organizer(request, deps):
        return None
    if is_group_admin(request):
        return request.chat
    raise UserError(
        _(
            "Only campaign organizers can create events for everyone, and a group's admins for "
            "their own group."
        )
    )


def check_may_change(event: EventInfo, request: Request, deps: Deps) -> None:
    """Refuse events from the content files, and events of chats the asker does not run."""
    _ = deps.gettext(request)
    if event.from_content:
        raise UserError(
            _(
                "“{title}” comes from the campaign's content files; change it there "
                "(content/data/events.yaml)."
            ).format(title=event.title.get(request.locale))
        )
    if not may_manage(request, deps, event.scope):
        raise UserError(_("Only campaign organizers or this group's admins can change this event."))
