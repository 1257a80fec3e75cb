"""The dashboard's Events pages over a real core (SQLite, a fixed clock), through HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.web import make_app
from bot.adapters.web.security import csrf_token
from bot.app import Core
from bot.core.dashboard.access import Grant
from bot.core.messages import ActionButton, Address, ChatKind, Reply
from bot.dashboard import build_dashboard
from tests.support.chat import Say

ORGANIZER = Address("console", "organizer")
GROUP_A, GROUP_B = Address("console", "group-a"), Address("console", "group-b")
ADMIN_A = Address("console", "admin-a")
EVENT = (
    "Rally for Chechnya",
    "2026-12-05 14:00",
    "16:00",
    "london",
    "Trafalgar Square",
    "Stand with LGBT Chechens.",
)
ORGANIZERS = Grant(ORGANIZER, ORGANIZER)
ADMIN_OF_A = Grant(ADMIN_A, GROUP_A, ChatKind.GROUP, GROUP_A)


class Page:
    """A signed-in browser without a browser: GET and POST with the session's CSRF token."""

    def __init__(self, client: TestClient[Any, Any], csrf: str) -> None:
        self.client = client
        self.csrf = csrf

    async def get(self, path: str, **options: Any) -> tuple[int, str]:
        response = await self.client.get(path, **options)
        return response.status, await response.text()

    async def post(
        self, path: str, data: dict[str, Any] | list[tuple[str, str]]
    ) -> tuple[int, str]:
        fields = list(data.items()) if isinstance(data, dict) else list(data)
        response = await self.client.post(path, data=[("csrf", self.csrf), *fields])
        return response.status, await response.text()


@asynccontextmanager
async def opened(core: Core, grant: Grant | None = ORGANIZERS) -> AsyncIterator[Page]:
    """The dashboard of `core`, signed in as `grant` (None: nobody, the public pages)."""
    client: TestClient[Any, Any] = TestClient(TestServer(make_app(build_dashboard(core))))
    await client.start_server()
    try:
        csrf = ""
        if grant is not None:
            token = await core.web_access.link_token(grant)
            signed = await client.post(f"/login/{token}", allow_redirects=False)
            assert signed.status == 303
            session = signed.cookies["allybot"].value
            csrf = csrf_token(session)
        yield Page(client, csrf)
    finally:
        await client.close()


def button(reply: Reply, command: str, *args: str) -> tuple[str, ...]:
    for candidate in reply.buttons:
        is_it = isinstance(candidate, ActionButton) and candidate.command == command
        if is_it and candidate.args[: len(args)] == args:  # type: ignore[union-attr]
            return candidate.args  # type: ignore[union-attr]
    raise AssertionError(f"no {command} {args} button in {reply.buttons}")


async def publish(say: Say, *fields: str, **who: Any) -> str:
    """An event made in the chat and published; its id."""
    preview = await say("/newevent", *fields, **who)
    draft_id = button(preview, "eventdraft")[0]
    published = await say("/eventdraft", draft_id, "publish", **who)
    assert "Published." in published.text, published.text
    return button(published, "ics")[0]


async def publish_for_group(say: Say, group: Address, title: str) -> str:
    fields = (title, *EVENT[1:])
    who = {"chat": group.chat_id, "user": "admin", "kind": ChatKind.GROUP, "admin": True}
    return await publish(say, *fields, **who)
