"""DATABASE_KEY: read from the environment or .env, never shown (repr, errors, log lines)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import configure_logging, configured_secrets
from bot.settings import Settings, SettingsError, load_settings

KEY = "sesame-0123456789-ключ"


def test_the_key_comes_from_dotenv_and_never_shows_in_repr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text(f"DATABASE_KEY={KEY}\n", encoding="utf-8")
    settings = load_settings(env_file)
    assert settings.database_key is not None
    assert settings.database_key.get_secret_value() == KEY
    assert KEY not in repr(settings) and KEY not in str(settings)


def test_an_empty_key_is_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_KEY", "")
    assert load_settings(None).database_key is None


@pytest.mark.parametrize(
    ("url", "key", "expected"),
    [
        (None, "short-secret", "DATABASE_KEY: at least 16 characters; generate one with:"),
        (
            "postgresql+asyncpg://allybot@db/allybot",
            KEY,
            "DATABASE_KEY: encrypts an SQLite database only",
        ),
    ],
    ids=["too short", "not SQLite"],
)
def test_a_key_that_cannot_protect_the_database_is_refused_without_quoting_it(
    monkeypatch: pytest.MonkeyPatch, url: str | None, key: str, expected: str
) -> None:
    if url is not None:
        monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATABASE_KEY", key)
    with pytest.raises(SettingsError) as refused:
        load_settings(None)
    assert str(refused.value).startswith(expected)
    assert key not in str(refused.value)


@pytest.fixture
def root_logging() -> Iterator[None]:
    """configure_logging replaces the root handlers; put back pytest's afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_the_key_is_redacted_from_log_lines(
    root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(_env_file=None, database_key=KEY)  # type: ignore[call-arg, arg-type]
    configure_logging("DEBUG", configured_secrets(settings))
    logging.getLogger("anything").warning("opening with %s", KEY)
    logged = capsys.readouterr().err
    assert KEY not in logged
    assert "opening with <redacted>" in logged
