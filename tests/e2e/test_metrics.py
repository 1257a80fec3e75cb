"""METRICS_LISTEN end to end: the real `allybot run` process, people talking through the fake
Bot API, and /metrics scraped over HTTP as Prometheus would.

The counters move with what people and the organizer do (replies timed, a broadcast's copies
counted, a 429 counted), the queue gauges are there, and nothing in the body names a chat, a
person, a text or the token.
"""

from __future__ import annotations

import asyncio
import socket
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.adapters.telegram.fake_server import (
    ALICE,
    BORIS,
    BOT_ID,
    ORGANIZER,
    TOKEN,
    FakeTelegram,
    private_chat,
)
from tests.e2e.conftest import BotProcess, stopped_at_the_end
from tests.e2e.people import button_data, pause

RALLY = "Rally at the embassy on Saturday, 14:00. Bring a friend and a sign."
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def measured(
    fake: FakeTelegram, database_url: str, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    """The real process with METRICS_LISTEN on a free port of this machine (not started)."""
    listen = f"127.0.0.1:{free_port()}"
    process = BotProcess(fake, database_url, tmp_path, settings={"METRICS_LISTEN": listen})
    async with stopped_at_the_end(process):
        yield process
    assert "Traceback" not in process.stderr, process.stderr


async def scrape(process: BotProcess) -> tuple[str, Samples]:
    """GET /metrics (in a thread: the fake Telegram runs on this event loop)."""
    url = f"http://{process.settings['METRICS_LISTEN']}/metrics"

    def get() -> str:
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
            body: bytes = response.read()
            return body.decode()

    body = await asyncio.to_thread(get)
    found = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }
    return body, found


def sends(found: Samples, outcome: str) -> float:
    return found[("allybot_sends_total", (("outcome", outcome), ("platform", "telegram")))]


def replies(found: Samples) -> float:
    return found[("allybot_reply_seconds_count", (("platform", "telegram"),))]


def rate_limited(found: Samples) -> float:
    return found[("allybot_rate_limited_total", (("platform", "telegram"),))]


async def test_people_and_a_broadcast_move_the_counters_and_nothing_personal_is_shown(
    fake: FakeTelegram, measured: BotProcess
) -> None:
    await measured.start()
    _, before = await scrape(measured)
    assert (sends(before, "sent"), replies(before), rate_limited(before)) == (0, 0, 0)
    assert before[("allybot_queue_depth", (("platform", ""), ("queue", "reminders")))] == 0
    assert before[("allybot_reminder_lag_seconds", ())] == 0

    for person in (ALICE, BORIS):
        await fake.say(private_chat(person), person, "/start")
        await pause()
        if person is BORIS:
            # Telegram asks the bot to slow down once, on the answer to Boris's /subscribe.
            fake.flood("sendMessage", 1)
        await fake.say(private_chat(person), person, "/subscribe events")
        await pause()
    exact, preview = await fake.say(
        private_chat(ORGANIZER), ORGANIZER, f"/broadcast events {RALLY}", count=2
    )
    assert exact.text == RALLY
    await pause()
    await fake.tap(preview, button_data(preview, "bcsend"), ORGANIZER)
    await fake.wait_until(
        lambda: any("finished" in (s.text or "") for s in fake.in_chat(ORGANIZER["id"])),
        within=30,
    )

    body, after = await scrape(measured)
    # Alice's and Boris's copies at least (the organizer's progress report goes the same way).
    assert sends(after, "sent") >= 2, body
    assert sends(after, "failed") == 0
    # /start and /subscribe twice each, /broadcast and the Send button.
    assert replies(after) >= 6, body
    assert after[("allybot_reply_seconds_bucket", (("le", "+Inf"), ("platform", "telegram")))] == (
        replies(after)
    )
    assert rate_limited(after) >= 1, body
    # The broadcast is finished: nothing of it is queued any more.
    assert (
        after.get(("allybot_queue_depth", (("platform", "telegram"), ("queue", "broadcast"))), 0)
        == 0
    )

    for private in (
        TOKEN,
        TOKEN.split(":")[1],
        RALLY,
        "Rally",
        *(str(person["id"]) for person in (ALICE, BORIS, ORGANIZER)),
        str(BOT_ID),
        ALICE["first_name"],
        BORIS["first_name"],
    ):
        assert private not in body, f"/metrics shows {private!r}"
