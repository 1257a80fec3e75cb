"""How a problem prints, and how each schema rule is worded for organizers, at the right line."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.problems import Problem
from tests.content.mistakes import Mistake, assert_reported

TIMEZONE = "    timezone: Asia/Hong_Kong\n"
OFFSET_TIMES = ["2017-06-02 19:00+08:00", "2017-06-02 19:00:00+08:00", "2017-06-02T11:00:00Z"]
UNKNOWN_ZONES = ["Mars/Olympus_Mons", "Europe", "Hong Kong", "x" * 300]


def _zone_id(zone: str) -> str:
    return zone if len(zone) < 40 else f"{len(zone)}-characters"


SCHEMA_MISTAKES = [
    pytest.param(
        Mistake(
            "events.yaml",
            {TIMEZONE: ""},
            at="- id: hong-kong-loves-chechnya",
            message="events[0]: missing field 'timezone'",
        ),
        id="a_missing_field_points_at_its_item",
    ),
    pytest.param(
        Mistake(
            "events.yaml",
            {TIMEZONE: TIMEZONE + "    colour: red\n"},
            at="colour: red",
            message="events[0]: unknown field 'colour'",
        ),
        id="an_unknown_field_points_at_its_line",
    ),
    pytest.param(
        Mistake(
            "donate.yaml",
            {"url: https://www.rainbowrailroad.org/": "url: http://www.rainbowrailroad.org/"},
            at="http://www.rainbowrailroad.org/",
            message="funds[1].url: links must start with https://",
        ),
        id="a_link_without_https_is_refused",
    ),
    *(
        pytest.param(
            Mistake(
                "events.yaml",
                {"starts: 2017-06-02 19:00": f"starts: {starts}"},
                at="starts:",
                message="events[0].starts: write starts/ends as local wall-clock times "
                "and name the timezone",
            ),
            id=f"a_time_with_an_offset_is_refused-{starts}",
        )
        for starts in OFFSET_TIMES
    ),
    pytest.param(
        Mistake(
            "events.yaml",
            {"ends: 2017-06-02 22:00": "ends: 2017-06-02 18:00"},
            at="ends:",
            message="events[0].ends: an event must end after it starts",
        ),
        id="an_event_must_end_after_it_starts",
    ),
    *(
        pytest.param(
            Mistake(
                "events.yaml",
                {"timezone: Asia/Hong_Kong": f"timezone: {zone}"},
                at="timezone:",
                message=f"events[0].timezone: unknown time zone {zone!r} "
                "(use an IANA name like Europe/London)",
            ),
            id=f"an_unknown_time_zone_is_refused-{_zone_id(zone)}",
        )
        for zone in UNKNOWN_ZONES
    ),
    pytest.param(
        Mistake(
            "events.yaml",
            {"en: FLM, the LGBTI venue in Hong Kong that hosts the evening": "en: " + "x" * 2104},
            at="x" * 2104,
            message="events[0].place.en: text is 2104 characters; the limit is 2000",
        ),
        id="a_text_over_the_message_limit_is_refused",
    ),
    pytest.param(
        Mistake(
            "donate.yaml",
            {"en: Rainbow Railroad": "en: " + "R" * 81},
            at="R" * 81,
            message="funds[1].name.en: text is 81 characters; the limit is 80",
        ),
        id="a_label_over_the_button_limit_is_refused",
    ),
    pytest.param(
        Mistake(
            "events.yaml",
            {"topics: [events]": "topics:\n      - events\n      - gossip"},
            at="- gossip",
            message="events[0].topics[1]: unknown topic 'gossip' "
            "(topics: events, petitions, remembrance, appeals)",
        ),
        id="an_unknown_topic_is_refused",
    ),
    pytest.param(
        Mistake(
            "petitions.yaml",
            {"id: call-the-un": "id: Call the UN"},
            at="id: Call the UN",
            message="actions[2].id: ids are 1-32 lowercase letters, digits and dashes, "
            "starting with a letter or digit",
        ),
        id="a_badly_formed_id_is_explained",
    ),
    pytest.param(
        Mistake(
            "remembrance.yaml",
            {"month: 3": "month: 2", "day: 29": "day: 30"},
            at="day: 30",
            message="day: month 2 has only 29 days",
        ),
        id="a_remembrance_day_must_exist_in_its_month",
    ),
]


@pytest.mark.parametrize("mistake", SCHEMA_MISTAKES)
def test_a_schema_rule_names_the_file_line_and_field(content: Path, mistake: Mistake) -> None:
    assert_reported(content, mistake)


def test_a_problem_prints_as_file_line_message() -> None:
    assert str(Problem("events.yaml", 12, "events[0].url: oops")) == (
        "events.yaml:12: events[0].url: oops"
    )
    assert str(Problem("donate.yaml", 3, "intro: no ru", warning=True)) == (
        "donate.yaml:3: warning: intro: no ru"
    )
