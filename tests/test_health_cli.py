"""`allybot health` as an operator (or Docker's HEALTHCHECK) runs it: a subprocess, its lines and
its exit code, against the fake Telegram and the fake Discord, on SQLite and on PostgreSQL.

Every answer is checked for the tokens: a failed check names the kind of failure only.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.health import CHECK_TIMEOUT_S
from tests.adapters.discord.fake_server import FakeDiscord
from tests.adapters.telegram.fake_server import TOKEN, Failure, FakeTelegram
from tests.support.paths import REPO


@dataclass(frozen=True)
class Answer:
    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def lines(self) -> dict[str, str]:
        """check name -> what it said ("ok" or "failed: ...")."""
        return dict(line.split(": ", 1) for line in self.stdout.splitlines())


async def allybot(*args: str, env: Mapping[str, str], cwd: Path) -> Answer:
    """Run `python -m bot ARGS` without blocking the fakes, which share this event loop."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("TELEGRAM_", "DISCORD_", "DATABASE_", "ORGANIZERS", "METRICS_", "ROLES")
        )
    }
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env={**clean, "PYTHONPATH": str(REPO), **env},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return Answer(process.returncode, stdout.decode(), stderr.decode(), time.monotonic() - started)


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def discord() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def migrated(database_url: str, tmp_path: Path) -> str:
    """A database at the head of the migrations, as the bot leaves it."""
    answer = await allybot("db", "upgrade", env={"DATABASE_URL": database_url}, cwd=tmp_path)
    assert answer.code == 0, answer.stderr
    return database_url


def platforms(telegram: FakeTelegram, discord: FakeDiscord) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "DISCORD_BOT_TOKEN": discord.token,
        "DISCORD_API_BASE_URL": discord.base_url,
    }


def assert_no_secret(answer: Answer, *tokens: str) -> None:
    shown = answer.stdout + answer.stderr
    for token in tokens:
        for part in (token, *token.split(":")[1:], *token.split(".")[1:]):
            assert part not in shown, "a token (or part of one) was printed"
    assert "Traceback" not in shown, shown


