"""Our own webhook endpoint: the secret header compared in constant time, then the update queue.

PTB's built-in webhook server compares `X-Telegram-Bot-Api-Secret-Token` with `!=`, which
returns as soon as one character differs: the time it takes leaks how much of a guess was right.
Anyone who learns the secret can post a forged update "from" an organizer, so this server uses
`hmac.compare_digest` and puts the update on the application's queue itself (PTB's documented
"custom webhook" pattern). It logs nothing about requests: their bodies are people's messages.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Bot, Update
from tornado.httpserver import HTTPServer

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
# An update is a message with its context, a few tens of KB at most; nothing bigger is read.
MAX_BODY_BYTES = 1024 * 1024


class _UpdateEndpoint(tornado.web.RequestHandler):
    """POST only: 403 without the right secret, 400 for what is not an update, else queued."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, bot: Bot, queue: asyncio.Queue[object], secret: bytes) -> None:
        self._bot = bot
        self._queue = queue
        self._secret = secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            # Nothing of the request is looked at, nor said about it.
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            data = json.loads(self.request.body)
            update = Update.de_json(data, self._bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError):
            update = None
        if update is None:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        await self._queue.put(update)
        self.set_status(HTTPStatus.OK)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        # Tornado would log the request line and the traceback; the type says enough.
        if not isinstance(value, tornado.web.HTTPError):
            log.error("Telegram webhook: a request failed with %s", getattr(typ, "__name__", typ))


class _Application(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: the path and the callers' addresses are nobody's business."""


class WebhookServer:
    """Serves `path` on host:port and feeds what passes the secret to `queue`."""

    def __init__(
        self, bot: Bot, queue: asyncio.Queue[object], secret: str, path: str, listen: str
    ) -> None:
        if not secret:
            raise ValueError("a webhook needs a secret")
        host, _, port = listen.rpartition(":")
        self._host, self._port = host, int(port)
        # Tornado routes are regular expressions; the path is the operator's literal text.
        route = re.escape("/" + path.strip("/")).rstrip("/") + "/?"
        options = {"bot": bot, "queue": queue, "secret": secret.encode()}
        app = _Application([(route, _UpdateEndpoint, options)])
        self._server = HTTPServer(app, max_body_size=MAX_BODY_BYTES)
        self.running = False

    def start(self) -> None:
        self._server.listen(self._port, address=self._host)
        self.running = True

    async def stop(self) -> None:
        if not self.running:
            return
        self.running = False
        self._server.stop()
        await self._server.close_all_connections()
