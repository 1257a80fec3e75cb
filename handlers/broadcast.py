"""/broadcast, /broadcasts, /cancel, /approve: organizers reach subscribers; admins their group.

Campaign-wide broadcasts (to a topic's subscribers) come only from the ORGANIZERS list. A
group's admins (Telegram) or a server's Manage Server holders (Discord) may broadcast only to
their own group or server ("here"). Nothing is sent before an explicit Confirm, and a large
campaign-wide broadcast also needs a second organizer's approval.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from bot.core.broadcast.compose import ComposeError, compose, parse_when
from bot.core.broadcast.service import Broadcasts
from bot.core.broadcast.values import (
    HERE,
    UNFINISHED,
    BroadcastInfo,
    BroadcastState,
    DeliveryState,
    NewBroadcast,
)
from bot.core.commands import UserError
from bot.core.messages import ActionButton, Address, ChatKind, Reply, Request
from bot.core.ports import TOPICS
from bot.core.timezones import zone_named
from handlers.deps import Deps
from handlers.policy import is_group_admin, is_organizer
from handlers.subscriptions import topic_names

AUDIENCES = (*TOPICS, HERE)
Gettext = Callable[[str], str]


def _check_may_send(request: Request, deps: Deps, audience: str, _: Gettext) -> None:
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


def _check_may_manage(request: Request, deps: Deps, info: BroadcastInfo, _: Gettext) -> None:
    """Organizers manage every broadcast; a group's admins only those sent in their group."""
    if is_organizer(request, deps):
        return
    if info.audience == HERE and request.chat == info.origin and is_group_admin(request):
        return
    raise UserError(_("Only campaign organizers and the admins who sent it can manage it."))


async def _find(request: Request, deps: Deps, _: Gettext) -> tuple[Broadcasts, BroadcastInfo]:
    service = deps.broadcasts
    word = request.args[0].lstrip("#") if request.args else ""
    info = await service.get(int(word)) if word.isdigit() else None
    if info is None:
        raise UserError(_("There is no broadcast #{id}. /broadcasts lists them.").format(id=word))
    _check_may_manage(request, deps, info, _)
    return service, info


async def broadcast(request: Request, deps: Deps) -> Reply:
    """Start composing a broadcast, or compose it at once from a full command line."""
    _ = deps.gettext(request)
    service = deps.broadcasts
    if not request.args:
        allowed = AUDIENCES if is_organizer(request, deps) else (HERE,)
        _check_may_send(request, deps, allowed[0], _)
        names = _audience_names(_)
        return Reply(
            _("Who should get the broadcast?"),
            buttons=tuple(ActionButton(names[a], "bcwrite", (a,)) for a in allowed),
            private=True,
        )
    audience = request.args[0]
    _check_may_send(request, deps, audience, _)
    if len(request.args) < 3:
        return Reply(
            _("Press the button, then answer my questions: when to send, and the text."),
            buttons=(ActionButton(_("✍️ Write the broadcast"), "bcwrite", (audience,)),),
            private=True,
        )
    return await _draft(request, deps, service, *request.args[:3])


async def write(request: Request, deps: Deps) -> Reply:
    """Compose step by step: the audience from a button, then the time and the text."""
    _ = deps.gettext(request)
    service = deps.broadcasts
    audience, when, raw = (*request.args, "", "", "")[:3]
    _check_may_send(request, deps, audience, _)
    return await _draft(request, deps, service, audience, when, raw)


