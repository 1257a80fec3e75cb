"""The overview with 100,000 subscribers stored, against a static file of the same server.

100,000 chats (Telegram and Discord, English, Russian and unchosen languages, one to three of
five topics each) and twelve weeks of tallies go into a SQLite file in bulk. `allybot web` then
serves that file in a process of its own, exactly as in production. The benchmark signs in as an
organizer with a real one-time link (issued through WebAccess, spent with a POST like the
button), then, with that session's cookie, measures:

- pages per second: 8 concurrent keep-alive clients for `--seconds` (in three alternating
  rounds) each on the overview (`/`)
  and on `/static/app.css` served by the same server in the same run, both signed in as a
  browser is (the session middleware renews the session in the database on every request,
  static files included); the static file without a cookie is measured too, for comparison;
- the overview's time to first byte, requests one after another: median and p95; and that of
  the first page after start, the one page that waits for the aggregates to be counted in SQL
  (afterwards they are renewed in the background every few seconds, bot/core/dashboard/stats.py).

Targets: the overview at least 25% of the static file's rate; its TTFB median and p95 under 200 ms.

    .venv/bin/python bench/web.py [--seconds 10] [--chats 100000] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from sqlalchemy import insert

from bench.figures import Figure, add_json_argument, write
from bot.core.dashboard.access import Grant, WebAccess
from bot.core.dashboard.stats import TTL, WEEKLY, monday
from bot.core.messages import Address
from db.models.chats import Chat, ChatTopic
from db.models.tallies import WeeklyTally
from db.session import create_engine, upgrade
from db.stores.web_access import SqlWebAccess

ORGANIZER = Address("telegram", "7311223344")
TOPICS = ("events", "news", "rallies", "safety", "vigils")
PLATFORMS = ("telegram", "discord")
LANGUAGES = ("en", "ru", "ru", None)
CONCURRENCY = 8
RATIO_TARGET, TTFB_TARGET_MS = 0.25, 200.0
BATCH = 20_000
ROUNDS = 3


async def store(url: str, chats: int) -> str:
    """Fill the database in bulk; a one-time login link's token for the organizer."""
    engine = create_engine(url)
    await upgrade(engine)
    created = datetime(2026, 11, 1, tzinfo=UTC)
    async with engine.begin() as connection:
        for start in range(0, chats, BATCH):
            ids = range(start + 1, min(chats, start + BATCH) + 1)
            rows = [
                {
                    "id": i,
                    "platform": PLATFORMS[i % 2],
                    "chat_id": str(10_000_000 + i),
                    "kind": "private",
                    "locale": LANGUAGES[i % len(LANGUAGES)],
                    "active": i % 50 != 0,
                    "created_at": created,
                }
                for i in ids
            ]
            await connection.execute(insert(Chat), rows)
            topics = [
                {"chat_pk": i, "topic": TOPICS[(i + k) % len(TOPICS)]}
                for i in ids
                for k in range(1 + i % 3)
            ]
            await connection.execute(insert(ChatTopic), topics)
        this_week = monday(datetime.now(UTC).date())
        tallies = [
            {
                "week": (this_week - timedelta(weeks=back)).isoformat(),
                "what": what,
                "platform": platform,
                "n": (back * 37 + len(what) * 11) % 900,
            }
            for back in range(12)
            for what in WEEKLY
            for platform in PLATFORMS
        ]
        await connection.execute(insert(WeeklyTally), tallies)
    token = await WebAccess(SqlWebAccess(engine)).link_token(Grant(ORGANIZER, ORGANIZER))
    await engine.dispose()
    return token


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def start_server(url: str, port: int, folder: str) -> asyncio.subprocess.Process:
    """`allybot web` on the filled database, listening when this returns."""
    allybot = Path(sys.executable).with_name("allybot")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "WEB_LISTEN": f"127.0.0.1:{port}",
        "ORGANIZERS": str(ORGANIZER),
        "LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(str(allybot), "web", env=env, cwd=folder)
    async with asyncio.timeout(60):
        while True:
            if process.returncode is not None:
                raise SystemExit(f"allybot web stopped at start ({process.returncode})")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.1)
                continue
            writer.close()
            await writer.wait_closed()
            return process


async def rate(session: aiohttp.ClientSession, url: str, seconds: float) -> float:
    """Responses per second with CONCURRENCY clients asking one after another for `seconds`."""
    done = 0
    end = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal done
        while time.perf_counter() < end:
            async with session.get(url, allow_redirects=False) as response:
                await response.read()
                assert response.status == 200, response.status
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
    return done / (time.perf_counter() - started)


