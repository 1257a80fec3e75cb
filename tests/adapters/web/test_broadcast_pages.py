"""The Broadcasts pages over a stand-in core: what they dispatch, what they show, to whom.

The browser tests (tests/browser/test_broadcasts.py) run the real process; these pin the
details that are slow to reach there: a group admin's scope on every route, the masking of the
bot's answers, the preview endpoint and the page that refreshes itself without JavaScript.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.web import make_app
from bot.adapters.web.security import csrf_token
from bot.core.broadcast.values import (
    HERE,
    BroadcastInfo,
    BroadcastState,
    DeliveryState,
    Message,
)
from bot.core.dashboard.access import Grant, WebAccess
from bot.core.dashboard.ports import Dashboard
from bot.core.messages import ActionButton, Address, ChatKind, Reply, Request
from content.i18n import CatalogTranslator

ORGANIZER = Address("telegram", "7311223344")
ADMIN = Address("telegram", "7399911111")
GROUP = Address("telegram", "-1007399990077")
OTHER_GROUP = Address("telegram", "-1007399990088")
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


class MemoryAccess:
    """Links and sessions in a dict (the real store is tests/db's)."""

    def __init__(self) -> None:
        self.rows: dict[str, Grant] = {}

    async def issue(self, kind: str, token: str, grant: Grant, ttl: timedelta) -> None:
        self.rows[token] = grant

    async def redeem(self, token: str) -> Grant | None:
        return self.rows.pop(token, None)

    async def touch(self, token: str, idle: timedelta, longest: timedelta) -> Grant | None:
        return self.rows.get(token)

    async def end(self, token: str) -> None:
        self.rows.pop(token, None)


def info(
    broadcast_id: int,
    origin: Address,
    audience: str = HERE,
    state: BroadcastState = BroadcastState.SENDING,
    counts: Mapping[DeliveryState, int] | None = None,
    total: int = 40,
) -> BroadcastInfo:
    return BroadcastInfo(
        id=broadcast_id,
        state=state,
        audience=audience,
        message=Message(f"Message {broadcast_id}"),
        origin=origin,
        locale="en",
        created_by=ORGANIZER if audience != HERE else ADMIN,
        approved_by=None,
        created_at=NOW,
        send_at=None,
        total=total,
        counts=counts or {DeliveryState.SENT: 25, DeliveryState.GONE: 3, DeliveryState.QUEUED: 12},
    )


@dataclass
class Core:
    """The stand-in core: stored broadcasts, and every Request the pages dispatched."""

    stored: dict[int, BroadcastInfo] = field(default_factory=dict)
    asked: list[Request] = field(default_factory=list)
    second_approval_above: int = 1000

    async def get(self, broadcast_id: int) -> BroadcastInfo | None:
        return self.stored.get(broadcast_id)

    async def recent(self, origin: Address | None, limit: int = 10) -> list[BroadcastInfo]:
        found = [i for i in self.stored.values() if origin is None or i.origin == origin]
        return sorted(found, key=lambda i: -i.id)[:limit]

    async def breakdown(self, broadcast_id: int) -> Mapping[tuple[str, str], int]:
        return {("telegram", "en"): 31, ("telegram", "ru"): 4}

    def eta_s(self, info: BroadcastInfo) -> float:
        return 200.0

    async def dispatch(self, request: Request) -> Reply:
        self.asked.append(request)
        if request.command == "broadcast":
            self.stored[9] = info(9, request.chat, request.args[0], BroadcastState.DRAFT, {}, 35)
            return Reply(
                "Above is the broadcast exactly as recipients will see it.\n"
                "Broadcast #9 goes to 35 chats: Telegram: en 31, ru 4.\n"
                "When: as soon as you confirm.\n/cancel 9 stops it.",
                buttons=(
                    ActionButton("✅ Confirm and send", "bcsend", ("9",)),
                    ActionButton("✖ Cancel", "cancel", ("9",)),
                ),
            )
        return Reply(f"Broadcast #{request.args[0]} is cancelled: 3 chats got it; 12 will not.")


@pytest.fixture
def core() -> Core:
    return Core(
        {
            1: info(1, ORGANIZER, "events"),
            2: info(2, GROUP),
            3: info(3, OTHER_GROUP),
        }
    )


async def client_for(core: Core, grant: Grant) -> AsyncIterator[TestClient[Any, Any]]:
    access = WebAccess(MemoryAccess())
    dashboard = Dashboard(
        access=access,
        dispatch=core.dispatch,
        translator=CatalogTranslator(),
        clock=lambda: NOW,
        events=None,  # type: ignore[arg-type]
        broadcasts=core,  # type: ignore[arg-type]
        organizers=frozenset({ORGANIZER}),
        base_url="http://127.0.0.1",
    )
    signed_in = await access.log_in(await access.link_token(grant))
    assert signed_in is not None
    token = signed_in[0]
    async with TestClient(TestServer(make_app(dashboard))) as client:
        client.session.cookie_jar.update_cookies({"allybot": token})
        client.csrf = csrf_token(token)  # type: ignore[attr-defined]
        yield client


@pytest.fixture
async def organizer(core: Core) -> AsyncIterator[TestClient[Any, Any]]:
    async for client in client_for(core, Grant(user=ORGANIZER, chat=ORGANIZER)):
        yield client


@pytest.fixture
async def admin(core: Core) -> AsyncIterator[TestClient[Any, Any]]:
    grant = Grant(user=ADMIN, chat=GROUP, chat_kind=ChatKind.GROUP, scope=GROUP)
    async for client in client_for(core, grant):
        yield client


def counts_in(html: str) -> list[str]:
    return re.findall(r'<span class="count">([^<]*)</span>', html)


async def test_a_group_admin_reaches_only_their_groups_broadcasts(
    admin: TestClient[Any, Any], core: Core
) -> None:
    listing = await (await admin.get("/broadcasts")).text()
    assert 'id="history-2"' in listing
    assert 'id="history-1"' not in listing and 'id="history-3"' not in listing
    assert (await admin.get("/broadcasts/2")).status == 200
    for other in (1, 3, 999, "x"):
        assert (await admin.get(f"/broadcasts/{other}")).status == 404
        assert (await admin.get(f"/broadcasts/{other}/progress")).status == 404
    refused = await admin.post("/broadcasts/3/cancel", data={"csrf": admin.csrf})  # type: ignore[attr-defined]
    assert refused.status == 404
    assert core.asked == []
    # Only their group is an audience: a topic is refused before anything is dispatched.
    topic = await admin.post(
        "/broadcasts",
        data={"csrf": admin.csrf, "audience": "events", "text": "hi"},  # type: ignore[attr-defined]
    )
    assert topic.status == 400 and core.asked == []


async def test_composing_dispatches_the_chat_command_and_masks_its_counts(
    organizer: TestClient[Any, Any], core: Core
) -> None:
    text = "tomorrow 18:00 Rally at the embassy\nSign | https://example.org/s"
    page = await organizer.post(
        "/broadcasts",
        data={"csrf": organizer.csrf, "audience": "events", "text": text},  # type: ignore[attr-defined]
    )
    html = await page.text()
    [asked] = core.asked
    assert (asked.command, asked.args) == ("broadcast", ("events", text))
    assert asked.user == ORGANIZER and asked.chat == ORGANIZER
    # The bot's "en 31, ru 4" reads "ru fewer than 10"; ids and commands keep their numbers.
    assert "ru fewer than 10" in html and "en 31" in html and "#9" in html
    assert "/cancel 9" in html
    assert counts_in(html) == ["35", "31", "fewer than 10"]
    assert 'action="/broadcasts/9/confirm"' in html and 'action="/broadcasts/9/cancel"' in html


async def test_progress_is_masked_and_refreshes_itself_without_javascript(
    organizer: TestClient[Any, Any],
) -> None:
    progress = await (await organizer.get("/broadcasts/1/progress")).json()
    assert progress["counts"] == {
        "sent": "25",
        "gone": "fewer than 10",
        "failed": "fewer than 10",
        "remaining": "12",
    }
    assert progress["percent"] == 70 and progress["eta"] == "about 3 minutes left"
    page = await (await organizer.get("/broadcasts/1")).text()
    assert '<noscript><meta http-equiv="refresh" content="5; url=/broadcasts/1"></noscript>' in page
    assert 'max="100" value="70"' in page


async def test_cancel_is_the_chat_command_and_shows_the_answer_masked(
    organizer: TestClient[Any, Any], core: Core
) -> None:
    page = await organizer.post("/broadcasts/1/cancel", data={"csrf": organizer.csrf})  # type: ignore[attr-defined]
    html = await page.text()
    assert [(r.command, r.args) for r in core.asked] == [("cancel", ("1",))]
    assert "fewer than 10 chats got it; 12 will not" in html


async def test_a_stale_form_is_refused(organizer: TestClient[Any, Any], core: Core) -> None:
    refused = await organizer.post("/broadcasts/1/cancel", data={"csrf": "old"})
    assert refused.status == 403 and core.asked == []


async def test_the_live_preview_is_the_cores_composition(
    organizer: TestClient[Any, Any],
) -> None:
    csrf = organizer.csrf  # type: ignore[attr-defined]
    typed = "tomorrow 18:00 Rally <b>now</b>\nSign | https://example.org/s"
    answer = await (
        await organizer.post("/broadcasts/preview", data={"csrf": csrf, "text": typed})
    ).json()
    assert answer["error"] == ""
    assert answer["html"].count("Rally &lt;b&gt;now&lt;/b&gt;</p>") == 2
    assert "2026-12-03 18:00" in answer["html"]
    assert 'href="https://example.org/s"' in answer["html"] and "Sign |" not in answer["html"]
    too_long = await organizer.post("/broadcasts/preview", data={"csrf": csrf, "text": "x" * 2001})
    assert "2001" in (await too_long.json())["error"]


async def test_no_page_names_a_chat_or_a_person(
    organizer: TestClient[Any, Any], core: Core
) -> None:
    csrf = organizer.csrf  # type: ignore[attr-defined]
    answers = [
        await organizer.get("/broadcasts"),
        await organizer.get("/broadcasts/2"),
        await organizer.get("/broadcasts/3/progress"),
        await organizer.post("/broadcasts", data={"csrf": csrf, "audience": "events", "text": "a"}),
        await organizer.post("/broadcasts/2/cancel", data={"csrf": csrf}),
    ]
    for answer in answers:
        body = await answer.text()
        assert answer.status == 200
        for address in (ORGANIZER, ADMIN, GROUP, OTHER_GROUP):
            assert address.chat_id.lstrip("-") not in body
