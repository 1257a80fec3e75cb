"""The command line: run | console | health | content check | db upgrade | encrypt | decrypt |
backup."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.settings import (
    ALL_ROLES,
    DEFAULT_WEB_LISTEN,
    SENDER_ROLE,
    Settings,
    SettingsError,
    load_settings,
)

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="allybot", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser(
        "run", help="start every platform whose token is set (else the console)"
    )
    run.add_argument(
        "--role",
        metavar="ROLES",
        help=(
            "what this process does, comma-separated: telegram, discord, sender (default: all; "
            "same as ROLES; a split needs PostgreSQL, see README 'Scaling out')"
        ),
    )
    commands.add_parser("console", help="chat with the bot in this terminal")
    commands.add_parser(
        "web", help="serve the organizer dashboard on WEB_LISTEN (default 127.0.0.1:8080)"
    )
    commands.add_parser("health", help="check the database and each platform; exit 0 if all ok")
    content = commands.add_parser("content", help="campaign content tools")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    check = content_commands.add_parser("check", help="validate the campaign content files")
    check.add_argument("directory", nargs="?", type=Path, help="default: CONTENT_DIR or packaged")
    db = commands.add_parser("db", help="database tools")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply database migrations")
    db_commands.add_parser(
        "encrypt", help="encrypt the SQLite database in place with DATABASE_KEY (bot stopped)"
    )
    db_commands.add_parser(
        "decrypt", help="decrypt the SQLite database in place with DATABASE_KEY (bot stopped)"
    )
    backup = db_commands.add_parser(
        "backup", help="copy the SQLite database, encrypted when DATABASE_KEY is set (bot may run)"
    )
    backup.add_argument("path", type=Path, help="a new file (one name per backup)")
    discord_tools = commands.add_parser("discord", help="Discord tools")
    discord_commands = discord_tools.add_subparsers(dest="discord_command", required=True)
    sync = discord_commands.add_parser("sync", help="upload the slash commands to Discord now")
    sync.add_argument(
        "--guild",
        type=int,
        metavar="ID",
        help="only this server, where they appear at once (for testing)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `allybot` and `python -m bot`."""
    args = _parser().parse_args(argv)
    command = args.command or "run"
    if command == "content":
        return _content_check(args.directory)
    if command == "health":
        from bot.health import main as health

        return health()
    if getattr(args, "role", None):
        # One place validates roles, with the settings' one-line errors: the flag wins over ROLES.
        os.environ["ROLES"] = args.role
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"allybot: bad settings: {error}", file=sys.stderr)
        return 2
    from bot.logs import configure_logging, configured_secrets

    configure_logging(settings.log_level, configured_secrets(settings))
    from db.cipher import CipherError

    try:
        if command == "db":
            if args.db_command == "upgrade":
                return asyncio.run(_db_upgrade(settings))
            return _db_file_tool(settings, args.db_command, getattr(args, "path", None))
        if command == "discord":
            return asyncio.run(_discord_sync(settings, args.guild))
        if command == "web":
            return asyncio.run(_serve(settings, console_only=False, web_only=True))
        return asyncio.run(_serve(settings, console_only=command == "console"))
    except CipherError as error:
        # A wrong or missing DATABASE_KEY, or a refused conversion: one line, never the key.
        print(f"allybot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    except Exception as error:
        # Python's own report of an uncaught error is printed past the log's filters, with each
        # error's text (a database error's can quote row values): the log's private traceback
        # instead, secrets redacted and database errors shown by their type.
        log.critical("allybot stopped: %s", type(error).__name__, exc_info=error)
        return 1


def _content_check(directory: Path | None) -> int:
    from content.loader import check_content

    if directory is None:
        try:
            directory = load_settings().content_dir
        except SettingsError:
            directory = None
    from content.i18n import catalog_dir, untranslated

    _, problems = check_content(directory)
    for problem in problems:
        print(problem)
    errors = [p for p in problems if not p.warning]
    warnings = len(problems) - len(errors)
    for catalog, line, msgid in untranslated():
        # Untranslated UI strings show in English; translators should know which.
        where = catalog.relative_to(catalog_dir().parent)
        print(f"{where}:{line}: warning: not translated: {msgid!r}")
        warnings += 1
    print(f"{len(errors)} errors, {warnings} warnings", file=sys.stderr)
    return 1 if errors else 0


async def _db_upgrade(settings: Settings) -> int:
    from db.session import create_engine, upgrade

    engine = create_engine(settings.database_url, settings.database_key)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    print("database is up to date")
    return 0


def _db_file_tool(settings: Settings, tool: str, target: Path | None) -> int:
    """`allybot db encrypt | decrypt | backup PATH` (db/cipher_tools.py)."""
    from db.cipher_tools import backup, database_file, decrypt, encrypt

    path = database_file(settings.database_url)
    key = settings.database_key
    if tool == "backup":
        assert target is not None  # noqa: S101 -- argparse requires it
        backup(path, target, key)
        kind = "encrypted with DATABASE_KEY" if key else "NOT encrypted: DATABASE_KEY is not set"
        print(f"backed up {path} to {target} ({kind})")
        return 0
    if key is None:
        print(f"allybot: DATABASE_KEY is not set: {tool} needs it (see README)", file=sys.stderr)
        return 2
    if tool == "encrypt":
        encrypt(path, key)
        print(
            f"encrypted {path}: the bot now starts only with this DATABASE_KEY; "
            "keep a copy of the key somewhere safe (without it the data cannot be read)"
        )
    else:
        decrypt(path, key)
        print(f"decrypted {path}: remove DATABASE_KEY before starting the bot")
    return 0


async def _serve(settings: Settings, *, console_only: bool, web_only: bool = False) -> int:
    from bot.adapters.console import ConsoleMessenger
    from bot.app import build_core, platform_messengers, serve
    from bot.core.ports import Messenger
    from bot.ratelimit import Unlimited
    from content.loader import ContentError

    console = ConsoleMessenger()
    uses_console = not web_only and (
        console_only or (settings.telegram_bot_token is None and settings.discord_bot_token is None)
    )
    try:
        # The console is one trusted local user, typing or piping; the rate limit is for strangers.
        limiter = Unlimited() if uses_console else None
        # Fenced: every claim needs the sender lease, so processes sharing a database never
        # both send one message (serve() takes the lease before the services run).
        core = await build_core(settings, limiter=limiter, fenced=True)
    except ContentError as error:
        print(f"allybot: the campaign content has errors:\n{error}", file=sys.stderr)
        return 2
    roles = ALL_ROLES if uses_console else settings.roles
    messengers: list[Messenger] = [console] if uses_console else platform_messengers(core, roles)
    web_listen = settings.web_listen
    if web_only:
        # The dashboard alone: the platforms only send what its actions cause (an approval
        # request, a cancelled event's notice); the background services are a sender's.
        roles = frozenset()
        messengers = platform_messengers(core, roles, sends=True)
        web_listen = web_listen or DEFAULT_WEB_LISTEN
    refused: list[Exception] = []
    stop = _stop_on_signals()
    try:
        await serve(core, messengers, stop, background=SENDER_ROLE in roles, web_listen=web_listen)
    except* _refusals(settings) as group:
        # A platform refused a setting at start: one line each, naming the variable (never
        # its value); the task groups' traceback would only bury it.
        refused = _leaves(group)
    for refusal in refused:
        print(f"allybot: {refusal}", file=sys.stderr)
    return 2 if refused else 0


def _stop_on_signals() -> asyncio.Event:
    """SIGTERM (systemctl stop, docker stop) and SIGINT (Ctrl-C) ask for a graceful stop, which
    serve() carries out; a second one, from someone who will not wait, exits at once."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def on_signal(number: int) -> None:
        if stop.is_set():
            print("allybot: stopping at once", file=sys.stderr, flush=True)
            os._exit(128 + number)
        print("allybot: stopping (again to stop at once)", file=sys.stderr, flush=True)
        stop.set()

    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, on_signal, number)
    return stop


def _refusals(settings: Settings) -> tuple[type[Exception], ...]:
    """What each configured platform raises when it refuses the token at start."""
    refusals: list[type[Exception]] = []
    # Imported only when configured: platform_messengers() has already loaded these adapters.
    if settings.telegram_bot_token is not None:
        from bot.adapters.telegram import TelegramRefused

        refusals.append(TelegramRefused)
    if settings.discord_bot_token is not None:
        from bot.adapters.discord import DiscordLoginError

        refusals.append(DiscordLoginError)
    return tuple(refusals)


def _leaves(group: BaseExceptionGroup[Exception]) -> list[Exception]:
    """The exceptions inside nested groups (the messengers' group sits inside the services')."""
    leaves: list[Exception] = []
    for error in group.exceptions:
        if isinstance(error, BaseExceptionGroup):
            leaves += _leaves(error)
        else:
            leaves.append(error)
    return leaves


async def _discord_sync(settings: Settings, guild: int | None) -> int:
    """`allybot discord sync [--guild ID]`: upload the slash commands now."""
    if settings.discord_bot_token is None:
        print("allybot: DISCORD_BOT_TOKEN is not set", file=sys.stderr)
        return 2
    from bot.adapters.discord import DiscordLoginError, sync_commands
    from bot.app import build_core

    core = await build_core(settings)
    try:
        count = await sync_commands(
            settings.discord_bot_token.get_secret_value(),
            core.registry,
            core.translator,
            core.server_setups,
            guild_id=guild,
        )
    except DiscordLoginError as error:
        print(f"allybot: {error}", file=sys.stderr)
        return 2
    finally:
        await core.aclose()
    where = f"server {guild}" if guild else "every server (this can take up to an hour to show)"
    print(f"synced {count} slash commands to {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
