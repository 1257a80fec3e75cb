"""A fake chat platform on 127.0.0.1 and a Messenger that talks to it over HTTP.

The server counts POSTs per chat, adds a fixed latency, and answers 429 (with retry_after)
whenever more than `cap` requests arrived in the last second, the way a platform punishes a
flood. Used by the crash test, bench/broadcast.py and bench/mixed.py.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from collections.abc import Sequence
from typing import Any

import aiohttp
from aiohttp import web

from bot.core.messages import Address, Reply
from bot.core.ports import Dispatch, PlatformPacing, RecipientGone, TryLater


class FakePlatform:
    """POST /send {"chat_id", "text"}: 200, 403 for gone chats, 429 over the cap."""

    def __init__(self, latency_s: float = 0.0, cap: float | None = None) -> None:
        self.latency_s = latency_s
        self.cap = cap
        self.received: Counter[str] = Counter()
        self.arrivals: list[float] = []
        # (arrival, chat id, text) of every accepted request: which stream each one came from.
        self.log: list[tuple[float, str, str]] = []
        self.too_many = 0
        self.gone: set[str] = set()
        self._window: deque[float] = deque()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/send", self._send)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _send(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        body: dict[str, Any] = await request.json()
        if self.cap is not None:
            self._window.append(now)
            while self._window and self._window[0] <= now - 1.0:
                self._window.popleft()
            if len(self._window) > self.cap:
                self.too_many += 1
                return web.json_response({"retry_after": 1.0}, status=429)
        chat_id = str(body["chat_id"])
        if chat_id in self.gone:
            return web.json_response({"error": "blocked"}, status=403)
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        self.received[chat_id] += 1
        self.arrivals.append(now)
        self.log.append((now, chat_id, str(body.get("text", ""))))
        return web.json_response({"ok": True})


class HttpMessenger:
    """Our Messenger port over HTTP to FakePlatform, mapping its answers onto the core's errors."""

    def __init__(
        self,
        platform: str,
        base_url: str,
        pacing: PlatformPacing | None = None,
        connections: int = 100,
    ) -> None:
        self.platform = platform
        # aiohttp's pool size (0: no limit). A send waiting for a connection counts in its
        # round trip, so a pool smaller than the window would inflate the window it follows.
        self._connections = connections
        self.pacing = pacing or PlatformPacing()
        self._url = base_url + "/send"
        self._session: aiohttp.ClientSession | None = None

    async def run(self, dispatch: Dispatch) -> None:
        await asyncio.Event().wait()

    async def send(self, address: Address, reply: Reply) -> Sequence[str]:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections, force_close=False)
            )
        async with self._session.post(
            self._url, json={"chat_id": address.chat_id, "text": reply.text}
        ) as response:
            if response.status == 429:
                raise TryLater((await response.json())["retry_after"])
            if response.status == 403:
                raise RecipientGone()
            if response.status >= 500:
                raise TryLater()
            response.raise_for_status()
        return ()

    async def delete(self, address: Address, message_ids: Sequence[str]) -> None:
        pass

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
