"""Prometheus metrics at http://METRICS_LISTEN/metrics, for operators running several processes.

What is counted, labelled by platform and outcome only (never a chat, a person or a text, so a
scrape shows how busy the bot is, not who talks to it):

- `allybot_sends_total{platform, outcome}`: messages the bot sent on its own (broadcasts,
  reminders, notices: everything through bot.core.delivery.budget), outcome `sent`, `gone`
  (blocked, left), `try_later` (429, unreachable) or `failed`.
- `allybot_rate_limited_total{platform}`: each time a platform asked the bot to wait (HTTP 429
  with retry_after, on a bulk send or on a reply).
- `allybot_reply_seconds{platform}`: a histogram of how long the dispatcher took to answer a
  command or button (the bot's own work, without the platform's round trip).
- `allybot_queue_depth{queue, platform}`: read from the database at each scrape: broadcast
  messages not yet delivered (`queue="broadcast"`, by platform) and planned reminders whose
  time has come (`queue="reminders"`, `platform=""`).
- `allybot_reminder_lag_seconds`: how late the oldest due planned reminder is (0 when none is).
- and prometheus_client's `process_*` (memory, CPU, open files).

The core never imports this module: it reports to the SendObserver port, and `instrument`
wires this in from the composition root (bot.app.serve).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import start_http_server
from prometheus_client.registry import Collector

from bot.core.delivery.budget import FAILED, GONE, SENT, TRY_LATER
from bot.core.messages import Reply, Request
from bot.core.ports import Clock, Dispatch

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

    from bot.app import Core
    from db.stores.queues import QueueDepths, SqlQueueReader

log = logging.getLogger(__name__)

OUTCOMES = (SENT, GONE, TRY_LATER, FAILED)
# A reply takes milliseconds when all is well; seconds mean a slow database or a lock.
REPLY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# How long a scrape waits for the queue counts: past it the scrape answers without them rather
# than hang (a busy event loop or a locked database shows as missing gauges, not a timeout).
QUEUE_READ_TIMEOUT_S = 2.0


class Metrics:
    """The counters and the histogram, in a registry of their own (not prometheus_client's
    global one, so tests can make several); also the core's SendObserver."""

    def __init__(self, platforms: Iterable[str] = ()) -> None:
        self.registry = CollectorRegistry()
        self.sends = Counter(
            "allybot_sends",
            "Messages the bot sent on its own (broadcasts, reminders, notices), by outcome",
            ["platform", "outcome"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "allybot_rate_limited",
            "Times a platform asked the bot to wait (HTTP 429 with retry_after)",
            ["platform"],
            registry=self.registry,
        )
        self.reply_seconds = Histogram(
            "allybot_reply_seconds",
            "Seconds the dispatcher took to answer a command or a button",
            ["platform"],
            buckets=REPLY_BUCKETS,
            registry=self.registry,
        )
        # Every series at 0 from the start: rate() and alerts need a value before the first event.
        for platform in platforms:
            for outcome in OUTCOMES:
                self.sends.labels(platform, outcome)
            self.rate_limited.labels(platform)
            self.reply_seconds.labels(platform)

    # -- bot.core.delivery.budget.SendObserver -----------------------------------------------

    def sent(self, platform: str, outcome: str) -> None:
        self.sends.labels(platform, outcome).inc()

    def asked_to_wait(self, platform: str) -> None:
        self.rate_limited.labels(platform).inc()

    # -- replies -----------------------------------------------------------------------------

    def timed(self, dispatch: Dispatch) -> Dispatch:
        """`dispatch`, observing each call's duration (also when it raises)."""
        histogram = self.reply_seconds

        async def timed_dispatch(request: Request) -> Reply | None:
            started = time.perf_counter()
            try:
                return await dispatch(request)
            finally:
                histogram.labels(request.chat.platform).observe(time.perf_counter() - started)

        return timed_dispatch


class QueueCollector(Collector):
    """The queue gauges, read from the database when Prometheus scrapes.

    The HTTP server answers in its own thread; the database engine belongs to the bot's event
    loop, so the read is handed to that loop and waited for here (QUEUE_READ_TIMEOUT_S at most).
    """

    def __init__(
        self, reader: SqlQueueReader, loop: asyncio.AbstractEventLoop, clock: Clock
    ) -> None:
        self._reader = reader
        self._loop = loop
        self._clock = clock

    def describe(self) -> list[Metric]:
        # Registering calls describe(), else collect(): no database read on the event loop.
        return []

    def collect(self) -> Iterable[Metric]:
        depths = self._read()
        if depths is None:
            return []
        queue = GaugeMetricFamily(
            "allybot_queue_depth",
            "Broadcast messages not yet delivered, and planned reminders whose time has come",
            labels=["queue", "platform"],
        )
        for platform, count in sorted(depths.broadcast_by_platform.items()):
            queue.add_metric(["broadcast", platform], count)
        queue.add_metric(["reminders", ""], depths.reminders_due)
        lag = GaugeMetricFamily(
            "allybot_reminder_lag_seconds",
            "Seconds the oldest due planned reminder is overdue (0 if none is)",
            value=depths.reminder_lag_s,
        )
        return [queue, lag]

    def _read(self) -> QueueDepths | None:
        if self._loop.is_closed():
            return None
        try:
            future = asyncio.run_coroutine_threadsafe(
                self._reader.depths(self._clock()), self._loop
            )
        except RuntimeError:
            return None  # the loop has stopped: the bot is ending
        try:
            return future.result(timeout=QUEUE_READ_TIMEOUT_S)
        except concurrent.futures.TimeoutError:
            future.cancel()
            log.warning("metrics: reading the queues took over %.0fs", QUEUE_READ_TIMEOUT_S)
        except Exception as error:
            # The type only: a database error's text can quote values.
            log.warning("metrics: reading the queues failed (%s)", type(error).__name__)
        return None


def split_listen(listen: str) -> tuple[str, int]:
    """METRICS_LISTEN's host and port; IPv6 in brackets ([::]:9464) loses them."""
    host, _, port = listen.rpartition(":")
    return host.removeprefix("[").removesuffix("]"), int(port)


def instrument(core: Core) -> None:
    """With METRICS_LISTEN set: count the core's bulk sends and 429s, time its replies, read its
    queues at each scrape, and serve them (a daemon thread, for the life of the process).

    Call it once, in serve(), on the running event loop and before the messengers start: they
    take `core.dispatcher.dispatch` when they start.
    """
    listen = core.settings.metrics_listen
    if listen is None:
        return
    from db.stores.queues import SqlQueueReader

    settings = core.settings
    platforms = [
        name
        for name, token in (
            ("telegram", settings.telegram_bot_token),
            ("discord", settings.discord_bot_token),
        )
        if token is not None
    ]
    metrics = Metrics(platforms)
    core.budgets.observe(metrics)
    # The dispatcher is shared by every adapter; wrapping its bound method on this one instance
    # times every reply without the core knowing about metrics.
    core.dispatcher.dispatch = metrics.timed(core.dispatcher.dispatch)  # type: ignore[method-assign,assignment]
    metrics.registry.register(
        QueueCollector(SqlQueueReader(core.engine), asyncio.get_running_loop(), core.deps.clock)
    )
    ProcessCollector(registry=metrics.registry)
    host, port = split_listen(listen)
    try:
        start_http_server(port, addr=host, registry=metrics.registry)
    except OSError as error:
        # Named by the variable: the address itself is no secret, but the error is clearer so.
        log.error("METRICS_LISTEN: cannot listen on %s (%s)", listen, type(error).__name__)
        raise
    log.info("metrics: serving /metrics on %s", listen)