async def first_byte_ms(session: aiohttp.ClientSession, url: str) -> float:
    """Milliseconds until the response's headers arrived (aiohttp returns then)."""
    started = time.perf_counter()
    async with session.get(url, allow_redirects=False) as response:
        elapsed = (time.perf_counter() - started) * 1000
        body = await response.text()
        assert response.status == 200 and "Counts as of" in body, response.status
    return elapsed


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def measure(args: argparse.Namespace, folder: str) -> list[Figure]:
    (Path(folder) / "data").mkdir()
    url = f"sqlite+aiosqlite:///{folder}/data/allybot.sqlite3"
    began = time.perf_counter()
    token = await store(url, args.chats)
    print(f"stored {args.chats:,} subscribers in {time.perf_counter() - began:.1f} s")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = await start_server(url, port, folder)
    try:
        connector = aiohttp.TCPConnector(limit=CONCURRENCY)
        jar = aiohttp.CookieJar(unsafe=True)  # the cookie of a server addressed by IP
        async with aiohttp.ClientSession(base, connector=connector, cookie_jar=jar) as session:
            async with session.post(f"/login/{token}", allow_redirects=False) as response:
                assert response.status == 303, f"sign-in refused: {response.status}"
            # The first page after start waits for the aggregates; later ones never do.
            cold = await first_byte_ms(session, "/")
            # Alternated, so a slow moment of a shared machine does not fall on one side only.
            statics, bares, overviews = [], [], []
            span = args.seconds / ROUNDS
            for _ in range(ROUNDS):
                statics.append(await rate(session, "/static/app.css", span))
                async with aiohttp.ClientSession(base) as anonymous:
                    # For comparison only: without a cookie no session is looked up or renewed.
                    bares.append(await rate(anonymous, "/static/app.css", span))
                overviews.append(await rate(session, "/", span))
            static, bare = statistics.mean(statics), statistics.mean(bares)
            overview = statistics.mean(overviews)
            ttfb = [await first_byte_ms(session, "/") for _ in range(args.sequential)]
    finally:
        server.terminate()
        await server.wait()
    ratio = overview / static
    median, high = statistics.median(ttfb), p95(ttfb)
    print(f"static file: {static:,.0f}/s signed in ({bare:,.0f}/s without a session)")
    print(
        f"overview: {overview:,.0f}/s ({ratio:.0%} of the static file signed in,"
        f" {overview / bare:.0%} of it without a session)"
    )
    print(f"overview TTFB: median {median:.1f} ms, p95 {high:.1f} ms ({len(ttfb)} sequential)")
    print(f"overview TTFB, first page after start (the aggregates counted): {cold:.0f} ms")
    return [
        Figure(
            "overview_rate",
            f"Overview pages/s ({args.chats:,} subscribers, {CONCURRENCY} clients)",
            overview,
            "/s",
            baseline_label="static /static/app.css",
            baseline_value=static,
            target=f">= {RATIO_TARGET:.0%} of static",
            met=ratio >= RATIO_TARGET,
            ratio_format="{:.0%}",
        ),
        Figure(
            "overview_vs_bare",
            "Overview pages/s against the static file asked without a session (for comparison)",
            overview,
            "/s",
            baseline_label="static, no cookie",
            baseline_value=bare,
            ratio_format="{:.0%}",
        ),
        Figure(
            "ttfb_median_ms",
            "Overview time to first byte, median",
            median,
            "ms",
            target=f"< {TTFB_TARGET_MS:.0f} ms",
            met=median < TTFB_TARGET_MS,
            digits=1,
        ),
        Figure(
            "ttfb_p95_ms",
            "Overview time to first byte, p95",
            high,
            "ms",
            target=f"< {TTFB_TARGET_MS:.0f} ms",
            met=high < TTFB_TARGET_MS,
            digits=1,
        ),
        Figure(
            "ttfb_cold_ms",
            "Overview time to first byte, first page after start (aggregates read in SQL)",
            cold,
            "ms",
            digits=1,
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--sequential", type=int, default=200)
    add_json_argument(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        figures = asyncio.run(measure(args, folder))
    notes = [
        f"The aggregates are renewed in the background at most every {TTL.total_seconds():.0f} s;"
        " the page says as of when",
        "a session's expiry is written at most once a thirtieth of its idle time (once a minute),"
        " and static files read no session",
    ]
    write("web", figures, args.json, notes)
    missed = [figure.label for figure in figures if figure.met is False]
    for label in missed:
        print(f"missed: {label}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
