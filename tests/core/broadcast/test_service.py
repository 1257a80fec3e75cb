"""Organizer broadcasts chat-style: compose, preview, confirm, approve, refuse, cancel, deliver.

The real dispatcher, handlers, BroadcastService and SQLite store; only the platforms are fake
messengers (our own port) that record what they were asked to send.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import Core
from bot.core.broadcast.service import BroadcastService
from bot.core.broadcast.values import BroadcastState, DeliveryState, Recipient
from bot.core.messages import ActionButton, Address, ChatKind, Reply, UrlButton
from bot.core.ports import RecipientGone, TryLater
from bot.core.server_setup import ServerSetup
from bot.settings import Settings
from db.dialect import POSTGRESQL, create_trigger, drop_trigger
from db.models.broadcasts import BroadcastRecipientRow, BroadcastRow
from db.stores.broadcasts import SqlBroadcastStore
from db.stores.setups import SqlServerSetups
from tests.support.broadcast import ALWAYS, Bot, MakeBot, add_subscribers
from tests.support.fakes import FixedClock
from tests.support.settings import settings_on

ORGANIZER = "organizer"
SECOND = "second"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_on(database_url, organizers="console:organizer,console:second")


@pytest.fixture
async def bot(make_bot: MakeBot, core: Core) -> AsyncIterator[Bot]:
    bot = await make_bot(second_approval_above=1000)
    yield bot


async def until(done: Callable[[], bool], limit_s: float = 10.0) -> None:
    """Wait until `done()` holds; the test fails if it never does."""
    async with asyncio.timeout(limit_s):
        while not done():  # noqa: ASYNC110 - the fakes record; polling them is simplest
            await asyncio.sleep(0.005)


async def run_until(bot: Bot, done: Callable[[], bool], limit_s: float = 10.0) -> None:
    """Run the service until `done()` holds (the test fails if it never does)."""
    task = asyncio.create_task(bot.service.run())
    try:
        await until(done, limit_s)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def run_for(bot: Bot, seconds: float) -> None:
    """Let the service run a while (enough for several of its polls)."""
    task = asyncio.create_task(bot.service.run())
    await asyncio.sleep(seconds)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def run_until_settled(bot: Bot) -> None:
    """Run the service until no broadcast is sending any more."""
    task = asyncio.create_task(bot.service.run())
    try:
        async with asyncio.timeout(10):
            while any(  # noqa: ASYNC110 - the store is polled, as the supervisor does
                i.state is BroadcastState.SENDING for i in await bot.service.recent(None)
            ):
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def action(reply: Reply, command: str) -> ActionButton:
    return next(b for b in reply.buttons if isinstance(b, ActionButton) and b.command == command)


def press(button: ActionButton) -> str:
    return " ".join(("/" + button.command, *button.args))


def finished(bot: Bot, chat: str = ORGANIZER) -> bool:
    return any("finished" in r.text for r in bot.messengers["console"].to(chat))


async def test_compose_preview_confirm_and_every_subscriber_gets_it_once(bot: Bot) -> None:
    await add_subscribers(bot.core.engine, "telegram", ["t1", "t2"], locale="ru")
    await add_subscribers(bot.core.engine, "discord", ["d1"], locale="en")
    await add_subscribers(bot.core.engine, "telegram", ["p1"], topic="petitions")

    preview = await bot.say(
        "/broadcast events now Rally on Saturday at 18:00 near the embassy", chat=ORGANIZER
    )
    console = bot.messengers["console"]
    # The exact message recipients get, sent to the organizer as its own message first.
    assert [r.text for r in console.to(ORGANIZER)] == [
        "Rally on Saturday at 18:00 near the embassy"
    ]
    assert "3 chats" in preview.text
    assert "Telegram: ru 2" in preview.text and "Discord: en 1" in preview.text
    assert "Nothing is sent until you press Confirm" in preview.text
    assert not bot.messengers["telegram"].sent and not bot.messengers["discord"].sent

    started = await bot.say(press(action(preview, "bcsend")))
    assert "Sending broadcast" in started.text
    await run_until(bot, lambda: finished(bot))

    # Never more in flight than the platform's window: what a crash could leave in doubt.
    assert (
        bot.messengers["telegram"].most_in_flight <= bot.service.budgets.of("telegram").window.size
    )
    expected = console.to(ORGANIZER)[0]
    assert bot.messengers["discord"].to("d1") == [expected]
    # Russian chats are discreet until they choose: a neutral line, and Show for the rest,
    # which shows exactly what the others got.
    for chat in ("t1", "t2"):
        [neutral] = bot.messengers["telegram"].to(chat)
        assert neutral.text == "У вас новое сообщение" and neutral.protect
        shown = await bot.say(
            press(action(neutral, "show")), chat=chat, platform="telegram", locale="ru"
        )
        assert (shown.text, shown.buttons, shown.edits) == (expected.text, expected.buttons, True)
    assert not bot.messengers["telegram"].to("p1")
    report = console.to(ORGANIZER)[-1].text
    assert "3 chats: sent 3, gone 0, failed 0, remaining 0" in report


async def test_step_by_step_with_link_buttons_and_a_preview_that_matches(bot: Bot) -> None:
    await add_subscribers(bot.core.engine, "telegram", ["t1"])
    menu = await bot.say("/broadcast")
    assert [b.args for b in menu.buttons if isinstance(b, ActionButton)][-1] == ("here",)
    question = await bot.say(press(action(menu, "bcwrite")))
    assert "When should it go out?" in question.text
    question = await bot.say("now")
    assert "write the message" in question.text
    preview = await bot.say(
        "Sign before Friday!\nPetition | https://example.org/sign\nDonate | https://example.org/d"
    )
    await bot.say(press(action(preview, "bcsend")))
    await run_until(bot, lambda: finished(bot))
    [got] = bot.messengers["telegram"].to("t1")
    assert got.text == "Sign before Friday!"
    assert got.buttons == (
        UrlButton("Petition", "https://example.org/sign"),
        UrlButton("Donate", "https://example.org/d"),
    )
    assert bot.messengers["console"].to(ORGANIZER)[0] == got


@pytest.mark.parametrize(
    ("typed", "complaint"),
    [
        ("Rally!\nSign | http://example.org/plain", "https://"),
        ("Rally!\nSign | javascript://alert(1)", "https://"),
        ("x" * 2001, "limit is 2000"),
        ("Sign | https://example.org/only-a-link", "empty"),
    ],
)
async def test_a_render_error_stops_it_before_anything_is_stored_or_sent(
    bot: Bot, typed: str, complaint: str
) -> None:
    await add_subscribers(bot.core.engine, "telegram", ["t1"])
    await bot.say("/bcwrite events")
    await bot.say("now")
    reply = await bot.say(typed)
    assert complaint in reply.text and "Nothing was sent" in reply.text
    assert not any(m.sent for m in bot.messengers.values())
    async with bot.core.engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(BroadcastRow)) == 0


async def test_a_time_in_the_past_or_nonsense_is_refused(bot: Bot) -> None:
    await add_subscribers(bot.core.engine, "telegram", ["t1"])
    reply = await bot.say("/broadcast events 2020-01-01T10:00 Rally")
    assert "passed" in reply.text
    # On one line, words that are no time are the text (sent now); the step-by-step form asks
    # for the time alone, so there nonsense is refused.
    reply = await bot.say("/broadcast events tomorrowish Rally")
    assert "as soon as you confirm" in reply.text and "not a time" not in reply.text
    await bot.say("/bcwrite events")
    await bot.say("tomorrowish")
    reply = await bot.say("Rally")
    assert "not a time I understand" in reply.text


async def test_creation_is_one_transaction_all_recipients_or_nothing(bot: Bot) -> None:
    chats = [f"c{i}" for i in range(500)]
    await add_subscribers(bot.core.engine, "telegram", chats)
    dialect = bot.core.engine.dialect.name
    fail = (
        "RAISE EXCEPTION 'disk full';"
        if dialect == POSTGRESQL
        else "SELECT RAISE(ABORT, 'disk full');"
    )
    async with bot.core.engine.begin() as connection:
        # The 300th recipient row cannot be written: the whole broadcast must vanish.
        for statement in create_trigger(
            dialect,
            "refuse_one",
            "broadcast_recipients",
            "BEFORE INSERT",
            "NEW.chat_pk = 300",
            fail,
        ):
            await connection.execute(text(statement))
    reply = await bot.say("/broadcast events now Rally")
    assert "something went wrong" in reply.text
    async with bot.core.engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(BroadcastRow)) == 0
        assert await connection.scalar(select(func.count()).select_from(BroadcastRecipientRow)) == 0
        for statement in drop_trigger(dialect, "refuse_one", "broadcast_recipients"):
            await connection.execute(text(statement))
        await connection.commit()
    preview = await bot.say("/broadcast events now Rally")
    assert "500 chats" in preview.text
    async with bot.core.engine.connect() as connection:
        states = await connection.execute(
            select(BroadcastRecipientRow.state, func.count()).group_by(BroadcastRecipientRow.state)
        )
        assert dict(states.all()) == {"queued": 500}


async def test_each_error_class_gone_pause_backoff_and_failed(
    make_bot: MakeBot, core: Core
) -> None:
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        await asyncio.sleep(0)

    bot = await make_bot(platforms=("console", "telegram"), sleep=sleep)
    await add_subscribers(core.engine, "telegram", ["blocked", "flooded", "flaky", "broken", "ok"])
    telegram = bot.messengers["telegram"]
    telegram.failures = {
        "blocked": [RecipientGone()],
        "flooded": [TryLater(retry_after=7.5)],
        "flaky": [TryLater(), ConnectionResetError(), OSError()],
        "broken": [ALWAYS],
    }
    preview = await bot.say("/broadcast events now Rally")
    await bot.say(press(action(preview, "bcsend")))
    await run_until(bot, lambda: finished(bot))

    assert telegram.attempts["blocked"] == 1  # gone: never retried
    assert not telegram.to("blocked")
    assert 7.5 in pauses  # the platform's retry_after, exactly
    assert telegram.attempts["flooded"] == 2 and len(telegram.to("flooded")) == 1
    assert telegram.attempts["flaky"] == 4 and len(telegram.to("flaky")) == 1
    assert telegram.attempts["broken"] == 5  # five tries, then failed
    assert len(telegram.to("ok")) == 1
    [info] = await bot.service.recent(None)
    assert info.counts == {
        DeliveryState.SENT: 3,
        DeliveryState.GONE: 1,
        DeliveryState.FAILED: 1,
    }
    assert (
        "5 chats: sent 3, gone 1, failed 1, remaining 0"
        in bot.messengers["console"].to(ORGANIZER)[-1].text
    )


async def test_a_large_broadcast_needs_a_second_different_organizer(
    make_bot: MakeBot, core: Core
) -> None:
    bot = await make_bot(second_approval_above=3)
    await add_subscribers(core.engine, "telegram", ["t1", "t2", "t3", "t4"])
    preview = await bot.say("/broadcast events now Rally", chat=ORGANIZER)
    assert "more than 3 chats" in preview.text
    someone_else = await bot.say(press(action(preview, "bcsend")), chat=SECOND)
    assert "Only the organizer who wrote" in someone_else.text
    confirmed = await bot.say(press(action(preview, "bcsend")), chat=ORGANIZER)
    assert "another organizer must approve" in confirmed.text
    [info] = await bot.service.recent(None)
    assert info.state is BroadcastState.APPROVAL

    # The second organizer was asked, with the text and a button.
    [request] = bot.messengers["console"].to(SECOND)
    assert "Rally" in request.text
    approve = action(request, "approve")

    own = await bot.say(press(approve), chat=ORGANIZER)
    assert "different organizer" in own.text
    stranger = await bot.say(press(approve), chat="supporter")
    assert "Only campaign organizers" in stranger.text
    await run_for(bot, 0.3)
    assert not bot.messengers["telegram"].sent  # still waiting

    approved = await bot.say(press(approve), chat=SECOND)
    assert "Approved" in approved.text
    [info] = await bot.service.recent(None)
    assert info.state is BroadcastState.SENDING and info.approved_by == Address("console", SECOND)
    await run_until(bot, lambda: finished(bot))
    assert len(bot.messengers["telegram"].sent) == 4


async def test_supporters_are_refused_and_admins_only_reach_their_own_group(bot: Bot) -> None:
    await add_subscribers(bot.core.engine, "telegram", ["t1", "t2"])
    for line in ("/broadcast", "/broadcast events now Hi", "/broadcasts"):
        reply = await bot.say(line, chat="supporter")
        assert "Only campaign organizers" in reply.text, line
    # The hidden step-by-step command refuses at its first step: no question, no draft.
    reply = await bot.say("/bcwrite events", chat="supporter")
    assert "Only campaign organizers" in reply.text
    assert "I answer commands" in (await bot.say("now", chat="supporter")).text

    group = {"chat": "-100777", "user": "55", "kind": ChatKind.GROUP, "platform": "telegram"}
    refused = await bot.say("/broadcast events now Hi", admin=True, **group)
    assert "only to this group" in refused.text
    member = await bot.say("/broadcast here now Hi", admin=False, **group)
    assert "admins" in member.text

    preview = await bot.say("/broadcast here now Meeting tonight", admin=True, **group)
    assert "goes to 1 chat:" in preview.text and "Meeting tonight" in preview.text
    # An admin of another group cannot confirm or cancel it.
    other = {"chat": "-100888", "user": "66", "kind": ChatKind.GROUP, "platform": "telegram"}
    for button in (action(preview, "bcsend"), action(preview, "cancel")):
        reply = await bot.say(press(button), admin=True, **other)
        assert "Only campaign organizers and the admins who sent it" in reply.text
    await bot.say(press(action(preview, "bcsend")), admin=True, **group)
    await run_until(bot, lambda: bool(bot.messengers["telegram"].to("-100777")))
    assert [r.text for r in bot.messengers["telegram"].to("-100777")] == ["Meeting tonight"]
    assert not bot.messengers["telegram"].to("t1")
    # The admin sees their group's broadcasts only; an organizer sees all.
    listing = await bot.say("/broadcasts", admin=True, **group)
    assert "#1" in listing.text
    assert "No broadcasts yet" in (await bot.say("/broadcasts", admin=True, **other)).text  # type: ignore[arg-type]


async def test_cancel_stops_a_running_broadcast(make_bot: MakeBot, core: Core) -> None:
    bot = await make_bot(platforms=("console", "telegram"))
    await add_subscribers(core.engine, "telegram", [f"t{i}" for i in range(20)])
    telegram = bot.messengers["telegram"]
    telegram.gate = asyncio.Event()
    preview = await bot.say("/broadcast events now Rally")
    await bot.say(press(action(preview, "bcsend")))
    task = asyncio.create_task(bot.service.run())
    await until(lambda: bool(telegram.attempts))
    listing = await bot.say("/broadcasts")
    assert "sending" in listing.text
    cancelled = await bot.say(press(action(listing, "cancel")))
    assert "is cancelled" in cancelled.text
    on_their_way = telegram.in_flight  # already handed to the platform
    assert 1 <= on_their_way <= bot.service.budgets.of("telegram").window.size
    telegram.gate.set()  # the deliveries in flight complete
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(telegram.sent) == on_their_way  # and nothing after the cancel
    [info] = await bot.service.recent(None)
    assert info.state is BroadcastState.CANCELLED and info.remaining == 20 - on_their_way


async def test_an_unfinished_broadcast_resumes_after_a_restart(
    make_bot: MakeBot, core: Core
) -> None:
    first = await make_bot(platforms=("console", "telegram"))
    chats = [f"t{i}" for i in range(30)]
    await add_subscribers(core.engine, "telegram", chats)
    preview = await first.say("/broadcast events now Rally")
    await first.say(press(action(preview, "bcsend")))
    telegram = first.messengers["telegram"]
    task = asyncio.create_task(first.service.run())
    await until(lambda: len(telegram.sent) >= 10)
    task.cancel()  # the process stops mid-broadcast, perhaps with one send in flight
    with pytest.raises(asyncio.CancelledError):
        await task

    second = await make_bot(platforms=("console", "telegram"))
    await run_until(second, lambda: finished(second))
    delivered = [a.chat_id for a, _ in telegram.sent + second.messengers["telegram"].sent]
    assert set(delivered) == set(chats)  # nobody skipped
    assert len(delivered) - len(chats) <= 1  # at most the one in flight twice


async def test_a_scheduled_broadcast_waits_for_its_time(
    make_bot: MakeBot, core: Core, clock: FixedClock
) -> None:
    bot = await make_bot(platforms=("console", "telegram"))
    await add_subscribers(core.engine, "telegram", ["t1"])
    preview = await bot.say("/broadcast events 2026-11-21T18:30 Rally tonight")
    assert "2026-11-21 18:30 UTC" in preview.text
    confirmed = await bot.say(press(action(preview, "bcsend")))
    assert "will go to 1 chat at 2026-11-21 18:30" in confirmed.text
    await run_for(bot, 0.3)
    assert not bot.messengers["telegram"].sent
    clock.advance(hours=7)
    await run_until(bot, lambda: finished(bot))
    assert len(bot.messengers["telegram"].sent) == 1


async def test_forget_erases_a_chats_recipient_rows(bot: Bot) -> None:
    await add_subscribers(bot.core.engine, "telegram", ["t1", "t2"])
    await bot.say("/broadcast events now Rally")
    erased = await bot.core.store.forget_chat(Address("telegram", "t1"))
    assert erased["broadcast_recipients"] == 1
    async with bot.core.engine.connect() as connection:
        # t1's row stays for the broadcast's totals, naming nobody and never sent.
        rows = (await connection.execute(select(BroadcastRecipientRow.__table__))).all()
    assert len(rows) == 2
    [unlinked] = [r for r in rows if r.chat_pk is None]
    assert unlinked.chat_id is None and unlinked.state == "gone"


async def test_the_sender_gets_progress_with_an_eta_and_a_final_report(
    make_bot: MakeBot, core: Core
) -> None:
    bot = await make_bot(platforms=("console", "telegram"), progress_every_s=0.1)
    await add_subscribers(core.engine, "telegram", [f"t{i}" for i in range(40)])
    bot.messengers["telegram"].delay_s = 0.01
    preview = await bot.say("/broadcast events now Rally")
    await bot.say(press(action(preview, "bcsend")))
    await run_until(bot, lambda: finished(bot))
    reports = [r.text for r in bot.messengers["console"].to(ORGANIZER)[1:]]
    assert len(reports) >= 3
    # The sender starts as the supervisor does: under load (or on PostgreSQL, whose round trips
    # are longer) a few copies may be out before the first report, which counts them.
    first = re.search(r"40 chats: sent (\d+), gone 0, failed 0, remaining (\d+);", reports[0])
    assert first is not None, reports[0]
    assert int(first[1]) + int(first[2]) == 40 and int(first[2]) > 0, reports[0]
    assert "minute left" in reports[0] or "minutes left" in reports[0]
    assert any("remaining 0" not in r and "sent 0," not in r for r in reports[1:-1])
    assert reports[-1] == "Broadcast #1 finished: 40 chats: sent 40, gone 0, failed 0, remaining 0."


async def test_on_discord_here_means_the_servers_announcement_channel(
    make_bot: MakeBot, core: Core
) -> None:
    setups = SqlServerSetups(core.engine)
    await setups.save_setup(ServerSetup("discord", "server1", "announce", frozenset({"events"})))

    class Probe:
        """The Discord adapter's answer: these channels belong to server1."""

        async def server_of(self, chat: Address) -> str | None:
            return "server1" if chat.chat_id.startswith("chan") else None

    bot = await make_bot()
    bot.core.server_probes["discord"] = Probe()
    admin = {"chat": "chan-general", "user": "77", "kind": ChatKind.GROUP, "platform": "discord"}
    preview = await bot.say("/broadcast here now Server meeting tonight", admin=True, **admin)
    assert "goes to 1 chat:" in preview.text
    await bot.say(press(action(preview, "bcsend")), admin=True, **admin)
    discord = bot.messengers["discord"]
    await run_until_settled(bot)
    assert [(a.chat_id, r.text) for a, r in discord.sent] == [
        ("announce", "Server meeting tonight")
    ]
    # Without a setup, "here" is the channel it was asked in.
    assert await setups.delete_setup("discord", "server1")
    assert await setups.get_setup("discord", "server1") is None
    preview = await bot.say("/broadcast here now Again", admin=True, **admin)
    await bot.say(press(action(preview, "bcsend")), admin=True, **admin)
    await run_until_settled(bot)
    assert [a.chat_id for a, _ in discord.sent] == ["announce", "chan-general"]


