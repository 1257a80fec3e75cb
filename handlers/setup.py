"""/setup: a server's admins choose the announcement channel, topics, time zone and language.

Platform-neutral: the facts only a platform knows (which server a channel belongs to, whether the
bot may post in a channel) come through the `ServerProbe` port, which the Discord adapter
implements. The chosen channel is also saved as an ordinary subscribed chat, so announcements
reach it through the same delivery path as every other chat.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from bot.core.commands import UserError
from bot.core.i18n import N_
from bot.core.messages import Address, ChatKind, Reply, Request
from bot.core.ports import TOPICS, ChatPrefs
from bot.core.server_setup import ServerProbe, ServerSetup
from bot.core.timezones import resolve_zone, zone_display
from content.schema import LOCALES
from handlers.deps import Deps
from handlers.keywords import ALL_RU, is_one_of, language_named, topic_named, typed_topic

ACTIONS = ("set", "show", "off")


async def setup(request: Request, deps: Deps) -> Reply:
    """Show, change or turn off where this server gets announcements."""
    _ = deps.gettext(request)
    probe = deps.server_probes.get(request.chat.platform)
    if probe is None:
        # Only platforms with servers (Discord) have a probe; Telegram groups use /settings.
        return Reply(_("/setup is for Discord servers. In a group here, use /settings."))
    server_id = await probe.server_of(request.chat)
    if server_id is None:
        return Reply(_("Use /setup in a channel of your server."))
    if not request.is_chat_admin:
        # The dispatcher checks this too; a server's setup must never rely on one check alone.
        return Reply(_("Only people with the Manage Server permission can use /setup."))
    platform = request.chat.platform
    current = await deps.server_setups.get_setup(platform, server_id)
    action = request.args[0] if request.args else "show"
    if action == "off":
        return await _turn_off(deps, platform, server_id, current, _)
    if action == "set" and len(request.args) > 1:
        return await _change(request, deps, probe, server_id, current, _)
    if (
        current is not None
        and current.broken_reason is None
        and await deps.store.get_chat(Address(platform, current.channel_id)) is None
    ):
        # /forget in the announcement channel erased its subscription.
        current = replace(current, broken_reason="forgotten")
    return await _show(probe, server_id, current, _, request.locale)


async def _show(
    probe: ServerProbe,
    server_id: str,
    current: ServerSetup | None,
    _: Callable[[str], str],
    locale: str | None,
) -> Reply:
    if current is None:
        return Reply(
            _(
                "This server gets no announcements yet. Choose a channel with "
                "/setup channel:#channel (and optionally topics, timezone, "
                "language)."
            )
        )
    name = await probe.channel_name(server_id, current.channel_id) or _("a deleted channel")
    lines = []
    if current.broken_reason:
        lines.append(_broken_text(current.broken_reason, name, _))
    lines.append(_summary(current, name, _, locale))
    lines.append(_("Change it with /setup channel:#channel, or stop it with /setup action:off."))
    return Reply("\n\n".join(lines))


async def _turn_off(
    deps: Deps,
    platform: str,
    server_id: str,
    current: ServerSetup | None,
    _: Callable[[str], str],
) -> Reply:
    if current is None:
        return Reply(_("This server gets no announcements; there is nothing to turn off."))
    await deps.server_setups.delete_setup(platform, server_id)
    await deps.store.forget_chat(Address(platform, current.channel_id))
    return Reply(
        _(
            "Announcements are off for this server, and I have forgotten its "
            "setup. /setup channel:#channel turns them back on."
        )
    )


async def _change(
    request: Request,
    deps: Deps,
    probe: ServerProbe,
    server_id: str,
    current: ServerSetup | None,
    _: Callable[[str], str],
) -> Reply:
    args = [*request.args[1:], "", "", "", ""][:4]
    channel_id = args[0].strip() or (current.channel_id if current else "")
    if not channel_id:
        raise UserError(_("Choose the channel for announcements: /setup channel:#channel"))
    missing = await probe.missing_permissions(server_id, channel_id)
    if missing is None:
        raise UserError(_("I can't find that text channel in this server. Choose another one."))
    name = await probe.channel_name(server_id, channel_id) or channel_id
    if missing:
        return Reply(_missing_text(missing, name, _))
    topics = _topics(args[1], current, _, request.locale)
    timezone = _timezone(args[2], current, _)
    locale = _locale(args[3], current, _)
    platform = request.chat.platform
    new = ServerSetup(
        platform,
        server_id,
        channel_id,
        topics,
        timezone,
        locale,
        broken_reason=None,
        updated_at=deps.clock(),
    )
    await deps.server_setups.save_setup(new)
    await _subscribe_channel(deps, new, current)
    return Reply(_("Done.") + " " + _summary(new, name, _, request.locale))


async def _subscribe_channel(deps: Deps, new: ServerSetup, old: ServerSetup | None) -> None:
    """The announcement channel becomes a subscribed chat; a previous channel stops receiving."""
    address = Address(new.platform, new.channel_id)
    if old is not None and old.channel_id != new.channel_id:
        await deps.store.forget_chat(Address(old.platform, old.channel_id))
    prefs = await deps.store.get_chat(address) or ChatPrefs(
        address=address, kind=ChatKind.GROUP, created_at=deps.clock()
    )
    # An announcement channel is a notice board its admins chose for the whole server: not
    # discreet unless they turn it on there (/settings), whatever its language.
    discreet = False if prefs.discreet is None else prefs.discreet
    await deps.store.save_chat(
        replace(
            prefs, topics=new.topics, timezone=new.timezone, locale=new.locale, discreet=discreet
        )
    )
    await deps.store.set_active(address, True)


def _summary(current: ServerSetup, name: str, _: Callable[[str], str], locale: str | None) -> str:
    # Topics as the reader would type them back into /setup.
    topics = ", ".join(typed_topic(t, locale) for t in TOPICS if t in current.topics)
    topics = topics or _("nothing")
    return _(
        "Announcements go to {channel}. Topics: {topics}. Time zone: {timezone}. "
        "Language: {language}."
    ).format(
        channel=name,
        topics=topics,
        timezone=zone_display(current.timezone) if current.timezone else _("each member's own"),
        language=current.locale or _("each member's own"),
    )


def _missing_text(missing: tuple[str, ...], name: str, _: Callable[[str], str]) -> str:
    return _(
        "I can't post in {channel}: I am missing the {permissions} permission there. "
        "Give my role that permission in the channel's settings (Edit Channel → "
        "Permissions), then run /setup again."
    ).format(channel=name, permissions=", ".join(_(p) for p in missing))


def _broken_text(reason: str, name: str, _: Callable[[str], str]) -> str:
    if reason.startswith("missing:"):
        missing = tuple(p for p in reason.removeprefix("missing:").split(",") if p)
        return _("Announcements stopped: ") + _missing_text(missing, name, _)
    if reason == "forgotten":
        return _(
            "Announcements stopped: the channel's data was erased with /forget. "
            "Choose the channel again with /setup channel:#channel."
        )
    return _(
        "Announcements stopped: the announcement channel no longer exists. "
        "Choose another one with /setup channel:#channel."
    )


def _topics(
    text: str, current: ServerSetup | None, _: Callable[[str], str], locale: str | None
) -> frozenset[str]:
    words = [w for w in re.split(r"[\s,;]+", text.strip()) if w]
    if not words:
        return current.topics if current else frozenset(TOPICS)
    if len(words) == 1 and is_one_of(words[0], ("all", *ALL_RU)):
        return frozenset(TOPICS)
    topics = [topic_named(w) for w in words]
    unknown = [w for w, topic in zip(words, topics, strict=True) if topic is None]
    if unknown:
        every = "все" if locale == "ru" else "all"
        raise UserError(
            _("“{value}” is not one of: {choices}.").format(
                value=unknown[0],
                choices=", ".join((*(typed_topic(t, locale) for t in TOPICS), every)),
            )
        )
    return frozenset(t for t in topics if t is not None)


def _timezone(text: str, current: ServerSetup | None, _: Callable[[str], str]) -> str | None:
    name = text.strip()
    if not name:
        return current.timezone if current else None
    zone = resolve_zone(name)
    if zone is None:
        raise UserError(_("I don't know that time zone. Use a name like Europe/Berlin."))
    return zone


def _locale(text: str, current: ServerSetup | None, _: Callable[[str], str]) -> str | None:
    if not text.strip():
        return current.locale if current else None
    code = language_named(text)
    if code is None or code not in LOCALES:
        raise UserError(
            _("“{value}” is not one of: {choices}.").format(
                value=text.strip(), choices=", ".join(LOCALES)
            )
        )
    return code


# Permission names as Discord shows them, which the probe reports; marked so they get translated.
PERMISSION_NAMES = (N_("View Channel"), N_("Send Messages"), N_("Embed Links"), N_("Attach Files"))
