"""The dashboard's defences, over HTTP against the real core: the headers on every answer, no
inline script or style anywhere, CSRF and Origin checks on every POST, no page without a session
but the public ones, the session cookie's flags, idle sessions and logging out, and no login
token or id in a page after signing in (the log: test_log_hygiene.py)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.web import make_app
from bot.adapters.web.render import TEMPLATES
from bot.adapters.web.security import CSP
from bot.app import Core, build_core
from bot.core.dashboard.access import WebAccess
from bot.dashboard import build_dashboard
from bot.ratelimit import Unlimited
from bot.settings import Settings
from db.stores.web_access import SqlWebAccess
from tests.adapters.web.access_support import (
    ORGANIZER,
    client,
    cookie_of,
    csrf_of,
    group_admin,
    signed_in,
)
from tests.support.fakes import FixedClock

# A whole event on one line, as /newevent takes it from a form: its draft is the visible change.
NEW_EVENT = (
    "newevent",
    "Vigil",
    "2026-12-10 18:00",
    "2026-12-10 19:00",
    "Europe/Berlin",
    "Parliament Square",
    "Candles for the people of Chechnya.",
)
# What a template or a page may never hold under `script-src 'self'; style-src 'self'`.
INLINE = {
    "an inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "a style element": re.compile(r"<style\b", re.I),
    "a style attribute": re.compile(r"\sstyle\s*=", re.I),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}
# Reachable without a session (the routes' canonical paths).
PUBLIC = {"/signin", "/login/{token}", "/events.ics", "/static"}


def inline_in(text: str) -> list[str]:
    return [what for what, pattern in INLINE.items() if pattern.search(text)]


def test_no_template_has_inline_script_or_style() -> None:
    templates = sorted(TEMPLATES.glob("**/*.html"))
    assert templates
    found = {path.name: inline_in(path.read_text(encoding="utf-8")) for path in templates}
    assert not {name: what for name, what in found.items() if what}


async def test_every_answer_carries_the_strict_headers(core: Core) -> None:
    assert "script-src 'self'" in CSP and "style-src 'self'" in CSP
    assert "unsafe" not in CSP and "default-src 'none'" in CSP
    async with client(core) as web_client:
        headers = await signed_in(web_client, core)
        answers = [
            await web_client.get("/signin", allow_redirects=False),
            await web_client.get("/", allow_redirects=False),
            await web_client.get("/nowhere", allow_redirects=False),
            await web_client.get("/login/not-a-token"),
            await web_client.post("/login/not-a-token"),
            await web_client.get("/static/app.css"),
            await web_client.get("/", headers=headers),
            await web_client.get("/content", headers=headers),
            await web_client.get("/nowhere", headers=headers),
            await web_client.post("/logout", headers=headers, allow_redirects=False),
            await web_client.post("/act", headers=headers, data={"csrf": "x"}),
        ]
        for answer in answers:
            assert answer.headers.get("Content-Security-Policy") == CSP, answer.url
            assert answer.headers.get("X-Frame-Options") == "DENY"
            assert answer.headers.get("X-Content-Type-Options") == "nosniff"
            if answer.content_type == "text/html":
                assert not inline_in(await answer.text()), answer.url
        assert {a.status for a in answers} >= {200, 303, 403, 404}


async def test_a_post_without_the_right_csrf_token_is_refused_and_changes_nothing(
    core: Core,
) -> None:
    async with client(core) as web_client:
        headers = await signed_in(web_client, core)
        csrf = await csrf_of(web_client, headers)
        for token in (None, "", "0" * 64, csrf[:-1] + "0", "ё" * 64, csrf.upper()):
            form = {"command": NEW_EVENT[0], "arg": list(NEW_EVENT[1:])}
            if token is not None:
                form["csrf"] = token
            refused = await web_client.post("/act", headers=headers, data=form)
            assert refused.status == 403, token
            assert "Preview" not in await refused.text()
            logout = await web_client.post(
                "/logout", headers=headers, data={} if token is None else {"csrf": token}
            )
            assert logout.status == 403
        # Still signed in, and no draft was made: the same form with the page's token makes one.
        assert (await web_client.get("/", headers=headers, allow_redirects=False)).status == 200
        form = {"csrf": csrf, "command": NEW_EVENT[0], "arg": list(NEW_EVENT[1:])}
        made = await web_client.post("/act", headers=headers, data=form)
        assert made.status == 200
        assert "Preview of the new event:" in await made.text()
        # The header works for scripts (app.js) as the form field does for forms.
        by_header = {**headers, "X-CSRF-Token": csrf}
        assert (
            await web_client.post("/logout", headers=by_header, allow_redirects=False)
        ).status == 303


async def test_a_post_from_another_site_is_refused(core: Core) -> None:
    async with client(core) as web_client:
        headers = await signed_in(web_client, core)
        csrf = await csrf_of(web_client, headers)
        for origin in ("https://evil.example", "null", f"http://{web_client.host}:1"):
            refused = await web_client.post(
                "/logout", headers={**headers, "Origin": origin}, data={"csrf": csrf}
            )
            assert refused.status == 403, origin
            # A login link posted from another site (to sign the victim in as someone else).
            token = await core.web_access.link_token(ORGANIZER)
            login = await web_client.post(f"/login/{token}", headers={"Origin": origin})
            assert login.status == 403 and cookie_of(login, "allybot") is None
            # ...and the link was not spent by it.
            assert await core.web_access.log_in(token) is not None
        assert (await web_client.get("/", headers=headers, allow_redirects=False)).status == 200
        own = f"http://{web_client.host}:{web_client.port}"
        kept = await web_client.post(
            "/logout",
            headers={**headers, "Origin": own},
            data={"csrf": csrf},
            allow_redirects=False,
        )
        assert kept.status == 303


async def test_no_page_opens_without_a_session_but_the_public_ones(core: Core) -> None:
    app = make_app(build_dashboard(core))
    routes = [
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None and route.method in ("GET", "POST")
    ]
    assert ("GET", "/content") in routes and ("POST", "/act") in routes
    async with TestClient(TestServer(app), cookie_jar=DummyCookieJar()) as web_client:
        for method, canonical in routes:
            path = re.sub(r"\{[^}]+\}", "1", canonical)
            if canonical == "/static":
                path = "/static/app.css"
            answer = await web_client.request(method, path, allow_redirects=False)
            if canonical in PUBLIC or canonical.startswith("/public/"):
                continue
            assert answer.status == 303, (method, canonical, answer.status)
            assert answer.headers["Location"] == "/signin"
        # Paths that only start like a public one are not public.
        for path in ("/publicity", "/events.ics.bak", "/signin2", "/login", "/public"):
            answer = await web_client.get(path, allow_redirects=False)
            assert answer.status == 303 and answer.headers["Location"] == "/signin", path


async def test_the_session_cookie_is_httponly_and_strict(core: Core) -> None:
    async with client(core) as web_client:
        token = await core.web_access.link_token(ORGANIZER)
        answer = await web_client.post(f"/login/{token}", allow_redirects=False)
    morsel = answer.cookies["allybot"]
    assert morsel["httponly"] and morsel["samesite"] == "Strict" and morsel["path"] == "/"
    assert not morsel["secure"] and not morsel["domain"] and not morsel["max-age"]
    assert answer.headers["Location"] == "/"


@pytest.fixture
async def https_core(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Core]:
    """A core whose dashboard is served over HTTPS (behind a reverse proxy): WEB_URL https://."""
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'https.sqlite3'}",
        organizers="console:organizer",
        web_url="https://allies.example.org",
    )
    core = await build_core(settings, clock=clock, limiter=Unlimited())
    yield core
    await core.aclose()


