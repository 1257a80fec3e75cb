"""The Content page: what `allybot content check` finds, each problem with its file and line,
and the items past their `checked:` date picked out; for organizers only."""

from __future__ import annotations

import asyncio
import html
import re
import shutil
from pathlib import Path

import pytest

from bot.app import Core
from bot.content_check import ContentCheck
from bot.settings import Settings
from content.loader import default_content_dir
from tests.adapters.web.access_support import client, group_admin, signed_in
from tests.support.fakes import FixedClock


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A copy of the campaign's files that the test breaks while the bot runs."""
    copy = tmp_path / "content"
    shutil.copytree(default_content_dir(), copy)
    return copy


@pytest.fixture
def settings(tmp_path: Path, content_dir: Path) -> Settings:
    return Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'allybot.sqlite3'}",
        organizers="console:organizer",
        content_dir=content_dir,
    )


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in the file by `new`; the 1-based line it was on."""
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return text[:at].count("\n") + 1


def rows(page: str, table: str) -> list[list[str]]:
    """The cells of each body row of the table with id `table`, tags stripped."""
    body = page.split(f'id="{table}"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


async def test_problems_show_with_their_file_and_line(core: Core, content_dir: Path) -> None:
    async with client(core) as web:
        headers = await signed_in(web, core)
        clean = await (await web.get("/content", headers=headers)).text()
        assert "0 errors" in clean and "Every item was checked within the last 90 days." in clean

        # An organizer edits the files while the bot runs: a field it does not know, and a date
        # that is not one.
        unknown = (
            edit(
                content_dir / "events.yaml",
                "    timezone: Asia/Hong_Kong\n",
                "    timezone: Asia/Hong_Kong\n    colour: purple\n",
            )
            + 1
        )
        bad_date = edit(content_dir / "donate.yaml", "checked: 2026-12-01", "checked: soon")
        # The answer is kept a few seconds; a new app (a reload later) runs the check again.
    async with client(core) as web:
        headers = await signed_in(web, core)
        response = await web.get("/content", headers=headers)
        assert response.status == 200
        page = await response.text()
    assert "2 errors" in page
    problems = rows(page, "problems")
    assert ["donate.yaml", str(bad_date), "error"] == problems[0][:3], problems
    assert "checked" in problems[0][3]
    assert ["events.yaml", str(unknown), "error"] == problems[1][:3], problems
    assert (
        "unknown field &#39;colour&#39;" in problems[1][3]
        or "unknown field 'colour'" in problems[1][3]
    )


async def test_items_past_their_check_date_are_highlighted(
    core: Core, content_dir: Path, clock: FixedClock
) -> None:
    # 2026-11-21 on the test's clock: a check in January is more than 90 days old.
    line = edit(content_dir / "donate.yaml", "checked: 2026-12-01", "checked: 2026-01-05")
    async with client(core) as web:
        page = await (await web.get("/content", headers=await signed_in(web, core))).text()
    [stale] = rows(page, "stale")
    assert stale == ["donate.yaml", str(line), "funds[0]", "2026-01-05"]
    assert '<tr class="stale">' in page
    assert "0 errors" in page
    # The same item's warning in the problems table is the highlighted row.
    highlighted = page.split('<tr class="stale">\n', 1)[1].split("</tr>", 1)[0]
    assert f'<td>donate.yaml</td><td class="num">{line}</td>' in highlighted
    assert "last checked on 2026-01-05" in highlighted

    clock.advance(days=400)
    # Everything is stale a year on (the cached answer goes after a few seconds).
    async with client(core) as web:
        page = await (await web.get("/content", headers=await signed_in(web, core))).text()
    assert len(rows(page, "stale")) > 1


async def test_a_group_admin_is_shown_a_friendly_refusal(core: Core) -> None:
    async with client(core) as web:
        headers = await signed_in(web, core, group_admin("-100555", "77"))
        response = await web.get("/content", headers=headers)
        page = html.unescape(await response.text())
    assert response.status == 403
    assert "This page is for the campaign's organizers." in page
    assert "donate.yaml" not in page
    # Their menu does not offer it either.
    assert 'href="/content"' not in page


async def test_the_check_is_kept_a_few_seconds_then_run_again(
    content_dir: Path, clock: FixedClock
) -> None:
    check = ContentCheck(content_dir, clock, keep_s=0.3)
    first = await check()
    edit(content_dir / "donate.yaml", "checked: 2026-12-01", "checked: soon")
    # Reloading at once (or several organizers looking) reads the files once.
    assert await check() is first
    await asyncio.sleep(0.4)
    again = await check()
    assert again.errors == first.errors + 1
