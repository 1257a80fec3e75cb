"""/whoami: the asker's platform-qualified user id, the form ORGANIZERS takes.

Organizers need it to be added (ORGANIZERS=telegram:123456), and nothing else tells them. It
identifies an account, so the reply is private (the Command says so, and the reply itself too):
asked in a Telegram group it goes to the asker's private chat, or the group is told to open one;
on Discord it is ephemeral. It is never posted where the group can read it.
"""

from __future__ import annotations

from bot.core.messages import ChatKind, Reply, Request
from handlers.deps import Deps


async def whoami(request: Request, deps: Deps) -> Reply:
    """The asker's id, ready to paste into ORGANIZERS, and who it is for."""
    _ = deps.gettext(request)
    lines = [
        _("Your user id: {user}").format(user=request.user),
        _(
            "Give this to the campaign's admin to be added as an organizer; it identifies your "
            "account, so share it only with them."
        ),
    ]
    if request.chat_kind is not ChatKind.PRIVATE:
        lines.append(_("(Shown only to you.)"))
    return Reply("\n".join(lines), private=True)
