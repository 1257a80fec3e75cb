"""/editevent: change one field of an event, previewed before the change is public."""

from __future__ import annotations

from bot.core.commands import UserError
from bot.core.messages import Reply, Request
from bot.core.reminders.values import EventStatus
from handlers.deps import Deps
from handlers.event_admin.access import check_may_change
from handlers.event_admin.draft import draft_of, with_change
from handlers.event_admin.publish import preview
from handlers.events import find_event


async def editevent(request: Request, deps: Deps) -> Reply:
    """Change one field of an event, with a preview to confirm."""
    _ = deps.gettext(request)
    event_id, field, value = request.args
    event = await find_event(request, deps, event_id)
    check_may_change(event, request, deps)
    if event.status is not EventStatus.SCHEDULED:
        raise UserError(_("That event was cancelled; it can no longer be changed."))
    draft = with_change(draft_of(event), field, value, deps.clock(), _)
    pending = await deps.events.save_draft(
        draft, event.scope, deps.clock(), edit_of=event.id, drafted_by=request.user
    )
    return preview(pending, request, deps, _("Preview of the changed event:"))


async def check_value(request: Request, deps: Deps) -> str:
    """Refuse a new value the event cannot take (a start in the past, an end before the start)."""
    # Checked as it is typed, so a bad value is asked for again, the event and field kept.
    _ = deps.gettext(request)
    event_id, field, value = request.args
    event = await find_event(request, deps, event_id)
    with_change(draft_of(event), field, value, deps.clock(), _)
    return ""
