"""The adapter's small memory (admin answers, answers' groups) forgets on time and in bound."""

from __future__ import annotations

import time

from bot.adapters.telegram.expiring import ExpiringMap


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_after_their_time_and_a_new_answer_starts_afresh() -> None:
    clock = Clock()
    answers: ExpiringMap[str, bool] = ExpiringMap(180, 10, clock)
    answers.put("a", True)
    clock.now += 100
    answers.put("b", False)
    assert (answers.get("a"), answers.get("b")) == (True, False)
    clock.now += 80  # a is 180 s old
    assert (answers.get("a"), answers.get("b")) == (None, False)
    answers.put("b", True)  # asked again: a fresh 180 s
    clock.now += 179
    assert answers.get("b") is True
    clock.now += 1
    assert answers.get("b") is None and len(answers) == 0


def test_the_oldest_goes_first_past_the_bound_and_a_chat_can_be_dropped() -> None:
    answers: ExpiringMap[tuple[str, str], bool] = ExpiringMap(180, 3, Clock())
    for user in "abcd":
        answers.put(("group", user), True)
    assert len(answers) == 3 and answers.get(("group", "a")) is None
    answers.put(("other", "a"), False)
    answers.drop_where(lambda key: key[0] == "group")
    assert len(answers) == 1 and answers.get(("other", "a")) is False


def test_no_time_to_live_means_nothing_is_kept() -> None:
    answers: ExpiringMap[str, bool] = ExpiringMap(0, 10)
    answers.put("a", True)
    assert answers.get("a") is None


def test_a_flood_of_distinct_askers_stays_bounded_and_cheap() -> None:
    answers: ExpiringMap[int, bool] = ExpiringMap(180, 10_000)
    started = time.perf_counter()
    for user in range(100_000):
        answers.put(user, False)
    elapsed = time.perf_counter() - started
    assert len(answers) == 10_000
    assert elapsed < 2.0, f"{elapsed:.2f}s for 100k inserts"
