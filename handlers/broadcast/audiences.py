"""Who a broadcast can reach: a topic's subscribers, or "here" (this group or server)."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.broadcast.values import HERE
from bot.core.messages import Address, Request
from bot.core.ports import TOPICS
from handlers.deps import Deps
from handlers.subscriptions import topic_names

AUDIENCES = (*TOPICS, HERE)


def audience_names(_: Callable[[str], str]) -> dict[str, str]:
    """Each audience's name in the reader's language."""
    names = topic_names(_)
    return {
        **{t: _("Subscribers of: {topic}").format(topic=names[t]) for t in TOPICS},
        HERE: _("This group or server"),
    }


async def here_target(request: Request, deps: Deps) -> Address:
    """This group; on Discord, the server's announcement channel when /setup chose one."""
    chat = request.chat
    probe = deps.server_probes.get(chat.platform)
    if probe is None:
        # Only platforms with servers (Discord) have a probe; a Telegram group is its own target.
        return chat
    server_id = await probe.server_of(chat)
    setup = await deps.server_setups.get_setup(chat.platform, server_id) if server_id else None
    if setup is None or setup.broken_reason:
        return chat
    return Address(chat.platform, setup.channel_id)
