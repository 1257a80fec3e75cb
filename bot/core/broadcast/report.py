"""How a broadcast's delivery reads in numbers, for its writer's reports and for /broadcasts.

Each count sits where its own form is chosen: the chats on the noun ("1 chat", "5 чатов"), the
delivery states as "label: number", which reads right for any number in either language.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.broadcast.values import BroadcastInfo, DeliveryState
from bot.core.i18n import Plural


def chats_text(count: int, ngettext: Plural) -> str:
    """'1 chat', '2 chats'; '1 чат', '2 чата', '5 чатов'."""
    return ngettext("{count} chat", "{count} chats", count).format(count=count)


def delivery_numbers(info: BroadcastInfo, _: Callable[[str], str], ngettext: Plural) -> str:
    """'3 chats: sent 1, gone 0, failed 0, remaining 2'."""
    counts = info.counts
    return _("{chats}: sent {sent}, gone {gone}, failed {failed}, remaining {remaining}").format(
        chats=chats_text(info.total, ngettext),
        sent=counts.get(DeliveryState.SENT, 0),
        gone=counts.get(DeliveryState.GONE, 0),
        failed=counts.get(DeliveryState.FAILED, 0),
        remaining=info.remaining,
    )


def minutes_left(minutes: int, ngettext: Plural) -> str:
    """'about 1 minute left', 'about 5 minutes left'."""
    return ngettext("about {count} minute left", "about {count} minutes left", minutes).format(
        count=minutes
    )
