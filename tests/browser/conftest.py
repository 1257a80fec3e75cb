"""Browser tests: the real `allybot run` serving the dashboard, driven in headless Chromium.

They run on a SQLite file: the dashboard reads and writes through the same stores the e2e and
store tests run on both databases, and a browser round costs the suite real minutes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.adapters.telegram.fake_server import FakeTelegram
from tests.browser.harness import WebBot, chromium
from tests.e2e.conftest import fake, stopped_at_the_end

__all__ = ["fake"]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'allybot.sqlite3'}"


@pytest.fixture
async def web(fake: FakeTelegram, database_url: str, tmp_path: Path) -> AsyncIterator[WebBot]:
    """The process with the dashboard (not started: `await web.start()`), stopped at the end."""
    process = WebBot(fake, database_url, tmp_path)
    async with stopped_at_the_end(process):
        yield process


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched
