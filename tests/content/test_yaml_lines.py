"""YAML that cannot be read, or that hides a mistake, is reported at the line where it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.problems import Problem
from content.yaml_lines import line_for, parse_yaml
from tests.content.mistakes import Mistake, assert_reported, edit, line_of, problems_in

YAML_MISTAKES = [
    pytest.param(
        Mistake(
            "events.yaml",
            {"timezone: Asia/Hong_Kong": "timezone: Asia: Hong_Kong"},
            at="timezone:",
            message="this is not valid YAML: mapping values are not allowed here",
        ),
        id="malformed_yaml_reports_the_line_yaml_stopped_at",
    ),
    pytest.param(
        Mistake(
            "events.yaml",
            {"starts: 2017-06-02 19:00": "starts: 2017-02-30 19:00:00"},
            at="starts:",
            message="a value cannot be read: day is out of range for month",
        ),
        id="an_impossible_date_is_reported_at_its_line",
    ),
    pytest.param(
        Mistake(
            "remembrance.yaml",
            {"day: 29\n": "day: 29\nday: 28\n"},
            at="day: 28",
            message="day: the key 'day' appears twice (first at line {first}); "
            "only the last one would count",
            first_at=("remembrance.yaml", "day: 29"),
        ),
        id="a_key_written_twice_is_reported",
    ),
    pytest.param(
        Mistake(
            "remembrance.yaml",
            {"day: 29": "day: 2\x019"},
            at="day: 2",
            message="the control character U+0001 is not allowed",
        ),
        id="a_control_character_is_reported_at_its_line",
    ),
]


@pytest.mark.parametrize("mistake", YAML_MISTAKES)
def test_a_yaml_mistake_names_the_file_and_line(content: Path, mistake: Mistake) -> None:
    assert_reported(content, mistake)


def test_python_tags_are_refused_not_run(content: Path) -> None:
    remembrance = content / "remembrance.yaml"
    edit(remembrance, "day: 29", "day: !!python/object/apply:os.system ['echo owned']")
    line = line_of(remembrance, "day:")
    (problem,) = problems_in(content)
    assert problem.startswith(f"remembrance.yaml:{line}: this is not valid YAML: ")
    assert "could not determine a constructor" in problem


def test_a_control_character_counts_the_line_breaks_yaml_counts() -> None:
    problems: list[Problem] = []
    assert parse_yaml("a: 1\u2028b: 2\r\nc: \x01\n", "f.yaml", problems) is None
    assert [str(p) for p in problems] == ["f.yaml:3: the control character U+0001 is not allowed"]


def test_line_for_falls_back_to_the_deepest_part_in_the_file() -> None:
    lines = {(): 1, ("events",): 3, ("events", 0): 4}
    assert line_for(("events", 0, "timezone"), lines) == 4
    assert line_for(("funds", 2), lines) == 1
    assert line_for(("events",), {}) == 1
