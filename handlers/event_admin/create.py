"""/newevent (and /eventform, its step-by-step form): a new event, previewed before it is public."""

from __future__ import annotations

from bot.core.messages import ActionButton, Reply, Request
from handlers.deps import Deps
from handlers.event_admin.access import new_scope
from handlers.event_admin.draft import FIELDS, draft_from_fields
from handlers.event_admin.publish import preview
from handlers.prefs import save_chat_if_new


async def newevent(request: Request, deps: Deps) -> Reply:
    """Create an event: step by step, or all at once from slash-command options."""
    _ = deps.gettext(request)
    scope = new_scope(request, deps)
    if len(request.args) < len(FIELDS):
        where = _("for everyone") if scope is None else _("for this group only")
        return Reply(
            _(
                "Let's create an event {where}. I will ask for its time zone, title, start, end, "
                "place or link, and description, checking each answer, then show a preview "
                "before anything is published."
            ).format(where=where),
            buttons=(ActionButton(_("✏️ Start"), "eventform"),),
        )
    draft = draft_from_fields(request.args, deps.clock(), _)
    if scope is not None:
        await save_chat_if_new(request, deps)
    event = await deps.events.save_draft(draft, scope, deps.clock(), drafted_by=request.user)
    return preview(event, request, deps, _("Preview of the new event:"))
