"""/broadcasts: the latest broadcasts and their progress, with a Cancel button for each running."""

from __future__ import annotations

from bot.core.broadcast.values import UNFINISHED
from bot.core.commands import UserError
from bot.core.messages import ActionButton, Reply, Request
from handlers.broadcast.texts import status_line
from handlers.deps import Deps
from handlers.policy import is_group_admin, is_organizer

# Buttons beyond a handful crowd the reply; /cancel <id> stops any other.
MAX_CANCEL_BUTTONS = 5


async def broadcasts(request: Request, deps: Deps) -> Reply:
    """The latest broadcasts with their progress (organizers: all; admins: their group's)."""
    _ = deps.gettext(request)
    ngettext = deps.ngettext(request)
    service = deps.broadcasts
    if is_organizer(request, deps):
        recent = await service.recent(None)
    elif is_group_admin(request):
        recent = await service.recent(request.chat)
    else:
        raise UserError(_("Only campaign organizers and group admins can see broadcasts."))
    if not recent:
        return Reply(_("No broadcasts yet. Start one with /broadcast."), private=True)
    lines = [status_line(info, service, request.tz, _, ngettext) for info in recent]
    running = [i for i in recent if i.state in UNFINISHED]
    buttons = tuple(
        ActionButton(_("✖ Cancel #{id}").format(id=i.id), "cancel", (str(i.id),))
        for i in running[:MAX_CANCEL_BUTTONS]
    )
    return Reply("\n".join(lines), buttons=buttons, private=True)
