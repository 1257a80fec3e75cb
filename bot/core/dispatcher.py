"""Request -> Reply: permissions, argument checks, friendly errors and the per-user rate limit."""

from __future__ import annotations

import difflib
import logging
import traceback
from collections.abc import Callable
from dataclasses import replace
from typing import Generic, Protocol, TypeVar

from bot.core.commands import (
    MAX_ACTION_BYTES,
    Arg,
    Command,
    Registry,
    UserError,
    encode_action,
)
from bot.core.conversation import FREE_TEXT, Drafts, MemoryDrafts
from bot.core.discreet import is_discreet
from bot.core.i18n import N_, gettext_for, supported_language
from bot.core.messages import ActionButton, Address, ChatKind, Reply, Request
from bot.core.ports import ChatStore, RateLimiter, TooFast, Translator

log = logging.getLogger(__name__)


class ArgumentError(UserError):
    pass


SORRY = N_("Sorry, something went wrong on our side. Please try again later.")


def _log_failure(what: str, error: Exception) -> None:
    # The exception text may quote what a user typed or a row's values (a database error's
    # message): its type and the stack only.
    stack = "".join(traceback.format_tb(error.__traceback__))
    log.error("%s failed with %s\n%s", what, type(error).__name__, stack)


class DispatchParts(Protocol):
    """What the dispatcher itself reads from the handlers' dependencies (handlers.deps.Deps)."""

    @property
    def store(self) -> ChatStore: ...

    @property
    def translator(self) -> Translator: ...

    @property
    def organizers(self) -> frozenset[Address]: ...


PartsT = TypeVar("PartsT", bound=DispatchParts)


