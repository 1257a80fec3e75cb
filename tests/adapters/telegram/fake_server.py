"""A small fake Telegram Bot API server on 127.0.0.1 that speaks the real protocol.

It answers with real HTTP status codes and complete objects, parses form-encoded and multipart
bodies the way PTB sends them, renders the HTML the bot sends the way Telegram would (rejecting
what Telegram rejects), and records every call, so tests assert what people would actually see.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import random
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "7300000001:" + "AAFakeTokenForTestsOnly_0123456789abcd"
BOT_ID = 7300000001
BOT_USERNAME = "allybot_test_bot"

JSON_FIELDS = {
    "reply_markup",
    "commands",
    "scope",
    "reply_parameters",
    "link_preview_options",
    "allowed_updates",
    "entities",
}
INT_FIELDS = {
    "chat_id",
    "user_id",
    "offset",
    "limit",
    "timeout",
    "message_id",
    "cache_time",
    "message_thread_id",
}
BOOL_FIELDS = {
    "show_alert",
    "drop_pending_updates",
    "disable_notification",
    "allow_paid_broadcast",
    "protect_content",
}
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}
HTML_TOKEN = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>|&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);"
)
MENTION = re.compile(r"(?<!\w)@[A-Za-z0-9_]{1,32}")
COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


# What every ChatMemberAdministrator carries; all False is a valid (powerless) admin.
ADMIN_RIGHTS = dict.fromkeys(
    (
        "can_be_edited",
        "is_anonymous",
        "can_manage_chat",
        "can_delete_messages",
        "can_manage_video_chats",
        "can_restrict_members",
        "can_promote_members",
        "can_change_info",
        "can_invite_users",
        "can_post_stories",
        "can_edit_stories",
        "can_delete_stories",
    ),
    False,
)


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


@dataclass
class Call:
    """One Bot API call as the server received it, values decoded."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    status: int = 200
    at: float = field(default_factory=time.monotonic)


@dataclass
class Sent:
    """A message a person sees in a chat: the rendered text, its buttons, or a document."""

    chat_id: int
    message_id: int
    text: str | None
    html: str | None
    buttons: list[dict[str, Any]]
    document: tuple[str, bytes] | None = None
    reply_to: int | None = None
    # What Telegram would turn into mentions that notify people ("@name" after a non-word).
    mentions: list[str] = field(default_factory=list)
    thread: int | None = None
    # Sent with protect_content: no forwarding, no saving.
    protect: bool = False
    # The texts it had before editMessageText replaced them, oldest first; `text` is the
    # current one, `first_text` what arrived (what the notification showed).
    earlier: list[str] = field(default_factory=list)

    @property
    def first_text(self) -> str | None:
        return self.earlier[0] if self.earlier else self.text


@dataclass
class Failure:
    status: int = 500
    description: str = "Internal Server Error"
    parameters: dict[str, Any] | None = None
    drop: bool = False


def user(
    user_id: int, language_code: str | None = "en", first_name: str = "Alex"
) -> dict[str, Any]:
    person: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code:
        person["language_code"] = language_code
    return person


def private_chat(person: dict[str, Any]) -> dict[str, Any]:
    return {"id": person["id"], "type": "private", "first_name": person["first_name"]}


def group_chat(chat_id: int, kind: str = "supergroup", title: str = "Allies") -> dict[str, Any]:
    return {"id": chat_id, "type": kind, "title": title}


# The people and chats most tests talk through; each test gets a fresh fake, so sharing is safe.
ORGANIZER = user(7311223344, "en", "Org")
ALICE = user(7355501234, "en", "Alice")
BORIS = user(7355505678, "ru", "Борис")
GROUP = group_chat(-1007399990001)


def render_html(text: str) -> str:
    """What a person sees for `text` with parse_mode HTML, or ApiError like Telegram's."""
    visible: list[str] = []
    position = 0
    for match in HTML_TOKEN.finditer(text):
        visible.append(_plain(text[position : match.start()], position))
        closing, tag, _attrs, entity = match.groups()
        if entity is not None:
            visible.append(html.unescape(match.group(0)))
        elif tag.lower() not in ALLOWED_TAGS:
            kind = "end" if closing else "start"
            raise ApiError(
                400,
                f'Bad Request: can\'t parse entities: Unsupported {kind} tag "{tag}" at byte '
                f"offset {len(text[: match.start()].encode())}",
            )
        position = match.end()
    visible.append(_plain(text[position:], position))
    return "".join(visible)


