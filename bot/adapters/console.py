"""A terminal chat on the same core: type commands, press buttons by number, or pipe commands in."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.core.commands import split_command_line
from bot.core.conversation import FREE_TEXT
from bot.core.messages import (
    ActionButton,
    Address,
    ChatKind,
    Reply,
    Request,
    ShareButton,
    UrlButton,
)
from bot.core.ports import Dispatch, PlatformPacing

# Terminal control sequences in text would let content (or a pasted line) repaint the screen.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]|\x1b\[[0-?]*[ -/]*[@-~]")


def terminal_safe(text: str) -> str:
    """The console's escaping: drop control characters and escape sequences, keep newlines."""
    return CONTROL.sub("", text)


class ConsoleMessenger:
    """One local chat with one user, over stdin and stdout."""

    platform = "console"
    # A terminal takes whatever it is sent; the broadcast fan-out's defaults are enough.
    pacing = PlatformPacing()

    def __init__(
        self,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        files_dir: Path = Path("data/console-files"),
        locale: str | None = None,
        user_id: str = "local",
    ) -> None:
        self._stdin = stdin or sys.stdin
        self._stdout = stdout or sys.stdout
        self._files_dir = files_dir
        self._locale = locale
        self._chat = Address(self.platform, user_id)
        self._user_id = user_id
        self._buttons: list[ActionButton] = []

    @property
    def interactive(self) -> bool:
        return self._stdin.isatty()

    async def run(self, dispatch: Dispatch) -> None:
        """Read lines until end of input; each line is a command or a button number."""
        if self.interactive:
            self._write("allybot console. Type /help, a button number, or Ctrl-D to leave.\n")
        while True:
            if self.interactive:
                self._write("> ")
            line = await self._readline()
            if not line:
                return
            request = self._request(line.strip())
            if request is None:
                continue
            reply = await dispatch(request)
            if reply is not None:
                await self.send(self._chat, reply)

    async def _readline(self) -> str:
        """The next line, read in a daemon thread: a stop (Ctrl-C, SIGTERM) cancels the wait and
        the process exits without waiting for someone to press Enter."""
        loop = asyncio.get_running_loop()
        line: asyncio.Future[str] = loop.create_future()

        def settle(text: str | None, error: BaseException | None) -> None:
            if line.done():
                return
            if error is not None:
                line.set_exception(error)
            else:
                line.set_result(text or "")

        def read() -> None:
            text, error = None, None
            try:
                text = self._stdin.readline()
            except BaseException as failure:
                error = failure
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(settle, text, error)

        threading.Thread(target=read, name="console-stdin", daemon=True).start()
        return await line

    def _request(self, line: str) -> Request | None:
        if not line:
            return None
        if line.isdigit() and 0 < int(line) <= len(self._buttons):
            button = self._buttons[int(line) - 1]
            command, args = button.command, button.args
        else:
            parsed = split_command_line(line)
            # Anything else is a plain message: the answer to a step-by-step command's question.
            command, args = parsed if parsed else (FREE_TEXT, (line,))
        return Request(command, args, self._chat, self._user_id, ChatKind.PRIVATE, self._locale)

    async def delete(self, address: Address, message_ids: Sequence[str]) -> None:
        """Nothing to delete: a terminal cannot take back what it printed."""

    async def send(self, address: Address, reply: Reply) -> Sequence[str]:
        """Print the reply, number its action buttons and save any attachment to a file."""
        out = [terminal_safe(reply.text)]
        self._buttons = []
        for button in reply.buttons:
            if isinstance(button, UrlButton):
                out.append(f"  [{terminal_safe(button.label)}] {terminal_safe(button.url)}")
            elif isinstance(button, ShareButton):
                # A terminal cannot share; the campaign's public page is what to pass on.
                if button.page is not None:
                    out.append(f"  [{terminal_safe(button.label)}] {terminal_safe(button.page)}")
            else:
                self._buttons.append(button)
                out.append(f"  {len(self._buttons)}) {terminal_safe(button.label)}")
        if reply.attachment is not None:
            self._files_dir.mkdir(parents=True, exist_ok=True)
            path = self._files_dir / Path(reply.attachment.filename).name
            path.write_bytes(reply.attachment.content)
            out.append(f"  [file saved: {path}]")
        self._write("\n".join(out) + "\n\n")
        return ()

    def _write(self, text: str) -> None:
        self._stdout.write(text)
        self._stdout.flush()
