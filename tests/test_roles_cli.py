"""`allybot run --role` as an operator types it: a split needs PostgreSQL, and a typo is named."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import allybot


def test_a_role_split_on_sqlite_is_refused_with_one_line(tmp_path: Path) -> None:
    done = allybot("run", "--role", "sender", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "allybot: bad settings: ROLES: splitting the roles across processes needs PostgreSQL "
        "(DATABASE_URL=postgresql://…): on SQLite one process does everything"
    ]


def test_an_unknown_role_is_named(tmp_path: Path) -> None:
    done = allybot(
        "run",
        "--role",
        "telegram,sendr",
        env={"DATABASE_URL": "postgresql://allybot@127.0.0.1:1/allybot"},
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "unknown role 'sendr': use telegram, discord and/or sender" in done.stderr


def test_roles_from_the_environment_are_checked_the_same_way(tmp_path: Path) -> None:
    done = allybot("run", env={"ROLES": "discord"}, cwd=tmp_path)
    assert done.returncode == 2
    assert "needs PostgreSQL" in done.stderr
