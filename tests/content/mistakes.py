"""Make an organizer's mistake in a copy of the content files, and read what `content check` says.

Most rules are tested the same way (edit one file, find the line the problem must name, compare
the report), so each rule is a `Mistake` row in a table and `assert_reported` does the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from content.loader import check_content


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the only line containing `needle`."""
    found = [n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if needle in line]
    assert len(found) == 1, f"{needle!r} should be on exactly one line of {path.name}"
    return found[0]


# The day the packaged content was last checked: judged on it, a test about one mistake sees only
# that mistake, not also the "check this again" warnings the calendar adds every 90 days.
CHECKED_ON = date(2026, 12, 1)


def problems_in(directory: Path) -> list[str]:
    campaign, problems = check_content(directory, today=CHECKED_ON)
    if any(not p.warning for p in problems):
        assert campaign is None
    return [str(p) for p in problems]


@dataclass(frozen=True)
class Mistake:
    """A slip in one content file, and the only problem the check may report for it."""

    file: str
    # old -> new, applied in order; each `old` must occur exactly once.
    edits: dict[str, str]
    # Text on the line the problem must name, once the edits are made.
    at: str
    # What follows `file:line: `; `{first}` stands for the line of `first_at`.
    message: str
    # (file, text) of an earlier occurrence the message points back to, found before the edits.
    first_at: tuple[str, str] | None = None


def assert_reported(content: Path, mistake: Mistake) -> None:
    """Make `mistake` in the copy at `content`; the check must report exactly its message."""
    message = mistake.message
    if mistake.first_at is not None:
        first_file, first_text = mistake.first_at
        message = message.replace("{first}", str(line_of(content / first_file, first_text)))
    path = content / mistake.file
    for old, new in mistake.edits.items():
        edit(path, old, new)
    line = line_of(path, mistake.at)
    assert problems_in(content) == [f"{mistake.file}:{line}: {message}"]
