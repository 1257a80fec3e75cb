"""DISCORD_API_BASE_URL and DISCORD_GATEWAY_URL: optional, checked at start with one line naming
the variable (never quoting the value), redacted from logs like TELEGRAM_API_BASE_URL, and
applied to discord.py by build_discord before its client exists."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import discord.gateway
import discord.http
import pytest
import yarl

from bot.adapters.discord import build_discord
from bot.adapters.discord.endpoints import use_endpoints
from bot.app import Core
from bot.logs import configure_logging, configured_secrets
from bot.settings import Settings, SettingsError, load_settings

VARIABLES = ("DISCORD_API_BASE_URL", "DISCORD_GATEWAY_URL")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


@pytest.fixture
def restored_endpoints(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Whatever a test points discord.py at is undone afterwards (they are class attributes)."""
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    gateway = discord.gateway.DiscordWebSocket
    monkeypatch.setattr(gateway, "DEFAULT_GATEWAY", gateway.DEFAULT_GATEWAY)
    yield


@pytest.fixture
def root_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_unset_by_default_and_an_empty_value_is_unset(clean_env: pytest.MonkeyPatch) -> None:
    settings = load_settings(None)
    assert settings.discord_api_base_url is None
    assert settings.discord_gateway_url is None
    clean_env.setenv("DISCORD_API_BASE_URL", "")
    clean_env.setenv("DISCORD_GATEWAY_URL", "  ")
    settings = load_settings(None)
    assert settings.discord_api_base_url is None
    assert settings.discord_gateway_url is None


@pytest.mark.parametrize(
    ("api", "gateway"),
    [
        ("https://discord.com/api/v10", "wss://gateway.discord.gg/"),
        ("http://127.0.0.1:8080/api/v10", "ws://127.0.0.1:8080/gateway"),
        ("https://user:pw@proxy.example.org/discord/api/v10/", "wss://proxy.example.org:443/gw"),
    ],
)
def test_http_and_websocket_urls_are_accepted(
    clean_env: pytest.MonkeyPatch, api: str, gateway: str
) -> None:
    clean_env.setenv("DISCORD_API_BASE_URL", api)
    clean_env.setenv("DISCORD_GATEWAY_URL", gateway)
    settings = load_settings(None)
    assert settings.discord_api_base_url == api
    assert settings.discord_gateway_url == gateway


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DISCORD_API_BASE_URL", "wss://gateway.discord.gg/"),
        ("DISCORD_API_BASE_URL", "discord.com/api/v10"),
        ("DISCORD_API_BASE_URL", "ftp://user:hunter2-secret@proxy.example.org/api"),
        ("DISCORD_API_BASE_URL", "https://proxy.example.org:notaport/api/v10"),
        ("DISCORD_API_BASE_URL", "https:///api/v10"),
        ("DISCORD_GATEWAY_URL", "https://gateway.discord.gg/"),
        ("DISCORD_GATEWAY_URL", "gateway.discord.gg"),
        ("DISCORD_GATEWAY_URL", "ws://:hunter2-secret@"),
    ],
)
def test_anything_else_stops_the_start_with_one_line_that_never_quotes_the_value(
    clean_env: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    clean_env.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings(None)
    message = str(raised.value)
    assert message.startswith(f"{variable}: expected a")
    assert "\n" not in message
    assert "hunter2" not in message
    assert "example.org" not in message


def test_credentials_and_secret_paths_in_them_are_redacted_from_logs(
    root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(
        _env_file=None,
        discord_api_base_url="https://allybot:pa55-w0rd@proxy.example.org/s3cret-path/api/v10",
        discord_gateway_url="wss://proxy.example.org/gw-0f9e8d7c?key=k3y-0000",
    )
    configure_logging("DEBUG", configured_secrets(settings))
    log = logging.getLogger("discord.client")
    log.warning(
        "connecting to %s and %s", settings.discord_api_base_url, settings.discord_gateway_url
    )
    logged = capsys.readouterr().err
    for secret in ("pa55-w0rd", "/s3cret-path", "/gw-0f9e8d7c", "key=k3y-0000"):
        assert secret not in logged
    # Only the secret parts go: the host and Discord's own path stay readable.
    assert "proxy.example.org<redacted>/api/v10" in logged


def test_urls_without_secrets_redact_nothing() -> None:
    settings = Settings(
        _env_file=None,
        discord_api_base_url="http://127.0.0.1:8080/api/v10/",
        discord_gateway_url="wss://gateway.discord.gg/",
    )
    assert configured_secrets(settings) == []


def test_use_endpoints_points_discord_py_there_and_none_leaves_the_default(
    restored_endpoints: None,
) -> None:
    use_endpoints(None, None)
    assert discord.http.Route.BASE == "https://discord.com/api/v10"
    gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    assert gateway == yarl.URL("wss://gateway.discord.gg/")
    use_endpoints("http://127.0.0.1:8080/api/v10/", "ws://127.0.0.1:8080/gateway")
    assert discord.http.Route.BASE == "http://127.0.0.1:8080/api/v10"
    assert discord.http.Route("GET", "/users/@me").url == "http://127.0.0.1:8080/api/v10/users/@me"
    assert discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY.port == 8080


def test_build_discord_applies_them_before_the_client_exists(
    core: Core, restored_endpoints: None
) -> None:
    settings = Settings(
        _env_file=None,
        discord_bot_token="abc.def",
        discord_api_base_url="http://127.0.0.1:9/api/v10",
        discord_gateway_url="ws://127.0.0.1:9/gateway",
    )
    probes: dict[str, Any] = {}
    parts = SimpleNamespace(
        settings=settings,
        registry=core.registry,
        translator=core.translator,
        server_setups=core.server_setups,
        server_probes=probes,
        chat_events=core.chat_events,
    )
    messenger = build_discord(parts)
    assert messenger.client is None  # created only when it runs, after this
    assert discord.http.Route.BASE == "http://127.0.0.1:9/api/v10"
    gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    assert gateway == yarl.URL("ws://127.0.0.1:9/gateway")
