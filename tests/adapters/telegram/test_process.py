"""`allybot run` as a process against the fake Bot API: how a start that cannot work ends."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.adapters.telegram.fake_server import TOKEN, FakeTelegram
from tests.test_cli import allybot

REJECTED = "7300000001:" + "AAnotTheRightOneForThisBotAtAll_xyz"


async def test_a_rejected_token_ends_the_process_with_one_line_and_no_token(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    env = {"TELEGRAM_BOT_TOKEN": REJECTED, "TELEGRAM_API_BASE_URL": fake.base_url}
    result = await asyncio.to_thread(allybot, "run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    # Log lines ("<date> <time> LEVEL logger: ...") may come first; the rest is one line.
    own = [line for line in result.stderr.splitlines() if not line[:4].isdigit()]
    assert own == ["allybot: Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather"]
    for leak in ("Traceback", "ExceptionGroup", REJECTED, REJECTED.split(":")[1], TOKEN):
        assert leak not in result.stderr + result.stdout


async def test_the_same_start_with_log_level_warning_prints_exactly_one_line(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": REJECTED,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "LOG_LEVEL": "WARNING",
    }
    result = await asyncio.to_thread(allybot, "run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "allybot: Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather"
    ]
