"""What both adapters' label tests share: an event whose title is longer than any button."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.labels import ELLIPSIS
from bot.core.reminders.values import EventInfo, Localized

# The title from the report: cut at 80 characters it read "…на Всемирном экономическом форум".
TITLE = "Пикет солидарности с ЛГБТИ-людьми из Чечни на Всемирном экономическом форуме в Давосе"
LONG_EVENT = EventInfo(
    id="davos",
    title=Localized("Solidarity picket", (("ru", TITLE),)),
    description=Localized("Stand with us."),
    place=Localized("Davos"),
    timezone="Europe/Zurich",
    starts_at=datetime(2027, 1, 20, 12, tzinfo=UTC),
    ends_at=datetime(2027, 1, 20, 14, tzinfo=UTC),
    url="https://example.org/davos",
)


def cut_at_a_word(shown: str, label: str, limit: int) -> bool:
    """`shown` is `label`, or whole words from its start and "…", within `limit`."""
    if len(shown) > limit:
        return False
    if shown == label:
        return True
    kept = shown.removesuffix(ELLIPSIS)
    return (
        shown.endswith(ELLIPSIS)
        and label.startswith(kept)
        and not label[len(kept)].isalnum()
        and bool(kept)
        and not kept[-1].isspace()
    )
