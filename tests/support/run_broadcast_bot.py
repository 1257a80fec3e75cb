"""A test-only bot process: build_core + BroadcastService + an HTTP messenger to FakePlatform.

python -m tests.support.run_broadcast_bot DATABASE_URL PLATFORM_URL RATE
Runs until killed, exactly as the real bot's broadcast service would; logs at INFO on stderr
(the send window's size among it).
"""

from __future__ import annotations

import asyncio
import logging
import sys

from bot.app import build_core
from bot.core.delivery.pacing import PlatformPacing
from bot.settings import Settings
from tests.support.fake_platform import HttpMessenger

PLATFORM = "telegram"


async def main(database_url: str, platform_url: str, rate: float) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        organizers="console:organizer",  # type: ignore[arg-type]
    )
    core = await build_core(settings, broadcast_options={"poll_s": 0.2})
    messenger = HttpMessenger(PLATFORM, platform_url, PlatformPacing(rate=rate))
    core.outbox[PLATFORM] = messenger
    try:
        await core.broadcasts.run()
    finally:
        await messenger.aclose()
        await core.aclose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
