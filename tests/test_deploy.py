"""The deployment files, checked from outside without Docker or systemd running.

compose.yaml is read as Compose reads it (YAML with merge keys); each bot service's command goes
through the real `allybot` argument parser and its environment through the real Settings, so a
renamed option or variable breaks here, not on an operator's server. No secret is written in any
of these files. The Dockerfile's final stage runs as a user of its own and carries no compiler.
The systemd unit is hardened and `systemd-analyze verify` accepts it.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.__main__ import _parser
from bot.core.broadcast.sender import STOP_GRACE_S as BROADCAST_GRACE_S
from bot.core.reminders.sends import STOP_GRACE_S as REMINDER_GRACE_S
from bot.settings import Settings
from tests.support.paths import REPO

COMPOSE = REPO / "compose.yaml"
DOCKERFILE = REPO / "Dockerfile"
UNIT = REPO / "deploy" / "allybot.service"
CADDYFILE = REPO / "deploy" / "Caddyfile"
ENV_EXAMPLE = REPO / "deploy" / "env.example"
BOT_SERVICES = ("telegram-1", "telegram-2", "discord", "sender-1", "sender-2")
# A variable whose value would be a secret, by its name.
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|KEY", re.IGNORECASE)
# ${VAR}, ${VAR:?message}, ${VAR:-default}: Compose's interpolation from .env.
REFERENCE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?:[:?-][^}]*)?\}")
# What a filled-in .env would hold, for reading the services' settings.
STAND_INS = {
    "POSTGRES_PASSWORD": "stand-in-password",
    "ALLYBOT_DOMAIN": "bot.example.org",
    "ALLYBOT_DASHBOARD_DOMAIN": "allies.example.org",
    "TELEGRAM_BOT_TOKEN": "123456:stand-in",
    "DISCORD_BOT_TOKEN": "stand.in.token",
    "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/telegram-updates",
    "TELEGRAM_WEBHOOK_SECRET": "s" * 48,
    "ORGANIZERS": "telegram:1",
}


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def services() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose()["services"]
    return found


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    assert isinstance(env, dict), "environment as a mapping, never a list of NAME=value strings"
    return {str(k): str(v) for k, v in env.items()}


def interpolated(value: str) -> str:
    return REFERENCE.sub(lambda match: STAND_INS[match[1]], value)


def roles_of(argv: list[str]) -> set[str]:
    """The roles `allybot` parses from `argv`, whatever the option's attribute is called."""
    args = _parser().parse_args(argv)
    assert args.command == "run"
    roles: set[str] = set()
    for value in vars(args).values():
        if isinstance(value, str) and value != "run":
            roles |= set(value.split(","))
        elif isinstance(value, list | tuple | set | frozenset):
            roles |= {str(v) for v in value}
    return roles


def roles_from(service: dict[str, Any]) -> set[str]:
    """The roles a service runs with, as the bot reads them: a `--role` on its command through
    the real parser, else ROLES through the real settings (which `allybot health` reads too, so
    a container's health checks only its own platforms)."""
    flagged = roles_of(list(service.get("command", ["run"])))
    if flagged:
        return flagged
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url="postgresql://allybot@postgres/allybot",
        roles=environment(service)["ROLES"],
    )
    return set(settings.roles)


# -- compose.yaml ------------------------------------------------------------------------------


def test_compose_runs_the_roles_issue_15_asks_for_on_one_postgresql() -> None:
    found = services()
    assert set(found) == {"postgres", "caddy", "web", *BOT_SERVICES}
    roles = {name: roles_from(found[name]) for name in BOT_SERVICES}
    assert roles == {
        "telegram-1": {"telegram"},
        "telegram-2": {"telegram"},
        "discord": {"discord"},
        "sender-1": {"sender"},
        "sender-2": {"sender"},
    }
    for name in BOT_SERVICES:
        service = found[name]
        assert service["build"] == "."
        assert service["env_file"] == ".env"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        # Room for the bot's graceful stop (about 10 s) before Docker's SIGKILL.
        assert int(service["stop_grace_period"].removesuffix("s")) >= 2 * REMINDER_GRACE_S


def test_postgres_keeps_its_data_and_says_when_it_is_ready() -> None:
    postgres = services()["postgres"]
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])
    assert postgres["volumes"][0].split(":")[0] in compose()["volumes"]
    assert "pg_isready" in postgres["healthcheck"]["test"]


def test_every_bot_service_reads_postgresql_and_its_settings_validate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in BOT_SERVICES:
        env = {k: interpolated(v) for k, v in environment(services()[name]).items()}
        assert env["DATABASE_URL"].startswith("postgresql://")
        for variable, value in {**STAND_INS, **env}.items():
            monkeypatch.setenv(variable, value)
        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        assert settings.database_url.startswith("postgresql+asyncpg://allybot:")
        assert settings.metrics_listen == "0.0.0.0:9464"
        if name.startswith("telegram"):
            # Reachable from the proxy, on the port Caddy forwards to.
            assert settings.telegram_webhook_listen == "0.0.0.0:8443"
            assert f"{name}:8443" in CADDYFILE.read_text()
        for variable in env:
            monkeypatch.delenv(variable)


