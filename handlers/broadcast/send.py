"""/bcsend, the Confirm button: start, schedule, or ask a second organizer to approve."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.broadcast.values import BroadcastInfo, BroadcastState
from bot.core.commands import UserError
from bot.core.i18n import gettext_for
from bot.core.messages import Address, Reply, Request
from handlers.broadcast.access import find_broadcast
from handlers.broadcast.approve import approve_button
from handlers.broadcast.texts import started_text, status_line
from handlers.deps import Deps


async def send(request: Request, deps: Deps) -> Reply:
    """The Confirm button: start (or schedule, or ask approval for) a previewed broadcast."""
    _ = deps.gettext(request)
    service = deps.broadcasts
    info = await find_broadcast(request, deps, _)
    if info.state is not BroadcastState.DRAFT:
        return Reply(status_line(info, service, request.tz, _), private=True)
    # Only its writer confirms a draft, always: another admin of the same group, or another
    # organizer, may cancel it but never send it. A draft without a recorded writer (stored
    # before writers were always recorded) can be confirmed by nobody; it expires unsent.
    if info.created_by is None or info.created_by != request.user:
        raise UserError(_("Only the organizer who wrote a broadcast can confirm it."))
    info = await service.confirm(info.id) or info
    if info.state is BroadcastState.APPROVAL:
        await _ask_approval(request, deps, info)
        return Reply(
            _(
                "Confirmed. Broadcast #{id} goes to {total} chats, more than {limit}, so another "
                "organizer must approve it: they can press Approve in the message I sent them, "
                "or send /approve {id}."
            ).format(id=info.id, total=info.total, limit=service.second_approval_above),
            private=True,
        )
    return Reply(started_text(info, request.tz, _), private=True)


async def _ask_approval(request: Request, deps: Deps, info: BroadcastInfo) -> None:
    for organizer in sorted(deps.organizers - {request.user}, key=str):
        _ = await _their_gettext(organizer, request, deps)
        text = (
            _("An organizer asks you to approve broadcast #{id} to {total} chats:").format(
                id=info.id, total=info.total
            )
            + "\n\n"
            + info.message.text
        )
        # To the person: their private chat on Telegram, a DM the bot opens on Discord.
        await deps.broadcasts.push_to_person(
            organizer, Reply(text, buttons=(approve_button(info, _),))
        )


async def _their_gettext(organizer: Address, request: Request, deps: Deps) -> Callable[[str], str]:
    """The approver's own language where their private chat chose one (a Telegram user's id is
    their private chat's); otherwise the writer's, the best guess within one campaign."""
    prefs = await deps.store.get_chat(organizer)
    locale = prefs.locale if prefs is not None and prefs.locale else request.locale
    return gettext_for(deps.translator, locale)
