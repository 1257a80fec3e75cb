"""The Discord adapter: slash commands and buttons in, replies and announcements out, on discord.py.

The only module (with its discord_* helpers) that knows Discord. It builds the command tree from
the core registry, turns interactions into Requests, always acknowledges within Discord's three
seconds, maps Discord's error codes onto the core's RecipientGone/TryLater, and answers the
`/setup` handler's questions about servers and channel permissions (see `ServerProbe` in
handlers/setup.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Mapping, MutableMapping
from dataclasses import replace
from typing import Any, Protocol

import aiohttp
import discord

from bot.adapters.discord.commands import (
    DEFAULT_SUGGESTIONS,
    CoreTranslator,
    Suggest,
    build_tree,
    commands_hash,
    words_for,
)
from bot.adapters.discord.logging import Redactor, install, uninstall
from bot.adapters.discord.render import ActionItem, ViewCache, render
from bot.core.commands import Command, Registry, decode_action
from bot.core.i18n import language_of
from bot.core.messages import Address, ChatKind, Reply, Request
from bot.core.ports import Dispatch, PlatformPacing, RecipientGone, Translator, TryLater
from bot.settings import Settings

log = logging.getLogger(__name__)

PLATFORM = "discord"


def global_scope(application_id: int | None) -> str:
    """The hash's key: per application, so a new application (new token) gets its commands."""
    return f"global:{application_id}"


# The permissions the bot needs in an announcement channel, by the names Discord's UI shows.
REQUIRED_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("View Channel", "view_channel"),
    ("Send Messages", "send_messages"),
    ("Embed Links", "embed_links"),
    ("Attach Files", "attach_files"),
)
CANNOT_DM = 50007
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
UNKNOWN_CHANNEL = 10003
_SERVER_CACHE_SECONDS = 60.0


class _ServerDefaults(Protocol):
    @property
    def timezone(self) -> str | None: ...


class DiscordStore(Protocol):
    """What the adapter needs from storage: server setups and the synced command-set hash."""

    async def get_setup(self, platform: str, server_id: str) -> _ServerDefaults | None: ...

    async def mark_broken(self, platform: str, channel_id: str, reason: str) -> int: ...

    async def get_command_hash(self, platform: str, scope: str) -> str | None: ...

    async def set_command_hash(self, platform: str, scope: str, value: str) -> None: ...


class DiscordLoginError(Exception):
    """Discord rejected the bot token: a configuration problem, not a network one."""


class AllyClient(discord.Client):
    """A discord.py client with no privileged intents that can never ping anyone."""

    def __init__(self, messenger: DiscordMessenger) -> None:
        intents = discord.Intents.none()
        # Server and channel structure (no members, no message content) for permission checks.
        intents.guilds = True
        super().__init__(
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            max_ratelimit_timeout=messenger.max_ratelimit_timeout,
            chunk_guilds_at_startup=False,
        )
        self.messenger = messenger
        self.tree = build_tree(
            self, messenger.registry, messenger.on_command, messenger.suggestions
        )
        self.tree.on_error = self._on_tree_error  # type: ignore[method-assign]

    async def setup_hook(self) -> None:
        self.messenger.logged_in()
        await self.tree.set_translator(CoreTranslator(self.messenger.translator))
        self.add_dynamic_items(ActionItem)
        if self.messenger.sync_on_start:
            try:
                await self.messenger.sync_if_changed(self)
            except discord.HTTPException as error:
                # Serve with the commands Discord already has rather than not at all.
                log.error(
                    "could not sync slash commands: HTTP %s code %s", error.status, error.code
                )

    async def on_ready(self) -> None:
        self.messenger.connected()

    async def on_action(self, interaction: discord.Interaction[Any], action: str) -> None:
        await self.messenger.on_action(interaction, action)

    async def _on_tree_error(
        self, interaction: discord.Interaction[Any], error: discord.app_commands.AppCommandError
    ) -> None:
        # Option conversion failed (e.g. a channel the cache does not know); the text of the
        # error may quote input, so only its type is logged.
        log.warning("a slash command failed before dispatch: %s", type(error).__name__)
        await self.messenger.apologize(interaction)


# Discord's global limit is 50 requests a second; the fan-out uses 40, and opens new direct
# messages at most 5 a second.
DISCORD_PACING = PlatformPacing(rate=40.0, private_rate=5.0, per_chat_interval_s=1.0)


