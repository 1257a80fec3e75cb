"""/whoami: the id ORGANIZERS takes, private, in the asker's language."""

from __future__ import annotations

import pytest

from bot.core.messages import ChatKind
from bot.settings import Settings
from tests.support.chat import Say

PURPOSE = (
    "Give this to the campaign's admin to be added as an organizer; it identifies your account, "
    "so share it only with them."
)


@pytest.mark.parametrize(
    ("platform", "user", "expected"),
    [
        ("telegram", "123456", "telegram:123456"),
        ("discord", "987654321098765432", "discord:987654321098765432"),
        ("console", "local", "console:local"),
    ],
)
async def test_whoami_gives_the_platform_qualified_id_privately(
    say: Say, platform: str, user: str, expected: str
) -> None:
    reply = await say("/whoami", chat=user, user=user, platform=platform)
    assert reply.text == f"Your user id: {expected}\n{PURPOSE}"
    assert reply.private and not reply.buttons


async def test_whoami_in_russian(say: Say) -> None:
    reply = await say("/whoami", chat="123456", platform="telegram", locale="ru")
    assert reply.text.startswith("Ваш идентификатор: telegram:123456\n")
    assert "администратору кампании" in reply.text


async def test_in_a_group_it_is_the_askers_id_not_the_groups_and_only_for_them(say: Say) -> None:
    reply = await say(
        "/whoami", chat="-100777", user="42", kind=ChatKind.GROUP, platform="telegram"
    )
    assert "telegram:42" in reply.text and "-100777" not in reply.text
    assert reply.private  # adapters show it to the asker alone (tests/adapters/telegram)
    assert reply.text.endswith("(Shown only to you.)")


async def test_whoami_is_in_help_for_everyone(say: Say) -> None:
    help_text = (await say("/help", chat="supporter")).text
    assert "/whoami — Your user id, for the campaign's admin" in help_text
    assert "/whoami — Ваш идентификатор" in (await say("/help", chat="ru", locale="ru")).text


async def test_the_id_whoami_gives_is_the_one_organizers_is_matched_against(
    say: Say, settings: Settings
) -> None:
    """tests/conftest.py sets ORGANIZERS=console:organizer: that is exactly what /whoami tells
    the organizer, and what it tells anyone else is not in it."""
    organizer = (await say("/whoami", chat="organizer")).text.splitlines()[0]
    supporter = (await say("/whoami", chat="supporter")).text.splitlines()[0]
    listed = {str(address) for address in settings.organizers}
    assert organizer.removeprefix("Your user id: ") in listed
    assert supporter.removeprefix("Your user id: ") not in listed
    assert "No broadcasts yet" in (await say("/broadcasts", chat="organizer")).text
    refused = (await say("/broadcasts", chat="supporter")).text
    assert refused == "Only campaign organizers can use this command."
