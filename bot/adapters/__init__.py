"""One package per platform: the only places that know a platform's SDK.

What every adapter's build takes from the composition root is declared here once; each adapter
extends it with what only it needs (a chat reader, ChatEvents, the server setups).
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.core.commands import Registry
from bot.core.ports import Translator
from bot.settings import Settings


class CoreParts(Protocol):
    """The composition root's parts every adapter's build reads (bot.app.Core has them all)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def registry(self) -> Registry[Any]: ...

    @property
    def translator(self) -> Translator: ...
