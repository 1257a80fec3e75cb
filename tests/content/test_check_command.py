"""`allybot content check` on the content's truth over time: a link reused by a second item is an
error that names both places; an item nobody has checked for 90 days, or an open item past its
last day, is a warning that leaves the exit code at 0."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from content.loader import check_content
from tests.content.mistakes import CHECKED_ON, edit, line_of, problems_in
from tests.test_cli import allybot

RAINBOW = "url: https://www.rainbowrailroad.org/\n    status: open\n    checked: 2026-12-01"


def test_an_item_unchecked_for_90_days_is_a_warning_through_the_cli(content: Path) -> None:
    donate = content / "donate.yaml"
    edit(donate, RAINBOW, RAINBOW.replace("2026-12-01", "2020-01-01"))
    result = allybot("content", "check", str(content))
    assert result.returncode == 0, result.stdout + result.stderr
    line = line_of(donate, "checked: 2020-01-01")
    assert (
        f"donate.yaml:{line}: warning: funds[1].checked: last checked on 2020-01-01, more than "
        "90 days ago; check the link and the claim again and update the date"
    ) in result.stdout.splitlines()
    assert "0 errors" in result.stderr


def test_a_link_used_by_two_items_is_an_error_through_the_cli(content: Path) -> None:
    donate = content / "donate.yaml"
    edit(donate, "url: https://www.rainbowrailroad.org/", "url: https://lgbtnet.org/  # copied")
    result = allybot("content", "check", str(content))
    assert result.returncode == 1
    network = next(
        n for n, text in enumerate(donate.read_text("utf-8").splitlines(), 1) if text == "    url:"
    )
    assert (
        f"donate.yaml:{line_of(donate, '# copied')}: funds[1].url: the link https://lgbtnet.org/ "
        f"is already used by another item (at donate.yaml:{network}); each item needs its own page"
    ) in result.stdout.splitlines()


def test_a_link_repeated_across_files_points_at_the_first_file(content: Path) -> None:
    edit(
        content / "petitions.yaml",
        "  - id: call-the-un\n",
        "  - id: call-the-un\n    url: https://www.rainbowrailroad.org/  # copied\n",
    )
    rainbow = line_of(content / "donate.yaml", "url: https://www.rainbowrailroad.org/")
    copied = line_of(content / "petitions.yaml", "# copied")
    assert problems_in(content) == [
        f"petitions.yaml:{copied}: actions[2].url: the link https://www.rainbowrailroad.org/ is "
        f"already used by another item (at donate.yaml:{rainbow}); each item needs its own page"
    ]


def test_one_items_english_and_russian_page_may_be_the_same(content: Path) -> None:
    edit(content / "donate.yaml", "ru: https://lgbtnet.org/\n", "ru: https://lgbtnet.org/en/\n")
    assert problems_in(content) == []


def test_the_warning_starts_on_the_91st_day(content: Path) -> None:
    for age, warned in ((90, False), (91, True)):
        _, problems = check_content(content, today=CHECKED_ON + timedelta(days=age))
        stale = [p for p in problems if "last checked on 2026-12-01" in p.message]
        # Every item of the packaged content was checked that day.
        assert bool(stale) is warned and all(p.warning for p in stale)
        assert len(stale) in (0, 12), [str(p) for p in stale]


def test_an_open_petition_past_its_last_day_is_a_warning(content: Path) -> None:
    petitions = content / "petitions.yaml"
    edit(
        petitions,
        "    status: historic\n    checked: 2026-12-01\n    checked_by: campaign team\n"
        "    source:\n      title: LGBTI people face torture and death in Chechnya – here's how "
        "you can help them\n      publisher: Gay Star News\n      seed: 002_a1af2d2e392ce3e8.txt\n"
        "\nactions:",
        "    url: https://allout.org/en/\n    status: open\n    closes: 2026-11-30\n"
        "    checked: 2026-12-01\n    checked_by: campaign team\n"
        "    source:\n      title: LGBTI people face torture and death in Chechnya – here's how "
        "you can help them\n      publisher: Gay Star News\n      seed: 002_a1af2d2e392ce3e8.txt\n"
        "\nactions:",
    )
    line = line_of(petitions, "closes: 2026-11-30")
    assert problems_in(content) == [
        f"petitions.yaml:{line}: warning: petitions[0].closes: closed on 2026-11-30 and no "
        "longer shown; set its status to closed or historic"
    ]


def test_an_open_fund_needs_a_link_and_a_role_is_not_a_name(content: Path) -> None:
    donate = content / "donate.yaml"
    edit(donate, "    url: https://www.rainbowrailroad.org/\n", "")
    edit(
        donate,
        "    status: historic\n    checked: 2026-12-01\n    checked_by: campaign team\n"
        '    source:\n      title: "$300,000',
        "    status: historic\n    checked: 2026-12-01\n    checked_by: Evgenia\n"
        '    source:\n      title: "$300,000',
    )
    assert problems_in(content) == [
        f"donate.yaml:{line_of(donate, '- id: rainbow-railroad')}: funds[1]: an open item "
        "needs a url (where people act)",
        f"donate.yaml:{line_of(donate, 'checked_by: Evgenia')}: funds[2].checked_by: expected "
        "one of: 'campaign team', 'organizers' or 'sources', not 'Evgenia'",
    ]


def test_the_share_tag_must_be_a_declared_campaign_tag(content: Path) -> None:
    donate = content / "donate.yaml"
    edit(donate, "tag: appeal", "tag: made-up")
    assert problems_in(content) == [
        f"donate.yaml:{line_of(donate, 'tag: made-up')}: share.tag: 'made-up' is not one of "
        "the campaign_tags in remembrance.yaml"
    ]


def test_a_checked_date_must_be_a_date(content: Path) -> None:
    donate = content / "donate.yaml"
    edit(donate, RAINBOW, RAINBOW.replace("2026-12-01", "last week"))
    assert problems_in(content) == [
        f"donate.yaml:{line_of(donate, 'checked: last week')}: funds[1].checked: expected a "
        "date like 2026-12-01"
    ]


def test_items_nobody_has_checked_live_are_warned_of_until_someone_does() -> None:
    """As shipped, the content was written from the articles by people who could not open the
    pages: check says so for every open item (exit 0), and stops once a role is recorded."""
    result = allybot("content", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    unchecked = [
        line for line in result.stdout.splitlines() if "not yet checked by a person" in line
    ]
    assert unchecked and all(": warning: " in line for line in unchecked)
    assert any(line.startswith("donate.yaml:") for line in unchecked)


def test_a_checked_role_ends_the_not_yet_checked_warning(content: Path) -> None:
    assert not [p for p in problems_in(content) if "not yet checked by a person" in p]