def test_the_dashboard_is_served_alone_behind_https_and_links_point_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    web = services()["web"]
    assert web["command"] == ["web"]
    assert web["env_file"] == ".env"
    env = {k: interpolated(v) for k, v in environment(web).items()}
    for variable, value in {**STAND_INS, **env}.items():
        monkeypatch.setenv(variable, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.web_listen == "0.0.0.0:8080"
    assert settings.dashboard_url == "https://allies.example.org"
    # Every bot service's /dashboard links point at the same public address.
    for name in BOT_SERVICES:
        assert interpolated(environment(services()[name])["WEB_URL"]) == settings.dashboard_url
    site = re.search(r"\{\$ALLYBOT_DASHBOARD_DOMAIN\} \{([^}]*)\}", CADDYFILE.read_text())
    assert site is not None and "reverse_proxy web:8080" in site[1]


def test_no_secret_is_written_in_compose_yaml() -> None:
    text = COMPOSE.read_text()
    for name, service in services().items():
        for variable, value in environment(service).items():
            if SECRET_NAME.search(variable):
                assert REFERENCE.fullmatch(value), f"{name}: {variable} must come from .env"
        url = environment(service).get("DATABASE_URL")
        if url is not None:
            password = url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
            assert REFERENCE.fullmatch(password), f"{name}: the password must come from .env"
    for stand_in in STAND_INS.values():
        assert stand_in not in text
    # Every value compose.yaml takes from .env is one deploy/env.example asks for.
    example = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert set(REFERENCE.findall(yaml.safe_dump(compose()))) <= set(example)
    for variable, value in example.items():
        if SECRET_NAME.search(variable):
            assert value == "", f"env.example must not hold a {variable}"
    # The others are real settings, or Compose's own.
    known = {field.upper() for field in Settings.model_fields} | {
        "ALLYBOT_DOMAIN",
        "ALLYBOT_DASHBOARD_DOMAIN",
    }
    assert set(example) <= known | {"POSTGRES_PASSWORD"}


def test_the_proxy_gets_only_its_domain_and_forwards_to_both_workers() -> None:
    caddy = services()["caddy"]
    assert "env_file" not in caddy  # the bot's tokens are none of its business
    assert set(environment(caddy)) == {"ALLYBOT_DOMAIN", "ALLYBOT_DASHBOARD_DOMAIN"}
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    assert set(caddy["depends_on"]) == {"telegram-1", "telegram-2", "web"}
    assert "443:443" in caddy["ports"]
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", CADDYFILE.read_text())
    assert upstreams is not None
    assert upstreams[1].split() == ["telegram-1:8443", "telegram-2:8443"]


# -- Dockerfile --------------------------------------------------------------------------------


def stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuation lines joined), one list per stage."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found: list[list[str]] = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            found.append([])
        found[-1].append(line)
    return found


def test_the_final_image_is_slim_runs_as_its_own_user_and_has_no_compiler() -> None:
    builder, final = stages()
    assert builder[0].startswith("FROM python:3.11-slim AS builder")
    assert any("pip wheel" in line for line in builder)
    assert final[0] == "FROM python:3.11-slim"
    text = "\n".join(final)
    for tool in ("gcc", "build-essential", "apt-get install", "make ", "g++", "clang"):
        assert tool not in text, tool
    # Installed from the builder's wheels only, never from an index at this stage.
    assert any("pip install" in line and "--no-index" in line for line in final)
    users = [line.split()[1] for line in final if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0", "0:0")
    assert 'ENTRYPOINT ["allybot"]' in final
    assert 'CMD ["run"]' in final


def test_the_healthcheck_is_allybot_health() -> None:
    [healthcheck] = [line for line in stages()[-1] if line.startswith("HEALTHCHECK")]
    command = healthcheck.split(" CMD ", 1)[1].strip()
    argv = yaml.safe_load(command)  # the exec form is a JSON list
    assert argv[0] == "allybot"
    assert _parser().parse_args(argv[1:]).command == "health"


def test_the_build_context_leaves_out_secrets_and_databases() -> None:
    ignored = {
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", "*.sqlite3*", "data/", ".git/", ".venv/"} <= ignored


# -- systemd -----------------------------------------------------------------------------------


def unit() -> dict[str, list[str]]:
    """key -> every value it is given in the unit (a key may repeat, SystemCallFilter does)."""
    found: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_the_unit_is_hardened_and_stops_gracefully() -> None:
    settings = {key: values[-1] for key, values in unit().items()}
    assert settings["DynamicUser"] == "yes" or settings.get("User") not in (None, "root")
    for key, value in {
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "StateDirectory": "allybot",
        "WorkingDirectory": "/var/lib/allybot",
        "KillSignal": "SIGTERM",
        "Restart": "on-failure",
    }.items():
        assert settings[key] == value, key
    # Comfortably above the bot's own grace (background services, then the messengers).
    assert int(settings["TimeoutStopSec"]) >= 2 * max(REMINDER_GRACE_S, BROADCAST_GRACE_S) + 5
    # The secrets come from a root-only file, never from the unit.
    assert settings["EnvironmentFile"].startswith("/etc/")
    assert not any(SECRET_NAME.search(key) for key in unit() if key != "Environment")
    assert "Environment" not in unit()
    argv = shlex.split(settings["ExecStart"])
    assert argv[0].endswith("/allybot")
    assert _parser().parse_args(argv[1:]).command == "run"


def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    # verify also checks that ExecStart exists: point it at an executable this machine has.
    argv = shlex.split(unit()["ExecStart"][-1])
    copy = tmp_path / "allybot.service"
    copy.write_text(UNIT.read_text().replace(argv[0], str(Path(sys.executable).resolve())))
    result = subprocess.run(
        [analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip() == "", result.stderr
