"""Dashboard links and sessions on SQLite and PostgreSQL: a link works once and only in time,
a session ends when idle or logged out, the database keeps no token, and /forget takes both."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.dashboard.access import Grant, WebAccess
from bot.core.messages import Address, ChatKind
from db.models.web import WebAccessRow
from db.stores.chats import SqlChatStore
from db.stores.web_access import SqlWebAccess

ORGANIZER = Grant(Address("telegram", "501"), Address("telegram", "501"), locale="ru")
GROUP = Address("telegram", "-1007")
ADMIN = Grant(Address("telegram", "502"), GROUP, ChatKind.GROUP, scope=GROUP)


async def test_a_link_works_once_and_starts_a_session(engine: AsyncEngine) -> None:
    access = WebAccess(SqlWebAccess(engine))
    link = await access.link_token(ORGANIZER)
    signed_in = await access.log_in(link)
    assert signed_in is not None
    session, grant = signed_in
    assert grant == ORGANIZER and grant.organizer
    assert await access.log_in(link) is None
    assert await access.session(session) == ORGANIZER
    await access.log_out(session)
    assert await access.session(session) is None


async def test_a_group_admins_grant_keeps_its_scope(engine: AsyncEngine) -> None:
    access = WebAccess(SqlWebAccess(engine))
    signed_in = await access.log_in(await access.link_token(ADMIN))
    assert signed_in is not None and signed_in[1] == ADMIN and not signed_in[1].organizer


async def test_links_and_sessions_expire(engine: AsyncEngine) -> None:
    short = WebAccess(
        SqlWebAccess(engine),
        login_ttl=timedelta(seconds=0.3),
        idle=timedelta(seconds=0.6),
        longest=timedelta(seconds=1.0),
    )
    late = await short.link_token(ORGANIZER)
    await asyncio.sleep(0.4)
    assert await short.log_in(late) is None
    signed_in = await short.log_in(await short.link_token(ORGANIZER))
    assert signed_in is not None
    session = signed_in[0]
    # Each request renews the idle time (0.6 s), never past the longest a session lasts (1 s).
    for _ in range(2):
        await asyncio.sleep(0.35)
        assert await short.session(session) == ORGANIZER
    await asyncio.sleep(0.35)
    assert await short.session(session) is None
    # Left idle longer than its idle time, a session ends too.
    idle = await short.log_in(await short.link_token(ORGANIZER))
    assert idle is not None
    await asyncio.sleep(0.7)
    assert await short.session(idle[0]) is None


async def test_the_database_keeps_no_token(engine: AsyncEngine) -> None:
    access = WebAccess(SqlWebAccess(engine))
    link = await access.link_token(ORGANIZER)
    signed_in = await access.log_in(await access.link_token(ORGANIZER))
    assert signed_in is not None
    async with engine.connect() as connection:
        stored = (await connection.execute(text("SELECT token_hash FROM web_access"))).all()
    assert stored and all(link not in row[0] and signed_in[0] not in row[0] for row in stored)


async def test_forget_takes_a_persons_links_and_sessions(engine: AsyncEngine) -> None:
    access = WebAccess(SqlWebAccess(engine))
    await access.link_token(ORGANIZER)
    await access.log_in(await access.link_token(ORGANIZER))
    await access.link_token(ADMIN)
    store = SqlChatStore(engine)
    await store.forget_chat(ORGANIZER.chat, ORGANIZER.user)
    async with engine.connect() as connection:
        left = (await connection.execute(select(WebAccessRow.user_id))).scalars().all()
    assert left == ["502"]
    await store.forget_chat(GROUP)
    async with engine.connect() as connection:
        assert (await connection.execute(select(WebAccessRow.user_id))).scalars().all() == []
