"""The Messenger port on Discord: keep a discord.py client connected, and post announcements.

`run` serves until cancelled, reconnecting after any loss; `send` maps Discord's answers onto
the core's RecipientGone (with the reason a server channel stopped working, for the core to
record) and TryLater. Interactions are handled in interactions.py, the command set in
commands.py and sync.py, /setup's server questions in probe.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from typing import Any, Protocol

import aiohttp
import discord

from bot.adapters.discord.api import (
    CANNOT_DM,
    MISSING_ACCESS,
    MISSING_PERMISSIONS,
    PLATFORM,
    UNKNOWN_CHANNEL,
    DiscordLoginError,
)
from bot.adapters.discord.commands import CoreTranslator, build_tree
from bot.adapters.discord.direct import answer_direct
from bot.adapters.discord.forms import AnswerItem
from bot.adapters.discord.interactions import Interactions, ServerSetups
from bot.adapters.discord.logging import Redactor, install, uninstall
from bot.adapters.discord.probe import ChannelServers, DiscordProbe
from bot.adapters.discord.render import ActionItem, ViewCache, render
from bot.adapters.discord.sync import CommandHashes, sync_if_changed
from bot.core.commands import Registry
from bot.core.messages import Address, Reply
from bot.core.ports import (
    Dispatch,
    PlatformPacing,
    RecipientGone,
    SentMessages,
    Translator,
    TryLater,
)

log = logging.getLogger(__name__)

# Discord's global limit is 50 requests a second; the fan-out uses 40, and opens new direct
# messages at most 5 a second.
DISCORD_PACING = PlatformPacing(rate=40.0, private_rate=5.0, per_chat_interval_s=1.0)
MAX_BACKOFF_SECONDS = 60.0
# An address naming a person (`user:<id>`; `direct_chat` opens the same way) rather than a
# channel: the message goes to their DM channel, opened first.
PERSON = "user:"


class DiscordStore(ServerSetups, CommandHashes, Protocol):
    """What the adapter reads (server defaults) and its own record of the synced command set.

    Nothing else: what a failed delivery means for stored state, the core decides.
    """


class AllyClient(discord.Client):
    """A discord.py client with no privileged intents that can never ping anyone."""

    def __init__(self, messenger: DiscordMessenger) -> None:
        intents = discord.Intents.none()
        # Server and channel structure (no members, no message content) for permission checks.
        intents.guilds = True
        # Messages in DMs with the bot, content included without the privileged intent: typed
        # answers to questions (direct.py). Server channels stay unread.
        intents.dm_messages = True
        # One shard per process past 2,500 servers (DISCORD_SHARD_ID/COUNT): each gateway
        # process holds its own shard; without them, one connection for every server.
        shard_id, shard_count = messenger.shard or (None, None)
        super().__init__(
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            max_ratelimit_timeout=messenger.max_ratelimit_timeout,
            chunk_guilds_at_startup=False,
            shard_id=shard_id,
            shard_count=shard_count,
        )
        self.messenger = messenger
        self.interactions = messenger.interactions
        self.tree = build_tree(
            self,
            self.interactions.registry,
            self.interactions.on_command,
            messenger.translator.locales,
        )
        self.tree.on_error = self._on_tree_error  # type: ignore[method-assign]

    async def setup_hook(self) -> None:
        self.messenger.logged_in()
        await self.tree.set_translator(CoreTranslator(self.messenger.translator))
        self.add_dynamic_items(ActionItem, AnswerItem)
        if self.messenger.sync_on_start:
            try:
                await sync_if_changed(self.tree, self.application_id, self.messenger.store)
            except discord.HTTPException as error:
                # Serve with the commands Discord already has rather than not at all.
                log.error(
                    "could not sync slash commands: HTTP %s code %s", error.status, error.code
                )

    async def on_ready(self) -> None:
        self.messenger.connected()

    async def on_action(self, interaction: discord.Interaction[Any], action: str) -> None:
        """A press of an action button (see render.ActionItem)."""
        await self.interactions.on_action(interaction, action)

    async def on_answer_button(self, interaction: discord.Interaction[Any], private: bool) -> None:
        """A press of a question's answer button (see forms.AnswerItem)."""
        await self.interactions.on_answer_button(interaction, private)

    async def on_message(self, message: discord.Message) -> None:
        await answer_direct(
            message,
            self.interactions.dispatch,
            self.user,
            self.interactions.locales,
            self.messenger.views,
            self.interactions.sent_messages,
        )

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        # Answer forms are never stored by discord.py (forms.AnswerForm), so their submissions
        # are picked up here, by custom id, whenever they arrive.
        if interaction.type is discord.InteractionType.modal_submit:
            await self.interactions.on_form(interaction)

    async def _on_tree_error(
        self, interaction: discord.Interaction[Any], error: discord.app_commands.AppCommandError
    ) -> None:
        # Option conversion failed (e.g. a channel the cache does not know); the text of the
        # error may quote input, so only its type is logged.
        log.warning("a slash command failed before dispatch: %s", type(error).__name__)
        await self.interactions.apologize(interaction)


