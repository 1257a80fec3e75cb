"""The new-event form's live check: whatever a person types as a date, a friendly answer.

The check is the chat's own (the step-by-step /eventform's per-answer check, run through
Dispatcher.check_answer): typed text is read by the same date parser, so any crash there would
reach the page. Hypothesis types what people type: dates, words, both alphabets, emoji, blanks.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import Core
from tests.adapters.web.events_helpers import opened

WORDS = st.sampled_from(
    [
        "today",
        "tomorrow",
        "Saturday",
        "next",
        "at",
        "18:00",
        "7pm",
        "2027-03-29",
        "29.03.2027",
        "завтра",
        "в",
        "суббота",
        "29",
        "марта",
        "noon",
        "25:61",
        "0",
        "-1",
        "📅",
        "  ",
        "\n",
        "Europe/Berlin",
        "+03:00",
        "1e9",
        "31 февраля",
    ]
)
TYPED = st.one_of(
    st.text(max_size=40),
    st.lists(WORDS, max_size=6).map(" ".join),
)


async def test_any_typed_start_or_end_gets_a_friendly_answer(core: Core) -> None:
    loop = asyncio.get_running_loop()
    async with opened(core) as page:

        async def ask(values: dict[str, str]) -> tuple[int, dict[str, Any]]:
            response = await page.client.post("/events/check", data={"csrf": page.csrf, **values})
            return response.status, json.loads(await response.text())

        @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
        @given(zone=st.sampled_from(["Europe/London", "Moscow", "nowhere"]), start=TYPED, end=TYPED)
        def typed(zone: str, start: str, end: str) -> None:
            values = {"timezone": zone, "title": "Vigil", "start": start, "end": end}
            status, verdicts = asyncio.run_coroutine_threadsafe(ask(values), loop).result(30)
            assert status == 200
            for name in ("timezone", "start", "end"):
                verdict = verdicts[name]
                if verdict["ok"] is False:
                    # Refused: always with words saying why (never blank, never a traceback).
                    assert verdict["message"].strip(), (name, values)
                    assert "Traceback" not in verdict["message"]
                    assert (
                        "could not read that. Try writing it another way" not in verdict["message"]
                    ), (name, values)
            if verdicts["start"]["ok"]:
                assert verdicts["start"]["message"].startswith("Starts: "), values

        await asyncio.to_thread(typed)


async def test_fields_wait_for_what_they_are_read_with(core: Core) -> None:
    async with opened(core) as page:
        response = await page.client.post(
            "/events/check",
            data={"csrf": page.csrf, "timezone": "Atlantis", "start": "tomorrow 18:00", "end": ""},
        )
        verdicts = json.loads(await response.text())
    assert verdicts["timezone"]["ok"] is False and verdicts["timezone"]["message"]
    assert verdicts["start"] == {"ok": None, "message": verdicts["start"]["message"]}
    assert "time zone" in verdicts["start"]["message"]
    # An empty field is not refused while the person has not typed it yet.
    assert verdicts["end"] == {"ok": None, "message": ""}
