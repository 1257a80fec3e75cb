"""The share button on Telegram: a share sheet carrying a link into this very bot, counted under
the appeal's campaign tag, with the message prefilled in the reader's language."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.adapters.telegram import TelegramMessenger
from bot.adapters.telegram.render import keyboard, share_url
from bot.app import Core
from bot.core.messages import ShareButton
from tests.adapters.telegram.fake_server import ALICE, BORIS, BOT_USERNAME, FakeTelegram
from tests.adapters.telegram.fake_server import private_chat as private


@pytest.mark.parametrize(
    ("person", "label", "message", "network"),
    [
        (ALICE, "📣 Share this appeal", "this bot shows where to give", "https://lgbtnet.org/en/"),
        (BORIS, "📣 Поделиться призывом", "этот бот подскажет", "https://lgbtnet.org/"),
    ],
    ids=["en", "ru"],
)
async def test_donate_shares_a_deep_link_into_the_bot(
    tg: TelegramMessenger,
    fake: FakeTelegram,
    core: Core,
    person: dict[str, Any],
    label: str,
    message: str,
    network: str,
) -> None:
    [donate] = await fake.say(private(person), person, "/donate")
    urls = {button["text"]: button.get("url") for button in donate.buttons}
    shared = urlsplit(urls[label])
    assert (shared.scheme, shared.netloc, shared.path) == ("https", "t.me", "/share/url")
    query = parse_qs(shared.query)
    assert query["url"] == [f"https://t.me/{BOT_USERNAME}?start=appeal"]
    assert message in query["text"][0]
    assert network in urls.values(), "the fund's own page, in the reader's language"
    # Whoever opens the shared link arrives at /start appeal, which is counted (never who).
    await fake.say(private(person), person, "/start appeal")
    assert await core.store.campaign_starts() == {"appeal": 1}


def test_before_the_bot_knows_its_name_the_campaign_page_or_nothing() -> None:
    with_page = ShareButton("Share", "appeal", "Help", "https://example.org/campaign")
    assert share_url(with_page, None) == "https://example.org/campaign"
    without = ShareButton("Share", "appeal", "Help")
    assert keyboard((without,), None) is None
    markup = keyboard((without,), "some_bot")
    assert markup is not None
    [[button]] = markup.inline_keyboard
    assert (
        button.url
        == "https://t.me/share/url?url=https%3A%2F%2Ft.me%2Fsome_bot%3Fstart%3Dappeal&text=Help"
    )