async def test_over_https_the_cookie_is_secure_and_host_only(https_core: Core) -> None:
    async with client(https_core) as web_client:
        token = await https_core.web_access.link_token(ORGANIZER)
        answer = await web_client.post(f"/login/{token}", allow_redirects=False)
        assert "allybot" not in answer.cookies
        morsel = answer.cookies["__Host-allybot"]
        assert morsel["secure"] and morsel["httponly"] and morsel["samesite"] == "Strict"
        # __Host-: Secure, Path=/ and no Domain, so no subdomain can set or read it.
        assert morsel["path"] == "/" and not morsel["domain"]
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
        cookie = {"Cookie": f"__Host-allybot={morsel.value}"}
        assert (await web_client.get("/", headers=cookie, allow_redirects=False)).status == 200
        # The plain name is not accepted in its place.
        plain = {"Cookie": f"allybot={morsel.value}"}
        assert (await web_client.get("/", headers=plain, allow_redirects=False)).status == 303
        # Logging out clears it with the same flags (a browser ignores a deletion without them).
        csrf = await csrf_of(web_client, cookie)
        out = await web_client.post(
            "/logout", headers=cookie, data={"csrf": csrf}, allow_redirects=False
        )
        gone = out.cookies["__Host-allybot"]
        assert gone.value == "" and gone["secure"] and gone["path"] == "/"


