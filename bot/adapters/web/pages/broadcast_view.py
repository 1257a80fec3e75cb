"""How a broadcast reads in the dashboard: its state, its masked delivery numbers, the bot's
answers with every count under 10 masked, and who may see which broadcast."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.adapters.web.render import DASHBOARD, count_text, gettext
from bot.adapters.web.render import ngettext as plural_for
from bot.adapters.web.session import grant_of
from bot.core.broadcast.values import HERE, BroadcastInfo, BroadcastState, DeliveryState
from bot.core.dashboard.masking import FEWEST
from bot.core.messages import ActionButton, Reply
from bot.core.ports import TOPICS

# The bot's answers carry counts as bare numbers ("goes to 7 chats: Telegram: en 4, ru 3"): a
# number standing alone is a count, unless it is an id (#12, "/cancel 12") or part of a date,
# a time or a larger number.
_NUMBER = re.compile(r"(?<![#\d:\-/\w])(?<!\d\.)\d+(?![\d:\-\w]|\.\d)")
_COMMAND_BEFORE = re.compile(r"/\w+\s+$")
# The buttons of the bot's broadcast answers a page offers, by the action each page route takes.
ACTIONS = {"bcsend": "confirm", "approve": "approve", "cancel": "cancel"}


def masked_text(request: web.Request, text: str) -> str:
    """The bot's answer with every count under 10 as "fewer than 10" (ids and times kept)."""

    def one(match: re.Match[str]) -> str:
        if int(match[0]) >= FEWEST or _COMMAND_BEFORE.search(text[: match.start()]):
            return match[0]
        return count_text(request, int(match[0]))

    return _NUMBER.sub(one, text)


def topic_names(_: Callable[[str], str]) -> dict[str, str]:
    """Each audience's name, in the words /broadcast's buttons use (the same msgids)."""
    topics = {
        "events": _("events and rallies"),
        "petitions": _("petitions and letters"),
        "remembrance": _("the Day of Remembrance (29 March)"),
        "appeals": _("urgent appeals"),
    }
    names = {t: _("Subscribers of: {topic}").format(topic=topics.get(t, t)) for t in TOPICS}
    return {**names, HERE: _("This group or server")}


def audiences(request: web.Request) -> list[tuple[str, str]]:
    """What the signed-in person may broadcast to: topics (organizers) or their group (admins)."""
    names = topic_names(gettext(request))
    allowed = TOPICS if grant_of(request).organizer else (HERE,)
    return [(a, names[a]) for a in allowed]


def visible(request: web.Request, info: BroadcastInfo | None) -> bool:
    """Organizers see every broadcast; a group's admin only those sent in their group."""
    if info is None:
        return False
    grant = grant_of(request)
    return grant.organizer or (info.audience == HERE and info.origin == grant.chat)


async def broadcast_or_404(request: web.Request) -> BroadcastInfo:
    """The broadcast of the path's {id}, if the signed-in person may see it (else 404: another
    group's broadcast does not exist for them)."""
    word = request.match_info["id"]
    service = request.app[DASHBOARD].broadcasts
    info = await service.get(int(word)) if word.isdigit() and len(word) <= 18 else None
    if info is None or not visible(request, info):
        raise web.HTTPNotFound(text="no such broadcast")
    return info


def state_label(request: web.Request, info: BroadcastInfo) -> str:
    """The state in the words /broadcasts uses."""
    _ = gettext(request)
    return {
        BroadcastState.DRAFT: _("not confirmed"),
        BroadcastState.APPROVAL: _("waiting for a second organizer"),
        BroadcastState.SCHEDULED: _("scheduled"),
        BroadcastState.SENDING: _("sending"),
        BroadcastState.DONE: _("finished"),
        BroadcastState.CANCELLED: _("cancelled"),
    }[info.state]


@dataclass(frozen=True, slots=True)
class Delivery:
    """A broadcast's delivery numbers: exact for the bar's percent, masked for every label."""

    total: int
    sent: int
    gone: int
    failed: int
    remaining: int

    @classmethod
    def of(cls, info: BroadcastInfo) -> Delivery:
        counts = info.counts
        return cls(
            total=info.total,
            sent=counts.get(DeliveryState.SENT, 0),
            gone=counts.get(DeliveryState.GONE, 0),
            failed=counts.get(DeliveryState.FAILED, 0),
            remaining=info.remaining,
        )

    @property
    def percent(self) -> int:
        """How much is settled (sent, gone or failed), 0 to 100."""
        if self.total <= 0:
            return 100
        return round(100 * (self.total - self.remaining) / self.total)

    def parts(self) -> list[tuple[str, int]]:
        return [
            ("sent", self.sent),
            ("gone", self.gone),
            ("failed", self.failed),
            ("remaining", self.remaining),
        ]


def part_labels(request: web.Request) -> dict[str, str]:
    _ = gettext(request)
    return {
        "sent": _("sent"),
        "gone": _("gone"),
        "failed": _("failed"),
        "remaining": _("remaining"),
    }


def eta_text(request: web.Request, info: BroadcastInfo) -> str:
    """'about 3 minutes left' while sending, else ''."""
    if info.state is not BroadcastState.SENDING or info.remaining == 0:
        return ""
    seconds = request.app[DASHBOARD].broadcasts.eta_s(info)
    ngettext = plural_for(request)
    if seconds < 90:
        count = max(1, round(seconds))
        text = ngettext("about {count} second left", "about {count} seconds left", count)
        return text.format(count=count)
    minutes = max(1, round(seconds / 60))
    text = ngettext("about {count} minute left", "about {count} minutes left", minutes)
    return text.format(count=minutes)


def progress(request: web.Request, info: BroadcastInfo) -> dict[str, Any]:
    """What the progress page and its JSON show: every count masked, the percent exact."""
    delivery = Delivery.of(info)
    return {
        "id": info.id,
        "state": info.state.value,
        "state_label": state_label(request, info),
        "sending": info.state is BroadcastState.SENDING,
        "percent": delivery.percent,
        "total": count_text(request, delivery.total),
        "counts": {name: count_text(request, n) for name, n in delivery.parts()},
        "eta": eta_text(request, info),
    }


def draft_id(reply: Reply) -> str | None:
    """The broadcast a draft's answer is about: its Confirm button's argument."""
    for button in reply.buttons:
        if isinstance(button, ActionButton) and button.command == "bcsend" and button.args:
            return button.args[0]
    return None
