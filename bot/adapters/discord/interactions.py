"""Slash commands, button presses and answer forms in: each becomes a core Request, its Reply
the answer.

Discord shows an error unless an interaction is acknowledged within three seconds, so every
interaction is answered: with the reply, with a deferral when the reply takes longer than
`defer_after`, with an emptied deferral when the dispatcher stays silent, or with an apology when
something failed before dispatch. An action refused by the rate limit is answered ephemerally.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import Any, Protocol

import aiohttp
import discord

from bot.adapters.discord.api import PLATFORM
from bot.adapters.discord.commands import words_for
from bot.adapters.discord.direct import ChannelLocales
from bot.adapters.discord.forms import (
    ANSWER_LABEL,
    EMPTY_ANSWER,
    EXPIRED,
    INPUT_LABEL,
    AnswerForm,
    form_submission,
)
from bot.adapters.discord.probe import ChannelServers
from bot.adapters.discord.render import ViewCache, render
from bot.core.commands import Audience, Command, Registry, decode_action
from bot.core.conversation import FREE_TEXT
from bot.core.i18n import N_, language_of
from bot.core.messages import Address, ChatKind, Reply, Request
from bot.core.ports import Dispatch, SentMessages, TooFast, Translator

log = logging.getLogger(__name__)

# How long a server's default time zone is trusted before it is read again.
SERVER_CACHE_SECONDS = 60.0
APOLOGY = N_("Sorry, something went wrong on our side. Please try again later.")


class _ServerDefaults(Protocol):
    @property
    def timezone(self) -> str | None: ...


class ServerSetups(Protocol):
    """The reading the adapter does: a server's setup, for its default time zone."""

    async def get_setup(self, platform: str, server_id: str) -> _ServerDefaults | None: ...


class ServerTimezones:
    """Each server's default time zone, read at most once a minute per server."""

    def __init__(self, setups: ServerSetups) -> None:
        self._setups = setups
        self._cached: dict[str, tuple[float, asyncio.Future[str | None]]] = {}

    async def of(self, server_id: str) -> str | None:
        now = time.monotonic()
        cached = self._cached.get(server_id)
        if cached is None or now - cached[0] >= SERVER_CACHE_SECONDS:
            # One shared lookup, so a burst of commands from one server costs one query.
            cached = (now, asyncio.ensure_future(self._read(server_id)))
            self._cached[server_id] = cached
        lookup = cached[1]
        if lookup.done() and not lookup.cancelled() and lookup.exception() is None:
            return lookup.result()
        try:
            return await asyncio.shield(lookup)
        except Exception as error:
            self._cached.pop(server_id, None)
            log.warning("could not read a server's setup (%s)", type(error).__name__)
            return None

    async def _read(self, server_id: str) -> str | None:
        setup = await self._setups.get_setup(PLATFORM, server_id)
        return setup.timezone if setup is not None else None


