"""Serve the dashboard's aiohttp application on host:port until asked to stop."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

log = logging.getLogger(__name__)


async def serve_web(app: web.Application, listen: str, stop: asyncio.Event) -> None:
    """Serve `app` on `listen` (host:port) until `stop` is set, then finish open requests."""
    host, _, port = listen.rpartition(":")
    # No access log: a request line carries a login link's token or an id in its path.
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, int(port), shutdown_timeout=5.0)
        await site.start()
        log.info("dashboard on http://%s", listen)
        await stop.wait()
    finally:
        await runner.cleanup()
