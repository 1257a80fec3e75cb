"""The schema of the campaign files, loaded into frozen typed values.

Every text a user can see exists in English and, ideally, Russian; a missing translation falls
back to English (and `allybot content check` reports it). Every item names its source article.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.core.ports import TOPICS
from bot.core.timezones import is_zone

# Discord's message limit is the smallest of our platforms; one item's text must fit one message.
MAX_TEXT_CHARS = 2000
# Discord caps button labels at 80 characters.
MAX_LABEL_CHARS = 80
LOCALES: tuple[str, ...] = ("en", "ru")


def _https(url: str) -> str:
    if not url.startswith("https://") or len(url) <= len("https://"):
        raise ValueError("links must start with https://")
    return url


def _zone(name: str) -> str:
    # Membership first: ZoneInfo() on arbitrary text can raise OSError (name too long, a folder
    # such as "Europe"), which pydantic would not turn into a validation error.
    if not is_zone(name):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name like Europe/London)")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name like Europe/London)"
        ) from None
    return name


def _topic(name: str) -> str:
    if name not in TOPICS:
        raise ValueError(f"unknown topic {name!r} (topics: {', '.join(TOPICS)})")
    return name


HttpsUrl = Annotated[str, AfterValidator(_https)]
ZoneName = Annotated[str, AfterValidator(_zone)]
Topic = Annotated[str, AfterValidator(_topic)]
ItemId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]
# What a Telegram deep link can carry in its start parameter (t.me/<bot>?start=<tag>).
CampaignTag = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
# Each declared tag is one counter row: a handful, never an open-ended list.
MAX_CAMPAIGN_TAGS = 50


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Status(StrEnum):
    """Whether an item is something to do now, or only part of the story."""

    OPEN = "open"  # offered as an action (a Sign or Donate button) until it `closes`
    CLOSED = "closed"  # shown nowhere: kept only so the file remembers it
    HISTORIC = "historic"  # told as what happened, never with a button


# Who checked an item: a role, never a person's name (the content is public, and a name would
# put that person at risk). Each role has a translated sentence in handlers/donate.py.
# "sources" is the honest value for an item written from the source articles whose link no
# person has opened yet: the bot says so, and `content check` warns until someone does.
CheckedBy = Literal["campaign team", "organizers", "sources"]
UNCHECKED_LIVE = "sources"


class Provenance(_Frozen):
    """When a person last verified an item's link and claim, which role they have, and whether
    the item is still something to act on."""

    checked: date
    checked_by: CheckedBy
    status: Status

    @field_validator("checked", mode="before")
    @classmethod
    def _a_date(cls, value: object) -> object:
        # YAML reads 2026-12-01 as a date; a time as well would hide which day was meant.
        if isinstance(value, datetime):
            raise ValueError("write the date only, like 2026-12-01")
        return value


class Link(_Frozen):
    """A link per language: `url: https://...`, or `url: {en: https://..., ru: https://...}`
    where the organisation has a Russian page."""

    en: HttpsUrl
    ru: HttpsUrl | None = None

    def get(self, locale: str | None) -> str:
        return self.ru if locale == "ru" and self.ru else self.en

    @property
    def all(self) -> tuple[str, ...]:
        return (self.en,) if self.ru is None else (self.en, self.ru)


def _one_link(value: object) -> object:
    # Checked here, so that a bad single link is reported at `url`, the line the organizer wrote.
    return {"en": _https(value)} if isinstance(value, str) else value


LocalLink = Annotated[Link, BeforeValidator(_one_link)]


class Offer(Provenance):
    """A fund or petition: offered with a button while open and before `closes` (the last day,
    judged when someone asks, in their zone)."""

    url: LocalLink | None = None
    closes: date | None = None

    @model_validator(mode="after")
    def _open_needs_a_link(self) -> Offer:
        if self.status is Status.OPEN and self.url is None:
            raise ValueError("an open item needs a url (where people act)")
        return self

    def offered(self, today: date) -> bool:
        """Whether to offer it as an action today (open, and not past its last day)."""
        return self.status is Status.OPEN and (self.closes is None or today <= self.closes)


class Text(_Frozen):
    """One user-visible text in each language."""

    en: Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS)]
    ru: Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS)] | None = None

    def get(self, locale: str | None) -> str:
        return self.ru if locale == "ru" and self.ru else self.en


class Label(Text):
    en: Annotated[str, Field(min_length=1, max_length=MAX_LABEL_CHARS)]
    ru: Annotated[str, Field(min_length=1, max_length=MAX_LABEL_CHARS)] | None = None


class Source(_Frozen):
    """Where a fact comes from: the article's title and the seed file it was read in."""

    title: str
    publisher: str
    seed: Annotated[str, Field(pattern=r"^[0-9]{3}_[0-9a-f]{16}\.txt$")]