class Interactions:
    """Turns interactions into Requests and answers them, always within Discord's deadline."""

    def __init__(
        self,
        registry: Registry[Any],
        translator: Translator,
        setups: ServerSetups,
        servers: ChannelServers,
        views: ViewCache,
        *,
        defer_after: float = 1.0,
        sent_messages: SentMessages | None = None,
    ) -> None:
        self.registry = registry
        self.translator = translator
        self.defer_after = defer_after
        self.dispatch: Dispatch | None = None
        self.deferred = 0
        self._servers = servers
        self._views = views
        self.locales = ChannelLocales()
        self._timezones = ServerTimezones(setups)
        # Self-destruct's schedule learns of every reply others can see (bot.core.chats).
        self.sent_messages = sent_messages

    async def on_command(
        self, interaction: discord.Interaction[Any], command: Command[Any], values: dict[str, str]
    ) -> None:
        request = self._request(interaction, command.name, words_for(command, values))
        await self._answer(interaction, request, _only_for_asker(command, request))

    async def on_action(self, interaction: discord.Interaction[Any], action: str) -> None:
        decoded = decode_action(action)
        if decoded is None:
            await interaction.response.defer()
            return
        name, args = decoded
        command = self.registry.get(name)
        request = self._request(interaction, name, args)
        private = _only_for_asker(command, request) if command is not None else False
        await self._answer(interaction, request, private)

    async def on_answer_button(self, interaction: discord.Interaction[Any], private: bool) -> None:
        """Open the answer form. A modal must be the first response, so nothing defers it."""
        question = interaction.message.content if interaction.message is not None else ""
        label = self._text(interaction, INPUT_LABEL)
        try:
            await interaction.response.send_modal(AnswerForm(question, label, private))
        except (discord.HTTPException, aiohttp.ClientError, OSError) as error:
            log.warning("could not open an answer form (%s)", type(error).__name__)

    async def on_form(self, interaction: discord.Interaction[Any]) -> bool:
        """A submitted answer form becomes the asker's next plain message in that channel, as
        the dispatcher expects an answer; False when the submission is not one of our forms."""
        submitted = form_submission(interaction.data)
        if submitted is None:
            return False
        private, typed = submitted
        # Trimmed as a typed DM is (direct.py), so both ways give the core the same answer.
        text = typed.strip()
        if not text:
            # Nothing to dispatch (the draft keeps waiting), but never an unanswered form.
            try:
                await self._respond(interaction, Reply(self._text(interaction, EMPTY_ANSWER)), True)
            except (discord.HTTPException, aiohttp.ClientError, OSError) as error:
                log.warning("could not answer an empty form (%s)", type(error).__name__)
            return True
        request = self._request(interaction, FREE_TEXT, (text,))
        # In a server the dispatcher stays silent about plain text that answers nothing; a form
        # is always an answer, so its asker learns the question is gone.
        await self._answer(interaction, request, private, silence=EXPIRED)
        return True

    def _text(self, interaction: discord.Interaction[Any], msgid: str) -> str:
        """A UI text in the language of the asker's Discord client."""
        return self.translator.gettext(language_of(interaction.locale.value), msgid)

    async def apologize(self, interaction: discord.Interaction[Any]) -> None:
        """Answer an interaction that failed before dispatch, so it is not left unanswered."""
        text = self.translator.gettext(language_of(interaction.locale.value), APOLOGY)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except (discord.HTTPException, aiohttp.ClientError, OSError, RuntimeError) as error:
            log.warning(
                "could not send an apology for a failed interaction (%s)", type(error).__name__
            )

    def _request(
        self, interaction: discord.Interaction[Any], command: str, args: tuple[str, ...]
    ) -> Request:
        channel_id = str(interaction.channel_id)
        server_id = str(interaction.guild_id) if interaction.guild_id else None
        if server_id is not None:
            self._servers.remember(channel_id, server_id)
        else:
            # What people then type in this DM is answered in the same language.
            self.locales.remember(channel_id, interaction.locale.value)
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
        self,
        interaction: discord.Interaction[Any],
        request: Request,
        private: bool,
        *,
        silence: str | None = None,
    ) -> None:
        """Dispatch, deferring first if the answer takes longer than `defer_after` seconds.

        `silence` is said (privately) instead of nothing when the dispatcher stays silent."""
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
            if reply is None and silence is not None:
                reply = Reply(self._text(interaction, silence), private=True)
            if reply is None:
                # Nothing to say: acknowledge so Discord shows no error, then leave nothing.
                if not interaction.response.is_done():
                    await interaction.response.defer(ephemeral=True, thinking=True)
                await interaction.delete_original_response()
                return
            if isinstance(reply, TooFast) and deferring is not None and not private:
                # Refused by the rate limit after a public "thinking…": the refusal is for the
                # asker alone, so the public placeholder goes and an ephemeral answer follows.
                await interaction.delete_original_response()
            await self._respond(interaction, reply, private)
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
        if self.dispatch is None:
            return None
        if interaction.guild_id is not None:
            tz = await self._timezones.of(str(interaction.guild_id))
            if tz:
                request = replace(request, tz=tz)
        return await self.dispatch(request)

    async def _respond(
        self, interaction: discord.Interaction[Any], reply: Reply, private: bool
    ) -> None:
        ephemeral = reply.private or private
        # A question gets the button that opens the answer form (see forms.py).
        answer = (self._text(interaction, ANSWER_LABEL), ephemeral) if reply.asks else None
        pieces = render(reply, self._views, answer)
        if reply.edits and interaction.message is not None and pieces:
            # A discreet message's Show: its first piece replaces the message the button is
            # on (its buttons too, so Show goes); any further pieces follow as new messages.
            first, pieces = pieces[0], pieces[1:]
            if not interaction.response.is_done():
                await interaction.response.edit_message(content=first.content, view=first.view)
            else:
                await interaction.message.edit(content=first.content, view=first.view)
                await interaction.delete_original_response()
        sent: list[str] = []
        for piece in pieces:
            kwargs = piece.kwargs()
            if not interaction.response.is_done():
                response = await interaction.response.send_message(ephemeral=ephemeral, **kwargs)
                message_id = response.message_id
            else:
                message = await interaction.followup.send(ephemeral=ephemeral, **kwargs)
                message_id = message.id
            if message_id is not None:
                sent.append(str(message_id))
        # An ephemeral answer is Discord's to remove; any other is the bot's, like a post.
        if sent and not ephemeral and self.sent_messages is not None:
            chat = Address(PLATFORM, str(interaction.channel_id))
            await self.sent_messages.sent(chat, sent)


def _only_for_asker(command: Command[Any], request: Request) -> bool:
    """Whether the answer is shown only to the asker (ephemeral).

    Private commands always; an organizer's or admin's command used by someone who does not
    administer the server too: its refusal, or an organizer's own work, is nobody else's business.
    """
    return command.private or (
        command.audience is not Audience.EVERYONE
        and request.chat_kind is not ChatKind.PRIVATE
        and not request.is_chat_admin
    )
