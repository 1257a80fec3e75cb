"""The reminder tests run on SQLite and on PostgreSQL: the plan, its re-planning triggers and
the event store are the parts of the schema that differ most between the two."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from tests.support.settings import settings_on


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_on(database_url)
