"""The packaged campaign content, and how `content check` reports each kind of mistake."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from content.loader import (
    FILES,
    ContentError,
    Problem,
    check_content,
    default_content_dir,
    load_campaign,
)
from content.schema import Campaign, Text
from tests.support.paths import REPO

# In CI the shared folder sits beside the clone, as it does in the workspace.
SEEDS = REPO.parent / "shared" / "seeds"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of the packaged content files to break."""
    for name in FILES:
        shutil.copy(default_content_dir() / name, tmp_path / name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the only line containing `needle`."""
    found = [n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if needle in line]
    assert len(found) == 1, f"{needle!r} should be on exactly one line of {path.name}"
    return found[0]


def problems_in(directory: Path) -> list[str]:
    campaign, problems = check_content(directory)
    if any(not p.warning for p in problems):
        assert campaign is None
    return [str(p) for p in problems]


@pytest.fixture(scope="module")
def campaign() -> Campaign:
    return load_campaign()


# --- The packaged content --------------------------------------------------------------------


def test_packaged_content_loads_without_errors_or_warnings() -> None:
    campaign, problems = check_content()
    assert [str(p) for p in problems] == []
    assert campaign is not None


def test_default_content_dir_holds_the_four_files() -> None:
    assert sorted(p.name for p in default_content_dir().glob("*.yaml")) == sorted(FILES)


def test_donate_lists_the_four_verified_funds_with_https_links(campaign: Campaign) -> None:
    funds = {fund.id: fund for fund in campaign.donate.funds}
    assert set(funds) == {
        "russian-lgbt-network",
        "rainbow-railroad",
        "all-out-evacuation",
        "chechnya-crisis-appeal",
    }
    assert funds["russian-lgbt-network"].url == "https://lgbtnet.org/en/"
    assert funds["rainbow-railroad"].url == "https://www.rainbowrailroad.org/"
    assert funds["all-out-evacuation"].url == "https://allout.org/en/"
    # The appeal was a news site's campaign for the Network: it sends people to the Network.
    assert funds["chechnya-crisis-appeal"].url == "https://lgbtnet.org/en/"
    assert all(fund.url.startswith("https://") for fund in funds.values())


def test_donors_to_the_network_are_told_to_choose_chechnya(campaign: Campaign) -> None:
    network = next(f for f in campaign.donate.funds if f.id == "russian-lgbt-network")
    assert '"Chechnya"' in network.description.en
    assert "«Chechnya»" in network.description.get("ru")


def test_impact_gives_the_costs_of_safety_and_asylum(campaign: Campaign) -> None:
    impact = " ".join(text.en for text in campaign.donate.impact)
    assert "€4,000 (US$4,562)" in impact
    assert "US$4,555" in impact
    assert "4562" in " ".join(text.get("ru") for text in campaign.donate.impact)


def test_hong_kong_event_starts_at_seven_pm_local_time(campaign: Campaign) -> None:
    event = campaign.event("hong-kong-loves-chechnya")
    assert event is not None
    assert event.title.en == "Hong Kong Loves Chechnya"
    assert event.timezone == "Asia/Hong_Kong"
    assert event.starts_at.astimezone(UTC) == datetime(2017, 6, 2, 11, 0, tzinfo=UTC)
    assert event.ends_at.astimezone(UTC) == datetime(2017, 6, 2, 14, 0, tzinfo=UTC)
    assert "HK$50" in event.how_to_help.en
    assert "FLM" in event.place.en


def test_petition_actions_include_a_letter_that_asks_for_a_personal_sentence(
    campaign: Campaign,
) -> None:
    actions = {action.id: action for action in campaign.petitions.actions}
    letter = actions["write-to-your-mp"].template
    assert letter is not None
    assert "[Your own sentence: why this matters to you]" in letter.en
    assert "[Ваше собственное предложение: почему это важно для вас]" in letter.get("ru")
    assert actions["ask-the-cpt"].url == "https://www.coe.int/en/web/cpt"
    assert campaign.petitions.petitions[0].url == "https://allout.org/en/"


def test_remembrance_is_on_29_march_with_100_for_justice(campaign: Campaign) -> None:
    remembrance = campaign.remembrance
    assert (remembrance.month, remembrance.day) == (3, 29)
    assert remembrance.hashtag == "#100forJustice"


def test_every_text_has_russian(campaign: Campaign) -> None:
    texts: list[Text] = [campaign.donate.intro, *campaign.donate.impact, campaign.remembrance.why]
    texts += [fund.description for fund in campaign.donate.funds]
    texts += [action.text for action in campaign.petitions.actions]
    assert all(text.ru and text.ru != text.en for text in texts)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the shared seeds folder is not beside the clone")
def test_every_item_cites_a_seed_article_that_exists(campaign: Campaign) -> None:
    sources = [campaign.donate.source, campaign.remembrance.source]
    sources += [fund.source for fund in campaign.donate.funds]
    sources += [event.source for event in campaign.events]
    sources += [petition.source for petition in campaign.petitions.petitions]
    sources += [action.source for action in campaign.petitions.actions]
    for source in sources:
        assert (SEEDS / source.seed).is_file(), source.seed


# --- One test per rule: the problem names the file, the line and the field --------------------


def test_a_missing_field_points_at_its_item(content: Path) -> None:
    events = content / "events.yaml"
    edit(events, "    timezone: Asia/Hong_Kong\n", "")
    line = line_of(events, "- id: hong-kong-loves-chechnya")
    assert problems_in(content) == [f"events.yaml:{line}: events[0]: missing field 'timezone'"]


def test_an_unknown_field_points_at_its_line(content: Path) -> None:
    events = content / "events.yaml"
    edit(
        events, "    timezone: Asia/Hong_Kong\n", "    timezone: Asia/Hong_Kong\n    colour: red\n"
    )
    line = line_of(events, "colour: red")
    assert problems_in(content) == [f"events.yaml:{line}: events[0]: unknown field 'colour'"]


def test_a_link_without_https_is_refused(content: Path) -> None:
    donate = content / "donate.yaml"
    edit(donate, "url: https://www.rainbowrailroad.org/", "url: http://www.rainbowrailroad.org/")
    line = line_of(donate, "http://www.rainbowrailroad.org/")
    assert problems_in(content) == [
        f"donate.yaml:{line}: funds[1].url: links must start with https://"
    ]


@pytest.mark.parametrize(
    "starts",
    ["2017-06-02 19:00+08:00", "2017-06-02 19:00:00+08:00", "2017-06-02T11:00:00Z"],
)
def test_a_time_with_an_offset_is_refused(content: Path, starts: str) -> None:
    events = content / "events.yaml"
    edit(events, "starts: 2017-06-02 19:00", f"starts: {starts}")
    line = line_of(events, "starts:")
    assert problems_in(content) == [
        f"events.yaml:{line}: events[0].starts: write starts/ends as local wall-clock times "
        "and name the timezone"
    ]


def test_an_event_must_end_after_it_starts(content: Path) -> None:
    events = content / "events.yaml"
    edit(events, "ends: 2017-06-02 22:00", "ends: 2017-06-02 18:00")
    line = line_of(events, "ends:")
    assert problems_in(content) == [
        f"events.yaml:{line}: events[0].ends: an event must end after it starts"
    ]


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Europe", "Hong Kong", "x" * 300])
def test_an_unknown_time_zone_is_refused(content: Path, zone: str) -> None:
    events = content / "events.yaml"
    edit(events, "timezone: Asia/Hong_Kong", f"timezone: {zone}")
    line = line_of(events, "timezone:")
    assert problems_in(content) == [
        f"events.yaml:{line}: events[0].timezone: unknown time zone {zone!r} "
        "(use an IANA name like Europe/London)"
    ]


def test_a_text_over_the_message_limit_is_refused(content: Path) -> None:
    events = content / "events.yaml"
    place = "en: FLM, the LGBTI venue in Hong Kong that hosts the evening"
    edit(events, place, "en: " + "x" * 2104)
    line = line_of(events, "x" * 2104)
    assert problems_in(content) == [
        f"events.yaml:{line}: events[0].place.en: text is 2104 characters; the limit is 2000"
    ]


def test_a_label_over_the_button_limit_is_refused(content: Path) -> None:
    donate = content / "donate.yaml"
    edit(donate, "en: Rainbow Railroad", "en: " + "R" * 81)
    line = line_of(donate, "R" * 81)
    assert problems_in(content) == [
        f"donate.yaml:{line}: funds[1].name.en: text is 81 characters; the limit is 80"
    ]


def test_an_unknown_topic_is_refused(content: Path) -> None:
    events = content / "events.yaml"
    edit(events, "topics: [events]", "topics:\n      - events\n      - gossip")
    line = line_of(events, "- gossip")
    assert problems_in(content) == [
        f"events.yaml:{line}: events[0].topics[1]: unknown topic 'gossip' "
        "(topics: events, petitions, remembrance, appeals)"
    ]


def test_a_duplicate_id_in_one_list_points_at_the_second(content: Path) -> None:
    petitions = content / "petitions.yaml"
    first = line_of(petitions, "id: call-the-un")
    edit(petitions, "id: share-the-news", "id: call-the-un  # copied")
    second = line_of(petitions, "# copied")
    assert problems_in(content) == [
        f"petitions.yaml:{second}: actions[4].id: duplicate id 'call-the-un' "
        f"(first used at petitions.yaml:{first})"
    ]


def test_a_duplicate_id_across_files_is_refused(content: Path) -> None:
    first = line_of(content / "donate.yaml", "id: rainbow-railroad")
    edit(content / "events.yaml", "id: hong-kong-loves-chechnya", "id: rainbow-railroad")
    second = line_of(content / "events.yaml", "id: rainbow-railroad")
    assert problems_in(content) == [
        f"events.yaml:{second}: events[0].id: duplicate id 'rainbow-railroad' "
        f"(first used at donate.yaml:{first})"
    ]


def test_a_badly_formed_id_is_explained(content: Path) -> None:
    petitions = content / "petitions.yaml"
    edit(petitions, "id: call-the-un", "id: Call the UN")
    line = line_of(petitions, "id: Call the UN")
    assert problems_in(content) == [
        f"petitions.yaml:{line}: actions[2].id: ids are 1-32 lowercase letters, digits and "
        "dashes, starting with a letter or digit"
    ]


def test_malformed_yaml_reports_the_line_yaml_stopped_at(content: Path) -> None:
    events = content / "events.yaml"
    edit(events, "timezone: Asia/Hong_Kong", "timezone: Asia: Hong_Kong")
    line = line_of(events, "timezone:")
    assert problems_in(content) == [
        f"events.yaml:{line}: this is not valid YAML: mapping values are not allowed here"
    ]


def test_python_tags_are_refused_not_run(content: Path) -> None:
    remembrance = content / "remembrance.yaml"
    edit(remembrance, "day: 29", "day: !!python/object/apply:os.system ['echo owned']")
    line = line_of(remembrance, "day:")
    (problem,) = problems_in(content)
    assert problem.startswith(f"remembrance.yaml:{line}: this is not valid YAML: ")
    assert "could not determine a constructor" in problem


def test_an_impossible_date_is_reported_at_its_line(content: Path) -> None:
    events = content / "events.yaml"
    edit(events, "starts: 2017-06-02 19:00", "starts: 2017-02-30 19:00:00")
    line = line_of(events, "starts:")
    assert problems_in(content) == [
        f"events.yaml:{line}: a value cannot be read: day is out of range for month"
    ]


def test_a_remembrance_day_must_exist_in_its_month(content: Path) -> None:
    remembrance = content / "remembrance.yaml"
    edit(remembrance, "month: 3", "month: 2")
    edit(remembrance, "day: 29", "day: 30")
    line = line_of(remembrance, "day: 30")
    assert problems_in(content) == [f"remembrance.yaml:{line}: day: month 2 has only 29 days"]


def test_a_key_written_twice_is_reported(content: Path) -> None:
    remembrance = content / "remembrance.yaml"
    first = line_of(remembrance, "day: 29")
    edit(remembrance, "day: 29\n", "day: 29\nday: 28\n")
    second = line_of(remembrance, "day: 28")
    assert problems_in(content) == [
        f"remembrance.yaml:{second}: day: the key 'day' appears twice (first at line {first}); "
        "only the last one would count"
    ]


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
    campaign, problems = check_content(content)
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


def test_a_problem_prints_as_file_line_message() -> None:
    assert str(Problem("events.yaml", 12, "events[0].url: oops")) == (
        "events.yaml:12: events[0].url: oops"
    )
    assert str(Problem("donate.yaml", 3, "intro: no ru", warning=True)) == (
        "donate.yaml:3: warning: intro: no ru"
    )
