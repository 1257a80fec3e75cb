"""/broadcast and /bcwrite: choose the audience, then the time and text, then see a preview."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bot.core.broadcast.compose import ComposeError, compose, parse_when, scheduled
from bot.core.broadcast.values import HERE, NewBroadcast
from bot.core.commands import UserError
from bot.core.dates import split_leading_time
from bot.core.messages import ActionButton, ChatKind, Reply, Request
from bot.core.timezones import zone_named
from handlers.broadcast.access import check_may_send
from handlers.broadcast.audiences import AUDIENCES, audience_names, here_target
from handlers.broadcast.texts import breakdown_text, paid_text, when_text
from handlers.deps import Deps
from handlers.policy import is_organizer


async def broadcast(request: Request, deps: Deps) -> Reply:
    """Start composing a broadcast, or compose it at once from a full command line."""
    _ = deps.gettext(request)
    if not request.args:
        allowed = AUDIENCES if is_organizer(request, deps) else (HERE,)
        check_may_send(request, deps, allowed[0], _)
        names = audience_names(_)
        return Reply(
            _("Who should get the broadcast?"),
            buttons=tuple(ActionButton(names[a], "bcwrite", (a,)) for a in allowed),
            private=True,
        )
    audience = request.args[0]
    check_may_send(request, deps, audience, _)
    if len(request.args) < 2 or not request.args[1].strip():
        return Reply(
            _("Press the button, then answer my questions: when to send, and the text."),
            buttons=(ActionButton(_("✍️ Write the broadcast"), "bcwrite", (audience,)),),
            private=True,
        )
    # One line sends now; only words that read as a time at the text's start schedule it
    # ("tomorrow 18:00 Rally…"), so "Rally at the embassy on Saturday" is all text.
    now = deps.clock()
    wall, raw = split_leading_time(request.args[1], now.astimezone(zone_named(request.tz)))
    return await _draft(
        request,
        deps,
        audience,
        raw,
        lambda: None if wall is None else scheduled(wall, request.tz, now),
    )


async def write(request: Request, deps: Deps) -> Reply:
    """Compose step by step: the audience from a button, then the time and the text."""
    _ = deps.gettext(request)
    audience, when, raw = (*request.args, "", "", "")[:3]
    check_may_send(request, deps, audience, _)
    return await _draft(
        request, deps, audience, raw, lambda: parse_when(when, request.tz, deps.clock())
    )


async def _draft(
    request: Request,
    deps: Deps,
    audience: str,
    raw: str,
    send_time: Callable[[], datetime | None],
) -> Reply:
    _ = deps.gettext(request)
    ngettext = deps.ngettext(request)
    service = deps.broadcasts
    try:
        message = compose(raw)
        send_at = send_time()
    except ComposeError as error:
        raise UserError(
            _(error.msgid).format(**error.values) + "\n" + _("Nothing was sent.")
        ) from None
    target = await here_target(request, deps) if audience == HERE else None
    info = await service.draft(
        NewBroadcast(
            audience=audience,
            message=message,
            origin=request.chat,
            locale=request.locale or "en",
            # Always the asker, organizer or group admin: only they may confirm it (send.py).
            created_by=request.user,
            send_at=send_at,
            target=target,
        )
    )
    if info.total == 0:
        # The empty draft is never listed and expires with the other unconfirmed ones.
        return Reply(_("Nobody would get it: no chat is subscribed to that yet. Nothing was sent."))
    breakdown = await service.breakdown(info.id)
    lines = [
        ngettext(
            "Broadcast #{id} goes to {count} chat: {breakdown}.",
            "Broadcast #{id} goes to {count} chats: {breakdown}.",
            info.total,
        ).format(id=info.id, count=info.total, breakdown=breakdown_text(breakdown, _)),
        _("When: {when}.").format(when=when_text(send_at, request.tz, _)),
    ]
    # Only campaign-wide broadcasts pay (a group's own goes free): the cost before Confirm.
    paid = service.paid_estimate(breakdown) if info.campaign_wide else None
    if paid is not None:
        lines.append(paid_text(paid, request.locale, _, ngettext))
    if info.campaign_wide and info.total > service.second_approval_above:
        limit = service.second_approval_above
        lines.append(
            ngettext(
                "It goes to more than {count} chat, so after you confirm, a second organizer "
                "must approve it before it starts.",
                "It goes to more than {count} chats, so after you confirm, a second organizer "
                "must approve it before it starts.",
                limit,
            ).format(count=limit)
        )
    lines.append(_("Nothing is sent until you press Confirm."))
    controls = (
        ActionButton(_("✅ Confirm and send"), "bcsend", (str(info.id),)),
        ActionButton(_("✖ Cancel"), "cancel", (str(info.id),)),
    )
    # A discreet chat's own preview may not be forwarded or saved either.
    preview = replace(message.reply(), protect=request.discreet)
    if request.in_dashboard:
        # The dashboard draws the exact message beside this answer, as each platform shows it.
        return Reply("\n".join(lines), buttons=controls, private=True)
    # The exact message recipients get goes to a private chat as its own message; in a group
    # (where only the asker should see it) it is shown inside this private reply instead.
    if request.chat_kind is ChatKind.PRIVATE and await service.push(
        request.chat, preview, paced=False
    ):
        lines.insert(0, _("Above is the broadcast exactly as recipients will see it."))
        return Reply("\n".join(lines), buttons=controls, private=True)
    lines.insert(0, _("Preview, exactly as recipients will see it:") + "\n\n" + preview.text + "\n")
    return Reply("\n".join(lines), buttons=(*preview.buttons, *controls), private=True)
