"""/dashboard: a one-time link for organizers (whole campaign) and a group's admins (their
group), private, in the asker's language; refused to everyone else."""

from __future__ import annotations

import re

from bot.app import Core
from bot.core.messages import Address, ChatKind, UrlButton
from tests.support.chat import Say

LINK = re.compile(r"^http://127\.0\.0\.1:8080/login/([A-Za-z0-9_-]{43})$", re.M)


async def test_an_organizer_gets_a_private_link_for_the_whole_campaign(
    say: Say, core: Core
) -> None:
    reply = await say("/dashboard", chat="organizer")
    found = LINK.search(reply.text)
    assert found is not None, reply.text
    assert reply.private
    assert reply.buttons == (UrlButton("Open the dashboard", found[0]),)
    assert "works once, within 10 minutes, and only for you" in reply.text
    signed_in = await core.web_access.log_in(found[1])
    assert signed_in is not None and signed_in[1].organizer
    assert signed_in[1].user == Address("console", "organizer")


async def test_a_groups_admin_gets_a_link_for_their_group_only(say: Say, core: Core) -> None:
    reply = await say(
        "/dashboard", chat="-100555", user="77", kind=ChatKind.GROUP, admin=True, locale="ru"
    )
    found = LINK.search(reply.text)
    assert found is not None and "только страницы этой группы" in reply.text
    signed_in = await core.web_access.log_in(found[1])
    assert signed_in is not None
    assert signed_in[1].scope == Address("console", "-100555")


async def test_supporters_and_group_members_get_no_link(say: Say) -> None:
    for reply in (
        await say("/dashboard", chat="supporter"),
        await say("/dashboard", chat="-100555", user="78", kind=ChatKind.GROUP),
    ):
        assert "/login/" not in reply.text and not reply.buttons
