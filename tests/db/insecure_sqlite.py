"""An SQLite that, like most builds outside Debian, does not zero deleted content by default."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest


def without_secure_delete(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection opened from now on (the application's too, through aiosqlite) starts
    with secure_delete OFF, so only the application's own pragma can turn it on."""
    original = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection = original(*args, **kwargs)
        connection.execute("PRAGMA secure_delete=OFF")
        return connection

    monkeypatch.setattr(sqlite3, "connect", connect)
