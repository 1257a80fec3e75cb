"""DATABASE_URL in the classic forms people write becomes the async driver installed with us."""

from __future__ import annotations

import pytest

from bot.settings import Settings


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("sqlite:///data/a.sqlite3", "sqlite+aiosqlite:///data/a.sqlite3"),
        ("postgresql://bot:pw@db:5432/ally", "postgresql+asyncpg://bot:pw@db:5432/ally"),
        ("postgres://bot:pw@db/ally", "postgresql+asyncpg://bot:pw@db/ally"),
        ("postgresql+asyncpg://bot@db/ally", "postgresql+asyncpg://bot@db/ally"),
    ],
)
def test_the_classic_url_gets_the_async_driver(given: str, used: str) -> None:
    settings = Settings(_env_file=None, database_url=given)  # type: ignore[call-arg]
    assert settings.database_url == used
