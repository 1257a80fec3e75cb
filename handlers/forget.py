"""/forget: after a confirmation, erase every row about this chat, at once."""

from __future__ import annotations

from bot.core.messages import ActionButton, Reply, Request
from handlers.deps import Deps


async def forget(request: Request, deps: Deps) -> Reply:
    """Ask for confirmation; `/forget confirm` erases and says what went."""
    _ = deps.gettext(request)
    if request.args[:1] != ("confirm",):
        return Reply(
            _(
                "This erases everything stored about this chat: its settings, reminder "
                "subscriptions and event answers. It cannot be undone. Erase now?"
            ),
            buttons=(ActionButton(_("🗑 Yes, erase everything"), "forget", ("confirm",)),),
        )
    erased = await deps.store.forget_chat(request.chat)
    if not any(erased.values()):
        return Reply(_("Nothing was stored about this chat, so there was nothing to erase."))
    return Reply(
        _(
            "Erased: this chat's settings ({chats}), {topics} reminder subscriptions and "
            "{rsvps} event answers. Nothing about this chat is stored any more."
        ).format(
            chats=erased.get("chat", 0),
            topics=erased.get("topics", 0),
            rsvps=erased.get("rsvps", 0),
        )
    )