async def _draft(
    request: Request, deps: Deps, service: Broadcasts, audience: str, when: str, raw: str
) -> Reply:
    _ = deps.gettext(request)
    try:
        message = compose(raw)
        send_at = parse_when(when, request.tz, deps.clock())
    except ComposeError as error:
        raise UserError(
            _(error.msgid).format(**error.values) + "\n" + _("Nothing was sent.")
        ) from None
    organizer = is_organizer(request, deps)
    target = await _here(request, deps) if audience == HERE else None
    info = await service.draft(
        NewBroadcast(
            audience=audience,
            message=message,
            origin=request.chat,
            locale=request.locale or "en",
            created_by=request.user if organizer else None,
            send_at=send_at,
            target=target,
        )
    )
    if info.total == 0:
        # The empty draft is never listed and expires with the other unconfirmed ones.
        return Reply(_("Nobody would get it: no chat is subscribed to that yet. Nothing was sent."))
    lines = [
        _("Broadcast #{id} goes to {total} chats: {breakdown}.").format(
            id=info.id,
            total=info.total,
            breakdown=_breakdown(await service.breakdown(info.id), _),
        ),
        _("When: {when}.").format(when=_when(send_at, request.tz, _)),
    ]
    if info.campaign_wide and info.total > service.second_approval_above:
        lines.append(
            _(
                "It goes to more than {limit} chats, so after you confirm, a second organizer "
                "must approve it before it starts."
            ).format(limit=service.second_approval_above)
        )
    lines.append(_("Nothing is sent until you press Confirm."))
    controls = (
        ActionButton(_("✅ Confirm and send"), "bcsend", (str(info.id),)),
        ActionButton(_("✖ Cancel"), "cancel", (str(info.id),)),
    )
    preview = message.reply()
    # The exact message recipients get goes to a private chat as its own message; in a group
    # (where only the asker should see it) it is shown inside this private reply instead.
    if request.chat_kind is ChatKind.PRIVATE and await service.push(request.chat, preview):
        lines.insert(0, _("Above is the broadcast exactly as recipients will see it."))
        return Reply("\n".join(lines), buttons=controls, private=True)
    lines.insert(0, _("Preview, exactly as recipients will see it:") + "\n\n" + preview.text + "\n")
    return Reply("\n".join(lines), buttons=(*preview.buttons, *controls), private=True)


async def _here(request: Request, deps: Deps) -> Address:
    """This group; on Discord, the server's announcement channel when /setup chose one."""
    chat = request.chat
    probe = deps.server_probes.get(chat.platform)
    if probe is None:
        return chat
    server_id = await probe.server_of(chat)
    setup = await deps.server_setups.get_setup(chat.platform, server_id) if server_id else None
    if setup is None or setup.broken_reason:
        return chat
    return Address(chat.platform, setup.channel_id)


async def send(request: Request, deps: Deps) -> Reply:
    """The Confirm button: start (or schedule, or ask approval for) a previewed broadcast."""
    _ = deps.gettext(request)
    service, info = await _find(request, deps, _)
    if info.state is not BroadcastState.DRAFT:
        return Reply(_status(info, service, request.tz, _), private=True)
    if info.created_by is not None and info.created_by != request.user:
        raise UserError(_("Only the organizer who wrote a broadcast can confirm it."))
    info = await service.confirm(info.id) or info
    if info.state is BroadcastState.APPROVAL:
        await _ask_approval(request, deps, service, info, _)
        return Reply(
            _(
                "Confirmed. Broadcast #{id} goes to {total} chats, more than {limit}, so another "
                "organizer must approve it: they can press Approve in the message I sent them, "
                "or send /approve {id}."
            ).format(id=info.id, total=info.total, limit=service.second_approval_above),
            private=True,
        )
    return Reply(_started(info, request.tz, _), private=True)


async def _ask_approval(
    request: Request, deps: Deps, service: Broadcasts, info: BroadcastInfo, _: Gettext
) -> None:
    text = (
        _("An organizer asks you to approve broadcast #{id} to {total} chats:").format(
            id=info.id, total=info.total
        )
        + "\n\n"
        + info.message.text
    )
    button = ActionButton(_("✅ Approve"), "approve", (str(info.id), "yes"))
    for organizer in sorted(deps.organizers - {request.user}, key=str):
        # On Telegram a user's id is also their private chat with the bot.
        await service.push(organizer, Reply(text, buttons=(button,)))


async def approve(request: Request, deps: Deps) -> Reply:
    """A second organizer approves a large campaign-wide broadcast."""
    _ = deps.gettext(request)
    service, info = await _find(request, deps, _)
    if info.state is not BroadcastState.APPROVAL:
        return Reply(_status(info, service, request.tz, _), private=True)
    if info.created_by == request.user:
        return Reply(
            _("You composed broadcast #{id}; a different organizer must approve it.").format(
                id=info.id
            ),
            private=True,
        )
    if request.args[1:2] != ("yes",):
        return Reply(
            _("Broadcast #{id} to {total} chats ({breakdown}):").format(
                id=info.id,
                total=info.total,
                breakdown=_breakdown(await service.breakdown(info.id), _),
            )
            + "\n\n"
            + info.message.text,
            buttons=(
                *info.message.links,
                ActionButton(_("✅ Approve"), "approve", (str(info.id), "yes")),
            ),
            private=True,
        )
    info = await service.approve(info.id, request.user) or info
    if info.state is BroadcastState.APPROVAL:
        return Reply(_status(info, service, request.tz, _), private=True)
    await service.push(
        info.origin,
        Reply(_("Broadcast #{id} was approved by a second organizer.").format(id=info.id)),
    )
    return Reply(_("Approved.") + " " + _started(info, request.tz, _), private=True)


