"""One log filter that keeps secrets out of every part of a record: message, traceback, stack.

It also keeps row values out: a database error's message can quote them (asyncpg's
"DETAIL:  Key (chat_id)=(...) already exists", SQLAlchemy's "[parameters: ...]"), so in a
traceback such an error shows its type and its frames, never its text.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterable

REDACTED = "<redacted>"
WITHHELD = "<a database error's text is withheld: it may quote row values>"
# Any Telegram-shaped bot token, including ones we were not told about (a self-hosted API URL).
TELEGRAM_TOKEN = re.compile(r"\d{5,12}:[A-Za-z0-9_-]{30,}")
# Where a database error's text, quoted in a message line (asyncio's "exception=..." repr of a
# task, say), carries values: SQLAlchemy's parameter list and PostgreSQL's DETAIL line, each to
# the end of its line.
ROW_VALUES = (re.compile(r"\[parameters: [^\n]*"), re.compile(r"DETAIL: [^\n]*"))
# Recognized by the module that defines the error's class (or a base of it), not by importing
# them: the core knows no database library (lint-imports), and a driver that is not installed
# cannot raise anything anyway.
DATABASE_MODULES = frozenset(
    {
        "sqlalchemy",
        "sqlite3",
        "_sqlite3",
        "aiosqlite",
        "asyncpg",
        "sqlcipher3",
        "psycopg",
        "psycopg2",
    }
)
_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def from_a_database(error: BaseException) -> bool:
    """Whether `error` is (or derives from) an error of a database library or driver."""
    return any(cls.__module__.split(".")[0] in DATABASE_MODULES for cls in type(error).__mro__)


def private_traceback(error: BaseException) -> str:
    """What traceback.format_exception shows (the chain, groups' members, every frame), except
    that each database error in it shows only its type."""
    return "".join(_traceback_lines(error, set())).rstrip("\n")


def _traceback_lines(error: BaseException, seen: set[int]) -> list[str]:
    if id(error) in seen:  # a cycle in the chain, which Python's own formatting also stops
        return [f"{_qualified(error)}: <shown above>\n"]
    seen.add(id(error))
    lines: list[str] = []
    if error.__cause__ is not None:
        lines += [*_traceback_lines(error.__cause__, seen), _CAUSE]
    elif error.__context__ is not None and not error.__suppress_context__:
        lines += [*_traceback_lines(error.__context__, seen), _CONTEXT]
    if error.__traceback__ is not None:
        lines += ["Traceback (most recent call last):\n", *traceback.format_tb(error.__traceback__)]
    lines.append(_described(error) + "\n")
    if isinstance(error, BaseExceptionGroup):
        for number, member in enumerate(error.exceptions, 1):
            lines.append(f"+---------------- {number} ----------------\n")
            lines += _traceback_lines(member, seen)
    return lines


def _qualified(error: BaseException) -> str:
    cls = type(error)
    module = cls.__module__
    return (
        cls.__qualname__ if module in ("builtins", "__main__") else f"{module}.{cls.__qualname__}"
    )


def _described(error: BaseException) -> str:
    if from_a_database(error):
        return f"{_qualified(error)}: {WITHHELD}"
    try:
        text = str(error)
    except Exception:  # a broken __str__ must not lose the record
        text = "<unprintable>"
    lines = [f"{_qualified(error)}: {text}" if text else _qualified(error)]
    notes = getattr(error, "__notes__", None)
    if isinstance(notes, list):
        lines += [str(note) for note in notes]
    return "\n".join(lines)


class SecretRedactor(logging.Filter):
    """Replaces each known secret, and whatever `patterns` match, with a placeholder."""

    # Set on a record once its traceback is the private one, so a second redactor (one on the
    # logger, then the handler's) redacts that text further instead of formatting it anew.
    MARK = "allybot_private_traceback"

    def __init__(
        self, secrets: Iterable[str] = (), patterns: Iterable[re.Pattern[str]] = (TELEGRAM_TOKEN,)
    ) -> None:
        super().__init__()
        # Longest first: where one secret contains another, the whole of it is replaced.
        self.secrets = tuple(sorted({s for s in secrets if s}, key=len, reverse=True))
        alternatives = [re.escape(s) for s in self.secrets] + [
            p.pattern for p in (*patterns, *ROW_VALUES)
        ]
        self._pattern = re.compile("|".join(alternatives))

    def redact(self, text: str) -> str:
        return self._pattern.sub(REDACTED, text) if text else text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if (
            record.exc_info
            and record.exc_info[1] is not None
            and not getattr(record, self.MARK, False)
        ):
            # Formatters reuse exc_text when it is set, so the traceback is made once here; any
            # exc_text already there (another handler's formatter) may hold a database error's
            # text, so it is replaced.
            text = private_traceback(record.exc_info[1])
            record.exc_text = self.redact(text)
            setattr(record, self.MARK, True)
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True
