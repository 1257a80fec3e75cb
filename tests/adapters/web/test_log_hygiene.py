"""No log line of the dashboard carries a login token, a session cookie or an id: not a page's
failure (logged by the error's type and stack only, and answered with the usual headers), not
aiohttp's own reports of malformed requests, whatever LOG_LEVEL says."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import pytest
from aiohttp import ClientSession, DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.web import make_app, serve_web
from bot.adapters.web.security import CSP
from bot.app import Core
from bot.dashboard import build_dashboard
from tests.adapters.web.access_support import group_admin, signed_in
from tests.browser.harness import free_port


async def test_a_failing_page_is_a_plain_500_with_the_headers_and_a_quiet_log(
    core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    chat = "-100" + "7399990001"

    async def broken() -> None:
        raise RuntimeError(f"row for chat {chat} is gone")

    dashboard = replace(build_dashboard(core), parts={"content": broken})
    server = TestServer(make_app(dashboard))
    async with TestClient(server, cookie_jar=DummyCookieJar()) as web_client:
        headers = await signed_in(web_client, core)
        with caplog.at_level(logging.DEBUG):
            answer = await web_client.get("/content", headers=headers)
            body = await answer.text()
    assert answer.status == 500
    assert answer.headers.get("Content-Security-Policy") == CSP
    assert "Something went wrong" in body and chat not in body
    assert "RuntimeError" in caplog.text and chat not in caplog.text


async def test_no_log_line_of_the_served_dashboard_has_a_token_or_an_id(
    core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    """The real server (serve_web, as `allybot web` runs it): no access log, nothing else either."""
    port = free_port()
    stop = asyncio.Event()
    grant = group_admin("-1007399990001", "7355501234")
    with caplog.at_level(logging.DEBUG):
        server = asyncio.create_task(
            serve_web(make_app(build_dashboard(core)), f"127.0.0.1:{port}", stop)
        )
        base = f"http://127.0.0.1:{port}"
        token = await core.web_access.link_token(grant)
        spent = await core.web_access.link_token(grant)
        await core.web_access.log_in(spent)
        async with ClientSession(cookie_jar=DummyCookieJar()) as http:
            for _ in range(100):
                try:
                    async with http.get(f"{base}/signin"):
                        break
                except OSError:
                    await asyncio.sleep(0.05)
            async with http.get(f"{base}/login/{token}") as page:
                assert page.status == 200
            async with http.post(f"{base}/login/{token}", allow_redirects=False) as login:
                session = login.cookies["allybot"].value
            async with http.post(f"{base}/login/{spent}") as refused:
                assert refused.status == 403
            cookie = {"Cookie": f"allybot={session}"}
            for path in ("/", "/content", f"/nowhere/{token}", "/act"):
                async with http.get(f"{base}{path}", headers=cookie):
                    pass
            async with http.post(f"{base}/act", headers=cookie, data={"csrf": "ё"}) as bad:
                assert bad.status == 403
            # Malformed requests, which aiohttp reports quoting the line it could not read.
            for raw in (
                f"GET /login/{token}\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
                f"GET / HTTP/1.1\r\nHost: x\r\nCookie: allybot={session}\r\nBad {session}\r\n\r\n",
            ):
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(raw.encode())
                assert (await reader.read()).startswith(b"HTTP/1.0 400")
                writer.close()
        stop.set()
        await server
    # The database's own DEBUG lines are silenced in the process (bot/logs.py); all the rest.
    records = [r for r in caplog.records if not r.name.startswith(("aiosqlite", "sqlalchemy"))]
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in records)
    assert "dashboard on http://" in logged
    assert "Error handling request" in logged
    for secret in (token, spent, session, "-1007399990001", "7355501234"):
        assert secret not in logged, secret
