"""The campaign content packaged with allybot: it loads cleanly and says what the sources say."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from content.loader import check_content, load_campaign
from content.provenance import walk
from content.schema import Campaign, Link, Offer, Provenance, Source, Status, Text
from tests.content.mistakes import CHECKED_ON
from tests.support.paths import REPO

# In CI the shared folder sits beside the clone, as it does in the workspace. Without it the
# citations cannot be checked, which must fail loudly, unless someone says on purpose that this
# run has no seeds.
SEEDS = REPO.parent / "shared" / "seeds"
NO_SEEDS = os.environ.get("ALLYBOT_NO_SEEDS") == "1"
FIGURE = re.compile(r"\d[\d,]*\d|\d")


@pytest.fixture(scope="module")
def campaign() -> Campaign:
    return load_campaign()


def test_packaged_content_loads_with_no_warning_but_the_honest_not_yet_checked_one() -> None:
    campaign, problems = check_content(today=CHECKED_ON)
    others = [str(p) for p in problems if "not yet checked by a person" not in p.message]
    assert others == []
    assert campaign is not None


def test_donate_offers_only_the_two_open_funds_and_the_network_in_russian(
    campaign: Campaign,
) -> None:
    funds = {fund.id: fund for fund in campaign.donate.funds}
    offered = [f.id for f in campaign.donate.funds if f.offered(CHECKED_ON)]
    assert offered == ["russian-lgbt-network", "rainbow-railroad"]
    assert funds["russian-lgbt-network"].url == Link(
        en="https://lgbtnet.org/en/", ru="https://lgbtnet.org/"
    )
    assert funds["rainbow-railroad"].url == Link(en="https://www.rainbowrailroad.org/")
    # All Out's 2017 fund and the news site's appeal are history: no link, no Donate button.
    for past in ("all-out-evacuation", "chechnya-crisis-appeal"):
        assert funds[past].status is Status.HISTORIC and funds[past].url is None
    assert "Gay Star News" in funds["chechnya-crisis-appeal"].description.en
    assert "In 2017" in funds["all-out-evacuation"].description.en


def test_the_world_economic_forum_petition_is_history(campaign: Campaign) -> None:
    [wef] = campaign.petitions.petitions
    assert wef.id == "all-out-world-economic-forum"
    assert wef.status is Status.HISTORIC and wef.url is None
    assert "long over" in wef.description.en and "давно прошла" in wef.description.get("ru")


def test_the_day_honours_the_date_and_100_for_justice_was_that_years_campaign(
    campaign: Campaign,
) -> None:
    remembrance = campaign.remembrance
    assert "in honour of that date" in remembrance.why.en
    assert "because" not in remembrance.why.en
    assert "With the first Day of Remembrance" in remembrance.campaign.en
    assert "К первому Дню памяти" in remembrance.campaign.get("ru")
    assert "posted them with the tag #100forJustice" in remembrance.campaign.en


def test_every_item_records_a_role_a_date_and_a_status(campaign: Campaign) -> None:
    items = [value for _, value in walk(campaign) if isinstance(value, Provenance)]
    funds, petitions = campaign.donate.funds, campaign.petitions
    expected = [*funds, *campaign.events, *petitions.petitions, *petitions.actions]
    assert all(any(item is found for found in items) for item in expected)
    assert campaign.remembrance in items
    assert {item.checked_by for item in items} <= {"campaign team", "organizers", "sources"}
    assert all(item.checked <= datetime.now(UTC).date() for item in items)


def test_no_open_item_is_past_its_last_day(campaign: Campaign) -> None:
    today = datetime.now(UTC).date()
    offers = [value for _, value in walk(campaign) if isinstance(value, Offer)]
    assert offers
    for offer in offers:
        if offer.status is Status.OPEN and offer.closes is not None:
            assert offer.closes >= today, offer


def test_no_two_items_share_a_link(campaign: Campaign) -> None:
    links: list[str] = []
    for loc, value in walk(campaign):
        if isinstance(value, Link):
            links += sorted(set(value.all))
        elif loc and loc[-1] == "url" and isinstance(value, str):
            links.append(value)
    assert links and len(links) == len(set(links)), links


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
    # Whether the CPT has published since is not in the sources: history, without a link.
    assert actions["ask-the-cpt"].status is Status.HISTORIC and actions["ask-the-cpt"].url is None


def test_remembrance_is_on_29_march_with_100_for_justice(campaign: Campaign) -> None:
    remembrance = campaign.remembrance
    assert (remembrance.month, remembrance.day) == (3, 29)
    assert remembrance.hashtag == "#100forJustice"


def test_every_text_has_russian(campaign: Campaign) -> None:
    texts: list[Text] = [campaign.donate.intro, *campaign.donate.impact, campaign.remembrance.why]
    texts += [fund.description for fund in campaign.donate.funds]
    texts += [action.text for action in campaign.petitions.actions]
    assert all(text.ru and text.ru != text.en for text in texts)


def _cited(campaign: Campaign) -> list[tuple[object, Source]]:
    """(item, source) for the campaign files and every item in them."""
    return [
        (value, value.source)
        for _, value in walk(campaign)
        if isinstance(value, Provenance) and isinstance(getattr(value, "source", None), Source)
    ] + [(campaign.donate, campaign.donate.source)]


def _english(item: object) -> str:
    return " ".join(value.en for _, value in walk(item) if isinstance(value, Text))


def read_seeds(folder: Path, skip_allowed: bool) -> dict[str, str]:
    """The seed articles by file name; a missing folder fails the test, or skips it when the
    run says on purpose that it has no seeds."""
    if not folder.is_dir():
        if skip_allowed:
            pytest.skip("ALLYBOT_NO_SEEDS=1: this run has no seed articles to check against")
        pytest.fail(
            f"the seed articles are missing ({folder}); put shared/seeds beside the clone, or "
            "set ALLYBOT_NO_SEEDS=1 to skip the citation checks on purpose"
        )
    return {path.name: path.read_text("utf-8") for path in folder.glob("*.txt")}


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    return read_seeds(SEEDS, NO_SEEDS)


def test_missing_seeds_fail_the_citation_checks_unless_skipping_is_asked_for(
    tmp_path: Path,
) -> None:
    with pytest.raises(pytest.fail.Exception, match="ALLYBOT_NO_SEEDS=1"):
        read_seeds(tmp_path / "nowhere", skip_allowed=False)
    with pytest.raises(pytest.skip.Exception):
        read_seeds(tmp_path / "nowhere", skip_allowed=True)
    (tmp_path / "000_0af73d56a477f512.txt").write_text("An article", encoding="utf-8")
    assert read_seeds(tmp_path, skip_allowed=True) == {"000_0af73d56a477f512.txt": "An article"}


def test_every_item_cites_a_seed_article_that_exists(
    campaign: Campaign, seeds: dict[str, str]
) -> None:
    cited = _cited(campaign)
    assert len(cited) >= 12
    for item, source in cited:
        assert source.seed in seeds, (source.seed, item)


def test_every_figure_an_item_gives_is_in_the_article_it_cites(
    campaign: Campaign, seeds: dict[str, str]
) -> None:
    """Numbers are the claims most easily misremembered: each must be in the cited article.
    (The /donate intro and costs may come from any of the articles it draws on.)"""
    everything = " ".join(seeds.values())
    for item, source in _cited(campaign):
        article = everything if item is campaign.donate else seeds[source.seed]
        for figure in FIGURE.findall(_english(item)):
            assert figure in article, (figure, source.seed)
