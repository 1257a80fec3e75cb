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
    known = {"chats", "chat_topics", "rsvps"}
    text = _(
        "Erased: this chat's settings, {topics} reminder subscriptions and {rsvps} event answers."
    ).format(topics=erased.get("chat_topics", 0), rsvps=erased.get("rsvps", 0))
    others = sum(count for table, count in erased.items() if table not in known)
    if others:
        text += " " + _("Also erased: {count} other records about this chat.").format(count=others)
    return Reply(text + " " + _("Nothing about this chat is stored any more."))
