"""/approve: a second organizer's yes before a large campaign-wide broadcast starts."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.broadcast.values import BroadcastInfo, BroadcastState
from bot.core.i18n import gettext_for
from bot.core.messages import ActionButton, Reply, Request
from handlers.broadcast.access import find_broadcast
from handlers.broadcast.texts import breakdown_text, started_text, status_line
from handlers.deps import Deps


def approve_button(info: BroadcastInfo, _: Callable[[str], str]) -> ActionButton:
    """The button that approves `info` without asking again."""
    return ActionButton(_("✅ Approve"), "approve", (str(info.id), "yes"))


async def approve(request: Request, deps: Deps) -> Reply:
    """A second organizer approves a large campaign-wide broadcast."""
    _ = deps.gettext(request)
    ngettext = deps.ngettext(request)
    service = deps.broadcasts
    info = await find_broadcast(request, deps, _)
    if info.state is not BroadcastState.APPROVAL:
        return Reply(status_line(info, service, request.tz, _, ngettext), private=True)
    if info.created_by == request.user:
        return Reply(
            _("You composed broadcast #{id}; a different organizer must approve it.").format(
                id=info.id
            ),
            private=True,
        )
    if request.args[1:2] != ("yes",):
        return Reply(
            ngettext(
                "Broadcast #{id} to {count} chat ({breakdown}):",
                "Broadcast #{id} to {count} chats ({breakdown}):",
                info.total,
            ).format(
                id=info.id,
                count=info.total,
                breakdown=breakdown_text(await service.breakdown(info.id), _),
            )
            + "\n\n"
            + info.message.text,
            buttons=(*info.message.links, approve_button(info, _)),
            private=True,
        )
    info = await service.approve(info.id, request.user) or info
    if info.state is BroadcastState.APPROVAL:
        return Reply(status_line(info, service, request.tz, _, ngettext), private=True)
    approved_id = info.id

    def news(locale: str | None) -> Reply:
        text = gettext_for(deps.translator, locale)(
            "Broadcast #{id} was approved by a second organizer."
        )
        return Reply(text.format(id=approved_id))

    await service.tell_writer(info, news)
    return Reply(_("Approved.") + " " + started_text(info, request.tz, _, ngettext), private=True)
