"""/bcsend, the Confirm button: start, schedule, or ask a second organizer to approve."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.broadcast.values import BroadcastInfo, BroadcastState
from bot.core.commands import UserError
from bot.core.discreet import APPROVAL, ShowTarget
from bot.core.i18n import Plural, gettext_for, ngettext_for
from bot.core.messages import Reply, Request
from handlers.broadcast.access import find_broadcast
from handlers.broadcast.approve import approve_button
from handlers.broadcast.texts import started_text, status_line
from handlers.deps import Deps


async def send(request: Request, deps: Deps) -> Reply:
    """The Confirm button: start (or schedule, or ask approval for) a previewed broadcast."""
    _ = deps.gettext(request)
    ngettext = deps.ngettext(request)
    service = deps.broadcasts
    info = await find_broadcast(request, deps, _)
    if info.state is not BroadcastState.DRAFT:
        return Reply(status_line(info, service, request.tz, _, ngettext), private=True)
    # Only its writer confirms a draft, always: another admin of the same group, or another
    # organizer, may cancel it but never send it. A draft without a recorded writer (stored
    # before writers were always recorded) can be confirmed by nobody; it expires unsent.
    if info.created_by is None or info.created_by != request.user:
        raise UserError(_("Only the organizer who wrote a broadcast can confirm it."))
    info = await service.confirm(info.id) or info
    if info.state is BroadcastState.APPROVAL:
        await _ask_approval(request, deps, info)
        return Reply(
            ngettext(
                "Confirmed. Broadcast #{id} goes to {count} chat, more than {limit}, so another "
                "organizer must approve it: they can press Approve in the message I sent them, "
                "or send /approve {id}.",
                "Confirmed. Broadcast #{id} goes to {count} chats, more than {limit}, so another "
                "organizer must approve it: they can press Approve in the message I sent them, "
                "or send /approve {id}.",
                info.total,
            ).format(id=info.id, count=info.total, limit=service.second_approval_above),
            private=True,
        )
    return Reply(started_text(info, request.tz, _, ngettext), private=True)


async def _ask_approval(request: Request, deps: Deps, info: BroadcastInfo) -> None:
    show = ShowTarget(APPROVAL, str(info.id))

    def compose(locale: str | None) -> Reply:
        return approval_request(
            info, gettext_for(deps.translator, locale), ngettext_for(deps.translator, locale)
        )

    for organizer in sorted(deps.organizers - {request.user}, key=str):
        # In the approver's private chat (a DM the bot opens on Discord), in its language and
        # discreet mode; the writer's language where that chat chose none, the best guess
        # within one campaign.
        await deps.broadcasts.tell_person(organizer, compose, show, request.locale)


def approval_request(
    info: BroadcastInfo, _: Callable[[str], str], ngettext: Plural, *, pending: bool = True
) -> Reply:
    """What another organizer is asked (and what a discreet chat's Show shows): the broadcast's
    text, with Approve while it still waits for approval."""
    text = (
        ngettext(
            "An organizer asks you to approve broadcast #{id} to {count} chat:",
            "An organizer asks you to approve broadcast #{id} to {count} chats:",
            info.total,
        ).format(id=info.id, count=info.total)
        + "\n\n"
        + info.message.text
    )
    return Reply(text, buttons=(approve_button(info, _),) if pending else ())
