"""Properties of the Discord adapter's pure parts: splitting, option placement, log redaction."""

from __future__ import annotations

import logging

from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.discord.commands import suggestions, words_for
from bot.adapters.discord.logging import Redactor
from bot.adapters.discord.render import MAX_MESSAGE_CHARS, custom_id, escape, split_message
from bot.core.commands import Arg, ArgKind, Command
from bot.core.messages import ActionButton, Reply
from tests.support.paths import REPO

texts = st.text(alphabet=st.sampled_from("ab c\n\\*_~`>#-|@<>"), max_size=9000)


def _squeezed(text: str) -> str:
    return "".join(text.split())


@given(texts)
def test_pieces_fit_discord_and_lose_nothing_but_whitespace(text: str) -> None:
    escaped = escape(text)
    pieces = split_message(escaped)
    assert all(0 < len(piece) <= MAX_MESSAGE_CHARS for piece in pieces)
    assert all(piece.strip() for piece in pieces)
    assert _squeezed("".join(pieces)) == _squeezed(escaped)


@given(texts)
def test_no_piece_strands_an_escape_from_its_character(text: str) -> None:
    for piece in split_message(escape(text))[:-1]:
        trailing = len(piece) - len(piece.rstrip("\\"))
        assert trailing % 2 == 0


def test_text_is_split_at_paragraphs_when_it_can_be() -> None:
    paragraph = "word " * 300
    pieces = split_message("\n\n".join([paragraph.strip()] * 3))
    assert len(pieces) == 3
    assert all(piece == paragraph.strip() for piece in pieces)


async def _nothing(request: object, deps: object) -> Reply:
    return Reply("")


COMMAND: Command[object] = Command(
    "settings",
    "Settings",
    _nothing,
    args=(
        Arg("what", "what", choices=("timezone", "language")),
        Arg("where", "where"),
        Arg("value", "value"),
    ),
)


@given(
    st.dictionaries(st.sampled_from(["what", "where", "value"]), st.text(min_size=1, max_size=20))
)
def test_options_keep_their_positions_whatever_is_skipped(values: dict[str, str]) -> None:
    words = words_for(COMMAND, values)
    names = [arg.name for arg in COMMAND.args]
    for index, name in enumerate(names):
        if name in values:
            assert words[index] == values[name]
    provided = [names.index(name) for name in values]
    assert len(words) == (max(provided) + 1 if provided else 0)
    if "what" not in values and words:
        assert words[0] == "timezone"  # a skipped choice takes its first choice


@given(st.lists(st.text(alphabet="abc-_", min_size=1, max_size=30), max_size=8))
def test_action_custom_ids_fit_or_are_refused(args: list[str]) -> None:
    value = custom_id(ActionButton("x", "rsvp", tuple(args)))
    assert value is None or (len(value) <= 100 and value.startswith("ally:"))


@given(st.integers(10**16, 10**20 - 1), st.text(alphabet="abc /:0", max_size=20))
def test_ids_and_tokens_are_redacted_from_discord_log_lines(snowflake: int, noise: str) -> None:
    token = "MTE3.secret-token.Zm9v"
    redactor = Redactor((token,))
    message = (
        f"POST https://discord.com/api/v10/interactions/{snowflake}/aW50ZXJh{noise}tok/"
        f"callback {noise} channel {snowflake} auth {token}"
    )
    record = logging.LogRecord("discord.http", logging.WARNING, __file__, 1, "%s", (message,), None)
    redactor.filter(record)
    line = record.getMessage()
    assert str(snowflake) not in line
    assert token not in line
    assert "aW50ZXJh" not in line


def test_rate_limit_warnings_are_counted() -> None:
    redactor = Redactor()
    record = logging.LogRecord(
        "discord.http",
        logging.WARNING,
        __file__,
        1,
        "We are being rate limited. %s %s responded with 429.",
        ("POST", "https://discord.com/api/v10/channels/1/messages"),
        None,
    )
    redactor.filter(record)
    assert redactor.rate_limited == 1


def test_the_documented_invite_link_asks_for_exactly_the_permissions_setup_checks() -> None:
    import re

    import discord

    from bot.adapters.discord.probe import REQUIRED_PERMISSIONS

    docs = (REPO / "README.md").read_text()
    numbers = set(re.findall(r"permissions=(\d+)", docs))
    needed = discord.Permissions(**{flag: True for _, flag in REQUIRED_PERMISSIONS})
    assert numbers == {str(needed.value)}
    for label, _ in REQUIRED_PERMISSIONS:
        assert label.rstrip("s") in docs


def test_suggestions_follow_the_kind_the_other_options_name() -> None:
    value = Arg("value", "value", kind_from="what")
    languages = ("en", "ru")

    def suggested(what: str, typed: str) -> list[tuple[str, str]]:
        return suggestions(value.kind_given({"what": what}), typed, languages)

    assert ("Europe/Berlin", "Europe/Berlin") in suggested("timezone", "berlin")
    assert suggested("language", "рус") == [("ru", "Русский")]
    assert suggested("language", "eng") == [("en", "English")]
    assert suggested("quiet", "22") == []


@given(st.text(max_size=30))
def test_suggestions_always_fit_discord(typed: str) -> None:
    for kind in ArgKind:
        assert len(suggestions(kind, typed, ("en", "ru"))) <= 25