class DiscordMessenger:
    """The Messenger port on Discord; `probe` answers the /setup handler's server questions."""

    platform = PLATFORM
    pacing = DISCORD_PACING

    def __init__(
        self,
        token: str,
        registry: Registry[Any],
        translator: Translator,
        store: DiscordStore,
        *,
        defer_after: float = 1.0,
        max_ratelimit_timeout: float = 30.0,
        sync_on_start: bool = True,
        sent_messages: SentMessages | None = None,
        outbound_only: bool = False,
        shard: tuple[int, int] | None = None,
    ) -> None:
        self._token = token
        # (this shard's id, how many shards) when the gateway is split across processes.
        self.shard = shard
        # A sender process without the discord role: REST only, no gateway (another process
        # serves the people; one gateway connection per bot, or explicit shards).
        self.outbound_only = outbound_only
        self.translator = translator
        self.store = store
        self.max_ratelimit_timeout = max_ratelimit_timeout
        self.sync_on_start = sync_on_start
        self.redactor = Redactor((token,))
        self.client: AllyClient | None = None
        self.reconnects = 0
        servers = ChannelServers()
        # One cache of built button views for replies and announcements alike.
        self.views = ViewCache()
        self.interactions = Interactions(
            registry,
            translator,
            store,
            servers,
            self.views,
            defer_after=defer_after,
            sent_messages=sent_messages,
        )
        self.probe = DiscordProbe(lambda: self.client, servers)
        self._backoff = 1.0
        self._logged_in = False

    @property
    def rate_limited(self) -> int:
        """How many 429 answers discord.py has waited out."""
        return self.redactor.rate_limited

    @property
    def deferred(self) -> int:
        """How many interactions were deferred because the answer took a while."""
        return self.interactions.deferred

    # ---- running -----------------------------------------------------------------------------

    async def run(self, dispatch: Dispatch) -> None:
        """Serve Discord until cancelled; a lost gateway or network reconnects, never raises."""
        self.interactions.dispatch = dispatch
        install(self.redactor)
        try:
            while True:
                client = AllyClient(self)
                self.client = client
                try:
                    if self.outbound_only:
                        await self._send_only(client)
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
                self._backoff = min(self._backoff * 2, MAX_BACKOFF_SECONDS)
                self.reconnects += 1
        finally:
            uninstall(self.redactor)

    async def _send_only(self, client: AllyClient) -> None:
        """Log in over REST (which knows the bot's own user, all that sending needs) and hold
        the session until cancelled, without connecting to the gateway."""
        await client.login(self._token)
        self._logged_in = True
        self._backoff = 1.0
        log.info("Discord: sending only (no gateway in this process)")
        await asyncio.Event().wait()

    def connected(self) -> None:
        self._backoff = 1.0

    def logged_in(self) -> None:
        self._logged_in = True

    # ---- messages out ------------------------------------------------------------------------

    async def send(self, address: Address, reply: Reply) -> Sequence[str]:
        """Post to a server's announcement channel or an opted-in DM channel; the ids of the
        messages posted."""
        sent: list[str] = []
        try:
            channel = await self._channel(address)
            for index, piece in enumerate(render(reply, self.views)):
                # The same part to the same chat carries the same nonce, so Discord drops a
                # repeat sent again after a crash (discord.py sets enforce_nonce with it).
                message = await channel.send(
                    **piece.kwargs(), nonce=delivery_nonce(address, reply, index)
                )
                sent.append(str(message.id))
        except discord.Forbidden as error:
            if error.code == CANNOT_DM:
                raise RecipientGone() from None
            if error.code in (MISSING_PERMISSIONS, MISSING_ACCESS):
                # The reason names what to grant, for the core to mark the server's setup.
                missing = self.probe.missing_in_channel(address.chat_id) or ("Send Messages",)
                raise RecipientGone(reason="missing:" + ",".join(missing)) from None
            raise TryLater() from None
        except discord.NotFound as error:
            if error.code == UNKNOWN_CHANNEL:
                raise RecipientGone(reason="unknown_channel") from None
            raise RecipientGone() from None
        except discord.RateLimited as error:
            raise TryLater(error.retry_after) from None
        except (discord.DiscordServerError, aiohttp.ClientError, OSError, TimeoutError):
            raise TryLater() from None
        except discord.HTTPException as error:
            # Discord refused this message itself (e.g. 400 invalid form): resending cannot help.
            log.warning("Discord refused a message: HTTP %s code %s", error.status, error.code)
        return sent

    async def delete(self, address: Address, message_ids: Sequence[str]) -> None:
        """Delete some of the bot's own messages (Discord allows it at any age); one already
        gone counts as deleted."""
        try:
            channel = await self._channel(address)
            for message_id in message_ids:
                try:
                    await channel.get_partial_message(int(message_id)).delete()
                except discord.NotFound as error:
                    if error.code == UNKNOWN_CHANNEL:
                        raise
        except discord.NotFound:
            raise RecipientGone() from None
        except discord.Forbidden:
            raise RecipientGone() from None
        except discord.RateLimited as error:
            raise TryLater(error.retry_after) from None
        except (discord.DiscordServerError, aiohttp.ClientError, OSError, TimeoutError):
            raise TryLater() from None

    async def direct_chat(self, user_id: str) -> str:
        """The id of the bot's DM channel with a person, opened if need be: a person's private
        chat is not their user id on Discord, and that channel's row holds their choices."""
        try:
            channel = await self._channel(Address(PLATFORM, PERSON + user_id))
        except discord.Forbidden:
            raise RecipientGone() from None
        except discord.RateLimited as error:
            raise TryLater(error.retry_after) from None
        except (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError):
            raise TryLater() from None
        return str(channel.id)

    async def _channel(self, address: Address) -> discord.DMChannel | discord.PartialMessageable:
        """The chat's channel: a DM opened with the person, or a server channel by id."""
        client = self.client
        if client is None or client.is_closed() or client.user is None:
            raise TryLater()
        if address.platform != PLATFORM:
            raise RecipientGone()
        person = address.chat_id.removeprefix(PERSON)
        if not person.isdigit():
            raise RecipientGone()
        if address.chat_id.startswith(PERSON):
            return await client.create_dm(discord.Object(int(person)))
        return client.get_partial_messageable(int(person))


def delivery_nonce(address: Address, reply: Reply, index: int) -> str:
    """25 characters at most, the same for the same part of the same message to the same chat."""
    key = repr((address.chat_id, index, reply.text, reply.buttons))
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()
