"""Who is looking at the dashboard: one-time login links and the sessions they start.

An organizer (or a group's or server's admin) asks the bot for `/dashboard`; the bot answers with
a link that works once, within `LOGIN_TTL`, for that person only. Opening it starts a session:
a random token in a cookie, of which the database keeps only a hash, renewed by every request
and ended after `idle` without one (or at once by logging out).

A `Grant` is what the session may do: act as `user` asking from `chat`, for the whole campaign
(`scope` None: an organizer) or only for the group or server `scope` (its admin). The dashboard
sends every change through the dispatcher as that person would from that chat, so the chat's
rules apply unchanged.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.core.messages import Address, ChatKind

LOGIN_TTL = timedelta(minutes=10)
# A session ends after this long without a request, and in any case after SESSION_MAX.
SESSION_IDLE = timedelta(minutes=30)
SESSION_MAX = timedelta(hours=12)
LOGIN = "login"
SESSION = "session"


@dataclass(frozen=True, slots=True)
class Grant:
    """Whom a link or session stands for, and how far it reaches."""

    user: Address
    chat: Address
    chat_kind: ChatKind = ChatKind.PRIVATE
    # None: the whole campaign (an organizer); else only this group or server (its admin).
    scope: Address | None = None
    locale: str | None = None

    @property
    def organizer(self) -> bool:
        return self.scope is None


def new_token() -> str:
    """A fresh unguessable token for a link or a cookie (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a token: a seized database holds no working link or cookie."""
    return hashlib.sha256(token.encode()).hexdigest()


class WebAccessStore(Protocol):
    """Links and sessions, each stored as its token's hash with an expiry (epoch seconds)."""

    async def issue(self, kind: str, token: str, grant: Grant, ttl: timedelta) -> None:
        """Store a link or session for `grant`, valid for `ttl` from now."""

    async def redeem(self, token: str) -> Grant | None:
        """Take a login link: its grant once if unexpired, deleting it either way; else None."""

    async def touch(self, token: str, idle: timedelta, longest: timedelta) -> Grant | None:
        """A live session's grant, renewed for `idle` more (never past `longest` from its
        start); None when there is none or it expired."""

    async def end(self, token: str) -> None:
        """Log out: the session goes."""


class WebAccess:
    """Issue one-time links and turn them into sessions, with the durations configured."""

    def __init__(
        self,
        store: WebAccessStore,
        *,
        login_ttl: timedelta = LOGIN_TTL,
        idle: timedelta = SESSION_IDLE,
        longest: timedelta = SESSION_MAX,
    ) -> None:
        self._store = store
        self.login_ttl = login_ttl
        self.idle = idle
        self.longest = longest

    async def link_token(self, grant: Grant) -> str:
        """A new one-time login token for `grant`."""
        token = new_token()
        await self._store.issue(LOGIN, token, grant, self.login_ttl)
        return token

    async def log_in(self, login_token: str) -> tuple[str, Grant] | None:
        """Redeem a link: a new session's token and grant, or None (used, expired, unknown)."""
        grant = await self._store.redeem(login_token)
        if grant is None:
            return None
        session = new_token()
        await self._store.issue(SESSION, session, grant, self.idle)
        return session, grant

    async def session(self, token: str) -> Grant | None:
        """The grant of a live session (renewing it), or None."""
        return await self._store.touch(token, self.idle, self.longest)

    async def log_out(self, token: str) -> None:
        await self._store.end(token)


@dataclass(frozen=True, slots=True)
class DashboardLinks:
    """What /dashboard needs: the access service and the address people open."""

    access: WebAccess
    base_url: str