class FlakyStore(SqlBroadcastStore):
    """The real store, whose first two reads of the queue fail (a locked or busy database)."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self.failures = 2

    async def next_recipients(self, platform: str, after_id: int, limit: int) -> list[Recipient]:
        if self.failures:
            self.failures -= 1
            raise OSError("database is locked")
        return await super().next_recipients(platform, after_id, limit)


async def test_a_database_hiccup_does_not_end_the_fan_out(make_bot: MakeBot, core: Core) -> None:
    bot = await make_bot(platforms=("console", "telegram"))
    await add_subscribers(core.engine, "telegram", ["t1", "t2"])
    preview = await bot.say("/broadcast events now Rally")
    await bot.say(press(action(preview, "bcsend")))
    flaky = BroadcastService(
        FlakyStore(core.engine),
        bot.messengers,
        core.translator,
        core.deps.clock,
        core.chat_events,
        poll_s=0.02,
    )
    task = asyncio.create_task(flaky.run())
    try:
        await until(lambda: len(bot.messengers["telegram"].sent) == 2)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_the_approval_request_speaks_each_approvers_language_and_news_goes_to_the_writer(
    make_bot: MakeBot, core: Core
) -> None:
    bot = await make_bot(second_approval_above=3)
    await add_subscribers(core.engine, "telegram", ["t1", "t2", "t3", "t4"])
    assert "русский" in (await bot.say("/settings language ru", chat=SECOND)).text
    preview = await bot.say("/broadcast events now Rally", chat=ORGANIZER)
    await bot.say(press(action(preview, "bcsend")), chat=ORGANIZER)

    [neutral] = bot.messengers["console"].to(SECOND)
    # A Russian-speaking approver's chat is discreet until they choose: Show, then the request.
    assert neutral.text == "У вас новое сообщение" and "Rally" not in neutral.text
    request = await bot.say(press(action(neutral, "show")), chat=SECOND)
    assert "Организатор просит" in request.text and "Rally" in request.text
    approved = await bot.say(press(action(request, "approve")), chat=SECOND)
    # The approver is not promised reports that go to the writer.
    assert "автору" in approved.text, approved.text
    await run_until(bot, lambda: finished(bot))
    assert not any("finished" in r.text for r in bot.messengers["console"].to(SECOND))
