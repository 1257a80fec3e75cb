"""/cancel: stop a broadcast; nothing more goes out once it answers."""

from __future__ import annotations

from bot.core.broadcast.values import UNFINISHED, DeliveryState
from bot.core.messages import Reply, Request
from handlers.broadcast.access import find_broadcast
from handlers.broadcast.texts import status_line
from handlers.deps import Deps


async def cancel(request: Request, deps: Deps) -> Reply:
    """Stop a broadcast: nothing more goes out once this answers."""
    _ = deps.gettext(request)
    ngettext = deps.ngettext(request)
    info = await find_broadcast(request, deps, _)
    if info.state not in UNFINISHED:
        return Reply(status_line(info, deps.broadcasts, request.tz, _, ngettext), private=True)
    info = await deps.broadcasts.cancel(info.id) or info
    sent = info.counts.get(DeliveryState.SENT, 0)
    # Two counts, two sentences' parts: each chooses its own form ("1 chat", "5 chats").
    got = ngettext("{count} chat got it", "{count} chats got it", sent).format(count=sent)
    left = info.remaining
    will_not = ngettext("{count} chat will not", "{count} chats will not", left).format(count=left)
    return Reply(
        _("Broadcast #{id} is cancelled: {got}; {will_not}.").format(
            id=info.id, got=got, will_not=will_not
        ),
        private=True,
    )
