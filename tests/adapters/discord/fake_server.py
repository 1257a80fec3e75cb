"""A small fake Discord on 127.0.0.1: the REST API and the websocket gateway, just enough of both
for a real discord.py client to log in, connect, receive interactions and answer them.

Tests point `discord.http.Route.BASE` and `DiscordWebSocket.DEFAULT_GATEWAY` here (see `patch`),
then script what Discord would do: deliver INTERACTION_CREATE, refuse a send with an error code, or
drop the gateway. Everything the bot sent is recorded as JSON for assertions.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import yarl
from aiohttp import WSMsgType, web

from tests.adapters.discord.fake_payloads import (
    ADMIN_PERMISSIONS,
    JSON,
    application_object,
    denied,
    dm_context,
    make_guild,
    message_object,
    server_context,
    snowflake,
    user_object,
)

TOKEN = "MTE3MDAw.fake-bot-token.Zm9vYmFyYmF6"
# Interaction callback type 4: answer with a message (https://discord.com/developers/docs).
CHANNEL_MESSAGE = 4
UNKNOWN_MESSAGE = 10008


@dataclass
class Failure:
    """A scripted error answer for requests whose path matches `path`."""

    path: re.Pattern[str]
    status: int
    body: JSON
    headers: dict[str, str]
    times: int


@dataclass
class Interaction:
    id: int
    token: str
    payload: JSON


class FakeDiscord:
    """One fake Discord deployment: an application, its bot user, one server, some people."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.app_id = snowflake()
        self.bot_id = self.app_id
        self.owner_id = snowflake()
        self.admin_id = snowflake()
        self.member_id = snowflake()
        self.dm_channel_id = snowflake()
        # The DM channels the bot opened (POST /users/@me/channels), by the person's user id.
        self.opened_dms: dict[int, int] = {}
        self.guild = make_guild(self.owner_id, self.bot_user())
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._seq = 0
        self._session = "fake-session-" + str(snowflake())
        self.identified = asyncio.Event()
        self.identify_count = 0
        # The shard each identify asked for ([id, count]; None without sharding).
        self.shards: list[Any] = []
        self.resume_count = 0
        self.requests: list[tuple[str, str]] = []
        self.callbacks: dict[int, list[JSON]] = defaultdict(list)
        self.callback_files: dict[int, list[tuple[str, bytes]]] = defaultdict(list)
        self.followups: dict[str, list[JSON]] = defaultdict(list)
        self.deleted_originals: list[str] = []
        # Every message the fake made (posts, interaction responses, follow-ups), by id: its
        # channel; and the ones deleted (DELETE /channels/<id>/messages/<id>), with the time.
        self.message_channels: dict[int, int] = {}
        self.deleted_messages: dict[tuple[int, int], float] = {}
        self.posted_at: dict[int, float] = {}
        self._interaction_channels: dict[str, int] = {}
        # The message each interaction's response became, and its follow-ups' (by token).
        self.response_messages: dict[int, int] = {}
        self.followup_messages: dict[str, list[int]] = defaultdict(list)
        self.channel_messages: dict[int, list[JSON]] = defaultdict(list)
        self.message_files: dict[int, list[tuple[str, bytes]]] = defaultdict(list)
        self.command_puts: list[tuple[str, list[JSON]]] = []
        self.rate_limited = 0
        self._failures: list[Failure] = []
        self._events: asyncio.Condition | None = None
        self.callback_delay = 0.0
        # When each interaction was delivered and first acknowledged (time.perf_counter()).
        self.delivered_at: dict[int, float] = {}
        self.acked_at: dict[int, float] = {}

    # ---- setup -------------------------------------------------------------------------------

    def bot_user(self) -> JSON:
        return user_object(self.bot_id, "allybot", bot=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> yarl.URL:
        return yarl.URL(f"ws://127.0.0.1:{self.port}/gateway")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._events = asyncio.Condition()

    async def stop(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def patch(self, monkeypatch: Any) -> None:
        """Point discord.py at this fake (the only two places it needs)."""
        import discord.gateway
        import discord.http

        monkeypatch.setattr(discord.http.Route, "BASE", self.base_url)
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", self.gateway_url)

    def fail(
        self,
        path: str,
        status: int,
        code: int = 0,
        message: str = "",
        *,
        times: int = 1,
        retry_after: float | None = None,
    ) -> None:
        """Answer the next `times` requests whose path matches regex `path` with an error."""
        headers: dict[str, str] = {}
        body: JSON = {"code": code, "message": message}
        if status == 429:
            # Real rate-limit answers come through Discord's proxy; discord.py checks for `Via`.
            headers = {"Via": "1.1 google", "Retry-After": str(retry_after or 0.05)}
            body = {
                "message": "You are being rate limited.",
                "retry_after": retry_after or 0.05,
                "global": False,
            }
        self._failures.append(Failure(re.compile(path), status, body, headers, times))

    async def deny(self, channel: str, permission: int) -> None:
        """An admin takes a permission from the bot's role in `channel` (CHANNEL_UPDATE)."""
        channel_id = str(self.guild.channels[channel])
        [payload] = [c for c in self.guild.payload["channels"] if c["id"] == channel_id]
        payload["permission_overwrites"] = [denied(self.guild.bot_role_id, permission)]
        await self.dispatch("CHANNEL_UPDATE", payload)

    # ---- waiting -----------------------------------------------------------------------------

    async def _notify(self) -> None:
        assert self._events is not None
        async with self._events:
            self._events.notify_all()

    async def wait_for(self, predicate: Any, within: float = 5.0) -> None:
        """Wait until predicate() is true (something the bot sent arrived)."""
        assert self._events is not None

        async def waiting() -> None:
            assert self._events is not None
            async with self._events:
                await self._events.wait_for(predicate)

        await asyncio.wait_for(waiting(), within)

    async def wait_callback(self, interaction: Interaction, within: float = 5.0) -> JSON:
        await self.wait_for(lambda: bool(self.callbacks[interaction.id]), within)
        return self.callbacks[interaction.id][0]

    async def wait_followups(
        self, interaction: Interaction, count: int = 1, within: float = 5.0
    ) -> list[JSON]:
        await self.wait_for(lambda: len(self.followups[interaction.token]) >= count, within)
        return self.followups[interaction.token]

    async def wait_identified(self, within: float = 10.0) -> None:
        await asyncio.wait_for(self.identified.wait(), within)

    # ---- gateway -----------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        try:
            async for message in socket:
                if message.type is not WSMsgType.TEXT:
                    continue
                payload = json.loads(message.data)
                op = payload.get("op")
                if op == 1:
                    await socket.send_json({"op": 11, "d": None, "s": None, "t": None})
                elif op == 2:
                    await self._identify(socket, payload["d"])
                elif op == 6:
                    self.resume_count += 1
                    await self._send(socket, "RESUMED", {})
                    self.identified.set()
                    await self._notify()
        finally:
            if socket in self._sockets:
                self._sockets.remove(socket)
        return socket

    async def _identify(self, socket: web.WebSocketResponse, data: JSON) -> None:
        if data.get("token") != self.token:
            await socket.close(code=4004, message=b"Authentication failed.")
            return
        self.identify_count += 1
        self.shards.append(data.get("shard"))
        ready = {
            "v": 10,
            "user": self.bot_user(),
            "guilds": [{"id": str(self.guild.id), "unavailable": True}],
            "session_id": self._session,
            "resume_gateway_url": str(self.gateway_url),
            "application": {"id": str(self.app_id), "flags": 0},
            "shard": [0, 1],
        }
        await self._send(socket, "READY", ready)
        await self._send(socket, "GUILD_CREATE", self.guild.payload)
        self.identified.set()
        await self._notify()

    async def _send(self, socket: web.WebSocketResponse, event: str, data: JSON) -> None:
        self._seq += 1
        await socket.send_json({"op": 0, "t": event, "s": self._seq, "d": data})

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send a gateway event to every connected client."""
        for socket in list(self._sockets):
            await self._send(socket, event, data)

    async def dispatch_op(self, op: int, data: Any) -> None:
        """Send a non-dispatch opcode (e.g. 9, invalid session) to every connected client."""
        for socket in list(self._sockets):
            await socket.send_json({"op": op, "d": data, "s": None, "t": None})

    async def drop_gateway(self) -> None:
        """Lose the connection as a network failure would (a resumable close code)."""
        self.identified.clear()
        for socket in list(self._sockets):
            await socket.close(code=4000, message=b"unknown error")

    # ---- interactions ------------------------------------------------------------------------

    async def slash(
        self,
        name: str,
        options: dict[str, str] | None = None,
        *,
        subcommand: str | None = None,
        in_guild: bool = True,
        admin: bool = False,
        locale: str = "en-US",
        channel: str = "general",
        user_id: int | None = None,
        channel_options: dict[str, str] | None = None,
        autocomplete: str | None = None,
    ) -> Interaction:
        """Deliver a slash command (or, with `autocomplete`, an autocomplete request)."""
        user = user_id or (self.admin_id if admin else self.member_id)
        opts: list[JSON] = [
            {"type": 3, "name": key, "value": value} for key, value in (options or {}).items()
        ]
        if autocomplete is not None:
            for option in opts:
                if option["name"] == autocomplete:
                    option["focused"] = True
        resolved: JSON = {}
        for key, channel_name in (channel_options or {}).items():
            channel_id = self.guild.channels[channel_name]
            opts.append({"type": 7, "name": key, "value": str(channel_id)})
            resolved.setdefault("channels", {})[str(channel_id)] = {
                "id": str(channel_id),
                "type": 0,
                "name": channel_name,
                "permissions": str(ADMIN_PERMISSIONS),
                "guild_id": str(self.guild.id),
            }
        if subcommand is not None:
            opts = [{"type": 1, "name": subcommand, "options": opts}]
        data: JSON = {"id": str(snowflake()), "name": name, "type": 1, "options": opts}
        if resolved:
            data["resolved"] = resolved
        return await self._interact(
            4 if autocomplete is not None else 2,
            data,
            in_guild=in_guild,
            admin=admin,
            locale=locale,
            channel=channel,
            user_id=user,
        )

    async def press(
        self,
        message: JSON,
        custom_id: str,
        *,
        in_guild: bool = True,
        admin: bool = False,
        locale: str = "en-US",
        channel: str = "general",
        user_id: int | None = None,
        dm_channel_id: int | None = None,
    ) -> Interaction:
        """Press a button on a message the bot sent earlier (in a DM: `dm_channel_id`)."""
        data = {"custom_id": custom_id, "component_type": 2}
        channel_id = int(dm_channel_id or message.get("channel_id") or self.guild.channels[channel])
        full_message = self._message(channel_id, message, message_id=message.get("id"))
        return await self._interact(
            3,
            data,
            in_guild=in_guild,
            admin=admin,
            locale=locale,
            channel=channel,
            user_id=user_id or (self.admin_id if admin else self.member_id),
            message=full_message,
            dm_channel_id=dm_channel_id,
        )

    async def submit_modal(
        self,
        custom_id: str,
        values: dict[str, str],
        *,
        in_guild: bool = True,
        admin: bool = False,
        locale: str = "en-US",
        channel: str = "general",
        user_id: int | None = None,
        dm_channel_id: int | None = None,
    ) -> Interaction:
        """Submit a modal the bot opened earlier: each text input's custom id and typed value,
        one action row each, as Discord sends a MODAL_SUBMIT (interaction type 5)."""
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
            for key, value in values.items()
        ]
        return await self._interact(
            5,
            {"custom_id": custom_id, "components": rows},
            in_guild=in_guild,
            admin=admin,
            locale=locale,
            channel=channel,
            user_id=user_id or (self.admin_id if admin else self.member_id),
            dm_channel_id=dm_channel_id,
        )

    async def dm_message(
        self,
        content: str,
        *,
        user_id: int | None = None,
        dm_channel_id: int | None = None,
        bot: bool = False,
    ) -> JSON:
        """Someone types `content` in their DM with the bot (MESSAGE_CREATE with no guild_id: the
        client makes the DM channel from `channel_id` and the author, cached or not)."""
        author = user_object(user_id or self.member_id, "someone", bot=bot)
        message = message_object(dm_channel_id or self.dm_channel_id, {"content": content}, author)
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    def modal(self, interaction: Interaction) -> JSON:
        """The modal an interaction was answered with (callback type 9)."""
        [callback] = self.callbacks[interaction.id]
        assert callback["type"] == 9, callback
        data: JSON = callback["data"]
        return data

    async def _interact(
        self,
        kind: int,
        data: JSON,
        *,
        in_guild: bool,
        admin: bool,
        locale: str,
        channel: str,
        user_id: int,
        message: JSON | None = None,
        dm_channel_id: int | None = None,
    ) -> Interaction:
        interaction = Interaction(
            id=snowflake(), token=f"aW50ZXJhY3Rpb24{snowflake()}tok", payload={}
        )
        payload: JSON = {
            "id": str(interaction.id),
            "application_id": str(self.app_id),
            "type": kind,
            "data": data,
            "token": interaction.token,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild.id)} if in_guild else {},
            "attachment_size_limit": 10 * 1024 * 1024,
            **(
                server_context(self.guild, channel, user_id, admin=admin)
                if in_guild
                else dm_context(dm_channel_id or self.dm_channel_id, user_id)
            ),
        }
        if message is not None:
            payload["message"] = message
        interaction.payload = payload
        self._interaction_channels[interaction.token] = int(payload["channel_id"])
        self.delivered_at[interaction.id] = time.perf_counter()
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    # ---- REST --------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        self.requests.append((request.method, path))
        for failure in self._failures:
            if failure.times > 0 and failure.path.search(path):
                failure.times -= 1
                if failure.status == 429:
                    self.rate_limited += 1
                return _json(failure.body, failure.status, failure.headers)
        interaction_route = re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path)
        webhook_route = re.fullmatch(r"/webhooks/(\d+)/([^/]+)(/messages/@original)?", path)
        channel_route = re.fullmatch(r"/channels/(\d+)/messages", path)
        message_route = re.fullmatch(r"/channels/(\d+)/messages/(\d+)", path)
        commands_route = re.fullmatch(r"/applications/\d+(/guilds/\d+)?/commands", path)
        if not (interaction_route or webhook_route) and (
            request.headers.get("Authorization") != f"Bot {self.token}"
        ):
            return _json({"code": 0, "message": "401: Unauthorized"}, 401)
        if request.method == "GET" and path == "/users/@me":
            return _json(self.bot_user())
        if request.method == "GET" and path == "/oauth2/applications/@me":
            return _json(application_object(self.app_id, self.owner_id))
        if request.method == "POST" and path == "/users/@me/channels":
            recipient = int((await request.json())["recipient_id"])
            channel_id = self.opened_dms.setdefault(recipient, snowflake())
            await self._notify()
            return _json(
                {
                    "id": str(channel_id),
                    "type": 1,
                    "last_message_id": None,
                    "recipients": [user_object(recipient, "someone")],
                }
            )
        if commands_route and request.method == "PUT":
            commands = await request.json()
            self.command_puts.append((path, commands))
            for command in commands:
                command.setdefault("id", str(snowflake()))
                command.setdefault("application_id", str(self.app_id))
                command.setdefault("version", str(snowflake()))
                command.setdefault("default_member_permissions", None)
                command.setdefault("type", 1)
            await self._notify()
            return _json(commands)
        if interaction_route and request.method == "POST":
            if self.callback_delay:
                await asyncio.sleep(self.callback_delay)
            body, files = await _body(request)
            interaction_id = int(interaction_route.group(1))
            self.acked_at.setdefault(interaction_id, time.perf_counter())
            self.callbacks[interaction_id].append(body)
            self.callback_files[interaction_id].extend(files)
            interaction_info: JSON = {
                "id": str(interaction_id),
                "type": body.get("type"),
                "response_message_loading": body.get("type") == 5,
            }
            resource: JSON = {"type": body.get("type")}
            if body.get("type") == CHANNEL_MESSAGE:
                # Discord answers `?with_response` with the message the response became.
                channel_id = self._interaction_channels.get(interaction_route.group(2), 0)
                message = self._message(channel_id, body.get("data") or {})
                self.response_messages[interaction_id] = int(message["id"])
                interaction_info["response_message_id"] = message["id"]
                resource["message"] = message
            await self._notify()
            return _json({"interaction": interaction_info, "resource": resource})
        if webhook_route:
            token = webhook_route.group(2)
            if request.method == "DELETE":
                self.deleted_originals.append(token)
                await self._notify()
                return web.Response(status=204)
            body, files = await _body(request)
            body["_files"] = files
            channel_id = self._interaction_channels.get(token, self.dm_channel_id)
            message = self._message(channel_id, body)
            self.followup_messages[token].append(int(message["id"]))
            self.followups[token].append(body)
            await self._notify()
            return _json(message)
        if message_route and request.method == "DELETE":
            channel_id, message_id = (int(part) for part in message_route.groups())
            if self.message_channels.get(message_id) != channel_id:
                return _json({"code": UNKNOWN_MESSAGE, "message": "Unknown Message"}, 404)
            if (channel_id, message_id) in self.deleted_messages:
                return _json({"code": UNKNOWN_MESSAGE, "message": "Unknown Message"}, 404)
            self.deleted_messages[(channel_id, message_id)] = time.time()
            await self._notify()
            return web.Response(status=204)
        if channel_route and request.method == "POST":
            channel_id = int(channel_route.group(1))
            body, files = await _body(request)
            message = self._message(channel_id, body)
            self.channel_messages[channel_id].append({**body, "id": message["id"]})
            self.message_files[channel_id].extend(files)
            await self._notify()
            return _json(message)
        return _json({"code": 0, "message": f"404: Not Found ({request.method} {path})"}, 404)

    def _message(self, channel_id: int, body: JSON, *, message_id: Any = None) -> JSON:
        message = message_object(channel_id, body, self.bot_user(), message_id=message_id)
        if message_id is None:
            self.message_channels[int(message["id"])] = channel_id
            self.posted_at[int(message["id"])] = time.time()
        return message


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly `application/json` with no charset: discord.py compares the header verbatim.
    return web.Response(
        body=json.dumps(body).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


async def _body(request: web.Request) -> tuple[JSON, list[tuple[str, bytes]]]:
    """The JSON payload of a request, plain or multipart (payload_json + files[n])."""
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        body: JSON = {}
        files: list[tuple[str, bytes]] = []
        while (part := await reader.next()) is not None:
            name = getattr(part, "name", None)
            if name == "payload_json":
                body = json.loads(await part.text())  # type: ignore[union-attr]
            else:
                files.append((part.filename or "", await part.read()))  # type: ignore[union-attr]
        return body, files
    if not await request.read():
        return {}, []
    return await request.json(), []
