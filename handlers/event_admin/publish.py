"""The preview every new or changed event shows, and what its Publish and Discard buttons do."""

from __future__ import annotations

from bot.core.commands import UserError
from bot.core.messages import ActionButton, Reply, Request
from bot.core.reminders.values import EventInfo
from handlers.deps import Deps
from handlers.events import describe, event_buttons
from handlers.policy import may_publish


def preview(event: EventInfo, request: Request, deps: Deps, heading: str) -> Reply:
    """The stored draft as it will look, who will see it, and its Publish and Discard buttons."""
    _ = deps.gettext(request)
    if event.scope is None:
        audience = _("Everyone will see it in /events; chats subscribed to events get reminders.")
    else:
        audience = _("Only this chat will see it and get its reminders.")
    text = "\n\n".join((heading, describe(event, request, deps, show_id=True), audience))
    return Reply(
        text,
        buttons=(
            ActionButton(_("✅ Publish"), "eventdraft", (event.id, "publish")),
            ActionButton(_("✖ Discard"), "eventdraft", (event.id, "discard")),
        ),
    )


async def eventdraft(request: Request, deps: Deps) -> Reply:
    """Publish or discard a previewed draft (from its buttons)."""
    _ = deps.gettext(request)
    draft_id, action = (*request.args, "", "")[:2]
    now = deps.clock()
    draft = await deps.events.get_draft(draft_id, now)
    if draft is None:
        return Reply(_("This draft has expired or was already used. Start again if needed."))
    if not may_publish(request, deps, draft.scope):
        raise UserError(_("Only campaign organizers or this group's admins can publish this."))
    if draft.drafted_by is None or draft.drafted_by != request.user:
        # Another organizer or admin may have their own reasons; the writer decides.
        raise UserError(_("Only the person who wrote this draft can publish or discard it."))
    if action == "discard":
        await deps.events.discard(draft_id)
        return Reply(_("Discarded. Nothing was published."))
    if draft.starts_at <= now:
        raise UserError(_("That start time has already passed. Events must start in the future."))
    event = await deps.events.confirm(draft_id, now)
    if event is None:
        return Reply(_("This draft has expired or was already used. Start again if needed."))
    heading = _("Updated.") if draft.edit_of else _("Published.")
    return Reply(
        heading + "\n\n" + describe(event, request, deps, show_id=True),
        buttons=tuple(event_buttons(event, request.locale, _)),
    )
