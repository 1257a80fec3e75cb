"""/forget: after a confirmation, erase every row about this chat and its asker, at once."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.core.i18n import Plural
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
    lines = _what_went(erased, _, deps.ngettext(request))
    lines.append(_("Nothing about this chat is stored any more."))
    return Reply(" ".join(lines), erased=True)


def _what_went(erased: Mapping[str, int], _: Callable[[str], str], ngettext: Plural) -> list[str]:
    """One sentence per kind that had rows: the truth, and nothing said about what was not."""
    lines = []
    if erased.get("chats"):
        topics, rsvps = erased.get("chat_topics", 0), erased.get("rsvps", 0)
        lines.append(
            _("Erased: this chat's settings, {subscriptions} and {answers}.").format(
                subscriptions=ngettext(
                    "{count} reminder subscription", "{count} reminder subscriptions", topics
                ).format(count=topics),
                answers=ngettext("{count} event answer", "{count} event answers", rsvps).format(
                    count=rsvps
                ),
            )
        )
    if count := erased.get("broadcasts", 0):
        lines.append(
            ngettext(
                "Erased: {count} broadcast started here or by you, with its recipient list.",
                "Erased: {count} broadcasts started here or by you, with their recipient lists.",
                count,
            ).format(count=count)
        )
    if count := erased.get("broadcast_approvals", 0):
        lines.append(
            ngettext(
                "Your approval of {count} broadcast no longer names you.",
                "Your approvals of {count} broadcasts no longer name you.",
                count,
            ).format(count=count)
        )
    if count := erased.get("broadcast_recipients", 0):
        lines.append(
            ngettext(
                "This chat was removed from the recipients of {count} broadcast (only its totals "
                "stay).",
                "This chat was removed from the recipients of {count} broadcasts (only their "
                "totals stay).",
                count,
            ).format(count=count)
        )
    if erased.get("server_setups"):
        lines.append(_("Erased: this server's announcement setup."))
    if others := sum(count for kind, count in erased.items() if kind not in NAMED):
        lines.append(
            ngettext(
                "Also erased: {count} other record about this chat.",
                "Also erased: {count} other records about this chat.",
                others,
            ).format(count=others)
        )
    return lines
