"""The handler tests run the real core on SQLite and on PostgreSQL: each test twice, on a fresh
SQLite file and on a fresh database of the session's throwaway PostgreSQL server."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from tests.support.settings import settings_on


@pytest.fixture
def settings(migrated_database_url: str) -> Settings:
    return settings_on(migrated_database_url)
