"""Who may send a broadcast to whom, and manage which: the refusals, in the asker's words."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.broadcast.values import HERE, BroadcastInfo
from bot.core.commands import UserError
from bot.core.messages import ChatKind, Request
from handlers.deps import Deps
from handlers.policy import is_group_admin, is_organizer


def check_may_send(request: Request, deps: Deps, audience: str, _: Callable[[str], str]) -> None:
    """Raise the refusal if this asker may not broadcast to `audience`."""
    if is_organizer(request, deps):
        return
    if audience == HERE and is_group_admin(request):
        return
    if is_group_admin(request):
        raise UserError(
            _(
                "As an admin here you can broadcast only to this group or server: "
                "/broadcast here. Broadcasts to all subscribers come from campaign organizers."
            )
        )
    if request.chat_kind is not ChatKind.PRIVATE and audience == HERE:
        raise UserError(_("Only this group's admins can broadcast to it."))
    raise UserError(
        _(
            "Only campaign organizers can send broadcasts. Admins of a group or server can "
            "broadcast to it with /broadcast here, sent in that group."
        )
    )


def check_may_manage(
    request: Request, deps: Deps, info: BroadcastInfo, _: Callable[[str], str]
) -> None:
    """Organizers manage every broadcast; a group's admins only those sent in their group."""
    if is_organizer(request, deps):
        return
    if info.audience == HERE and request.chat == info.origin and is_group_admin(request):
        return
    raise UserError(_("Only campaign organizers and the admins who sent it can manage it."))


async def find_broadcast(request: Request, deps: Deps, _: Callable[[str], str]) -> BroadcastInfo:
    """The broadcast named by the first argument ('12' or '#12'), if the asker may manage it."""
    word = request.args[0].lstrip("#") if request.args else ""
    info = await deps.broadcasts.get(int(word)) if word.isdigit() else None
    if info is None:
        raise UserError(_("There is no broadcast #{id}. /broadcasts lists them.").format(id=word))
    check_may_manage(request, deps, info, _)
    return info
