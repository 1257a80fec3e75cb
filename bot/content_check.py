"""The Content page's check: `allybot content check` on CONTENT_DIR, as the dashboard's values.

The web adapter may not import content/, so the composition root runs the check here and hands
the page plain values (bot/core/dashboard/content.py). The check reads a handful of YAML files:
it runs in a thread, and its answer is kept a few seconds so that reloading the page, or several
organizers looking at once, reads the files once.
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, date
from pathlib import Path

from bot.core.dashboard.content import ContentProblem, ContentReport, StaleItem
from bot.core.ports import Clock
from content.i18n import catalog_dir, untranslated
from content.loader import check_content
from content.problems import Problem

# How content/provenance.py words an item checked too long ago: "funds[0].checked: last
# checked on 2026-01-01, more than 90 days ago; ..." (tests/adapters/web/test_content_page.py
# fails if the wording drifts from this).
STALE = re.compile(r"^(?P<item>\S+)\.checked: last checked on (?P<date>\d{4}-\d{2}-\d{2})\b")
# Seconds an answer is reused: an organizer fixing a file sees the fix on the next reload.
KEEP_S = 5.0


def content_report(directory: Path | None, today: date) -> ContentReport:
    """The check's problems (and untranslated UI strings, as the CLI reports them too)."""
    _, found = check_content(directory, today)
    problems: list[ContentProblem] = []
    stale: list[StaleItem] = []
    for problem in found:
        match = STALE.match(problem.message) if problem.warning else None
        problems.append(_value(problem, stale=match is not None))
        if match is not None:
            stale.append(
                StaleItem(
                    problem.file,
                    problem.line,
                    match["item"],
                    date.fromisoformat(match["date"]),
                )
            )
    for catalog, line, msgid in untranslated():
        where = str(catalog.relative_to(catalog_dir().parent))
        problems.append(ContentProblem(where, line, f"not translated: {msgid!r}", warning=True))
    return ContentReport(tuple(problems), tuple(stale), today)


def _value(problem: Problem, *, stale: bool) -> ContentProblem:
    return ContentProblem(problem.file, problem.line, problem.message, problem.warning, stale)


class ContentCheck:
    """The check as the dashboard calls it: on each visit, answered from a few seconds' cache."""

    def __init__(self, directory: Path | None, clock: Clock, keep_s: float = KEEP_S) -> None:
        self._directory = directory
        self._clock = clock
        self._keep_s = keep_s
        self._kept: tuple[float, ContentReport] | None = None
        self._lock = asyncio.Lock()

    async def __call__(self) -> ContentReport:
        async with self._lock:
            now = time.monotonic()
            if self._kept is not None and now - self._kept[0] < self._keep_s:
                return self._kept[1]
            today = self._clock().astimezone(UTC).date()
            report = await asyncio.to_thread(content_report, self._directory, today)
            self._kept = (time.monotonic(), report)
            return report
