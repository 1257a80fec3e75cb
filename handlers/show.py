"""Show, under a discreet message: the message in full, rendered again from what the bot has."""

from __future__ import annotations

from bot.core.broadcast.values import BroadcastState
from bot.core.discreet import APPROVAL, BROADCAST, PROGRESS, ShowTarget, parse_show
from bot.core.messages import Reply, Request
from bot.core.reminders.values import REMEMBRANCE, Kind
from handlers.broadcast.send import approval_request
from handlers.broadcast.texts import status_line
from handlers.deps import Deps
from handlers.texts.reminder import ReminderTexts

# A broadcast's text may be shown once it has gone out, never while it is a draft.
SENT = (BroadcastState.SENDING, BroadcastState.DONE, BroadcastState.CANCELLED)


async def show(request: Request, deps: Deps) -> Reply:
    """Replace a discreet message's neutral line with its full text."""
    _ = deps.gettext(request)
    target = parse_show(request.args)
    # Every discreet message went to a chat with a row: without one, /forget erased it.
    full = None
    if target is not None and await deps.store.get_chat(request.chat) is not None:
        full = await _full(target, request, deps)
    if full is None:
        return Reply(_("This message is no longer available."), edits=True)
    return Reply(full.text, buttons=full.buttons, edits=True)


async def _full(target: ShowTarget, request: Request, deps: Deps) -> Reply | None:
    if target.what in (BROADCAST, APPROVAL, PROGRESS):
        info = await deps.broadcasts.get(int(target.id))
        if info is None:
            return None
        if target.what == PROGRESS:
            # News for its writer: how it stands now, for them (or another organizer) only.
            writer = info.created_by == request.user or (
                info.created_by is None and request.chat == info.origin
            )
            if not writer and request.user not in deps.organizers:
                return None
            _, ngettext = deps.gettext(request), deps.ngettext(request)
            return Reply(status_line(info, deps.broadcasts, request.tz, _, ngettext))
        if target.what == APPROVAL:
            if request.user not in deps.organizers:
                return None
            pending = info.state is BroadcastState.APPROVAL
            return approval_request(
                info, deps.gettext(request), deps.ngettext(request), pending=pending
            )
        # A group's own broadcast is shown only in that group.
        if info.state not in SENT or (not info.campaign_wide and request.chat != info.origin):
            return None
        return info.message.reply()
    try:
        kind = Kind(target.kind)
    except ValueError:
        return None
    texts = ReminderTexts(deps.translator, deps.campaign.remembrance)
    if kind is Kind.REMEMBRANCE:
        if target.id != REMEMBRANCE:
            return None
        return texts.full(kind, target.lead, None, request.locale, request.tz)
    event = await deps.events.get(target.id)
    if event is None or (event.scope is not None and event.scope != request.chat):
        return None
    return texts.full(kind, target.lead, event, request.locale, request.tz)
