"""The real process: a database error while answering is an apology on the console and one log
line on stderr naming the error's type, and never the statement's parameters; an error nothing
caught stops the process through the log, its database errors' texts withheld."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import __main__ as cli
from tests.core.test_private_failures import break_topics
from tests.test_cli import allybot

SORRY = "Sorry, something went wrong on our side. Please try again later."


def test_a_database_error_on_the_console_is_an_apology_and_no_parameters(tmp_path: Path) -> None:
    first = allybot("console", stdin="/subscribe events\n", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    break_topics(tmp_path / "data" / "allybot.sqlite3")

    result = allybot("console", stdin="/settings\n/subscribe petitions\n", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.count(SORRY) == 2
    assert "/settings failed with OperationalError" in result.stderr
    # The console's chat is ("console", "local"): the statement's parameters.
    for private in ("[parameters", "'local'", "no such table"):
        assert private not in result.stderr, result.stderr


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """main() configures the root logger for the process; the other tests get theirs back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def test_an_uncaught_error_stops_through_the_log_without_row_values(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    restored_logging: None,
) -> None:
    value = "918273645"

    async def failing(*_args: object, **_kwargs: object) -> int:
        try:
            raise sqlite3.IntegrityError(f"DETAIL:  Key (chat_id)=({value}) already exists")
        except sqlite3.IntegrityError as error:
            raise ExceptionGroup("unhandled errors", [RuntimeError("a store failed")]) from error

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "_serve", failing)
    code = cli.main(["console"])

    stderr = capfd.readouterr().err
    assert code == 1
    assert "allybot stopped: ExceptionGroup" in stderr
    assert "sqlite3.IntegrityError" in stderr and "a store failed" in stderr
    assert value not in stderr, stderr