def closed_port() -> int:
    """A port on this machine where nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_all_ok_is_exit_0_with_one_line_per_check(
    migrated: str, telegram: FakeTelegram, discord: FakeDiscord, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": migrated, **platforms(telegram, discord)}
    answer = await allybot("health", env=env, cwd=tmp_path)
    assert answer.code == 0, answer.stdout + answer.stderr
    assert answer.lines == {"database": "ok", "telegram": "ok", "discord": "ok"}
    assert [call.method for call in telegram.calls] == ["getMe"]
    assert_no_secret(answer, telegram.token, discord.token)


async def test_only_the_configured_platforms_are_checked(migrated: str, tmp_path: Path) -> None:
    answer = await allybot("health", env={"DATABASE_URL": migrated}, cwd=tmp_path)
    assert answer.code == 0, answer.stdout + answer.stderr
    assert answer.lines == {"database": "ok"}


async def test_refused_tokens_are_exit_1_and_never_printed(migrated: str, tmp_path: Path) -> None:
    # Each fake knows another token than the one the bot is given: both answer 401.
    telegram, discord = (
        FakeTelegram(token="7300000002:" + "AAOtherTokenNobodyGaveTheBot_0123456"),
        (FakeDiscord(token="T3RoZXI.other-token.Tm9ib2R5")),
    )
    await telegram.start()
    await discord.start()
    try:
        env = {
            "DATABASE_URL": migrated,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": telegram.base_url,
            "DISCORD_BOT_TOKEN": "MTE3MDAw.given-bot-token.Zm9vYmFyYmF6",
            "DISCORD_API_BASE_URL": discord.base_url,
        }
        answer = await allybot("health", env=env, cwd=tmp_path)
    finally:
        await telegram.stop()
        await discord.stop()
    assert answer.code == 1
    assert answer.lines == {
        "database": "ok",
        "telegram": "failed: token refused (HTTP 401)",
        "discord": "failed: token refused (HTTP 401)",
    }
    assert_no_secret(answer, TOKEN, env["DISCORD_BOT_TOKEN"])


async def test_an_unreachable_platform_is_exit_1(
    migrated: str, telegram: FakeTelegram, discord: FakeDiscord, tmp_path: Path
) -> None:
    env = {
        "DATABASE_URL": migrated,
        **platforms(telegram, discord),
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{closed_port()}/bot",
    }
    answer = await allybot("health", env=env, cwd=tmp_path)
    assert answer.code == 1
    assert answer.lines == {"database": "ok", "telegram": "failed: unreachable", "discord": "ok"}
    assert_no_secret(answer, telegram.token, discord.token)


async def test_a_platform_in_trouble_says_its_status(
    migrated: str, telegram: FakeTelegram, tmp_path: Path
) -> None:
    telegram.fail_next("getMe", Failure(502, "Bad Gateway"))
    env = {
        "DATABASE_URL": migrated,
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
    }
    answer = await allybot("health", env=env, cwd=tmp_path)
    assert answer.code == 1
    assert answer.lines["telegram"] == "failed: HTTP 502"


async def test_a_platform_too_slow_to_answer_times_out_in_seconds(tmp_path: Path) -> None:
    # A socket that listens but never answers: the connection opens, no reply ever comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        env = {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{silent.getsockname()[1]}/bot",
        }
        answer = await allybot("health", env=env, cwd=tmp_path)
    assert answer.code == 1
    assert answer.lines["telegram"] == "failed: timed out"
    # The check's own few seconds, plus the interpreter's start.
    assert answer.seconds < CHECK_TIMEOUT_S + 10, answer.seconds
    assert_no_secret(answer, TOKEN)


async def test_a_database_not_yet_migrated_is_exit_1(database_url: str, tmp_path: Path) -> None:
    answer = await allybot("health", env={"DATABASE_URL": database_url}, cwd=tmp_path)
    assert answer.code == 1
    problem = answer.lines["database"]
    if database_url.startswith("sqlite"):
        # Nor does the check create the file.
        assert problem.startswith("failed: no database yet")
        assert not (tmp_path / "allybot.sqlite3").exists()
    else:
        assert problem == "failed: migrations not at head (run `allybot db upgrade`)"


def test_a_database_behind_or_ahead_of_the_code_is_named(tmp_path: Path) -> None:
    database = tmp_path / "allybot.sqlite3"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    assert asyncio.run(allybot("db", "upgrade", env=env, cwd=tmp_path)).code == 0
    for revision, problem in (
        ("0001", "failed: migrations not at head (run `allybot db upgrade`)"),
        ("9999_from_the_future", "failed: the schema is newer than this version of allybot"),
    ):
        connection = sqlite3.connect(database)
        with connection:
            connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        connection.close()
        answer = asyncio.run(allybot("health", env=env, cwd=tmp_path))
        assert (answer.code, answer.lines) == (1, {"database": problem})


async def test_an_unreachable_database_is_exit_1(tmp_path: Path) -> None:
    url = f"postgresql://allybot:a-db-password-1234@127.0.0.1:{closed_port()}/allybot"
    answer = await allybot("health", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert answer.code == 1
    assert answer.lines == {"database": "failed: unreachable"}
    assert "a-db-password-1234" not in answer.stdout + answer.stderr


async def test_bad_settings_are_exit_1_for_docker_not_2(tmp_path: Path) -> None:
    # Docker reserves exit 2 of a HEALTHCHECK; a bad setting is simply unhealthy.
    answer = await allybot("health", env={"METRICS_LISTEN": "nowhere"}, cwd=tmp_path)
    assert answer.code == 1
    assert answer.lines == {"settings": "failed: bad settings"}
    assert "METRICS_LISTEN" in answer.stderr


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_container_checks_only_the_platforms_of_its_role(
    migrated: str, telegram: FakeTelegram, discord: FakeDiscord, tmp_path: Path
) -> None:
    """compose.yaml's Discord gateway is not unhealthy because Telegram is down; a sender, which
    sends on both, is."""
    env = {
        "DATABASE_URL": migrated,
        **platforms(telegram, discord),
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{closed_port()}",
    }
    gateway = await allybot("health", env={**env, "ROLES": "discord"}, cwd=tmp_path)
    assert gateway.code == 0, gateway.stdout + gateway.stderr
    assert gateway.lines == {"database": "ok", "discord": "ok"}
    sender = await allybot("health", env={**env, "ROLES": "sender"}, cwd=tmp_path)
    assert sender.code == 1
    assert sender.lines["telegram"].startswith("failed: ")
    assert_no_secret(sender, telegram.token, discord.token)
