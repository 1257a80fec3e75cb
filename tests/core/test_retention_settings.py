"""The retention settings: safe defaults, the forms operators write, and no zero or negative."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.settings import SettingsError, load_settings

VARIABLES = (
    "RETENTION_AFTER_EVENT",
    "RETENTION_BROADCAST_RECIPIENTS",
    "RETENTION_DRAFTS",
    "PURGE_INTERVAL",
)


def test_the_defaults_are_a_week_a_month_and_a_day(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    settings = load_settings(None)
    assert settings.retention_after_event == timedelta(days=7)
    assert settings.retention_broadcast_recipients == timedelta(days=30)
    assert settings.retention_drafts == timedelta(hours=24)
    assert settings.purge_interval == timedelta(hours=24)


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("3d", timedelta(days=3)),
        ("12h", timedelta(hours=12)),
        ("30m", timedelta(minutes=30)),
        ("90s", timedelta(seconds=90)),
        ("2w", timedelta(weeks=2)),
        ("3600", timedelta(hours=1)),
        ("P7D", timedelta(days=7)),
    ],
)
def test_durations_read_as_written(
    monkeypatch: pytest.MonkeyPatch, written: str, meant: timedelta
) -> None:
    for variable in VARIABLES:
        monkeypatch.setenv(variable, written)
    settings = load_settings(None)
    assert settings.retention_after_event == meant
    assert settings.retention_broadcast_recipients == meant
    assert settings.retention_drafts == meant
    assert settings.purge_interval == meant


@pytest.mark.parametrize("written", ["0", "-1d", "soon", "a week"])
def test_zero_negative_or_unreadable_stops_the_start_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    monkeypatch.setenv("RETENTION_DRAFTS", written)
    with pytest.raises(SettingsError, match=r"^RETENTION_DRAFTS: "):
        load_settings(None)
