"""Serve the dashboard's aiohttp application on host:port until asked to stop."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

log = logging.getLogger(__name__)
# aiohttp's own reports (a malformed request, a dropped connection) quote the request line or a
# header in their error text, and so a login token or a session cookie, and name the client's
# address: they go through this logger, which keeps only their wording and the error's type.
http_log = logging.getLogger(f"{__name__}.http")


class _TypeOnly(logging.Filter):
    """The message without its values, and an error's type instead of its text and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        values = record.args if isinstance(record.args, tuple) else ()
        record.args = tuple("<withheld>" for _ in values)
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.msg} ({type(record.exc_info[1]).__name__})"
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


http_log.addFilter(_TypeOnly())


async def serve_web(app: web.Application, listen: str, stop: asyncio.Event) -> None:
    """Serve `app` on `listen` (host:port) until `stop` is set, then finish open requests."""
    host, _, port = listen.rpartition(":")
    # No access log: a request line carries a login link's token or an id in its path.
    runner = web.AppRunner(app, access_log=None, handle_signals=False, logger=http_log)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, int(port), shutdown_timeout=5.0)
        await site.start()
        log.info("dashboard on http://%s", listen)
        await stop.wait()
    finally:
        await runner.cleanup()
