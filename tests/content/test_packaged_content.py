"""The campaign content packaged with allybot: it loads cleanly and says what the sources say."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from content.loader import check_content, load_campaign
from content.schema import Campaign, Text
from tests.support.paths import REPO

# In CI the shared folder sits beside the clone, as it does in the workspace.
SEEDS = REPO.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def campaign() -> Campaign:
    return load_campaign()


def test_packaged_content_loads_without_errors_or_warnings() -> None:
    campaign, problems = check_content()
    assert [str(p) for p in problems] == []
    assert campaign is not None


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
