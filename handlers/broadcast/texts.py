"""How a broadcast reads to its sender: who gets it, when, and how far it has got."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from bot.core.broadcast.paid import PaidEstimate
from bot.core.broadcast.report import delivery_numbers, minutes_left
from bot.core.broadcast.service import Broadcasts
from bot.core.broadcast.values import BroadcastInfo, BroadcastState
from bot.core.i18n import Plural, grouped
from bot.core.timezones import zone_named
from handlers.broadcast.audiences import audience_names


def breakdown_text(counts: Mapping[tuple[str, str], int], _: Callable[[str], str]) -> str:
    """Recipients by platform and language: 'Telegram: en 120, ru 40; Discord: en 3'."""
    by_platform: dict[str, list[str]] = {}
    for (platform, locale), count in sorted(counts.items()):
        language = locale or _("no language set")
        by_platform.setdefault(platform, []).append(f"{language} {count}")
    return "; ".join(
        f"{platform.capitalize()}: {', '.join(parts)}" for platform, parts in by_platform.items()
    )


def when_text(send_at: datetime | None, tz: str | None, _: Callable[[str], str]) -> str:
    """When it goes out, in the sender's time zone."""
    if send_at is None:
        return _("as soon as you confirm")
    return send_at.astimezone(zone_named(tz)).strftime("%Y-%m-%d %H:%M %Z")


def duration_text(seconds: int, ngettext: Plural) -> str:
    """'about 13 seconds', 'about 7 minutes', 'about 3 hours', each rounded up."""
    if seconds < 90:
        count = max(1, seconds)
        return ngettext("about {count} second", "about {count} seconds", count).format(count=count)
    minutes = -(-seconds // 60)
    if minutes < 90:
        return ngettext("about {count} minute", "about {count} minutes", minutes).format(
            count=minutes
        )
    hours = -(-seconds // 3600)
    return ngettext("about {count} hour", "about {count} hours", hours).format(count=hours)


def paid_text(
    paid: PaidEstimate, locale: str | None, _: Callable[[str], str], ngettext: Plural
) -> str:
    """What a campaign-wide broadcast through the paid lane costs at most, and takes."""
    stars = ngettext(
        "at most {count} Telegram Star from the bot's balance",
        "at most {count} Telegram Stars from the bot's balance",
        paid.stars,
    ).format(count=grouped(paid.stars, locale))
    rate = round(paid.rate)
    speed = ngettext("{count} message a second", "{count} messages a second", rate).format(
        count=grouped(rate, locale)
    )
    return _("Paid broadcast on {platform}: {stars}, {duration} ({speed}).").format(
        platform=paid.platform.capitalize(),
        stars=stars,
        duration=duration_text(paid.seconds, ngettext),
        speed=speed,
    )


def started_text(
    info: BroadcastInfo, tz: str | None, _: Callable[[str], str], ngettext: Plural
) -> str:
    """What a confirmed (or approved) broadcast does next, and how to stop it."""
    if info.state is BroadcastState.SCHEDULED:
        text = ngettext(
            "Broadcast #{id} will go to {count} chat at {when}. /cancel {id} stops it.",
            "Broadcast #{id} will go to {count} chats at {when}. /cancel {id} stops it.",
            info.total,
        )
        return text.format(id=info.id, count=info.total, when=when_text(info.send_at, tz, _))
    return ngettext(
        "Sending broadcast #{id} to {count} chat now. I will tell its writer privately how it "
        "goes; /broadcasts shows it too, and /cancel {id} stops it.",
        "Sending broadcast #{id} to {count} chats now. I will tell its writer privately how it "
        "goes; /broadcasts shows it too, and /cancel {id} stops it.",
        info.total,
    ).format(id=info.id, count=info.total)


def status_line(
    info: BroadcastInfo,
    service: Broadcasts,
    tz: str | None,
    _: Callable[[str], str],
    ngettext: Plural,
) -> str:
    """One broadcast's state and delivery counts, with the time left while it is sending."""
    states = {
        BroadcastState.DRAFT: _("not confirmed"),
        BroadcastState.APPROVAL: _("waiting for a second organizer"),
        BroadcastState.SCHEDULED: _("scheduled for {when}").format(
            when=when_text(info.send_at, tz, _)
        ),
        BroadcastState.SENDING: _("sending"),
        BroadcastState.DONE: _("finished"),
        BroadcastState.CANCELLED: _("cancelled"),
    }
    audience = audience_names(_).get(info.audience, info.audience)
    line = _("#{id} {audience}: {state}; {numbers}").format(
        id=info.id,
        audience=audience,
        state=states[info.state],
        numbers=delivery_numbers(info, _, ngettext),
    )
    if info.state is BroadcastState.SENDING:
        minutes = max(1, round(service.eta_s(info) / 60))
        line += "; " + minutes_left(minutes, ngettext)
    return line
