"""A failed statement's error never quotes its parameters: they are chat ids and row values."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from db.session import create_engine

VALUE = "private-5550123"


async def test_a_failed_statement_does_not_quote_its_parameters(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'bot.db'}")
    try:
        with pytest.raises(DBAPIError) as raised:
            async with engine.connect() as connection:
                await connection.execute(
                    text("SELECT * FROM missing WHERE id = :id"), {"id": VALUE}
                )
    finally:
        await engine.dispose()
    assert "missing" in str(raised.value)  # the error itself still says what went wrong
    assert VALUE not in str(raised.value)
    assert VALUE not in repr(raised.value)


def test_a_server_engine_hides_parameters_too() -> None:
    pytest.importorskip("asyncpg")
    engine = create_engine("postgresql+asyncpg://bot@localhost/allybot")
    assert engine.sync_engine.hide_parameters