async def test_a_session_ends_after_its_idle_time(core: Core) -> None:
    short = WebAccess(SqlWebAccess(core.engine), idle=timedelta(seconds=1.5))
    dashboard = replace(build_dashboard(core), access=short)
    async with TestClient(
        TestServer(make_app(dashboard)), cookie_jar=DummyCookieJar()
    ) as web_client:
        token = await short.link_token(ORGANIZER)
        answer = await web_client.post(f"/login/{token}", allow_redirects=False)
        headers = {"Cookie": f"allybot={cookie_of(answer, 'allybot')}"}
        # Each request renews it: used every second, it outlives its idle time.
        for _ in range(3):
            await asyncio.sleep(0.8)
            page = await web_client.get("/", headers=headers, allow_redirects=False)
            assert page.status == 200
        await asyncio.sleep(2.0)
        page = await web_client.get("/", headers=headers, allow_redirects=False)
        assert page.status == 303 and page.headers["Location"] == "/signin"


async def test_logging_out_ends_the_session_even_if_the_cookie_is_replayed(core: Core) -> None:
    async with client(core) as web_client:
        headers = await signed_in(web_client, core)
        csrf = await csrf_of(web_client, headers)
        out = await web_client.post(
            "/logout", headers=headers, data={"csrf": csrf}, allow_redirects=False
        )
        assert out.status == 303 and out.headers["Location"] == "/signin"
        # A copy of the old cookie (and its form's token) opens nothing and changes nothing.
        for path in ("/", "/content"):
            page = await web_client.get(path, headers=headers, allow_redirects=False)
            assert page.status == 303 and page.headers["Location"] == "/signin"
        form = {"csrf": csrf, "command": NEW_EVENT[0], "arg": list(NEW_EVENT[1:])}
        replayed = await web_client.post("/act", headers=headers, data=form, allow_redirects=False)
        assert replayed.status == 303 and replayed.headers["Location"] == "/signin"


async def test_a_new_link_replaces_the_browsers_session(https_core: Core) -> None:
    """Signing in again in the same browser ends the session it had; the language kept for
    the reader is a Secure cookie over HTTPS too."""
    async with client(https_core) as web_client:
        first = await signed_in(web_client, https_core)
        token = await https_core.web_access.link_token(ORGANIZER)
        again = await web_client.post(f"/login/{token}", headers=first, allow_redirects=False)
        second = {"Cookie": f"__Host-allybot={cookie_of(again, '__Host-allybot')}"}
        assert (await web_client.get("/", headers=second, allow_redirects=False)).status == 200
        old = await web_client.get("/", headers=first, allow_redirects=False)
        assert old.status == 303 and old.headers["Location"] == "/signin"
        switched = await web_client.get("/?lang=ru", headers=second, allow_redirects=False)
        assert switched.cookies["lang"]["secure"] and switched.cookies["lang"].value == "ru"


async def test_the_login_token_is_in_no_page_after_signing_in(core: Core) -> None:
    async with client(core) as web_client:
        token = await core.web_access.link_token(group_admin("-1007399990001", "7355501234"))
        answer = await web_client.post(f"/login/{token}", allow_redirects=False)
        session = cookie_of(answer, "allybot")
        assert session and token not in answer.headers["Location"]
        headers = {"Cookie": f"allybot={session}"}
        for path in ("/", "/content", "/signin", "/nowhere"):
            page = await web_client.get(path, headers=headers)
            body = await page.text()
            for secret in (token, session, "-1007399990001", "7355501234"):
                assert secret not in body, (path, secret)
