"""The one registry: every command declared in handlers/registry.py, in a menu order that holds."""

from __future__ import annotations

import ast

from handlers.registry import build_registry
from tests.support.chat import Say
from tests.support.paths import REPO

MENU_ORDER = [
    "start",
    "help",
    "donate",
    "events",
    "petition",
    "remember",
    "subscribe",
    "unsubscribe",
    "settings",
    "setup",
    "privacy",
    "whoami",
    "forget",
    "reminders",
    "newevent",
    "editevent",
    "cancelevent",
    "eventform",
    "eventdraft",
    "broadcast",
    "broadcasts",
    "bcwrite",
    "bcsend",
    "approve",
    "cancel",
    "dashboard",
    "ics",
    "show",
    "rsvp",
]


def test_the_menu_order_holds() -> None:
    """Adapters publish menus in registry order; moving handlers must not reshuffle them."""
    assert [command.name for command in build_registry()] == MENU_ORDER


def test_commands_are_declared_only_in_the_registry() -> None:
    """A newcomer finds every command in handlers/registry.py, so no other handler module
    builds a Command."""
    for path in (REPO / "handlers").rglob("*.py"):
        if path.name == "registry.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "Command", f"{path.relative_to(REPO)}:{node.lineno}"


async def test_reminder_times_are_their_own_command_not_a_setting(say: Say) -> None:
    """/settings changes time zone, language, quiet hours and discreet mode; lead times belong
    to /reminders."""
    refused = await say("/settings reminders 1d")
    assert (
        "“reminders” is not one of: timezone, language, quiet, discreet, deleteafter."
        in refused.text
    )
    changed = await say("/reminders 1d")
    assert "Event reminders will come 1 day before" in changed.text
    assert "Event reminders: 1 day before (change: /reminders)" in (await say("/settings")).text