def _plain(chunk: str, offset: int) -> str:
    for index, char in enumerate(chunk):
        if char in "<&":
            raise ApiError(
                400,
                "Bad Request: can't parse entities: Can't find end of the entity starting at "
                f"byte offset {len((chunk[:index]).encode()) + offset}",
            )
    return chunk


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeTelegram:
    """The fake server; start() it, point the bot at base_url, then drive chats through it."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.bot_user = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "AllyBot",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.calls: list[Call] = []
        self.sent: list[Sent] = []
        self.chats: dict[int, dict[str, Any]] = {}
        self.blocked: set[int] = set()
        # Old group id -> the supergroup it became; sending to the old id is refused.
        self.migrated: dict[int, int] = {}
        self.admins: dict[int, set[int]] = {}
        self.owners: dict[int, int] = {}
        self.failures: dict[str, list[Failure]] = {}
        self.commands: dict[tuple[str, str | None], list[dict[str, str]]] = {}
        self.webhook: dict[str, Any] | None = None
        self.callback_answers: dict[str, dict[str, Any]] = {}
        # (chat id, message id) of each message the bot deleted -> when (time.time()).
        self.deleted: dict[tuple[int, int], float] = {}
        # The real API lets a bot delete its own messages for 48 hours; a test may shorten it.
        self.delete_window_s = 48 * 3600.0
        self._sent_at: dict[tuple[int, int], float] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._query_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._seen: dict[int, int] = {}
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.port = 0
        # (lowest, highest) seconds each call but getUpdates takes, like the real API's round
        # trip; None answers at once.
        self.latency: tuple[float, float] | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        # For benchmarks that run the server in another process.
        app.router.add_post("/_fake/load", self._control_load)
        app.router.add_get("/_fake/done", self._control_done)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        # Port 0 lets the OS pick a free port; the runner knows which one it got.
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # -- scripting -------------------------------------------------------------------------------

    def fail_next(self, method: str, failure: Failure, times: int = 1) -> None:
        self.failures.setdefault(method, []).extend([failure] * times)

    def flood(self, method: str, retry_after: int) -> None:
        self.fail_next(
            method,
            Failure(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            ),
        )

    def drop_next(self, method: str) -> None:
        self.fail_next(method, Failure(drop=True))

    def block(self, chat_id: int) -> None:
        self.blocked.add(chat_id)

    def make_admin(self, chat_id: int, user_id: int, owner: bool = False) -> None:
        if owner:
            self.owners[chat_id] = user_id
        else:
            self.admins.setdefault(chat_id, set()).add(user_id)

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), kind: payload}
        self._updates.append(update)
        asyncio.get_running_loop().create_task(self._notify())
        return update

    def message(
        self, chat: dict[str, Any], sender: dict[str, Any] | None, text: str, **extra: Any
    ) -> dict[str, Any]:
        """A person (or, with sender None, a channel) writes `text` in `chat`."""
        self.chats[chat["id"]] = chat
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "text": text,
            **extra,
        }
        if sender is not None:
            message["from"] = sender
        if chat["type"] == "channel":
            message["sender_chat"] = chat
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        kind = "channel_post" if chat["type"] == "channel" else "message"
        return self.push(kind, message)

    def press(self, sent: Sent, button_text: str, presser: dict[str, Any]) -> dict[str, Any]:
        """`presser` presses the button labelled `button_text` under a message the bot sent.

        Only the update is pushed; `tap` also waits for the bot's answer.
        """
        button = next(b for b in sent.buttons if b["text"] == button_text)
        chat = self.chats[sent.chat_id]
        query = {
            "id": str(next(self._query_ids)),
            "from": presser,
            "chat_instance": "42",
            "message": {
                "message_id": sent.message_id,
                "date": int(time.time()),
                "chat": chat,
                "from": self.bot_user,
                "text": sent.text or "",
                "reply_markup": {"inline_keyboard": [[b] for b in sent.buttons]},
            },
            "data": button["callback_data"],
        }
        if sent.thread is not None:
            query["message"].update(message_thread_id=sent.thread, is_topic_message=True)
        return self.push("callback_query", query)

    def press_data(
        self, chat: dict[str, Any], presser: dict[str, Any], data: str
    ) -> dict[str, Any]:
        """A press with arbitrary callback data (an old message's button, say)."""
        self.chats[chat["id"]] = chat
        query = {
            "id": str(next(self._query_ids)),
            "from": presser,
            "chat_instance": "42",
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": chat,
                "from": self.bot_user,
                "text": "old",
            },
            "data": data,
        }
        return self.push("callback_query", query)

    def migrate(
        self, group: dict[str, Any], new_id: int, actor: dict[str, Any], *, announce: bool = True
    ) -> dict[str, Any]:
        """`actor` turns `group` into a supergroup with id `new_id`; returns the new chat.

        Telegram then posts a service message into each chat (`announce=False` loses them, as
        an update can be lost) and refuses sends to the old id, naming the new one.
        """
        supergroup = {**group, "id": new_id, "type": "supergroup"}
        self.chats[group["id"]], self.chats[new_id] = group, supergroup
        self.migrated[group["id"]] = new_id
        if announce:
            old_side = self._service_message(group, actor, migrate_to_chat_id=new_id)
            new_side = self._service_message(supergroup, actor, migrate_from_chat_id=group["id"])
            self.push("message", old_side)
            self.push("message", new_side)
        return supergroup

    def _service_message(
        self, chat: dict[str, Any], actor: dict[str, Any], **content: Any
    ) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": actor,
            **content,
        }

    def membership(self, chat: dict[str, Any], actor: dict[str, Any], status: str) -> None:
        """The bot's status in `chat` changes to `status` (kicked, left, member, administrator)."""
        self.chats[chat["id"]] = chat
        old = {"status": "member", "user": self.bot_user}
        new: dict[str, Any] = {"status": status, "user": self.bot_user}
        if status == "kicked":
            new["until_date"] = 0
            self.blocked.add(chat["id"])
        if status == "administrator":
            new.update(ADMIN_RIGHTS)
        elif status in ("member", "administrator"):
            self.blocked.discard(chat["id"])
        self.push(
            "my_chat_member",
            {
                "chat": chat,
                "from": actor,
                "date": int(time.time()),
                "old_chat_member": old,
                "new_chat_member": new,
            },
        )

    # -- conversation: one step and the bot's answer -------------------------------------------

    async def say(
        self,
        chat: dict[str, Any],
        person: dict[str, Any] | None,
        text: str,
        count: int = 1,
        **extra: Any,
    ) -> list[Sent]:
        """`person` writes `text` in `chat`; wait for the bot's `count` messages there."""
        self.message(chat, person, text, **extra)
        return await self.replies(chat["id"], count)

    async def answered(
        self, chat: dict[str, Any], person: dict[str, Any] | None, text: str, **extra: Any
    ) -> list[Sent]:
        """`person` writes `text` in `chat`; wait for the bot's next message, in whatever chat.

        A private reply asked for in a group arrives in the asker's private chat instead.
        """
        before = len(self.sent)
        self.message(chat, person, text, **extra)
        await self.wait_until(lambda: len(self.sent) > before)
        fresh = self.sent[before:]
        for chat_id in {sent.chat_id for sent in fresh}:
            self._seen[chat_id] = len(self.in_chat(chat_id))
        return fresh

    async def tap(
        self, sent: Sent, button_text: str, presser: dict[str, Any], count: int = 1
    ) -> list[Sent]:
        """Like `say`, for a button: `press` it and wait for the bot's `count` messages."""
        self.press(sent, button_text, presser)
        return await self.replies(sent.chat_id, count)

    # -- waiting ---------------------------------------------------------------------------------

    async def wait_until(self, predicate: Callable[[], bool], within: float = 10.0) -> None:
        """Wait until `predicate()` holds (re-checked on every API call)."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(predicate)

    async def replies(self, chat_id: int, count: int = 1, within: float = 10.0) -> list[Sent]:
        """Wait until `chat_id` has `count` new messages since the last call; return them."""
        seen = self._seen.get(chat_id, 0)
        await self.wait_until(lambda: len(self.in_chat(chat_id)) >= seen + count, within)
        fresh = self.in_chat(chat_id)[seen:]
        self._seen[chat_id] = len(self.in_chat(chat_id))
        return fresh

    def in_chat(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- remote control (benchmarks) -----------------------------------------------------------

    async def _control_load(self, request: web.Request) -> web.Response:
        """Queue `n` private messages `text` from `users` different people at once."""
        spec = await request.json()
        for index in range(int(spec["n"])):
            person = user(7400000000 + index % int(spec["users"]), spec.get("language", "en"))
            self.message(private_chat(person), person, str(spec["text"]))
        return web.json_response({"queued": int(spec["n"])})

    async def _control_done(self, request: web.Request) -> web.Response:
        """Answer once `n` messages were sent in all (or after `within` seconds)."""
        count = int(request.query["n"])
        with contextlib.suppress(TimeoutError):
            await self.wait_until(
                lambda: len(self.sent) >= count, float(request.query.get("within", "60"))
            )
        return web.json_response({"sent": len(self.sent)})

    # -- the Bot API -----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params, files = await _read_body(request)
        call = Call(method, params, files)
        self.calls.append(call)
        await self._notify()
        if self.latency is not None and method != "getUpdates":
            await asyncio.sleep(random.uniform(*self.latency))
        try:
            queued = self.failures.get(method)
            if queued:
                failure = queued.pop(0)
                if failure.drop:
                    # A network drop: the connection closes with no response at all.
                    assert request.transport is not None
                    request.transport.close()
                    raise ApiError(599, "dropped")
                raise ApiError(failure.status, failure.description, failure.parameters)
            handler = getattr(self, f"_api_{method.lower()}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            result = await handler(params, files)
        except ApiError as error:
            call.status = error.status
            await self._notify()
            return _error(error.status, error.description, error.parameters)
        await self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _api_getme(self, params: dict[str, Any], files: Any) -> Any:
        return self.bot_user

    async def _api_deletewebhook(self, params: dict[str, Any], files: Any) -> Any:
        self.webhook = None
        return True

    async def _api_setwebhook(self, params: dict[str, Any], files: Any) -> Any:
        self.webhook = params
        return True

    async def _api_getupdates(self, params: dict[str, Any], files: Any) -> Any:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        allowed = params.get("allowed_updates") or None
        self._updates = [u for u in self._updates if u["update_id"] >= offset]

        def pending() -> list[dict[str, Any]]:
            return [u for u in self._updates if allowed is None or set(u) & set(allowed)]

        if not pending() and timeout > 0:
            try:
                await self.wait_until(lambda: bool(pending()) or self._closing, timeout)
            except TimeoutError:
                return []
        return pending()[: int(params.get("limit") or 100)]

    async def _api_setmycommands(self, params: dict[str, Any], files: Any) -> Any:
        commands = params["commands"]
        for command in commands:
            if not COMMAND_NAME.match(command["command"]):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        scope = params.get("scope") or {"type": "default"}
        if scope["type"] == "chat" and int(scope["chat_id"]) not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        key = json.dumps(scope, sort_keys=True)
        self.commands[(key, params.get("language_code") or None)] = commands
        return True

    async def _api_getchatmember(self, params: dict[str, Any], files: Any) -> Any:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        self._known_chat(chat_id)
        person = user(user_id)
        if self.owners.get(chat_id) == user_id:
            return {"status": "creator", "user": person, "is_anonymous": False}
        if user_id in self.admins.get(chat_id, set()):
            return {"status": "administrator", "user": person, **ADMIN_RIGHTS}
        return {"status": "member", "user": person}

    async def _api_answercallbackquery(self, params: dict[str, Any], files: Any) -> Any:
        query_id = str(params["callback_query_id"])
        if query_id in self.callback_answers:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self.callback_answers[query_id] = params
        return True

    async def _api_sendmessage(self, params: dict[str, Any], files: Any) -> Any:
        chat = self._known_chat(int(params["chat_id"]))
        source = str(params.get("text", ""))
        text = render_html(source) if params.get("parse_mode") == "HTML" else source
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        buttons = _buttons(params.get("reply_markup"))
        message = self._record(chat, text=text, html=source, buttons=buttons, params=params)
        return message

    async def _api_deletemessage(self, params: dict[str, Any], files: Any) -> Any:
        if not self._delete(int(params["chat_id"]), int(params["message_id"])):
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _api_deletemessages(self, params: dict[str, Any], files: Any) -> Any:
        ids = params["message_ids"]
        ids = json.loads(ids) if isinstance(ids, str) else ids
        if not 1 <= len(ids) <= 100:
            raise ApiError(400, "Bad Request: message_ids must be 1 to 100 ids")
        chat_id = int(params["chat_id"])
        # Like the real API: the ones that cannot be deleted are skipped, and only when none
        # could be is the whole call refused.
        if not [m for m in ids if self._delete(chat_id, int(m))]:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _delete(self, chat_id: int, message_id: int) -> bool:
        """Delete one of the bot's own messages if it exists and is young enough."""
        key = (chat_id, message_id)
        sent_at = self._sent_at.get(key)
        if sent_at is None or key in self.deleted:
            return False
        if time.time() - sent_at > self.delete_window_s:
            return False
        self.deleted[key] = time.time()
        return True

    def deleted_in(self, chat_id: int) -> list[Sent]:
        """The bot's messages in the chat that it has deleted since."""
        return [s for s in self.in_chat(chat_id) if (chat_id, s.message_id) in self.deleted]

    async def _api_senddocument(self, params: dict[str, Any], files: Any) -> Any:
        chat = self._known_chat(int(params["chat_id"]))
        if "document" not in files:
            raise ApiError(400, "Bad Request: there is no document in the request")
        buttons = _buttons(params.get("reply_markup"))
        return self._record(
            chat, text=None, html=None, buttons=buttons, params=params, document=files["document"]
        )

    async def _api_editmessagetext(self, params: dict[str, Any], files: Any) -> Any:
        chat = self._known_chat(int(params["chat_id"]))
        message_id = int(params["message_id"])
        sent = next(
            (m for m in self.sent if m.chat_id == chat["id"] and m.message_id == message_id), None
        )
        if sent is None or sent.text is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        source = str(params.get("text", ""))
        text = render_html(source) if params.get("parse_mode") == "HTML" else source
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > 4096:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        buttons = _buttons(params.get("reply_markup"))
        if text == sent.text and buttons == sent.buttons:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        sent.earlier.append(sent.text)
        sent.text, sent.html, sent.buttons = text, source, buttons
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "edit_date": int(time.time()),
            "chat": chat,
            "from": self.bot_user,
            "text": text,
        }
        if buttons:
            message["reply_markup"] = {"inline_keyboard": [[b] for b in buttons]}
        return message

    def _known_chat(self, chat_id: int) -> dict[str, Any]:
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated[chat_id]},
            )
        if chat_id in self.blocked:
            if chat["type"] == "private":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat['type']} chat")
        return chat

    def _record(
        self,
        chat: dict[str, Any],
        *,
        text: str | None,
        html: str | None,
        buttons: list[dict[str, Any]],
        params: dict[str, Any],
        document: tuple[str, bytes] | None = None,
    ) -> dict[str, Any]:
        reply_to = (params.get("reply_parameters") or {}).get("message_id")
        mentions = MENTION.findall(text or "")
        sent = Sent(
            chat["id"],
            next(self._message_ids),
            text,
            html,
            buttons,
            document,
            reply_to,
            mentions,
            params.get("message_thread_id"),
            bool(params.get("protect_content")),
        )
        self.sent.append(sent)
        self._sent_at[(sent.chat_id, sent.message_id)] = time.time()
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user,
        }
        if text is not None:
            message["text"] = text
        if document is not None:
            message["document"] = {
                "file_id": f"doc{sent.message_id}",
                "file_unique_id": f"u{sent.message_id}",
                "file_name": document[0],
                "file_size": len(document[1]),
                "mime_type": "text/calendar",
            }
        if buttons:
            message["reply_markup"] = {"inline_keyboard": [[b] for b in buttons]}
        return message