class Fund(Offer):
    id: ItemId
    name: Label
    description: Text
    source: Source


class Share(_Frozen):
    """The share button: a link into the bot counted under `tag` (one of remembrance.yaml's
    campaign_tags) with `message` prefilled; where the platform cannot make such a link, the
    campaign's own public `page`, if it has one."""

    text: Text
    tag: CampaignTag
    message: Text
    page: LocalLink | None = None


class Donate(_Frozen):
    intro: Text
    impact: tuple[Text, ...] = Field(min_length=1)
    air_miles: Text
    share: Share
    funds: tuple[Fund, ...] = Field(min_length=1)
    source: Source


class Event(Provenance):
    """An event at a wall-clock time in a named zone (never a fixed offset)."""

    id: ItemId
    title: Label
    description: Text
    how_to_help: Text
    place: Text
    timezone: ZoneName
    starts: datetime
    ends: datetime
    url: HttpsUrl | None = None
    topics: tuple[Topic, ...] = ("events",)
    source: Source

    # Field validators rather than one model validator, so an error names (and the loader points
    # at) the offending line.
    @field_validator("starts", "ends")
    @classmethod
    def _wall_clock_time(cls, value: datetime) -> datetime:
        if value.tzinfo is not None:
            raise ValueError("write starts/ends as local wall-clock times and name the timezone")
        return value

    @field_validator("ends")
    @classmethod
    def _ends_after_start(cls, value: datetime, info: ValidationInfo) -> datetime:
        starts = info.data.get("starts")
        if isinstance(starts, datetime) and value <= starts:
            raise ValueError("an event must end after it starts")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def starts_at(self) -> datetime:
        return self.starts.replace(tzinfo=self.zone)

    @property
    def ends_at(self) -> datetime:
        return self.ends.replace(tzinfo=self.zone)


class Petition(Offer):
    id: ItemId
    title: Label
    description: Text
    source: Source


class Action(Provenance):
    """Another way to act: write to your MP, call the border police, the UN bodies, share..."""

    id: ItemId
    title: Label
    text: Text
    template: Text | None = None
    url: LocalLink | None = None
    source: Source


class Petitions(_Frozen):
    intro: Text
    petitions: tuple[Petition, ...]
    actions: tuple[Action, ...] = Field(min_length=1)


class Remembrance(Provenance):
    month: Annotated[int, Field(ge=1, le=12)]
    day: Annotated[int, Field(ge=1, le=31)]
    title: Label
    why: Text
    campaign: Text
    hashtag: Annotated[str, Field(pattern=r"^#\w+$")]
    source: Source
    # The campaign links (t.me/<bot>?start=<tag>) whose starts are counted; any other tag is
    # ignored, so made-up links cannot fill the database.
    campaign_tags: tuple[CampaignTag, ...] = Field(default=(), max_length=MAX_CAMPAIGN_TAGS)

    @field_validator("campaign_tags")
    @classmethod
    def _distinct_tags(cls, tags: tuple[str, ...]) -> tuple[str, ...]:
        repeated = sorted({tag for tag in tags if tags.count(tag) > 1})
        if repeated:
            raise ValueError(f"campaign tags listed twice: {', '.join(repeated)}")
        return tags

    @field_validator("day")
    @classmethod
    def _day_in_month(cls, day: int, info: ValidationInfo) -> int:
        month = info.data.get("month")
        # A leap year, so that 29 February stays a valid yearly date.
        if isinstance(month, int) and day > monthrange(2000, month)[1]:
            raise ValueError(f"month {month} has only {monthrange(2000, month)[1]} days")
        return day


class Campaign(_Frozen):
    """All campaign content, as the handlers see it."""

    donate: Donate
    events: tuple[Event, ...]
    petitions: Petitions
    remembrance: Remembrance

    @property
    def campaign_tags(self) -> tuple[str, ...]:
        """The campaign links counted on /start <tag> (declared in remembrance.yaml)."""
        return self.remembrance.campaign_tags

    def event(self, event_id: str) -> Event | None:
        return next((e for e in self.events if e.id == event_id), None)
