"""Properties of the log's private traceback: whatever chain of errors is logged, a database
error's text (which may quote row values) never shows, every other error's text still does, and
the configured secrets are redacted from what remains."""

from __future__ import annotations

import logging
import sqlite3
import traceback
from dataclasses import dataclass

from hypothesis import assume, given
from hypothesis import strategies as st

from bot.core.redaction import (
    REDACTED,
    WITHHELD,
    SecretRedactor,
    from_a_database,
    private_traceback,
)


class UniqueViolationError(Exception):
    """asyncpg's error, as its module names it: the driver need not be installed for this."""


UniqueViolationError.__module__ = "asyncpg.exceptions"


class OwnError(sqlite3.IntegrityError):
    """A subclass of ours is still a database error."""


DATABASE_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.OperationalError,
    sqlite3.IntegrityError,
    UniqueViolationError,
    OwnError,
)
OTHER_ERRORS: tuple[type[Exception], ...] = (ValueError, RuntimeError, KeyError, TimeoutError)

# Long enough and of letters that appear nowhere in this file's source, which the frames quote.
# All of one length: then one value is inside another only when they are equal.
values = st.text(alphabet="QXZJqxzj0123456789", min_size=16, max_size=16)


@dataclass(frozen=True)
class Link:
    kind: type[Exception]
    value: str
    # How it follows the previous error: raised "from" it, or while handling it.
    caused: bool

    @property
    def database(self) -> bool:
        return self.kind in DATABASE_ERRORS

    def error(self) -> Exception:
        if self.database:
            return self.kind(f"duplicate key\nDETAIL:  Key (chat_id)=({self.value}) exists.")
        return self.kind(f"could not {self.value}")


links = st.builds(Link, st.sampled_from(DATABASE_ERRORS + OTHER_ERRORS), values, st.booleans())


def raised(chain: list[Link], grouped: bool) -> BaseException:
    """The chain raised for real, each link from or during the previous one (real tracebacks)."""
    previous: BaseException | None = None
    for link in chain:
        try:
            if previous is not None and not link.caused:
                try:
                    raise previous
                except BaseException:
                    raise link.error()  # noqa: B904 - the implicit context is the point
            raise link.error() from previous
        except Exception as error:
            previous = error
    assert previous is not None
    if grouped:
        try:
            raise ExceptionGroup("several failed", [previous, ValueError("a sibling")])
        except ExceptionGroup as group:
            return group
    return previous


def chains(most: int) -> st.SearchStrategy[list[Link]]:
    return st.lists(links, min_size=1, max_size=most, unique_by=lambda link: link.value)


@given(chains(5), st.booleans())
def test_database_texts_never_show_and_others_do(chain: list[Link], grouped: bool) -> None:
    text = private_traceback(raised(chain, grouped))
    for link in chain:
        if link.database:
            assert link.value not in text
        else:
            assert f"could not {link.value}" in text
    assert text.count(WITHHELD) == sum(link.database for link in chain)
    # The same frames as Python's own report: only the texts differ.
    python = "".join(traceback.format_exception(raised(chain, grouped)))
    assert text.count('File "') == python.count('File "') > 0


@given(chains(4), values)
def test_a_logged_chain_keeps_no_row_value_and_no_secret(chain: list[Link], secret: str) -> None:
    assume(all(link.value != secret for link in chain))
    error = raised(chain, grouped=False)
    record = logging.LogRecord(
        "bot.test", logging.ERROR, __file__, 1, f"failed near {secret}", None, None
    )
    record.exc_info = (type(error), error, error.__traceback__)
    # A second redactor (one on the logger, then the handler's) must not lose the first's work.
    SecretRedactor([secret]).filter(record)
    SecretRedactor().filter(record)
    shown = logging.Formatter("%(message)s").format(record)
    assert secret not in shown and REDACTED in shown
    for link in chain:
        if link.database:
            assert link.value not in shown


@given(values, st.sampled_from(["[parameters: ('console', '{}')]", "DETAIL:  Key (id)=({})"]))
def test_row_values_quoted_in_a_message_line_are_redacted(value: str, quoted: str) -> None:
    redactor = SecretRedactor()
    line = f"Task exception was never retrieved: {quoted.format(value)}\nnext line stays"
    redacted = redactor.redact(line)
    assert value not in redacted and "next line stays" in redacted


def test_database_errors_are_known_by_their_module() -> None:
    assert all(from_a_database(kind()) for kind in DATABASE_ERRORS)
    assert not any(from_a_database(kind()) for kind in OTHER_ERRORS)