def _buttons(markup: Any) -> list[dict[str, Any]]:
    if not markup:
        return []
    rows = markup.get("inline_keyboard")
    if rows is None:
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    buttons = [button for row in rows for button in row]
    for button in buttons:
        if "callback_data" in button and not 1 <= len(button["callback_data"].encode()) <= 64:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        if "url" in button and not re.match(r"^(https?|tg)://", button["url"]):
            raise ApiError(400, "Bad Request: inline keyboard button URL is invalid")
        if not button.get("text"):
            raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
    return buttons


async def _read_body(request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    params: dict[str, Any] = {}
    files: dict[str, tuple[str, bytes]] = {}
    if request.content_type == "application/json":
        return dict(await request.json()), files
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = (value.filename, value.file.read())
        elif key in JSON_FIELDS:
            params[key] = json.loads(str(value))
        elif key in INT_FIELDS:
            params[key] = int(str(value)) if str(value).lstrip("-").isdigit() else str(value)
        elif key in BOOL_FIELDS:
            params[key] = json.loads(str(value))
        else:
            params[key] = str(value)
    return params, files


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


@contextlib.asynccontextmanager
async def running(
    messenger: Any, dispatch: Any, fake: FakeTelegram, ready_on: str = "getUpdates"
) -> AsyncIterator[Any]:
    """Run `messenger` against `fake` for the block; it is receiving when the block starts."""
    task = asyncio.create_task(messenger.run(dispatch))
    polls = len(fake.calls_to(ready_on))
    waiting = asyncio.create_task(
        fake.wait_until(lambda: len(fake.calls_to(ready_on)) > polls, within=15)
    )
    done, _ = await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        waiting.cancel()
        task.result()  # start-up failed: raise its error here
    try:
        yield messenger
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 10.0) -> None:
    """Poll an async condition that leaves no trace in the API (a store write, say)."""
    async with asyncio.timeout(within):
        # A store write raises no event the test could wait on, so it is polled.
        while not await check():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


def serve_until_told(pipe: Any) -> None:
    """A process target: serve a FakeTelegram, send its port down `pipe`, stop on any message."""

    async def main() -> None:
        fake = FakeTelegram()
        await fake.start()
        pipe.send(fake.port)
        await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
        await fake.stop()

    asyncio.run(main())
