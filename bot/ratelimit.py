"""The per-user command rate limit, on the `limits` library's moving window."""

from __future__ import annotations

from limits import RateLimitItem, RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from bot.core.ports import Verdict


class MovingWindowLimiter:
    """`commands` per `window_s`; past that one polite notice, then silence for `silence_s`."""

    def __init__(self, commands: int = 5, window_s: int = 10, silence_s: int = 60) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._commands: RateLimitItem = RateLimitItemPerSecond(commands, window_s)
        self._notice: RateLimitItem = (
            RateLimitItemPerMinute(1, silence_s // 60)
            if silence_s % 60 == 0
            else RateLimitItemPerSecond(1, silence_s)
        )

    def check(self, key: str) -> Verdict:
        # A notice sent within the silence period means the asker is muted, even if the command
        # window has room again: one reminder, then quiet.
        if not self._limiter.test(self._notice, "notice", key):
            return Verdict.SILENCE
        if self._limiter.hit(self._commands, "commands", key):
            return Verdict.ALLOW
        self._limiter.hit(self._notice, "notice", key)
        return Verdict.NOTICE

    def forget(self, key: str) -> None:
        # The moving windows hold the asker's id (in `key`) with the times of their last
        # commands; after /forget nothing of them stays, not even for the minute it would last.
        # The price: the asker's window starts afresh, so someone who follows every few commands
        # with `/forget confirm` is never limited (each round erases their own chat). Keeping the
        # id for a minute after an erasure would close that; the erasure promise wins for now.
        self._limiter.clear(self._commands, "commands", key)
        self._limiter.clear(self._notice, "notice", key)


class Unlimited:
    """For benchmarks and scripted console sessions, where one user sends everything."""

    def check(self, key: str) -> Verdict:
        return Verdict.ALLOW

    def forget(self, key: str) -> None:
        """Nothing is held."""
