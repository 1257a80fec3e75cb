"""A test-only bot process: build_core + the reminder scheduler + a messenger that appends each
send to a file (with fsync), as a platform would record receiving it.

python -m tests.support.run_reminders DATABASE_URL SENT_FILE [die-before|die-after N]

With die-before N / die-after N the process SIGKILLs itself around its Nth send (just before the
platform gets it, or just after), to reach the two crash windows no outside timing can hit.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.app import build_core
from bot.core.messages import Address, Reply
from bot.core.ports import Dispatch, PlatformPacing
from bot.settings import Settings
from tests.support.reminders import compose


class FileMessenger:
    """Each delivered message becomes one durable line: chat id, tab, the first line of text."""

    platform = "console"
    pacing = PlatformPacing()

    def __init__(self, path: Path, die: str | None, at: int) -> None:
        self._path = path
        self._die = die
        self._at = at
        self._count = 0

    async def run(self, dispatch: Dispatch) -> None:  # pragma: no cover - never served
        raise NotImplementedError

    async def send(self, address: Address, reply: Reply) -> Sequence[str]:
        self._count += 1
        if self._die == "die-before" and self._count == self._at:
            os.kill(os.getpid(), signal.SIGKILL)
        first = reply.text.splitlines()[0]
        with self._path.open("a", encoding="utf-8") as file:
            file.write(f"{address.chat_id}\t{first}\n")
            file.flush()
            os.fsync(file.fileno())
        if self._die == "die-after" and self._count == self._at:
            os.kill(os.getpid(), signal.SIGKILL)
        return (str(self._count),)

    async def delete(self, address: Address, message_ids: Sequence[str]) -> None:
        pass


async def main(database_url: str, sent: Path, die: str | None, at: int) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    core = await build_core(settings, reminder_options={"tick_seconds": 0.05})
    try:
        messenger = FileMessenger(sent, die, at)
        reminders = compose(core, {"console": messenger})
        await reminders.scheduler.run()
    finally:
        await core.aclose()


if __name__ == "__main__":
    die = sys.argv[3] if len(sys.argv) > 3 else None
    at = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), die, at))
