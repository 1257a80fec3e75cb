"""Reading the content folder: missing or unreadable files, ids across files, warnings, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.events import content_events
from content.loader import FILES, ContentError, check_content, default_content_dir, load_campaign
from tests.content.mistakes import (
    CHECKED_ON,
    Mistake,
    assert_reported,
    edit,
    line_of,
    problems_in,
)

DUPLICATE_IDS = [
    pytest.param(
        Mistake(
            "petitions.yaml",
            {"id: share-the-news": "id: call-the-un  # copied"},
            at="# copied",
            message="actions[4].id: duplicate id 'call-the-un' "
            "(first used at petitions.yaml:{first})",
            first_at=("petitions.yaml", "id: call-the-un"),
        ),
        id="a_duplicate_id_in_one_list_points_at_the_second",
    ),
    pytest.param(
        Mistake(
            "events.yaml",
            {"id: hong-kong-loves-chechnya": "id: rainbow-railroad"},
            at="id: rainbow-railroad",
            message="events[0].id: duplicate id 'rainbow-railroad' "
            "(first used at donate.yaml:{first})",
            first_at=("donate.yaml", "id: rainbow-railroad"),
        ),
        id="a_duplicate_id_across_files_is_refused",
    ),
]


def test_default_content_dir_holds_the_four_files() -> None:
    assert sorted(p.name for p in default_content_dir().glob("*.yaml")) == sorted(FILES)


@pytest.mark.parametrize("mistake", DUPLICATE_IDS)
def test_a_reused_id_points_back_at_its_first_use(content: Path, mistake: Mistake) -> None:
    assert_reported(content, mistake)


def test_a_missing_file_is_a_problem(content: Path) -> None:
    (content / "remembrance.yaml").unlink()
    assert problems_in(content) == [
        f"remembrance.yaml:1: the file is missing (expected in {content})"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
        ("- a list\n- of things\n", "the file must be a mapping of fields (name: value)"),
        ("just a sentence\n", "the file must be a mapping of fields (name: value)"),
    ],
)
def test_a_file_that_is_not_a_mapping_is_a_problem(content: Path, text: str, message: str) -> None:
    (content / "donate.yaml").write_text(text, encoding="utf-8")
    assert problems_in(content) == [f"donate.yaml:1: {message}"]


def test_a_file_that_is_not_utf8_reports_the_line(content: Path) -> None:
    (content / "remembrance.yaml").write_bytes(b"month: 3\nday: 29\ntitle: \xff\n")
    assert problems_in(content) == [
        "remembrance.yaml:3: the file is not UTF-8 text; save it as UTF-8"
    ]


def test_a_missing_russian_text_is_only_a_warning(content: Path) -> None:
    donate = content / "donate.yaml"
    edit(donate, "      ru: Rainbow Railroad\n", "")
    line = line_of(donate, "en: Rainbow Railroad") - 1  # the `name:` key above it
    campaign, problems = check_content(content, today=CHECKED_ON)
    assert [str(p) for p in problems] == [
        f"donate.yaml:{line}: warning: funds[1].name: no Russian translation (ru); "
        "English will be shown"
    ]
    assert problems[0].warning
    assert campaign is not None
    fund = load_campaign(content).donate.funds[1]
    assert fund.name.get("ru") == "Rainbow Railroad"


def test_load_campaign_raises_with_every_problem(content: Path) -> None:
    edit(content / "events.yaml", "timezone: Asia/Hong_Kong", "timezone: Nowhere")
    (content / "donate.yaml").unlink()
    with pytest.raises(ContentError) as raised:
        load_campaign(content)
    assert [p.file for p in raised.value.problems] == ["donate.yaml", "events.yaml"]
    assert str(raised.value).splitlines() == [str(p) for p in raised.value.problems]


def test_problem_is_still_importable_from_the_loader() -> None:
    """Callers that handle check_content's problems may take Problem from the loader."""
    from content.loader import Problem
    from content.problems import Problem as Defined

    assert Problem is Defined


def test_a_closed_event_is_listed_nowhere_and_a_historic_one_stays_in_the_past(
    content: Path,
) -> None:
    assert [e.id for e in content_events(load_campaign(content))] == ["hong-kong-loves-chechnya"]
    edit(content / "events.yaml", "status: historic", "status: closed")
    assert content_events(load_campaign(content)) == ()
