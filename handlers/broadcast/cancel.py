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
    info = await find_broadcast(request, deps, _)
    if info.state not in UNFINISHED:
        return Reply(status_line(info, deps.broadcasts, request.tz, _), private=True)
    info = await deps.broadcasts.cancel(info.id) or info
    return Reply(
        _("Broadcast #{id} is cancelled: {sent} got it; {remaining} will not.").format(
            id=info.id,
            sent=info.counts.get(DeliveryState.SENT, 0),
            remaining=info.remaining,
        ),
        private=True,
    )
