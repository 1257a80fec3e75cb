"""The command line as people use it: pipe commands in, check content, bad settings."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.logs import configure_logging, configured_secrets
from bot.settings import Settings
from tests.support.paths import REPO


def allybot(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            (
                "TELEGRAM_",
                "DISCORD_",
                "DATABASE_",
                "ORGANIZERS",
                "CONTENT_DIR",
                "LOG_LEVEL",
                "BROADCAST_",
            )
        )
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, "PYTHONPATH": str(REPO), **(env or {})},
        cwd=cwd,
    )


def test_piped_donate_answers_in_the_console(tmp_path: Path) -> None:
    result = allybot("console", stdin="/donate\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Rainbow Railroad" in result.stdout
    assert "https://" in result.stdout
    # The embedded SQLite database was created under ./data/.
    assert (tmp_path / "data" / "allybot.sqlite3").exists()


def test_run_without_tokens_starts_the_console(tmp_path: Path) -> None:
    result = allybot("run", stdin="/remember\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "#100forJustice" in result.stdout


def test_console_buttons_are_pressed_by_number(tmp_path: Path) -> None:
    # /start shows the menu; "1" presses its first button (Donate).
    result = allybot("console", stdin="/start\n1\n", cwd=tmp_path)
    assert "1) " in result.stdout
    assert "Rainbow Railroad" in result.stdout


def test_console_remembers_choices_across_runs_on_the_same_file(tmp_path: Path) -> None:
    allybot("console", stdin="/settings language ru\n", cwd=tmp_path)
    result = allybot("console", stdin="/help\n", cwd=tmp_path)
    assert "Что я умею" in result.stdout


def test_console_saves_calendar_files(tmp_path: Path) -> None:
    result = allybot("console", stdin="/ics hong-kong-loves-chechnya\n", cwd=tmp_path)
    files = list((tmp_path / "data" / "console-files").glob("*.ics"))
    assert files, result.stdout + result.stderr
    assert b"BEGIN:VCALENDAR" in files[0].read_bytes()


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("ORGANIZERS", "bob", "ORGANIZERS: 'bob' is not platform:id"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL: use one of DEBUG"),
        ("CONTENT_DIR", "/no/such/folder", "CONTENT_DIR: /no/such/folder is not a folder"),
        ("DATABASE_URL", "nonsense", "DATABASE_URL: expected a URL"),
        (
            "BROADCAST_TELEGRAM_RATE",
            "100",
            "BROADCAST_TELEGRAM_RATE: at most 30 messages a second for free; faster (up to "
            "1,000) needs BROADCAST_TELEGRAM_PAID=true",
        ),
    ],
)
def test_bad_settings_stop_with_one_clear_line(
    tmp_path: Path, variable: str, value: str, expected: str
) -> None:
    result = allybot("run", env={variable: value}, cwd=tmp_path)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "telegram:@alice",
            "ORGANIZERS: 'telegram:@alice' is not a numeric user id; "
            "send /whoami to the bot to get yours",
        ),
        (
            "telegram:123,discord:alice#0001",
            "ORGANIZERS: 'discord:alice#0001' is not a numeric user id; "
            "send /whoami to the bot to get yours",
        ),
        (
            "console:alice",
            "ORGANIZERS: 'console:alice' is not the console's user; the console's user is "
            "console:local (send /whoami to the bot to get yours)",
        ),
    ],
)
def test_organizers_that_would_never_match_stop_the_start_naming_the_entry(
    tmp_path: Path, value: str, expected: str
) -> None:
    """An organizer written as a username never matches anyone: refused at start, not silently."""
    result = allybot("run", env={"ORGANIZERS": value}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"allybot: bad settings: {expected}"


def test_console_local_is_the_consoles_organizer(tmp_path: Path) -> None:
    """What /whoami says in the console, pasted into ORGANIZERS, makes the console an organizer."""
    whoami = allybot("console", stdin="/whoami\n", cwd=tmp_path)
    assert "Your user id: console:local" in whoami.stdout
    env = {"ORGANIZERS": "console:local,telegram:123456,discord:987654321098765432"}
    result = allybot("console", stdin="/broadcasts\n", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "No broadcasts yet" in result.stdout
    refused = allybot("console", stdin="/broadcasts\n", cwd=tmp_path)
    assert "Only campaign organizers can use this command." in refused.stdout


def test_settings_come_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LOG_LEVEL=LOUD\n")
    result = allybot("run", cwd=tmp_path)
    assert "LOG_LEVEL: use one of DEBUG" in result.stderr


def test_content_check_passes_on_the_packaged_content() -> None:
    result = allybot("content", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors" in result.stderr


def test_content_check_prints_file_and_line(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    for source in (REPO / "content" / "data").glob("*.yaml"):
        (content / source.name).write_text(source.read_text())
    donate = content / "donate.yaml"
    donate.write_text(donate.read_text().replace("https://", "http://", 1))
    result = allybot("content", "check", str(content))
    assert result.returncode == 1
    line = next(ln for ln in result.stdout.splitlines() if "https" in ln)
    assert line.startswith("donate.yaml:") and line.split(":")[1].isdigit()


def test_broken_content_stops_the_bot_with_the_problems(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    for source in (REPO / "content" / "data").glob("*.yaml"):
        (content / source.name).write_text(source.read_text())
    (content / "events.yaml").write_text("events: [\n")
    result = allybot("run", env={"CONTENT_DIR": str(content)}, cwd=tmp_path)
    assert result.returncode == 2
    assert "events.yaml:" in result.stderr and "Traceback" not in result.stderr


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    result = allybot("db", "upgrade", env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert (tmp_path / "x.sqlite3").exists()


@pytest.mark.parametrize(
    "secret",
    [None, "", "short-but-valid_chars", "x" * 31, "y" * 257, "has spaces in it " * 3],
    ids=["unset", "empty", "short", "31", "257", "alphabet"],
)
def test_a_webhook_without_a_proper_secret_is_refused_at_start(
    tmp_path: Path, secret: str | None
) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": "7300000001:" + "AAFakeTokenForTestsOnly_0123456789abcd",
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/telegram/hook",
    }
    if secret is not None:
        env["TELEGRAM_WEBHOOK_SECRET"] = secret
    result = allybot("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("allybot: bad settings: TELEGRAM_WEBHOOK_SECRET: required when")
    assert "token_urlsafe" in line
    if secret:
        assert secret not in result.stderr
    assert not (tmp_path / "data").exists(), "refused before anything was created"


def test_a_webhook_with_a_long_secret_passes_the_settings() -> None:
    env = {
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/telegram/hook",
        "TELEGRAM_WEBHOOK_SECRET": "Ab0_-" * 7,
    }
    result = subprocess.run(
        [sys.executable, "-c", "from bot.settings import load_settings; load_settings(None)"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def root_logging() -> Iterator[None]:
    """configure_logging replaces the root handlers; put back pytest's afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_every_configured_secret_is_redacted_from_every_log_line(
    root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    telegram = "7300000001:" + "AAFakeTokenForTestsOnly_0123456789abcd"
    discord = "MTEx.discord-token-shaped.Zm9vYmFyYmF6cXV4"
    webhook = "W" * 20 + "_hook-secret_" + "9" * 10
    password = "pa:ss/w%rd-Q7"
    api_path = "/tg-0f9e8d7c6b5a"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=telegram,  # type: ignore[arg-type]
        discord_bot_token=discord,  # type: ignore[arg-type]
        telegram_webhook_url="https://bot.example.org/hook",
        telegram_webhook_secret=webhook,  # type: ignore[arg-type]
        database_url=f"postgresql+asyncpg://allybot:{quote(password, safe='')}@db:5432/allybot",
        telegram_api_base_url=f"https://bots.example.org{api_path}/bot?key=k3y-0000",
    )
    configure_logging("DEBUG", configured_secrets(settings))
    log = logging.getLogger("anything.at.all")
    secrets = [
        telegram,
        discord,
        webhook,
        password,
        quote(password, safe=""),
        api_path,
        "key=k3y-0000",
    ]
    for secret in secrets:
        log.warning("plain %s here", secret)
        log.info(f"in the message {secret}")
        try:
            raise RuntimeError(
                f"failed at {settings.database_url} {settings.telegram_api_base_url}"
            )
        except RuntimeError:
            log.exception("with a traceback")
    logged = capsys.readouterr().err
    assert logged.count("<redacted>") >= 2 * len(secrets)
    for secret in secrets:
        assert secret not in logged
    assert "plain <redacted> here" in logged
    assert "https://bots.example.org<redacted>/bot" in logged, "only the secret part goes"


def test_urls_without_secrets_redact_nothing() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url="sqlite+aiosqlite:///data/allybot.sqlite3",
        telegram_api_base_url="http://127.0.0.1:8081/bot",
    )
    assert configured_secrets(settings) == []
