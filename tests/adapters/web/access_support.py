"""The dashboard app in process (aiohttp's test client) over a real core, and signing in to it.

`client(core)` serves `make_app(build_dashboard(core))` on 127.0.0.1; `signed_in(client, core,
grant)` spends a fresh one-time link for `grant` and returns the session cookie's value. Cookies
are sent by hand (the `Cookie` header), so a test sees exactly what the server set.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import ClientResponse, DummyCookieJar, web
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.web import make_app
from bot.app import Core
from bot.core.dashboard.access import Grant
from bot.core.messages import Address, ChatKind
from bot.dashboard import build_dashboard

Client = TestClient[web.Request, web.Application]
ORGANIZER = Grant(Address("console", "organizer"), Address("console", "organizer"))
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


def group_admin(group: str, user: str) -> Grant:
    """A group's admin's grant, as /dashboard in that group gives it."""
    chat = Address("console", group)
    return Grant(Address("console", user), chat, ChatKind.GROUP, scope=chat)


@asynccontextmanager
async def client(core: Core) -> AsyncIterator[Client]:
    """The dashboard of `core`, served on a free port of 127.0.0.1."""
    server = TestServer(make_app(build_dashboard(core)))
    async with TestClient(server, cookie_jar=DummyCookieJar()) as test_client:
        yield test_client


def cookie_of(response: ClientResponse, name: str) -> str | None:
    """The value `response` sets for cookie `name` (None when it sets none)."""
    morsel = response.cookies.get(name)
    return morsel.value if morsel is not None else None


async def signed_in(test_client: Client, core: Core, grant: Grant = ORGANIZER) -> dict[str, str]:
    """Headers of a browser signed in with a fresh link for `grant` (its session cookie)."""
    token = await core.web_access.link_token(grant)
    response = await test_client.post(f"/login/{token}", allow_redirects=False)
    assert response.status == 303, await response.text()
    name = "__Host-allybot" if core.settings.dashboard_url.startswith("https://") else "allybot"
    session = cookie_of(response, name)
    assert session, response.headers
    return {"Cookie": f"{name}={session}"}


async def csrf_of(test_client: Client, headers: dict[str, str]) -> str:
    """The CSRF token the signed-in pages carry in their forms."""
    page = await test_client.get("/", headers=headers)
    found = CSRF.search(await page.text())
    assert found, "no form with a CSRF token on the overview"
    return found[1]
