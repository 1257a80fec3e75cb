"""A pytest plugin that shows which of the project's source files one request runs through.

It opens a window at the first call of a function named PATHTRACE_START in the checkout's own
code, follows that task until the call returns, and prints the files touched in order and how
many distinct file-to-file calls (hops) there were. A window is reported only if it touched a
path containing PATHTRACE_NEED. For example, one Telegram `/events` request:

    PATHTRACE_START=on_command PATHTRACE_NEED=handlers/events .venv/bin/python -m pytest \
      -p tests.support.pathtrace tests/adapters/telegram/test_commands.py -k calendar

and one reminder being sent:

    PATHTRACE_START=tick PATHTRACE_NEED=handlers/texts .venv/bin/python -m pytest \
      -p tests.support.pathtrace tests/core/reminders/test_scheduler.py -k default_lead_times
"""

from __future__ import annotations

import asyncio
import dis
import os
import sys
from types import FrameType
from typing import Any

import pytest

from tests.support.paths import REPO

ROOT = str(REPO) + os.sep
START = os.environ.get("PATHTRACE_START", "")
NEED = os.environ.get("PATHTRACE_NEED", "")
_COROUTINE = 0x80  # CO_COROUTINE: its frames "return" at every await, not only at the end


class _Window:
    def __init__(self) -> None:
        self.frame: FrameType | None = None
        self.task: asyncio.Task[Any] | None = None
        self.files: list[str] = []
        self.edges: set[tuple[str, str]] = set()
        self.report: tuple[list[str], int] | None = None


_window = _Window()


def _ours(path: str) -> bool:
    return path.startswith(ROOT) and f"{os.sep}tests{os.sep}" not in path and ".venv" not in path


def _finished(frame: FrameType) -> bool:
    """Whether a coroutine frame that returns now is done, not suspended at an await."""
    try:
        return dis.opname[frame.f_code.co_code[frame.f_lasti]] == "RETURN_VALUE"
    except IndexError:
        return True


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None


def _profile(frame: FrameType, event: str, arg: object) -> None:
    window = _window
    if window.report is not None:
        return
    task = _current_task()
    if window.frame is not None and task is not window.task:
        return  # another task's work (polling, menus) interleaved: not this request's path
    code = frame.f_code
    if event == "call" and _ours(code.co_filename):
        if window.frame is None and code.co_name == START:
            window.frame, window.task, window.files, window.edges = frame, task, [], set()
        if window.frame is None:
            return
        here = code.co_filename[len(ROOT) :]
        if here not in window.files:
            window.files.append(here)
        caller = frame.f_back
        while caller is not None and not _ours(caller.f_code.co_filename):
            caller = caller.f_back
        if caller is not None and caller.f_code.co_filename[len(ROOT) :] != here:
            window.edges.add((caller.f_code.co_filename[len(ROOT) :], here))
    elif event == "return" and frame is window.frame:
        if code.co_flags & _COROUTINE and not _finished(frame):
            return
        if not NEED or any(NEED in path for path in window.files):
            window.report = (list(window.files), len(window.edges))
        window.frame = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    sys.setprofile(_profile)
    try:
        return (yield)
    finally:
        sys.setprofile(None)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    files, hops = _window.report or ([], 0)
    terminalreporter.write_line(f"path: {len(files)} files, {hops} hops")
    for path in files:
        terminalreporter.write_line(f"  {path}")
