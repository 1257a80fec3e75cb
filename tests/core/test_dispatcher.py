"""The dispatcher's promises: friendly errors, apologies without personal data, a rate limit."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from bot.app import Core
from bot.core.commands import MAX_ACTION_BYTES, Arg, Command, Registry, encode_action
from bot.core.conversation import FREE_TEXT, Conversations, MemoryDrafts
from bot.core.dispatcher import Dispatcher
from bot.core.messages import ActionButton, Address, ChatKind, Reply, Request
from bot.core.ports import TooFast
from bot.ratelimit import TokenBucketLimiter, Unlimited
from content.i18n import CatalogTranslator
from tests.support.chat import Say
from tests.support.fakes import BareDeps, InMemoryStore


async def test_an_unknown_command_suggests_the_closest_one(say: Say) -> None:
    reply = await say("/donat")
    assert "I don't know that command. Did you mean /donate?" in reply.text
    assert "/help" in reply.text


async def test_too_many_words_show_how_to_use_the_command(say: Say) -> None:
    reply = await say("/donate now please")
    assert "Use it like this: /donate" in reply.text


async def test_a_missing_required_argument_shows_usage(say: Say) -> None:
    assert "/ics <event>" in (await say("/ics")).text


async def test_errors_speak_the_askers_language(say: Say) -> None:
    reply = await say("/subscribe kittens", locale="ru")
    assert "не" in reply.text and "kittens" in reply.text


def _dispatcher(
    commands: list[Command[BareDeps]], limiter: object | None = None
) -> Dispatcher[BareDeps]:
    deps = BareDeps(InMemoryStore(), CatalogTranslator(), frozenset({Address("console", "boss")}))
    return Dispatcher(Registry(commands), deps, limiter or Unlimited())  # type: ignore[arg-type]


def _request(command: str, *args: str, user: str = "918273645") -> Request:
    return Request(command, args, Address("console", user), user)


async def test_a_crash_becomes_an_apology_and_a_log_line_without_personal_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def crash(request: Request, deps: None) -> Reply:
        raise ValueError(f"bad input {request.args[0]} from {request.user_id}")

    dispatcher = _dispatcher([Command("boom", "Crash", crash, args=(Arg("x", "x"),))])
    with caplog.at_level(logging.DEBUG):
        reply = await dispatcher.dispatch(_request("boom", "my-secret-words"))
    assert reply is not None and reply.text.startswith("Sorry, something went wrong")
    assert "ValueError" in caplog.text and "/boom" in caplog.text
    assert "my-secret-words" not in caplog.text and "918273645" not in caplog.text


async def test_organizer_commands_refuse_everyone_else() -> None:
    async def secret(request: Request, deps: None) -> Reply:
        return Reply("sent")

    dispatcher = _dispatcher([Command("send", "Send", secret, organizer_only=True)])
    refused = await dispatcher.dispatch(_request("send", user="someone"))
    assert refused is not None and "Only campaign organizers" in refused.text
    allowed = await dispatcher.dispatch(_request("send", user="boss"))
    assert allowed is not None and allowed.text == "sent"


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_fast_sender_is_told_each_time_when_to_try_again_and_never_muted() -> None:
    async def ok(request: Request, deps: None) -> Reply:
        return Reply("ok")

    ticks = Ticks()
    dispatcher = _dispatcher([Command("ping", "Ping", ok)], TokenBucketLimiter(120, 20, ticks))
    replies = [await dispatcher.dispatch(_request("ping")) for _ in range(23)]
    texts = [r.text if r else None for r in replies]
    assert texts[:20] == ["ok"] * 20
    # Every refused one is answered, privately, with when to try again; none is silent.
    for refusal in replies[20:]:
        assert isinstance(refusal, TooFast) and refusal.private
        assert refusal.text == "Too many at once — try again in 2 seconds."
    # Someone else is not affected.
    other = await dispatcher.dispatch(_request("ping", user="other"))
    assert other is not None and other.text == "ok"
    # No penalty period: as soon as the bucket refills, the next one goes through.
    ticks.now += 0.5
    again = await dispatcher.dispatch(_request("ping"))
    assert again is not None and again.text == "ok"


async def test_a_person_at_human_speed_is_never_refused() -> None:
    ticks = Ticks()
    limiter = TokenBucketLimiter(120, 20, ticks)
    # One action a second for ten minutes...
    for _ in range(600):
        assert (await limiter.check("person")).allowed
        ticks.now += 1.0
    # ...then ten within a second, ten times in a row with ten seconds between.
    for _ in range(10):
        assert all([(await limiter.check("person")).allowed for _ in range(10)])
        ticks.now += 10.0


async def test_a_refusal_asks_for_the_real_wait_at_the_lowest_rate_allowed() -> None:
    ticks = Ticks()
    limiter = TokenBucketLimiter(60, 10, ticks)
    assert all([(await limiter.check("script")).allowed for _ in range(10)])
    refused = await limiter.check("script")
    assert not refused.allowed and refused.retry_after_s == 2  # the floor; 1 s would do
    ticks.now += 1.0
    assert (await limiter.check("script")).allowed


async def test_refilled_buckets_are_dropped_so_memory_follows_who_is_active() -> None:
    ticks = Ticks()
    limiter = TokenBucketLimiter(120, 20, ticks)
    for person in range(100):
        await limiter.check(f"p{person}")
    assert limiter.people == 100
    ticks.now += 61.0
    await limiter.check("latecomer")
    assert limiter.people == 1


async def test_every_button_fits_telegram_and_leads_somewhere(say: Say, core: Core) -> None:
    """Press every action button reachable from the menus: each answers without an apology."""
    seen: set[tuple[str, tuple[str, ...]]] = set()
    queue = [("start", ())] + [(c.name, ()) for c in core.registry.visible()]
    while queue:
        command, args = queue.pop()
        if (command, args) in seen or (command == "forget" and args):
            continue
        seen.add((command, args))
        reply = await say(" ".join(("/" + command, *args)))
        assert not reply.text.startswith("Sorry"), (command, args)
        assert "I don't know that command" not in reply.text
        for button in reply.buttons:
            if isinstance(button, ActionButton):
                data = encode_action(button.command, button.args)
                assert len(data.encode()) <= MAX_ACTION_BYTES, data
                assert len(button.label) <= 80
                queue.append((button.command, button.args))
    assert len(seen) > 20


async def test_a_step_by_step_command_asks_for_each_missing_answer() -> None:
    async def plan(request: Request, deps: None) -> Reply:
        return Reply(f"planned {request.args[0]!r} at {request.args[1]!r}")

    dispatcher = _dispatcher(
        [
            Command(
                "plan",
                "Plan",
                plan,
                args=(
                    Arg("title", "title", required=True, prompt="What is it called?"),
                    Arg("place", "place", required=True, prompt="Where is it?"),
                ),
            )
        ]
    )
    first = await dispatcher.dispatch(_request("plan"))
    assert first is not None and first.text.startswith("What is it called?")
    second = await dispatcher.dispatch(_request("", "Vigil for Chechnya"))
    assert second is not None and second.text.startswith("Where is it?")
    done = await dispatcher.dispatch(_request("", "Parliament Square, London"))
    assert done is not None
    assert done.text == "planned 'Vigil for Chechnya' at 'Parliament Square, London'"
    # Answers given up front skip the questions (Discord's slash options arrive that way).
    direct = await dispatcher.dispatch(_request("plan", "Vigil", "Berlin"))
    assert direct is not None and direct.text == "planned 'Vigil' at 'Berlin'"


async def test_another_command_abandons_a_step_by_step_command() -> None:
    async def plan(request: Request, deps: None) -> Reply:
        return Reply("planned")

    async def ping(request: Request, deps: None) -> Reply:
        return Reply("pong")

    dispatcher = _dispatcher(
        [
            Command("plan", "Plan", plan, args=(Arg("title", "t", required=True, prompt="Name?"),)),
            Command("ping", "Ping", ping),
        ]
    )
    await dispatcher.dispatch(_request("plan"))
    assert (await dispatcher.dispatch(_request("ping"))) == Reply("pong")
    stray = await dispatcher.dispatch(_request("", "Vigil"))
    assert stray is not None and "I answer commands" in stray.text
    # Another person's plain message never completes someone else's draft.
    await dispatcher.dispatch(_request("plan"))
    other = await dispatcher.dispatch(_request("", "Vigil", user="someone-else"))
    assert other is not None and "I answer commands" in other.text


async def test_plain_messages_in_groups_get_no_answer() -> None:
    dispatcher = _dispatcher([])
    request = Request("", ("hello all",), Address("console", "g"), "u", ChatKind.GROUP)
    assert await dispatcher.dispatch(request) is None


async def test_the_platform_is_asked_about_admins_only_after_the_limit_and_only_when_needed() -> (
    None
):
    asked: list[str] = []

    async def check() -> bool:
        asked.append("asked")
        return True

    async def ok(request: Request, deps: None) -> Reply:
        return Reply(f"admin={request.is_chat_admin}")

    dispatcher = _dispatcher(
        [Command("ping", "Ping", ok), Command("subscribe", "Change", ok, changes_chat=True)],
        TokenBucketLimiter(60, 2, Ticks()),
    )

    def in_group(command: str, user: str) -> Request:
        return Request(
            command, (), Address("telegram", "-100"), user, ChatKind.GROUP, admin_check=check
        )

    plain = await dispatcher.dispatch(in_group("ping", "a"))
    assert plain is not None and plain.text == "admin=False" and asked == []
    changed = await dispatcher.dispatch(in_group("subscribe", "a"))
    assert changed is not None and changed.text == "admin=True" and asked == ["asked"]
    # Over the limit: refused, and the platform is never asked.
    for _ in range(3):
        await dispatcher.dispatch(in_group("subscribe", "a"))
    assert asked == ["asked"]


def _gated(conversations: Conversations, limiter: object | None = None) -> Dispatcher[BareDeps]:
    """A dispatcher with an organizers-or-admins flow that asks one question, and an erasure."""

    async def plan(request: Request, deps: None) -> Reply:
        return Reply(f"planned {request.args[0]}")

    async def erase(request: Request, deps: None) -> Reply:
        if not request.args:
            return Reply("Erase now?", asks=True)
        return Reply("erased", erased=True) if request.args[0] == "confirm" else Reply("kept")

    deps = BareDeps(InMemoryStore(), CatalogTranslator(), frozenset({Address("telegram", "boss")}))
    commands = [
        Command(
            "plan",
            "Plan",
            plan,
            args=(Arg("title", "t", prompt="Name?"),),
            organizers_or_admins=True,
        ),
        Command(
            "erase",
            "Erase",
            erase,
            args=(Arg("confirm", "c"),),
        ),
    ]
    return Dispatcher(
        Registry(commands),
        deps,
        limiter or Unlimited(),  # type: ignore[arg-type]
        MemoryDrafts(conversations),
    )


def _asks(chat: str, user: str, *, admin: bool | None = None) -> Callable[..., Request]:
    """Requests from `user` in `chat` (a group when `admin` is given, answering admin checks)."""

    async def check() -> bool:
        return bool(admin)

    def request(command: str, *args: str) -> Request:
        if admin is None:
            return Request(command, args, Address("telegram", chat), user)
        return Request(
            command, args, Address("telegram", chat), user, ChatKind.GROUP, admin_check=check
        )

    return request


async def test_a_flow_for_organizers_or_admins_refuses_a_stranger_before_any_question() -> None:
    conversations = Conversations()
    dispatcher = _gated(conversations)
    stranger = _asks("stranger", "stranger")
    refused = await dispatcher.dispatch(stranger("plan"))
    assert refused == Reply("Only campaign organizers can use this command.")
    assert len(conversations) == 0
    # Their next plain message is not taken as an answer.
    after = await dispatcher.dispatch(stranger(FREE_TEXT, "Vigil"))
    assert after is not None and "I answer commands" in after.text
    # Nor by a group member who is not an admin.
    member = _asks("-100", "member", admin=False)
    refused = await dispatcher.dispatch(member("plan"))
    assert refused == Reply(
        "Only campaign organizers and this group's admins can use this command."
    )
    assert len(conversations) == 0


async def test_organizers_anywhere_and_admins_in_their_group_go_through_every_step() -> None:
    conversations = Conversations()
    dispatcher = _gated(conversations)
    for ask in (
        _asks("boss", "boss"),  # an organizer in private
        _asks("-100", "boss", admin=False),  # an organizer in a group they do not run
        _asks("-100", "admin", admin=True),  # a group's admin in their group
    ):
        question = await dispatcher.dispatch(ask("plan"))
        assert question is not None and question.text.startswith("Name?")
        done = await dispatcher.dispatch(ask(FREE_TEXT, "Vigil"))
        assert done == Reply("planned Vigil")
    # A group's admin is a stranger anywhere else.
    elsewhere = await dispatcher.dispatch(_asks("admin", "admin")("plan"))
    assert elsewhere is not None and elsewhere.text.startswith("Only")


async def test_an_erasure_drops_the_chats_drafts_only_once_confirmed() -> None:
    conversations = Conversations()
    dispatcher = _gated(conversations)
    admin, other = _asks("-100", "admin", admin=True), _asks("-100", "other", admin=True)
    elsewhere = _asks("-200", "admin", admin=True)
    for ask in (admin, other, elsewhere):
        await dispatcher.dispatch(ask("plan"))
    # Being asked to confirm erases nothing, in memory either.
    assert await dispatcher.dispatch(other("erase")) == Reply("Erase now?", asks=True)
    # Other's own plan gave way to the question, which waits for their answer.
    assert conversations.open_in(Address("telegram", "-100")) == 2
    assert await dispatcher.dispatch(other("erase", "confirm")) == Reply("erased", erased=True)
    # Every draft open in that group went, whoever started it; another group's stayed.
    assert conversations.open_in(Address("telegram", "-100")) == 0
    assert await dispatcher.dispatch(admin(FREE_TEXT, "Vigil")) is None  # group talk, no answer
    assert await dispatcher.dispatch(elsewhere(FREE_TEXT, "Vigil")) == Reply("planned Vigil")


async def test_after_an_erasure_the_rate_limiter_holds_nothing_about_the_asker() -> None:
    limiter = TokenBucketLimiter(60, 5, Ticks())
    dispatcher = _gated(Conversations(), limiter)
    asker, bystander = _asks("5550001234", "5550001234"), _asks("777", "777")
    await dispatcher.dispatch(bystander("erase"))
    for _ in range(4):
        await dispatcher.dispatch(asker("erase"))
    assert any("5550001234" in key for key in limiter._buckets)
    # The fifth command at once: still allowed, and it erases.
    assert await dispatcher.dispatch(asker("erase", "confirm")) == Reply("erased", erased=True)
    assert not any("5550001234" in key for key in limiter._buckets)
    assert any("777" in key for key in limiter._buckets)  # nobody else was forgotten
    # The asker's bucket starts afresh: five more, then refused with when to try again.
    replies = [await dispatcher.dispatch(asker("erase")) for _ in range(6)]
    assert [r.text if r else None for r in replies][4:] == [
        "Erase now?",
        "Too many at once — try again in 2 seconds.",
    ]