class Dispatcher(Generic[PartsT]):
    """The one entry point every adapter calls with a Request."""

    def __init__(
        self,
        registry: Registry[PartsT],
        deps: PartsT,
        limiter: RateLimiter,
        conversations: Drafts | None = None,
    ) -> None:
        self._registry = registry
        self._deps = deps
        # The chat's stored choices, the catalogs and who organizes come from the same Deps the
        # handlers get, so no part is handed in twice.
        self._store = deps.store
        self._translator = deps.translator
        self._organizers = deps.organizers
        self._limiter = limiter
        # Step-by-step drafts: the composition root hands in the database's when several
        # processes share one (PostgreSQL), tests and benchmarks theirs to look inside or move
        # its clock; otherwise this process's memory.
        self._conversations = MemoryDrafts() if conversations is None else conversations

    def is_organizer(self, user: Address) -> bool:
        return user in self._organizers

    async def dispatch(self, request: Request) -> Reply | None:
        """Answer one request; None means stay silent (plain talk in a group).

        Whatever fails on the way (the chat's stored choices unreadable, say) is one log line
        and a friendly answer: the person is never left without a reply, and the error never
        travels on to an adapter or the process, which would print its text."""
        try:
            return await self._dispatch(request)
        except Exception as error:
            command = self._registry.get(request.command)
            # A typed name is the person's words: only a command the bot knows is named.
            _log_failure(f"/{command.name}" if command else "a request", error)
            if request.command == FREE_TEXT and request.chat_kind is not ChatKind.PRIVATE:
                # Plain talk in a group is not for the bot: an apology to each message people
                # exchange there would be noise (an answer to a question waits, unanswered).
                return None
            _ = gettext_for(
                self._translator, supported_language(request.locale, self._translator.locales)
            )
            return Reply(_(SORRY))

    async def check_answer(self, request: Request) -> str:
        """Check the last of `request.args`, the answers so far to a step-by-step command's
        questions, exactly as the chat checks it when typed: the Arg's `check` with the chat's
        language and zone. Its echo ("Starts: …"), or UserError with the chat's refusal.

        Nothing is remembered, sent or stored: a form in a browser checks each field as it is
        typed with the one rule the chat uses (bot/adapters/web), and submits the whole command
        through `dispatch` after."""
        request = await self._with_chat_preferences(request)
        _ = self._gettext(request)
        command = self._registry.get(request.command)
        if command is None or not request.args or len(request.args) > len(command.args):
            raise UserError(_("I don't know that command."))
        allowed = self.is_organizer(request.user) or request.is_chat_admin
        if (command.organizer_only or command.organizers_or_admins) and not allowed:
            raise UserError(_("Only campaign organizers can use this command."))
        arg = command.args[len(request.args) - 1]
        if arg.check is None:
            return ""
        return await arg.check(request, self._deps)

    async def _dispatch(self, request: Request) -> Reply | None:
        verdict = await self._limiter.check(self._limit_key(request))
        request = await self._with_chat_preferences(request)
        _ = self._gettext(request)
        if not verdict.allowed:
            # Never silence: each refused action is told when to try again, privately where the
            # platform can (the adapters show a TooFast cheaply, see bot.core.ports).
            seconds = round(verdict.retry_after_s)
            return TooFast(
                _("Too many at once — try again in {seconds} seconds.").format(seconds=seconds),
                private=True,
                retry_after_s=seconds,
            )
        reply = await self._answer(request)
        # Whatever goes to a discreet chat may not be forwarded or saved.
        return replace(reply, protect=True) if reply is not None and request.discreet else reply

    async def _answer(self, request: Request) -> Reply | None:
        """The reply to a request the rate limit let through, in the chat's language."""
        _ = self._gettext(request)
        if request.command == FREE_TEXT:
            draft = await self._conversations.take(request.chat, request.user_id)
            if draft is None:
                return self._not_a_command(request)
            request = replace(request, command=draft.command, args=draft.args + request.args)
        else:
            # A new command abandons whatever step-by-step command was under way.
            await self._conversations.drop(request.chat, request.user_id)
        command = self._registry.get(request.command)
        if command is None:
            return self._unknown_command(request)
        if command.organizer_only and not self.is_organizer(request.user):
            return Reply(_("Only campaign organizers can use this command."), private=True)
        group = request.chat_kind is not ChatKind.PRIVATE
        request = await self._with_admin_status(command, request, group)
        # Refused here, before the first question is asked or any draft remembered: a stranger
        # must not get to type a whole event or broadcast only to be refused at the last answer.
        if command.organizers_or_admins and not (
            self.is_organizer(request.user) or (group and request.is_chat_admin)
        ):
            # Shown where the handler's own refusal would have been (privately only for private
            # commands), so a refusal looks the same however early it comes.
            refusal = (
                _("Only campaign organizers and this group's admins can use this command.")
                if group
                else _("Only campaign organizers can use this command.")
            )
            return Reply(refusal, private=command.private)
        # An organizer's own commands (a campaign-wide broadcast, its Confirm) work from anywhere;
        # the handler still decides what they may do here.
        organizers_own = command.organizers_or_admins and self.is_organizer(request.user)
        if command.changes_chat and group and not request.is_chat_admin and not organizers_own:
            return Reply(
                _(
                    "Only this group's admins can change what it receives. For reminders of "
                    "your own, send me the same command in a private chat."
                ),
                private=True,
            )
        try:
            request = replace(request, args=self._checked_args(command, request))
            checked = await self._check_answer(command, request)
            if isinstance(checked, Reply):
                return checked
            prompt = await self._next_prompt(command, request, checked)
            if prompt is not None:
                return prompt
            reply = await command.handler(request, self._deps)
        except UserError as error:
            reply = Reply(error.text)
        except Exception as error:
            _log_failure(f"/{command.name}", error)
            reply = Reply(_(SORRY))
        else:
            if reply.erased:
                await self._forget_held(request)
            elif reply.asks:
                # The handler asked a question of its own: the next plain message answers it.
                await self._conversations.remember(
                    request.chat, request.user_id, command.name, request.args
                )
        return replace(reply, private=True) if command.private else reply

    @staticmethod
    def _limit_key(request: Request) -> str:
        return f"{request.chat.platform}:{request.user_id}"

    async def _forget_held(self, request: Request) -> None:
        """After an erasure, the chat's open drafts (anyone's) and the asker's rate-limit state go
        too, wherever they are held (memory or the shared database): /forget promises
        everything."""
        await self._conversations.forget_chat(request.chat)
        await self._limiter.forget(self._limit_key(request))

    async def _with_admin_status(
        self, command: Command[PartsT], request: Request, group: bool
    ) -> Request:
        """Ask the platform whether the asker administers the group, once, only when needed."""
        if not (group and command.needs_admin_status) or request.is_chat_admin:
            return request
        if request.admin_check is None:
            return request
        return replace(request, is_chat_admin=await request.admin_check(), admin_check=None)

    async def _with_chat_preferences(self, request: Request) -> Request:
        prefs = await self._store.get_chat(request.chat)
        locale = supported_language(
            prefs.locale if prefs and prefs.locale else request.locale, self._translator.locales
        )
        tz = prefs.timezone if prefs and prefs.timezone else request.tz
        discreet = is_discreet(prefs.discreet if prefs else None, locale)
        return replace(request, locale=locale, tz=tz, discreet=discreet)

    def _gettext(self, request: Request) -> Callable[[str], str]:
        return gettext_for(self._translator, request.locale)

    async def _check_answer(self, command: Command[PartsT], request: Request) -> Reply | str:
        """Run the check of the question just answered (the last argument given); a refusal is
        the same question again, the draft remembered without the refused answer."""
        if not request.args:
            return ""
        index = len(request.args) - 1
        arg = command.args[index]
        if arg.check is None or not arg.prompt:
            return ""
        try:
            return await arg.check(request, self._deps)
        except UserError as error:
            before = replace(request, args=request.args[:index])
            return await self._ask(command, before, arg, error.text)

    async def _next_prompt(
        self, command: Command[PartsT], request: Request, note: str = ""
    ) -> Reply | None:
        """The question for the first missing argument that has one, remembering the draft."""
        missing: list[Arg] = [arg for arg in command.args[len(request.args) :] if arg.prompt]
        if not missing:
            return None
        return await self._ask(command, request, missing[0], note)

    async def _ask(self, command: Command[PartsT], request: Request, arg: Arg, note: str) -> Reply:
        """Ask for `arg` (after `note`, an echo or an error), with its offered values as buttons
        that answer it, and take the asker's next plain message as the answer."""
        _ = self._gettext(request)
        await self._conversations.remember(
            request.chat, request.user_id, command.name, request.args
        )
        buttons: list[ActionButton] = []
        offered = await arg.offer(request, self._deps) if arg.offer is not None else ()
        prompt = (
            arg.prompt_when_none
            if arg.offer and not offered and arg.prompt_when_none
            else arg.prompt
        )
        question = _(prompt) + "\n" + _("(Send any command to stop.)")
        for label, value in offered:
            args = (*request.args, value)
            # A value must come back as one word, within the platforms' callback-data limit.
            fits = len(encode_action(command.name, args).encode()) <= MAX_ACTION_BYTES
            if fits and value and len(value.split()) == 1:
                buttons.append(ActionButton(label, command.name, args))
        return Reply(
            f"{note}\n\n{question}" if note else question,
            buttons=tuple(buttons),
            private=command.private,
            asks=True,
        )

    def _not_a_command(self, request: Request) -> Reply | None:
        if request.chat_kind is not ChatKind.PRIVATE:
            return None  # people talk in groups; only commands are for the bot
        _ = self._gettext(request)
        return Reply(_("I answer commands. Send /help to see them all."))

    def _unknown_command(self, request: Request) -> Reply:
        _ = self._gettext(request)
        names = [c.name for c in self._registry.visible()]
        close = difflib.get_close_matches(request.command, names, n=1)
        text = _("I don't know that command.")
        if close:
            text += " " + _("Did you mean /{command}?").format(command=close[0])
        text += " " + _("Send /help to see everything I can do.")
        return Reply(text)

    def _checked_args(self, command: Command[PartsT], request: Request) -> tuple[str, ...]:
        """The typed words as the handler takes them: a choice typed in any language or letter
        case becomes its English value; a word that names no choice is refused with the choices
        as the asker's language types them."""
        _ = self._gettext(request)
        words = self._registry.joined_labels(command, list(request.args))
        spec = command.args
        if spec and spec[-1].rest and len(words) > len(spec):
            words = [*words[: len(spec) - 1], " ".join(words[len(spec) - 1 :])]
        if len(words) > len(spec):
            raise ArgumentError(
                _("Too many words for /{command}. Use it like this: {usage}").format(
                    command=command.name, usage=self._registry.usage(command, request.locale)
                )
            )
        checked: list[str] = []
        for arg, word in zip(spec, words, strict=False):
            value = self._registry.choice(command.name, arg.name, word) if arg.choices else word
            if value is None:
                choices = self._registry.typed_choices(command, arg, request.locale)
                raise ArgumentError(
                    _("“{value}” is not one of: {choices}.").format(
                        value=word, choices=", ".join(choices)
                    )
                    + " "
                    + _("Use it like this: {usage}").format(
                        usage=self._registry.usage(command, request.locale)
                    )
                )
            checked.append(value)
        missing = [arg for arg in spec[len(words) :] if arg.required and not arg.prompt]
        if missing:
            raise ArgumentError(
                _("/{command} needs more. Use it like this: {usage}").format(
                    command=command.name, usage=self._registry.usage(command, request.locale)
                )
            )
        return tuple(checked)
