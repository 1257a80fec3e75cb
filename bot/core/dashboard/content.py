"""What the Content page shows: `allybot content check`'s findings, as plain values.

The web adapter may not read the content files itself (content/ is the composition root's), so
bot/dashboard.py hands it a `ContentCheck`: an async callable that runs the check on the
configured CONTENT_DIR and answers a `ContentReport`. Items whose `checked:` date is too old
are picked out as `StaleItem`s, so the page can put them first: people are sent to those links.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class ContentProblem:
    """One finding at a line of a content file (an error blocks the bot's start)."""

    file: str
    line: int
    message: str
    warning: bool = False
    # A `checked:` date past its time: the page highlights the row.
    stale: bool = False


@dataclass(frozen=True, slots=True)
class StaleItem:
    """A content item whose link and claim nobody has checked for too long."""

    file: str
    line: int
    # Where the item sits in its file, as `content check` names it: `funds[0]`.
    item: str
    checked: date


@dataclass(frozen=True, slots=True)
class ContentReport:
    """The check's result: every problem in file and line order, and the stale items."""

    problems: tuple[ContentProblem, ...]
    stale: tuple[StaleItem, ...]
    # Today's date as the check judged staleness.
    today: date

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if not p.warning)

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.warning)


# The composition root's check, run (or briefly cached) on every visit to the page.
ContentCheck = Callable[[], Awaitable[ContentReport]]
CONTENT = "content"
