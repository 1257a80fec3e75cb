"""Answering the core's questions on Discord, where the bot cannot read a server channel.

The core takes the asker's next plain message in the same chat as the answer to a question
(`Reply.asks`). In server channels the bot has no message-content intent (privileged, and never
required), so a question gets an "Answer" button that opens a modal; its submission becomes that
plain message. In a DM with the bot Discord delivers message content anyway, so people may also
just type there.

Both custom ids carry all they need (whether the question was ephemeral), so a button pressed or
a modal submitted after a restart still works; neither starts with render.ACTION_PREFIX, so the
core never mistakes one for a command.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.core.i18n import N_
from bot.core.labels import shorten

# What the answer button and the modal are called and how long an answer may be.
ANSWER_LABEL = N_("✍️ Answer")
MODAL_TITLE = "allybot"
INPUT_LABEL = N_("Your answer")
EMPTY_ANSWER = N_("The answer was empty, so nothing changed. Press ✍️ Answer to try again.")
# What a submitted answer gets in a server channel when no question waits for it any more.
EXPIRED = N_(
    "That question is no longer open (it expired or was already answered). "
    "Please start the command again."
)
MAX_TITLE = 45
MAX_INPUT_LABEL = 45
MAX_PLACEHOLDER = 100
MAX_ANSWER = 4000

# `ally-answer` for a question everyone in the channel saw, `ally-answer:private` for one shown
# to the asker alone; the modal's custom id is the same with `-form`.
ANSWER_ID = "ally-answer"
FORM_ID = "ally-answer-form"
PRIVATE = ":private"
INPUT_ID = "answer"
_FORM = re.compile(re.escape(FORM_ID) + r"(?P<private>" + re.escape(PRIVATE) + r")?")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def answer_custom_id(private: bool) -> str:
    return ANSWER_ID + (PRIVATE if private else "")


def answer_button(label: str, private: bool) -> discord.ui.Button[Any]:
    return discord.ui.Button(
        label=label, style=discord.ButtonStyle.primary, custom_id=answer_custom_id(private)
    )


class AnswerForm(discord.ui.Modal):
    """One paragraph input. Reported as finished, so discord.py never stores it: its submission
    is routed by custom id (`form_submission`), which also works after a restart."""

    def __init__(self, question: str, label: str, private: bool) -> None:
        super().__init__(
            title=MODAL_TITLE[:MAX_TITLE],
            custom_id=FORM_ID + (PRIVATE if private else ""),
            timeout=None,
        )
        self.add_item(
            discord.ui.TextInput(
                label=shorten(label, MAX_INPUT_LABEL) or "…",
                style=discord.TextStyle.paragraph,
                custom_id=INPUT_ID,
                # The full question is in the message above; this is a reminder.
                placeholder=placeholder(question),
                required=True,
                max_length=MAX_ANSWER,
            )
        )

    def is_finished(self) -> bool:
        return True


class AnswerItem(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.escape(ANSWER_ID) + r"(?P<private>" + re.escape(PRIVATE) + r")?",
):
    """The answer button, alive across restarts like render.ActionItem."""

    def __init__(self, private: bool = False, label: str = "…") -> None:
        super().__init__(answer_button(label, private))
        self.private = private

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> AnswerItem:
        return cls(bool(match["private"]), getattr(item, "label", None) or "…")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handler = getattr(interaction.client, "on_answer_button", None)
        if handler is not None:
            await handler(interaction, self.private)


def placeholder(question: str) -> str:
    """The question as plain text on one line, cut to Discord's 100 characters."""
    text = " ".join(_ESCAPE.sub(r"\1", question).split())
    return shorten(text, MAX_PLACEHOLDER)


def form_submission(data: Any) -> tuple[bool, str] | None:
    """(private, answer) from a MODAL_SUBMIT's data when it is our form; None otherwise.

    The input is looked for at any depth: Discord nests it in an action row (type 1) or, for
    modals built with labels, in a label's `component` (type 18).
    """
    if not isinstance(data, dict):
        return None
    matched = _FORM.fullmatch(str(data.get("custom_id", "")))
    if matched is None:
        return None
    return bool(matched["private"]), _input_value(data.get("components", []))


def _input_value(components: Any) -> str:
    pending = list(components) if isinstance(components, list) else []
    while pending:
        component = pending.pop(0)
        if not isinstance(component, dict):
            continue
        if component.get("custom_id") == INPUT_ID and component.get("type") == 4:
            return str(component.get("value") or "")
        pending.extend(component.get("components") or [])
        if isinstance(component.get("component"), dict):
            pending.append(component["component"])
    return ""
