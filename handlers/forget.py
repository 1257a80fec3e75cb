"""/forget: after a confirmation, erase every row about this chat and its asker, at once."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.core.messages import ActionButton, Reply, Request
from handlers.deps import Deps
from handlers.texts.answers import KEEP, is_yes

# The kinds the reply names one by one; any other kind is counted among "other records".
NAMED = frozenset(
    {
        "chats",
        "chat_topics",
        "rsvps",
        "broadcasts",
        "broadcast_approvals",
        "broadcast_recipients",
        "server_setups",
    }
)


async def forget(request: Request, deps: Deps) -> Reply:
    """Ask for confirmation; a yes erases and says what went, anything else keeps everything."""
    _ = deps.gettext(request)
    if not request.args:
        return Reply(
            _(
                "This erases everything stored about this chat: its settings, reminder "
                "subscriptions and event answers. It cannot be undone. Erase now?"
            ),
            buttons=(
                ActionButton(_("🗑 Yes, erase everything"), "forget", ("confirm",)),
                ActionButton(_("✖ Keep my data"), "forget", (KEEP,)),
            ),
            asks=True,
        )
    if not is_yes(request.args[0]):
        return Reply(_("Kept: nothing was erased, everything stays as it was."))
    # The asker's own address too: a broadcast they started or approved names them, not the
    # chat (in a group, the two differ).
    erased = await deps.store.forget_chat(request.chat, request.user)
    if not any(erased.values()):
        return Reply(
            _("Nothing was stored about this chat, so there was nothing to erase."), erased=True
        )
    lines = _what_went(erased, _)
    lines.append(_("Nothing about this chat is stored any more."))
    return Reply(" ".join(lines), erased=True)


def _what_went(erased: Mapping[str, int], _: Callable[[str], str]) -> list[str]:
    """One sentence per kind that had rows: the truth, and nothing said about what was not."""
    lines = []
    if erased.get("chats"):
        lines.append(
            _(
                "Erased: this chat's settings, {topics} reminder subscriptions and {rsvps} "
                "event answers."
            ).format(topics=erased.get("chat_topics", 0), rsvps=erased.get("rsvps", 0))
        )
    if erased.get("broadcasts"):
        lines.append(
            _(
                "Erased: {count} broadcasts started here or by you, with their recipient lists."
            ).format(count=erased["broadcasts"])
        )
    if erased.get("broadcast_approvals"):
        lines.append(
            _("Approvals you gave to {count} broadcasts no longer name you.").format(
                count=erased["broadcast_approvals"]
            )
        )
    if erased.get("broadcast_recipients"):
        lines.append(
            _(
                "This chat was removed from {count} broadcast delivery lists (only the totals "
                "stay)."
            ).format(count=erased["broadcast_recipients"])
        )
    if erased.get("server_setups"):
        lines.append(_("Erased: this server's announcement setup."))
    others = sum(count for kind, count in erased.items() if kind not in NAMED)
    if others:
        lines.append(_("Also erased: {count} other records about this chat.").format(count=others))
    return lines
