"""`allybot health`: is this process's world in order? One line per check, exit 0 if all are ok.

For a container's HEALTHCHECK, a systemd timer or an operator at a prompt: the database answers
and has every migration, and each configured platform accepts the token (Telegram's getMe,
Discord's GET /users/@me). Each check has a few seconds; they run at once. A line says `ok` or
`failed: ` and the kind of failure, never an exception's text, a token, a URL that may carry
one, or anything about a person.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urlsplit

from bot.settings import (
    DISCORD_ROLE,
    SENDER_ROLE,
    TELEGRAM_ROLE,
    Settings,
    SettingsError,
    load_settings,
)

log = logging.getLogger(__name__)

# Short: a HEALTHCHECK is retried, and a platform that takes longer than this is not healthy.
CHECK_TIMEOUT_S = 5.0
TELEGRAM_API = "https://api.telegram.org/bot"
DISCORD_API = "https://discord.com/api/v10"
READ_AT_MOST = 64 * 1024

# None: ok; else the kind of failure, safe to print.
Problem = str | None


async def check_database(settings: Settings) -> Problem:
    from db.cipher import CipherError
    from db.health import NoDatabaseYet, schema_state

    try:
        state = await schema_state(settings.database_url, settings.database_key)
    except NoDatabaseYet:
        return "no database yet (the bot creates it at start, or run `allybot db upgrade`)"
    except CipherError:
        return "cannot read it (DATABASE_KEY wrong or missing)"
    except OSError:
        return "unreachable"
    if not state.answered:
        return "SELECT 1 gave a wrong answer"
    if state.newer:
        return "the schema is newer than this version of allybot"
    if not state.at_head:
        return "migrations not at head (run `allybot db upgrade`)"
    return None


def _telegram_url(settings: Settings, token: str) -> str:
    # As the adapter reads TELEGRAM_API_BASE_URL (bot.adapters.telegram.messenger.api_urls): a
    # server's root or its .../bot URL, the token after /bot.
    root = (settings.telegram_api_base_url or TELEGRAM_API).rstrip("/").removesuffix("/bot")
    return f"{root}/bot{token}/getMe"


async def check_telegram(settings: Settings) -> Problem:
    assert settings.telegram_bot_token is not None  # noqa: S101 -- only called when set
    url = _telegram_url(settings, settings.telegram_bot_token.get_secret_value())
    status, body = await asyncio.to_thread(_get, url, {})
    problem = _http_problem(status)
    if problem is not None:
        return problem
    answer = _json(body)
    result = answer.get("result") if answer.get("ok") is True else None
    if not isinstance(result, dict) or result.get("is_bot") is not True:
        return "unexpected answer"
    return None


async def check_discord(settings: Settings) -> Problem:
    assert settings.discord_bot_token is not None  # noqa: S101 -- only called when set
    url = (settings.discord_api_base_url or DISCORD_API).rstrip("/") + "/users/@me"
    headers = {
        "Authorization": "Bot " + settings.discord_bot_token.get_secret_value(),
        # Discord asks every bot client for this form of User-Agent.
        "User-Agent": f"DiscordBot (allybot health, {_version()})",
    }
    status, body = await asyncio.to_thread(_get, url, headers)
    problem = _http_problem(status)
    if problem is not None:
        return problem
    if not isinstance(_json(body).get("id"), str):
        return "unexpected answer"
    return None


# Not an HTTP status: what _get returns when no answer came.
UNREACHABLE, TIMED_OUT, NOT_HTTP = -1, -2, -3


def _get(url: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """One GET (in a thread: urllib blocks): the status and at most READ_AT_MOST bytes."""
    if urlsplit(url).scheme not in ("http", "https"):
        return NOT_HTTP, b""
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 -- http(s) checked above
    try:
        with urllib.request.urlopen(request, timeout=CHECK_TIMEOUT_S) as response:  # noqa: S310
            return int(response.status), response.read(READ_AT_MOST)
    except urllib.error.HTTPError as error:
        return error.code, b""
    except TimeoutError:
        return TIMED_OUT, b""
    except urllib.error.URLError as error:
        return (TIMED_OUT if isinstance(error.reason, TimeoutError) else UNREACHABLE), b""
    except OSError:
        return UNREACHABLE, b""


def _http_problem(status: int) -> Problem:
    if status == UNREACHABLE:
        return "unreachable"
    if status == TIMED_OUT:
        return "timed out"
    if status == NOT_HTTP:
        return "the API base URL is not http(s)"
    if status in (401, 403, 404):
        # Telegram answers a bad token with 401 (or 404 for a malformed one), Discord with 401.
        return f"token refused (HTTP {status})"
    if status == 429:
        return "rate limited (HTTP 429)"
    if status != 200:
        return f"HTTP {status}"
    return None


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _version() -> str:
    try:
        return version("allybot")
    except PackageNotFoundError:
        return "0"


async def _bounded(check: Callable[[Settings], Awaitable[Problem]], settings: Settings) -> Problem:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            return await check(settings)
    except TimeoutError:
        return "timed out"
    except Exception as error:
        # The kind only: an error's text can quote a URL with a token or a row's values.
        return f"error ({type(error).__name__})"


async def run_checks(settings: Settings) -> list[tuple[str, Problem]]:
    """(name, problem) for the database and each platform whose token is set, checked at once."""
    checks: list[tuple[str, Callable[[Settings], Awaitable[Problem]]]] = [
        ("database", check_database)
    ]
    # Only the platforms this process works on (ROLES): a Discord gateway container is not
    # unhealthy because Telegram is down. A sender sends on both.
    roles = settings.roles
    sends = SENDER_ROLE in roles
    if settings.telegram_bot_token is not None and (TELEGRAM_ROLE in roles or sends):
        checks.append(("telegram", check_telegram))
    if settings.discord_bot_token is not None and (DISCORD_ROLE in roles or sends):
        checks.append(("discord", check_discord))
    problems = await asyncio.gather(*(_bounded(check, settings) for _, check in checks))
    return [(name, problem) for (name, _), problem in zip(checks, problems, strict=True)]


def main() -> int:
    """`allybot health`: 0 if every check is ok, 1 otherwise (Docker reads 1 as unhealthy)."""
    try:
        settings = load_settings()
    except SettingsError as error:
        # The lines name each variable and its problem, never its value.
        print("settings: failed: bad settings", flush=True)
        print(f"allybot: bad settings: {error}", file=sys.stderr)
        return 1
    from bot.logs import configure_logging, configured_secrets

    # Only warnings and worse, and redacted: the checks' libraries may log a URL.
    configure_logging("WARNING", configured_secrets(settings))
    results = asyncio.run(run_checks(settings))
    for name, problem in results:
        print(f"{name}: {'ok' if problem is None else 'failed: ' + problem}", flush=True)
    return 0 if all(problem is None for _, problem in results) else 1
