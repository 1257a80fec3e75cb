"""/dashboard: a one-time link into the organizer dashboard, for organizers and admins.

The link works once, within a few minutes, and only for the person who asked; it names nobody
(a random token, of which the database keeps a hash). An organizer's link opens the whole
campaign; a group's or server's admin's only their group or server. The reply is private: on
Telegram a group's link goes to the asker's private chat, on Discord it is ephemeral.
"""

from __future__ import annotations

from bot.core.commands import UserError
from bot.core.dashboard.access import Grant
from bot.core.messages import Reply, Request, UrlButton
from handlers.deps import Deps
from handlers.policy import is_group_admin, is_organizer


async def dashboard(request: Request, deps: Deps) -> Reply:
    """A one-time login link for the web dashboard."""
    _ = deps.gettext(request)
    ngettext = deps.ngettext(request)
    if is_organizer(request, deps):
        scope = None
        reach = _("It opens the whole campaign's dashboard.")
    elif is_group_admin(request):
        scope = request.chat
        reach = _("It opens only this group's or server's pages of the dashboard.")
    else:
        raise UserError(
            _(
                "Only campaign organizers, and a group's or server's admins for their own, can "
                "open the dashboard."
            )
        )
    links = deps.dashboard
    grant = Grant(request.user, request.chat, request.chat_kind, scope, request.locale)
    url = f"{links.base_url}/login/{await links.access.link_token(grant)}"
    minutes = round(links.access.login_ttl.total_seconds() / 60)
    lines = [
        _("Your dashboard link:"),
        url,
        ngettext(
            "It works once, within {n} minute, and only for you: do not forward it.",
            "It works once, within {n} minutes, and only for you: do not forward it.",
            minutes,
        ).format(n=minutes),
        reach,
    ]
    return Reply("\n".join(lines), buttons=(UrlButton(_("Open the dashboard"), url),), private=True)
