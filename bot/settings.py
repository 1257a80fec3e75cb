"""Settings from environment variables and an optional .env file, checked at start."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.core.deletion import DEFAULT_CHOICES, parse_choices
from bot.core.messages import Address

PLATFORMS = ("telegram", "discord", "console")
# "7d", "24h", "30m", "90s", "3600": the retention settings' friendly form.
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdwSMHDW]?)\s*$")
UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

# Telegram's alphabet for a webhook secret token is A-Z a-z 0-9 _ - and at most 256 characters;
# 32 is our floor: anyone who guesses it can post forged updates "from" an organizer.
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{32,256}")
WEBHOOK_HINT = (
    "required when TELEGRAM_WEBHOOK_URL is set: 32 to 256 characters of A-Z a-z 0-9 _ -; "
    'generate one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
)
# A passphrase an operator can type, long enough that guessing it offline (the seized-disk case it
# is for) is hopeless even through SQLCipher's key derivation.
DATABASE_KEY_MIN = 16
DATABASE_KEY_HINT = (
    f"at least {DATABASE_KEY_MIN} characters; generate one with: "
    'python -c "import secrets; print(secrets.token_urlsafe(32))"'
)
# Telegram's broadcast ceilings: about 30 messages a second free; up to 1,000 a second with
# allow_paid_broadcast, paid in Stars per message (https://core.telegram.org/bots/api#sendmessage).
FREE_RATE_CAP = 30
PAID_RATE_CAP = 1000
# Where an organizer finds the id ORGANIZERS takes (handlers/whoami.py).
WHOAMI_HINT = "send /whoami to the bot to get yours"
# The one user of the console `allybot console` and `allybot run` start (bot/adapters/console.py).
CONSOLE_USER = Address("console", "local")


# What one `allybot run` process does (README, "Scaling out"): serve Telegram's updates, hold
# Discord's gateway, and/or run the background senders. All three unless ROLES (or --role) says.
TELEGRAM_ROLE, DISCORD_ROLE, SENDER_ROLE = "telegram", "discord", "sender"
ALL_ROLES = frozenset((TELEGRAM_ROLE, DISCORD_ROLE, SENDER_ROLE))


# Where `allybot web` serves the dashboard when WEB_LISTEN is unset.
DEFAULT_WEB_LISTEN = "127.0.0.1:8080"


class SettingsError(Exception):
    """One clear line naming the variable and the problem."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(
        default="sqlite+aiosqlite:///data/allybot.sqlite3",
        description="SQLAlchemy async URL; the default is an SQLite file under ./data/",
    )
    # Declared after the URL: its check reads it. Never logged (bot/logs.py redacts it) and never
    # quoted back in an error.
    database_key: SecretStr | None = Field(
        default=None,
        description=(
            "optional: encrypt the SQLite database with SQLCipher under this passphrase "
            "(convert an existing file with `allybot db encrypt`)"
        ),
    )
    # Declared after the URL: its check reads it.
    roles: Annotated[frozenset[str], NoDecode] = Field(
        default=ALL_ROLES,
        description=(
            "what this process does, comma-separated: telegram (updates), discord (the "
            "gateway), sender (broadcasts, reminders); all three by default; a split needs "
            "PostgreSQL"
        ),
    )
    sender_lease_seconds: int = Field(
        default=30,
        ge=5,
        le=600,
        description=(
            "how long the background sender's lease lasts unrenewed: a standby sender takes "
            "over this long after the holder died; below 25 a sender that lost the database "
            "for a while could overlap its successor by its last sends"
        ),
    )
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "127.0.0.1:8443"
    # Checked even when unset (validate_default): a webhook without a secret is refused.
    telegram_webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    discord_bot_token: SecretStr | None = None
    # Where discord.py reaches Discord: unset means discord.com itself. For testing against a
    # fake Discord, or for a proxy; credentials or a secret path in them are redacted from logs.
    discord_api_base_url: str | None = Field(
        default=None,
        description=(
            "optional: Discord's REST API root, default https://discord.com/api/v10 "
            "(set it to reach a fake Discord in tests, or a proxy)"
        ),
    )
    discord_gateway_url: str | None = Field(
        default=None,
        description=(
            "optional: Discord's websocket gateway, default wss://gateway.discord.gg/ "
            "(set it to reach a fake Discord in tests, or a proxy)"
        ),
    )
    # Sharding: more than 2,500 servers need the gateway split; each discord process one shard.
    discord_shard_count: int | None = Field(
        default=None,
        ge=1,
        description="optional: how many shards the Discord gateway is split into (with the id)",
    )
    discord_shard_id: int | None = Field(
        default=None,
        ge=0,
        # Checked even when unset: a count without an id is refused too.
        validate_default=True,
        description="optional: which shard this discord process holds, 0 to DISCORD_SHARD_COUNT-1",
    )
    organizers: Annotated[frozenset[Address], NoDecode] = frozenset()
    broadcast_second_approval_above: int = Field(
        default=1000,
        ge=0,
        description="campaign-wide broadcasts to more chats need a second organizer's approval",
    )
    # Declared before the rate: the rate's check reads it.
    broadcast_telegram_paid: bool = Field(
        default=False,
        description=(
            "send campaign-wide Telegram broadcasts through Telegram's paid lane "
            "(allow_paid_broadcast: up to 1,000 messages a second, 0.1 Telegram Stars a message "
            "from the bot's balance); off by default"
        ),
    )
    # Unset: 25 a second free, or 1,000 through the paid lane when BROADCAST_TELEGRAM_PAID is on.
    broadcast_telegram_rate: float | None = Field(
        default=None,
        gt=0,
        description=(
            "Telegram broadcast messages a second: at most 30 (default 25); with "
            "BROADCAST_TELEGRAM_PAID, the paid lane's rate, above 30 and at most 1,000 "
            "(default 1,000)"
        ),
    )
    content_dir: Path | None = None
    log_level: str = "INFO"
    # Prometheus metrics (bot/metrics.py) at http://METRICS_LISTEN/metrics; unset: none served.
    metrics_listen: str | None = Field(
        default=None,
        description="optional: host:port to serve Prometheus metrics on, e.g. 127.0.0.1:9464",
    )
    # The organizer dashboard (bot/adapters/web): `allybot web` serves it on WEB_LISTEN (default
    # 127.0.0.1:8080), `allybot run` too when WEB_LISTEN is set. WEB_URL is the address people
    # open (https://… behind a reverse proxy), used in the /dashboard links; unset, the address
    # WEB_LISTEN serves.
    web_listen: str | None = Field(
        default=None,
        description="optional: host:port to serve the organizer dashboard on, e.g. 127.0.0.1:8080",
    )
    web_url: str | None = Field(
        default=None,
        description="optional: the dashboard's public address, e.g. https://allies.example.org",
    )
    # How long a /dashboard link works (once); 10 minutes unless shortened for a test or a drill.
    web_login_minutes: int = Field(default=10, ge=1, le=10)

    @property
    def dashboard_url(self) -> str:
        """The dashboard's address for links: WEB_URL, else what WEB_LISTEN (or its default)
        serves, without a trailing slash."""
        if self.web_url is not None:
            return self.web_url.rstrip("/")
        return f"http://{self.web_listen or DEFAULT_WEB_LISTEN}"

    # Retention: what the background purge deletes, and when. Values are like 7d, 24h, 30m,
    # 90s (a bare number is seconds) or ISO 8601 (P7D); every one must be above zero.
    retention_after_event: timedelta = Field(
        default=timedelta(days=7),
        gt=timedelta(0),
        description="an event's RSVPs and reminder records are deleted this long after it ends",
    )
    retention_broadcast_recipients: timedelta = Field(
        default=timedelta(days=30),
        gt=timedelta(0),
        description="a finished broadcast's recipient list is deleted this long after it ended",
    )
    retention_drafts: timedelta = Field(
        default=timedelta(hours=24),
        gt=timedelta(0),
        description="unconfirmed event and broadcast drafts are deleted this long after creation",
    )
    purge_interval: timedelta = Field(
        default=timedelta(hours=24),
        gt=timedelta(0),
        description="how often the background purge runs (the first run comes soon after start)",
    )
    # Flood protection per person (commands and button presses together): a bucket of
    # RATE_LIMIT_BURST actions refilled at RATE_LIMIT_PER_MINUTE. A person at human speed never
    # empties it; each action refused past it is told when to try again.
    rate_limit_per_minute: int = Field(
        default=120,
        ge=60,
        description="actions a minute one person may keep up (60 is one a second, the floor)",
    )
    rate_limit_burst: int = Field(
        default=20,
        ge=10,
        description="actions one person may send at once before the per-minute rate applies",
    )

    # Self-destruct: the "delete after" choices /settings offers, each at most 48 hours (how long
    # Telegram lets a bot delete its own messages).
    self_destruct_choices: Annotated[tuple[timedelta, ...], NoDecode] = Field(
        default=DEFAULT_CHOICES,
        description=(
            "the self-destruct choices /settings offers, e.g. 1h,24h,47h (s, m, h or d; each "
            "above zero and at most 48h, Telegram's limit for deleting a bot's messages)"
        ),
    )

    @field_validator("self_destruct_choices", mode="before")
    @classmethod
    def _parse_choices(cls, value: object) -> object:
        return parse_choices(value) if isinstance(value, str) else value

    @field_validator("organizers", mode="before")
    @classmethod
    def _parse_organizers(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        organizers = set()
        for item in filter(None, (part.strip() for part in value.split(","))):
            platform, _, user_id = item.partition(":")
            if platform not in PLATFORMS or not user_id:
                raise ValueError(
                    f"{item!r} is not platform:id (platforms: {', '.join(PLATFORMS)}); "
                    "for example telegram:123,discord:456"
                )
            # Telegram and Discord user ids are numbers: "telegram:@alice" would never match
            # anyone, and an organizer would find out only when refused. The console's users
            # are names (tests speak as several); a started console has one, see load_settings.
            if platform != "console" and not (user_id.isascii() and user_id.isdigit()):
                raise ValueError(f"{item!r} is not a numeric user id; {WHOAMI_HINT}")
            organizers.add(Address(platform, user_id))
        return frozenset(organizers)

    @field_validator(
        "telegram_bot_token",
        "discord_bot_token",
        "telegram_webhook_secret",
        "database_key",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator(
        "retention_after_event",
        "retention_broadcast_recipients",
        "retention_drafts",
        "purge_interval",
        mode="before",
    )
    @classmethod
    def _short_duration(cls, value: object) -> object:
        # Operators write 7d or 24h; pydantic alone reads only ISO 8601 from a string.
        if isinstance(value, str):
            match = DURATION.match(value)
            if match:
                return timedelta(seconds=float(match[1]) * UNIT_SECONDS[match[2].lower()])
        return value

    @field_validator(
        "discord_api_base_url",
        "discord_gateway_url",
        "metrics_listen",
        "web_listen",
        "web_url",
        mode="before",
    )
    @classmethod
    def _empty_url_is_unset(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
        return None if value == "" else value

    @field_validator("discord_api_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        # Never quoted back: a proxy's URL may carry a password or a secret path.
        if value is not None and not _url_with_host(value, ("http", "https")):
            raise ValueError(
                "expected an http:// or https:// URL such as https://discord.com/api/v10"
            )
        return value

    @field_validator("web_url")
    @classmethod
    def _dashboard_address(cls, value: str | None) -> str | None:
        if value is not None and not _url_with_host(value, ("http", "https")):
            raise ValueError("expected the address people open, such as https://allies.org")
        return value

    @field_validator("discord_gateway_url")
    @classmethod
    def _websocket_url(cls, value: str | None) -> str | None:
        if value is not None and not _url_with_host(value, ("ws", "wss")):
            raise ValueError("expected a ws:// or wss:// URL such as wss://gateway.discord.gg/")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _webhook_needs_a_secret(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        # The value is never quoted back: an error line must not carry the secret itself.
        if info.data.get("telegram_webhook_url") and (
            value is None or not WEBHOOK_SECRET.fullmatch(value.get_secret_value())
        ):
            raise ValueError(WEBHOOK_HINT)
        return value

    @field_validator("broadcast_telegram_rate")
    @classmethod
    def _rate_within_its_lane(cls, value: float | None, info: ValidationInfo) -> float | None:
        # Past 30 a second Telegram answers 429 unless each message pays its way; paying to go
        # 30 or slower buys nothing. Both mistakes are named with the other variable.
        if value is None:
            return value
        if info.data.get("broadcast_telegram_paid"):
            if value > PAID_RATE_CAP:
                raise ValueError(
                    f"at most {PAID_RATE_CAP:,} messages a second: Telegram's paid broadcasts "
                    "go no faster"
                )
            if value <= FREE_RATE_CAP:
                raise ValueError(
                    f"with BROADCAST_TELEGRAM_PAID=true this is the paid rate, so above "
                    f"{FREE_RATE_CAP} and at most {PAID_RATE_CAP:,} (unset: {PAID_RATE_CAP:,}); "
                    f"for {FREE_RATE_CAP} a second or fewer, turn BROADCAST_TELEGRAM_PAID off"
                )
        elif value > FREE_RATE_CAP:
            raise ValueError(
                f"at most {FREE_RATE_CAP} messages a second for free; faster (up to "
                f"{PAID_RATE_CAP:,}) needs BROADCAST_TELEGRAM_PAID=true, which pays "
                "0.1 Telegram Stars a message from the bot's balance"
            )
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("use one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("discord_shard_id")
    @classmethod
    def _shard_within_count(cls, value: int | None, info: ValidationInfo) -> int | None:
        count = info.data.get("discord_shard_count")
        if (value is None) != (count is None):
            raise ValueError("set DISCORD_SHARD_ID and DISCORD_SHARD_COUNT together, or neither")
        if value is not None and count is not None and value >= count:
            raise ValueError(f"a shard id is 0 to {count - 1} with DISCORD_SHARD_COUNT={count}")
        return value

    @field_validator("roles", mode="before")
    @classmethod
    def _known_roles(cls, value: object, info: ValidationInfo) -> frozenset[str]:
        if isinstance(value, str):
            value = [part.strip().lower() for part in value.split(",") if part.strip()]
        roles = frozenset(str(role) for role in value)  # type: ignore[attr-defined]
        unknown = sorted(roles - ALL_ROLES)
        if unknown:
            raise ValueError(
                f"unknown role {unknown[0]!r}: use telegram, discord and/or sender, comma-separated"
            )
        if not roles:
            raise ValueError("name at least one of telegram, discord, sender")
        url = info.data.get("database_url", "")
        if roles != ALL_ROLES and not str(url).startswith("postgresql"):
            raise ValueError(
                "splitting the roles across processes needs PostgreSQL (DATABASE_URL="
                "postgresql://…): on SQLite one process does everything"
            )
        return roles

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError("expected a URL such as sqlite+aiosqlite:///data/allybot.sqlite3")
        if value.startswith("sqlite://") or value.startswith("sqlite:///"):
            # People write the classic form; the async engine needs the aiosqlite driver.
            value = "sqlite+aiosqlite://" + value.removeprefix("sqlite://")
        for classic in ("postgresql://", "postgres://"):
            if value.startswith(classic):
                # Likewise for PostgreSQL: asyncpg is the driver installed with the project.
                value = "postgresql+asyncpg://" + value.removeprefix(classic)
        return value

    @field_validator("database_key")
    @classmethod
    def _key_for_sqlite(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        # The value is never quoted back, only its length rule.
        if value is None:
            return value
        if len(value.get_secret_value()) < DATABASE_KEY_MIN:
            raise ValueError(DATABASE_KEY_HINT)
        url = info.data.get("database_url")
        if url is not None and not url.startswith("sqlite+aiosqlite:"):
            raise ValueError(
                "encrypts an SQLite database only (sqlite+aiosqlite:///...); "
                "for another database, use its own encryption at rest"
            )
        return value

    @field_validator("content_dir")
    @classmethod
    def _existing_dir(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"{value} is not a folder")
        return value

    @field_validator("telegram_webhook_listen", "metrics_listen", "web_listen")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value is None:
            return value
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError("expected host:port, for example 0.0.0.0:8443")
        return value


def _url_with_host(value: str, schemes: tuple[str, ...]) -> bool:
    """Whether `value` is a URL with one of `schemes`, a host and (if any) a readable port."""
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme.lower() in schemes and bool(parts.hostname)


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    """Read the settings or raise SettingsError with one line per bad variable."""
    try:
        settings = Settings(_env_file=env_file)
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            variable = str(problem["loc"][0]).upper() if problem["loc"] else "settings"
            message = str(problem["msg"]).removeprefix("Value error, ")
            lines.append(f"{variable}: {message}")
        raise SettingsError("\n".join(lines)) from None
    # A started process's console has one user; any other console id would never match.
    for organizer in sorted(settings.organizers, key=str):
        if organizer.platform == "console" and organizer != CONSOLE_USER:
            raise SettingsError(
                f"ORGANIZERS: {str(organizer)!r} is not the console's user; "
                f"the console's user is {CONSOLE_USER} ({WHOAMI_HINT})"
            )
    return settings