async def cancel(request: Request, deps: Deps) -> Reply:
    """Stop a broadcast: nothing more goes out once this answers."""
    _ = deps.gettext(request)
    service, info = await _find(request, deps, _)
    if info.state not in UNFINISHED:
        return Reply(_status(info, service, request.tz, _), private=True)
    info = await service.cancel(info.id) or info
    return Reply(
        _("Broadcast #{id} is cancelled: {sent} got it; {remaining} will not.").format(
            id=info.id,
            sent=info.counts.get(DeliveryState.SENT, 0),
            remaining=info.remaining,
        ),
        private=True,
    )


async def broadcasts(request: Request, deps: Deps) -> Reply:
    """The latest broadcasts with their progress (organizers: all; admins: their group's)."""
    _ = deps.gettext(request)
    service = deps.broadcasts
    if is_organizer(request, deps):
        recent = await service.recent(None)
    elif is_group_admin(request):
        recent = await service.recent(request.chat)
    else:
        raise UserError(_("Only campaign organizers and group admins can see broadcasts."))
    if not recent:
        return Reply(_("No broadcasts yet. Start one with /broadcast."), private=True)
    lines = [_status(info, service, request.tz, _) for info in recent]
    running = [i for i in recent if i.state in UNFINISHED]
    buttons = tuple(
        ActionButton(_("✖ Cancel #{id}").format(id=i.id), "cancel", (str(i.id),))
        for i in running[:5]
    )
    return Reply("\n".join(lines), buttons=buttons, private=True)


def _audience_names(_: Gettext) -> dict[str, str]:
    names = topic_names(_)
    return {
        **{t: _("Subscribers of: {topic}").format(topic=names[t]) for t in TOPICS},
        HERE: _("This group or server"),
    }


def _breakdown(counts: Mapping[tuple[str, str], int], _: Gettext) -> str:
    by_platform: dict[str, list[str]] = {}
    for (platform, locale), count in sorted(counts.items()):
        language = locale or _("no language set")
        by_platform.setdefault(platform, []).append(f"{language} {count}")
    return "; ".join(
        f"{platform.capitalize()}: {', '.join(parts)}" for platform, parts in by_platform.items()
    )


def _when(send_at: datetime | None, tz: str | None, _: Gettext) -> str:
    if send_at is None:
        return _("as soon as you confirm")
    return send_at.astimezone(zone_named(tz)).strftime("%Y-%m-%d %H:%M %Z")


def _started(info: BroadcastInfo, tz: str | None, _: Gettext) -> str:
    if info.state is BroadcastState.SCHEDULED:
        text = _("Broadcast #{id} will go to {total} chats at {when}. /cancel {id} stops it.")
        return text.format(id=info.id, total=info.total, when=_when(info.send_at, tz, _))
    return _(
        "Sending broadcast #{id} to {total} chats now. I will report progress here. "
        "/cancel {id} stops it."
    ).format(id=info.id, total=info.total)


def _status(info: BroadcastInfo, service: Broadcasts, tz: str | None, _: Gettext) -> str:
    states = {
        BroadcastState.DRAFT: _("not confirmed"),
        BroadcastState.APPROVAL: _("waiting for a second organizer"),
        BroadcastState.SCHEDULED: _("scheduled for {when}").format(when=_when(info.send_at, tz, _)),
        BroadcastState.SENDING: _("sending"),
        BroadcastState.DONE: _("finished"),
        BroadcastState.CANCELLED: _("cancelled"),
    }
    audience = _audience_names(_).get(info.audience, info.audience)
    line = _(
        "#{id} {audience}: {state}; sent {sent}, gone {gone}, failed {failed}, "
        "remaining {remaining} of {total}"
    ).format(
        id=info.id,
        audience=audience,
        state=states[info.state],
        sent=info.counts.get(DeliveryState.SENT, 0),
        gone=info.counts.get(DeliveryState.GONE, 0),
        failed=info.counts.get(DeliveryState.FAILED, 0),
        remaining=info.remaining,
        total=info.total,
    )
    if info.state is BroadcastState.SENDING:
        minutes = max(1, round(service.eta_s(info) / 60))
        line += "; " + _("about {minutes} min left").format(minutes=minutes)
    return line
