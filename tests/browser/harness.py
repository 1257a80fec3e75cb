"""Driving the dashboard as people do: the real process, a real headless Chromium.

`Dashboard` is one `allybot run` process (against the fake Bot API, and the fake Discord when a
test asks) serving the dashboard on a free port of 127.0.0.1. `Browser` is Debian's Chromium
(/usr/bin/chromium; `.ci/run` installs it) driven by Playwright's own driver, which is never
allowed to download a browser. Every page a test opens records the hosts it asked for; the test
fixtures fail a test whose pages asked any host but the app's.

Screenshots go to `tests/browser/artifacts/` (ignored by git): CI keeps them, and a person can
look at what the test saw.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, BrowserContext, Page, Request, async_playwright

from tests.adapters.telegram.fake_server import ORGANIZER, FakeTelegram, Sent
from tests.adapters.telegram.fake_server import private_chat as chat_of
from tests.e2e.conftest import BotProcess

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
# Without the background-networking flags Chromium calls Google's hosts at start (refused here).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
LINK = re.compile(r"https?://\S+/login/[A-Za-z0-9_-]+")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_listening(port: int, within: float = 20.0) -> None:
    """Until the dashboard accepts connections (it starts beside the platforms)."""
    async with asyncio.timeout(within):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.1)
                continue
            writer.close()
            await writer.wait_closed()
            return


class WebBot(BotProcess):
    """`allybot run` with WEB_LISTEN on a free port."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.port = free_port()
        self.settings.setdefault("WEB_LISTEN", f"127.0.0.1:{self.port}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        await super().start()
        await wait_listening(self.port)


async def dashboard_link(
    fake: FakeTelegram, person: dict[str, Any] = ORGANIZER, chat: dict[str, Any] | None = None
) -> str:
    """What a person does to get in: /dashboard to the bot; the link from its answer."""
    chat = chat or chat_of(person)
    replies = await fake.say(chat, person, "/dashboard")
    for reply in replies:
        found = LINK.search(reply.text or "")
        if found:
            return found[0]
    raise AssertionError(f"no dashboard link in {[r.text for r in replies]!r}")


class Pages:
    """Pages of one browser context, with every host they asked for."""

    def __init__(self, context: BrowserContext, app_url: str) -> None:
        self.context = context
        self.app_host = urlsplit(app_url).netloc
        self.hosts: set[str] = set()
        self.foreign: list[str] = []
        context.on("request", self._seen)

    def _seen(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        self.hosts.add(parts.netloc)
        if parts.netloc != self.app_host:
            self.foreign.append(request.url)

    async def new(self) -> Page:
        return await self.context.new_page()


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()


@contextlib.asynccontextmanager
async def pages(
    browser: Browser, app_url: str, *, viewport: dict[str, int] = DESKTOP, **options: Any
) -> AsyncIterator[Pages]:
    """A fresh context (its own cookies) that blocks and records any request to another host."""
    context = await browser.new_context(viewport=viewport, **options)  # type: ignore[arg-type]
    seen = Pages(context, app_url)
    app_host = seen.app_host

    async def only_the_app(route: Any) -> None:
        if urlsplit(route.request.url).netloc == app_host:
            await route.continue_()
        else:
            await route.abort()

    await context.route("**/*", only_the_app)
    try:
        yield seen
    finally:
        await context.close()
    assert not seen.foreign, f"pages asked other hosts: {seen.foreign}"


async def screenshot(page: Page, name: str) -> Path:
    """Keep what the test saw, full page, as tests/browser/artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def sign_in(page: Page, link: str) -> None:
    """Open the link and press its button, as a person does."""
    await page.goto(link)
    await page.click("#sign-in")
    await page.wait_for_load_state()


def make_group_admin(fake: FakeTelegram, group: dict[str, Any], person: dict[str, Any]) -> None:
    """`person` administers `group` (the fake's getChatMember says so) and has opened a private
    chat with the bot, where its private answers to them go."""
    fake.make_admin(group["id"], person["id"])
    fake.chats[person["id"]] = chat_of(person)


async def group_dashboard_link(
    fake: FakeTelegram, group: dict[str, Any], person: dict[str, Any]
) -> tuple[str | None, list[Sent]]:
    """`person` sends /dashboard in `group`: the link in the answer (None without one) and every
    message the bot sent for it, in whatever chat (a private answer goes to the private chat)."""
    sent = await fake.answered(group, person, f"/dashboard@{fake.bot_user['username']}")
    found = [LINK.search(s.text or "") for s in sent]
    links = [match[0] for match in found if match]
    return (links[0] if links else None), sent
