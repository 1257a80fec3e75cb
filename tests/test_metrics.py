"""bot/metrics.py in process: what the send budget reports, the timed dispatcher, the queue
gauges read through the bot's event loop, and METRICS_LISTEN's validation.

The whole path over HTTP, with the real process, is tests/e2e/test_metrics.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bot.core.delivery.budget import SendBudget, SendBudgets
from bot.core.messages import Address, Reply, Request
from bot.core.ports import PlatformPacing, RecipientGone, TryLater
from bot.metrics import Metrics, QueueCollector, split_listen
from bot.settings import Settings, SettingsError, load_settings
from db.stores.queues import QueueDepths

FAST = PlatformPacing(rate=1000.0, per_chat_interval_s=0.0)


class Scripted:
    """A messenger whose sends answer, in turn, with each of `outcomes` (an id or an error)."""

    platform = "telegram"
    pacing = FAST

    def __init__(self, *outcomes: str | Exception) -> None:
        self._outcomes = list(outcomes)

    async def send(self, address: Address, reply: Reply) -> Sequence[str]:
        outcome = self._outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return [outcome]


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    body = generate_latest(metrics.registry).decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def value(metrics: Metrics, name: str, **labels: str) -> float:
    return samples(metrics)[(name, tuple(sorted(labels.items())))]


async def test_every_bulk_send_and_every_429_is_counted_by_platform_and_outcome() -> None:
    metrics = Metrics(["telegram", "discord"])
    budget = SendBudget("telegram", FAST)
    budget.observer = metrics
    messenger = Scripted("1", RecipientGone(), TryLater(0.01), TryLater(), ValueError("x"), "2")
    chat = Address("telegram", "5550001234")
    for _ in range(6):
        with contextlib.suppress(RecipientGone, TryLater, ValueError):
            await budget.send(messenger, chat, Reply("hello"), group=False)  # type: ignore[arg-type]
    await budget.opened()
    sends = {
        outcome: value(metrics, "allybot_sends_total", platform="telegram", outcome=outcome)
        for outcome in ("sent", "gone", "try_later", "failed")
    }
    assert sends == {"sent": 2, "gone": 1, "try_later": 2, "failed": 1}
    # Only the TryLater with a retry_after was the platform asking to wait.
    assert value(metrics, "allybot_rate_limited_total", platform="telegram") == 1
    # The other platform's series exist from the start, at zero.
    assert value(metrics, "allybot_sends_total", platform="discord", outcome="sent") == 0


async def test_a_429_on_a_reply_reported_by_an_adapter_counts_too() -> None:
    metrics = Metrics()
    budgets = SendBudgets({})
    budgets.of("telegram")  # made before the observer arrives, and told all the same
    budgets.observe(metrics)
    budgets.pause("telegram", 0.01)
    budgets.pause("discord", 0.01)
    assert value(metrics, "allybot_rate_limited_total", platform="telegram") == 1
    assert value(metrics, "allybot_rate_limited_total", platform="discord") == 1
    await budgets.of("telegram").opened()
    await budgets.of("discord").opened()


async def test_replies_are_timed_by_platform_even_when_the_dispatcher_fails() -> None:
    metrics = Metrics(["telegram"])

    async def dispatch(request: Request) -> Reply | None:
        await asyncio.sleep(0.02)
        if request.command == "boom":
            raise RuntimeError("boom")
        return Reply("hi")

    timed = metrics.timed(dispatch)
    chat = Address("telegram", "5550001234")
    assert await timed(Request("start", (), chat, "7770009999")) == Reply("hi")
    with pytest.raises(RuntimeError):
        await timed(Request("boom", (), chat, "7770009999"))
    assert value(metrics, "allybot_reply_seconds_count", platform="telegram") == 2
    assert value(metrics, "allybot_reply_seconds_sum", platform="telegram") >= 0.04
    body = generate_latest(metrics.registry).decode()
    assert "5550001234" not in body and "7770009999" not in body


class Reader:
    def __init__(self, depths: QueueDepths | None = None, delay: float = 0.0) -> None:
        self.depths_ = depths
        self.delay = delay
        self.loop: asyncio.AbstractEventLoop | None = None

    async def depths(self, now: Any) -> QueueDepths:
        # Runs on the bot's loop, never in the scraping thread.
        self.loop = asyncio.get_running_loop()
        await asyncio.sleep(self.delay)
        if self.depths_ is None:
            raise RuntimeError("the database is down")
        return self.depths_


@pytest.fixture
def loop_thread() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop running in a thread of its own, as the bot's does while HTTP scrapes."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def scrape(collector: QueueCollector) -> dict[str, Any]:
    metrics = Metrics()
    metrics.registry.register(collector)
    return {name: v for (name, labels), v in samples(metrics).items() if name.startswith("ally")}


def test_the_queue_gauges_are_read_on_the_bots_loop_at_scrape_time(
    loop_thread: asyncio.AbstractEventLoop,
) -> None:
    reader = Reader(QueueDepths({"telegram": 120, "discord": 7}, 3, 42.0))
    metrics = Metrics()
    metrics.registry.register(QueueCollector(reader, loop_thread, lambda: None))  # type: ignore[arg-type]
    found = samples(metrics)
    assert reader.loop is loop_thread
    depth = "allybot_queue_depth"
    assert found[(depth, (("platform", "telegram"), ("queue", "broadcast")))] == 120
    assert found[(depth, (("platform", "discord"), ("queue", "broadcast")))] == 7
    assert found[(depth, (("platform", ""), ("queue", "reminders")))] == 3
    assert found[("allybot_reminder_lag_seconds", ())] == 42.0


def test_a_failed_or_slow_read_leaves_the_gauges_out_and_the_scrape_answers(
    loop_thread: asyncio.AbstractEventLoop, caplog: pytest.LogCaptureFixture
) -> None:
    failing = QueueCollector(Reader(None), loop_thread, lambda: None)  # type: ignore[arg-type]
    assert scrape(failing) == {}
    assert "reading the queues failed (RuntimeError)" in caplog.text
    slow = QueueCollector(Reader(QueueDepths({}, 0, 0.0), delay=30), loop_thread, lambda: None)  # type: ignore[arg-type]
    assert scrape(slow) == {}
    assert "took over" in caplog.text


def test_after_the_loop_is_gone_the_scrape_still_answers() -> None:
    loop = asyncio.new_event_loop()
    loop.close()
    assert scrape(QueueCollector(Reader(QueueDepths({}, 0, 0.0)), loop, lambda: None)) == {}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("listen", "host", "port"),
    [
        ("127.0.0.1:9464", "127.0.0.1", 9464),
        ("0.0.0.0:1", "0.0.0.0", 1),  # noqa: S104 -- only parsed
        ("[::1]:9464", "::1", 9464),
    ],
)
def test_metrics_listen_is_host_and_port(
    listen: str, host: str, port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METRICS_LISTEN", listen)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.metrics_listen == listen
    assert split_listen(listen) == (host, port)


@pytest.mark.parametrize("listen", ["9464", "localhost:", "localhost:http", ":9464"])
def test_a_bad_metrics_listen_is_one_clear_line(
    listen: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METRICS_LISTEN", listen)
    with pytest.raises(SettingsError, match=r"^METRICS_LISTEN: expected host:port"):
        load_settings(env_file=None)


def test_unset_or_empty_metrics_listen_serves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("METRICS_LISTEN", raising=False)
    assert Settings(_env_file=None).metrics_listen is None  # type: ignore[call-arg]
    monkeypatch.setenv("METRICS_LISTEN", "")
    assert Settings(_env_file=None).metrics_listen is None  # type: ignore[call-arg]