class DiscordMessenger:
    """The Messenger port on Discord, plus the server probe the /setup handler asks."""

    platform = PLATFORM
    pacing = DISCORD_PACING

    def __init__(
        self,
        token: str,
        registry: Registry[Any],
        translator: Translator,
        store: DiscordStore,
        *,
        suggestions: Mapping[str, Suggest] | None = None,
        defer_after: float = 1.0,
        max_ratelimit_timeout: float = 30.0,
        sync_on_start: bool = True,
    ) -> None:
        self._token = token
        self.registry = registry
        self.translator = translator
        self.store = store
        self.suggestions = {**DEFAULT_SUGGESTIONS, **(suggestions or {})}
        self.defer_after = defer_after
        self.max_ratelimit_timeout = max_ratelimit_timeout
        self.sync_on_start = sync_on_start
        self.redactor = Redactor((token,))
        self.client: AllyClient | None = None
        self.deferred = 0
        self.reconnects = 0
        self._dispatch: Dispatch | None = None
        self._channel_servers: OrderedDict[str, str] = OrderedDict()
        self._server_tz: dict[str, tuple[float, asyncio.Future[str | None]]] = {}
        self._backoff = 1.0
        self._logged_in = False
        self._views = ViewCache()

    @property
    def rate_limited(self) -> int:
        """How many 429 answers discord.py has waited out."""
        return self.redactor.rate_limited

    # ---- running -----------------------------------------------------------------------------

    async def run(self, dispatch: Dispatch) -> None:
        """Serve Discord until cancelled; a lost gateway or network reconnects, never raises."""
        self._dispatch = dispatch
        install(self.redactor)
        try:
            while True:
                client = AllyClient(self)
                self.client = client
                try:
                    await client.start(self._token)
                except discord.LoginFailure:
                    if not self._logged_in:
                        # A wrong token at start is a setup mistake: say so and stop.
                        log.error("Discord rejected the bot token; check DISCORD_BOT_TOKEN")
                        raise DiscordLoginError("Discord rejected DISCORD_BOT_TOKEN") from None
                    # Revoked while running: keep the other platforms up and keep trying.
                    log.error(
                        "Discord rejected the bot token (reset in the developer portal?); "
                        "retrying in %.0fs",
                        self._backoff,
                    )
                except Exception as error:
                    log.error(
                        "lost the Discord connection (%s); reconnecting in %.0fs",
                        type(error).__name__,
                        self._backoff,
                    )
                finally:
                    self.client = None
                    await client.close()
                await asyncio.sleep(self._backoff)
                self._backoff = min(self._backoff * 2, 60.0)
                self.reconnects += 1
        finally:
            uninstall(self.redactor)

    def connected(self) -> None:
        self._backoff = 1.0

    def logged_in(self) -> None:
        self._logged_in = True

    async def sync_if_changed(self, client: AllyClient) -> bool:
        """Upload the global command set only when its hash differs from the stored one."""
        digest = await commands_hash(client.tree)
        scope = global_scope(client.application_id)
        if await self.store.get_command_hash(PLATFORM, scope) == digest:
            return False
        await client.tree.sync()
        await self.store.set_command_hash(PLATFORM, scope, digest)
        log.info("synced %d slash commands with Discord", len(client.tree.get_commands()))
        return True

    # ---- interactions in ---------------------------------------------------------------------

    async def on_command(
        self, interaction: discord.Interaction[Any], command: Command[Any], values: dict[str, str]
    ) -> None:
        request = self._request(interaction, command.name, words_for(command, values))
        await self._answer(interaction, request, command.private)

    async def on_action(self, interaction: discord.Interaction[Any], action: str) -> None:
        decoded = decode_action(action)
        if decoded is None:
            await interaction.response.defer()
            return
        name, args = decoded
        command = self.registry.get(name)
        private = command.private if command is not None else False
        await self._answer(interaction, self._request(interaction, name, args), private)

    def _request(
        self, interaction: discord.Interaction[Any], command: str, args: tuple[str, ...]
    ) -> Request:
        channel_id = str(interaction.channel_id)
        server_id = str(interaction.guild_id) if interaction.guild_id else None
        if server_id is not None:
            self._remember_server(channel_id, server_id)
        permissions = interaction.permissions
        return Request(
            command=command,
            args=args,
            chat=Address(PLATFORM, channel_id),
            user_id=str(interaction.user.id),
            chat_kind=ChatKind.GROUP if server_id else ChatKind.PRIVATE,
            locale=interaction.locale.value,
            is_chat_admin=bool(server_id and permissions.manage_guild),
        )

    async def _answer(
        self, interaction: discord.Interaction[Any], request: Request, private: bool
    ) -> None:
        """Dispatch, deferring first if the answer takes longer than `defer_after` seconds."""
        started = time.monotonic()
        deferring: asyncio.Task[Any] | None = None

        def defer() -> None:
            nonlocal deferring
            deferring = asyncio.ensure_future(
                interaction.response.defer(ephemeral=private, thinking=True)
            )

        # A timer rather than a second task per interaction: most answers beat it and cancel it.
        timer = asyncio.get_running_loop().call_later(self.defer_after, defer)
        try:
            try:
                reply = await self._dispatch_with_defaults(interaction, request)
            finally:
                timer.cancel()
            if deferring is not None:
                await deferring
                self.deferred += 1
            if reply is None:
                # Over the rate limit: acknowledge so Discord shows no error, then leave nothing.
                if not interaction.response.is_done():
                    await interaction.response.defer(ephemeral=True, thinking=True)
                await interaction.delete_original_response()
                return
            await self._respond(interaction, reply)
        except discord.HTTPException as error:
            log.warning(
                "could not answer an interaction: HTTP %s code %s after %.1fs",
                error.status,
                error.code,
                time.monotonic() - started,
            )
        except (aiohttp.ClientError, OSError, RuntimeError) as error:
            # The connection went away mid-answer (shutdown, network); nothing left to tell.
            log.warning("could not answer an interaction (%s)", type(error).__name__)

    async def _dispatch_with_defaults(
        self, interaction: discord.Interaction[Any], request: Request
    ) -> Reply | None:
        if self._dispatch is None:
            return None
        if interaction.guild_id is not None:
            tz = await self._server_timezone(str(interaction.guild_id))
            if tz:
                request = replace(request, tz=tz)
        return await self._dispatch(request)

    async def _respond(self, interaction: discord.Interaction[Any], reply: Reply) -> None:
        for piece in render(reply, self._views):
            kwargs = piece.kwargs()
            if not interaction.response.is_done():
                await interaction.response.send_message(ephemeral=reply.private, **kwargs)
            else:
                await interaction.followup.send(ephemeral=reply.private, **kwargs)

    async def apologize(self, interaction: discord.Interaction[Any]) -> None:
        text = self.translator.gettext(
            language_of(interaction.locale.value),
            "Sorry, something went wrong on our side. Please try again later.",
        )
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except (discord.HTTPException, aiohttp.ClientError, OSError, RuntimeError) as error:
            log.warning(
                "could not send an apology for a failed interaction (%s)", type(error).__name__
            )

    async def _server_timezone(self, server_id: str) -> str | None:
        """The server's default time zone, read at most once a minute per server."""
        now = time.monotonic()
        cached = self._server_tz.get(server_id)
        if cached is None or now - cached[0] >= _SERVER_CACHE_SECONDS:
            # One shared lookup, so a burst of commands from one server costs one query.
            cached = (now, asyncio.ensure_future(self._read_timezone(server_id)))
            self._server_tz[server_id] = cached
        if cached[1].done() and not cached[1].cancelled() and cached[1].exception() is None:
            return cached[1].result()
        try:
            return await asyncio.shield(cached[1])
        except Exception as error:
            self._server_tz.pop(server_id, None)
            log.warning("could not read a server's setup (%s)", type(error).__name__)
            return None

    async def _read_timezone(self, server_id: str) -> str | None:
        setup = await self.store.get_setup(PLATFORM, server_id)
        return setup.timezone if setup is not None else None

    def _remember_server(self, channel_id: str, server_id: str) -> None:
        self._channel_servers[channel_id] = server_id
        self._channel_servers.move_to_end(channel_id)
        while len(self._channel_servers) > 10_000:
            self._channel_servers.popitem(last=False)

    # ---- messages out ------------------------------------------------------------------------

    async def send(self, address: Address, reply: Reply) -> None:
        """Post to a server's announcement channel or an opted-in DM channel."""
        client = self.client
        if client is None or client.is_closed() or client.user is None:
            raise TryLater()
        if address.platform != PLATFORM or not address.chat_id.isdigit():
            raise RecipientGone()
        channel = client.get_partial_messageable(int(address.chat_id))
        try:
            for index, piece in enumerate(render(reply, self._views)):
                # The same part to the same chat carries the same nonce, so Discord drops a
                # repeat sent again after a crash (discord.py sets enforce_nonce with it).
                await channel.send(**piece.kwargs(), nonce=delivery_nonce(address, reply, index))
        except discord.Forbidden as error:
            if error.code == CANNOT_DM:
                raise RecipientGone() from None
            if error.code in (MISSING_PERMISSIONS, MISSING_ACCESS):
                missing = self._missing_in(address.chat_id) or ("Send Messages",)
                await self._broken(address, "missing:" + ",".join(missing))
                raise RecipientGone() from None
            raise TryLater() from None
        except discord.NotFound as error:
            if error.code == UNKNOWN_CHANNEL:
                await self._broken(address, "unknown_channel")
            raise RecipientGone() from None
        except discord.RateLimited as error:
            raise TryLater(error.retry_after) from None
        except (discord.DiscordServerError, aiohttp.ClientError, OSError, TimeoutError):
            raise TryLater() from None
        except discord.HTTPException as error:
            # Discord refused this message itself (e.g. 400 invalid form): resending cannot help.
            log.warning("Discord refused a message: HTTP %s code %s", error.status, error.code)

    async def _broken(self, address: Address, reason: str) -> None:
        if await self.store.mark_broken(PLATFORM, address.chat_id, reason):
            log.warning(
                "a server's announcement channel stopped working (%s)", reason.split(":", 1)[0]
            )

    def _missing_in(self, channel_id: str) -> tuple[str, ...] | None:
        client = self.client
        channel = client.get_channel(int(channel_id)) if client else None
        if not isinstance(channel, discord.TextChannel):
            return None
        return _missing(channel)

    # ---- the server probe for /setup ---------------------------------------------------------

    async def server_of(self, chat: Address) -> str | None:
        """The server a channel belongs to; None for DMs and unknown channels."""
        if chat.platform != PLATFORM:
            return None
        known = self._channel_servers.get(chat.chat_id)
        if known is not None:
            return known
        client = self.client
        channel = (
            client.get_channel(int(chat.chat_id)) if client and chat.chat_id.isdigit() else None
        )
        guild = getattr(channel, "guild", None)
        return str(guild.id) if guild is not None else None

    async def missing_permissions(self, server_id: str, channel_id: str) -> tuple[str, ...] | None:
        """Which needed permissions the bot lacks there; None if it is no text channel of it."""
        channel = self._text_channel(server_id, channel_id)
        return None if channel is None else _missing(channel)

    async def channel_name(self, server_id: str, channel_id: str) -> str | None:
        channel = self._text_channel(server_id, channel_id)
        return None if channel is None else "#" + channel.name

    def _text_channel(self, server_id: str, channel_id: str) -> discord.TextChannel | None:
        client = self.client
        if client is None or not server_id.isdigit() or not channel_id.isdigit():
            return None
        guild = client.get_guild(int(server_id))
        channel = guild.get_channel(int(channel_id)) if guild is not None else None
        return channel if isinstance(channel, discord.TextChannel) else None


