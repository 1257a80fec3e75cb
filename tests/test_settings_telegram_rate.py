"""BROADCAST_TELEGRAM_RATE and BROADCAST_TELEGRAM_PAID: past 30 a second only when paid, never
past 1,000, and every refusal one line naming both variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings


def load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name in ("BROADCAST_TELEGRAM_RATE", "BROADCAST_TELEGRAM_PAID"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return load_settings(tmp_path / "no.env")


def refusal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    with pytest.raises(SettingsError) as refused:
        load(tmp_path, monkeypatch, **env)
    return str(refused.value)


def test_paid_broadcasts_are_off_by_default_and_the_rate_is_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load(tmp_path, monkeypatch)
    assert settings.broadcast_telegram_paid is False
    assert settings.broadcast_telegram_rate is None


def test_a_rate_of_100_without_paid_broadcasts_is_refused_naming_both_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = refusal(tmp_path, monkeypatch, BROADCAST_TELEGRAM_RATE="100")
    assert line == (
        "BROADCAST_TELEGRAM_RATE: at most 30 messages a second for free; faster (up to 1,000) "
        "needs BROADCAST_TELEGRAM_PAID=true, which pays 0.1 Telegram Stars a message from the "
        "bot's balance"
    )


@pytest.mark.parametrize("rate", ["31", "100", "1000"])
def test_a_rate_above_30_is_accepted_with_paid_broadcasts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rate: str
) -> None:
    settings = load(
        tmp_path, monkeypatch, BROADCAST_TELEGRAM_PAID="true", BROADCAST_TELEGRAM_RATE=rate
    )
    assert settings.broadcast_telegram_rate == float(rate)


def test_paid_broadcasts_alone_go_at_telegrams_1000_a_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load(tmp_path, monkeypatch, BROADCAST_TELEGRAM_PAID="true")
    assert settings.broadcast_telegram_paid is True
    assert settings.broadcast_telegram_rate is None


@pytest.mark.parametrize("paid", ["true", "false"])
def test_1001_a_second_is_refused_paid_or_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, paid: str
) -> None:
    line = refusal(
        tmp_path, monkeypatch, BROADCAST_TELEGRAM_PAID=paid, BROADCAST_TELEGRAM_RATE="1001"
    )
    assert line.startswith("BROADCAST_TELEGRAM_RATE: at most ")
    assert "1,000" in line


def test_paying_to_go_30_a_second_or_slower_is_refused_with_the_way_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = refusal(
        tmp_path, monkeypatch, BROADCAST_TELEGRAM_PAID="true", BROADCAST_TELEGRAM_RATE="25"
    )
    assert line.startswith("BROADCAST_TELEGRAM_RATE: with BROADCAST_TELEGRAM_PAID=true")
    assert "turn BROADCAST_TELEGRAM_PAID off" in line


def test_a_rate_of_30_or_less_still_works_without_paid_broadcasts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load(tmp_path, monkeypatch, BROADCAST_TELEGRAM_RATE="30")
    assert settings.broadcast_telegram_rate == 30