def _missing(channel: discord.TextChannel) -> tuple[str, ...]:
    me = channel.guild.me
    if me is None:
        return ()
    permissions = channel.permissions_for(me)
    if not permissions.view_channel:
        # Without View Channel Discord denies everything else too; that one is the fix.
        return ("View Channel",)
    return tuple(label for label, flag in REQUIRED_PERMISSIONS if not getattr(permissions, flag))


class DiscordCoreParts(Protocol):
    """What the adapter needs from the composition root's Core."""

    @property
    def settings(self) -> Settings: ...

    @property
    def registry(self) -> Registry[Any]: ...

    @property
    def translator(self) -> Translator: ...

    @property
    def server_setups(self) -> DiscordStore: ...

    @property
    def server_probes(self) -> MutableMapping[str, Any]: ...


def build_discord(core: DiscordCoreParts) -> DiscordMessenger:
    """The Discord messenger from the settings; it also answers /setup's server questions."""
    token = core.settings.discord_bot_token
    if token is None:
        raise ValueError("DISCORD_BOT_TOKEN is not set")
    messenger = DiscordMessenger(
        token.get_secret_value(), core.registry, core.translator, core.server_setups
    )
    core.server_probes[PLATFORM] = messenger
    return messenger


async def sync_commands(
    token: str,
    registry: Registry[Any],
    translator: Translator,
    store: DiscordStore,
    guild_id: int | None = None,
) -> int:
    """`allybot discord sync [--guild ID]`: upload the command set now; returns how many."""
    messenger = DiscordMessenger(token, registry, translator, store, sync_on_start=False)
    install(messenger.redactor)
    client = AllyClient(messenger)
    try:
        try:
            await client.login(token)
        except discord.LoginFailure:
            raise DiscordLoginError("Discord rejected DISCORD_BOT_TOKEN") from None
        if guild_id is None:
            synced = await client.tree.sync()
            await store.set_command_hash(
                PLATFORM, global_scope(client.application_id), await commands_hash(client.tree)
            )
        else:
            guild = discord.Object(id=guild_id)
            client.tree.copy_global_to(guild=guild)
            synced = await client.tree.sync(guild=guild)
        return len(synced)
    finally:
        await client.close()
        uninstall(messenger.redactor)


def delivery_nonce(address: Address, reply: Reply, index: int) -> str:
    """25 characters at most, the same for the same part of the same message to the same chat."""
    key = repr((address.chat_id, index, reply.text, reply.buttons))
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()
