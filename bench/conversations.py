"""Step-by-step drafts: the time one insert takes with 1,000 and with 50,000 drafts open.

Prints the time per insert (the median of several batches) with 1,000 drafts open, the baseline
measured in the same run, and with 50,000 open, and their ratio: near 1 means O(1) inserts (the
store it replaced rebuilt its whole dict on each insert past its limit: 30,000 drafts took 93 s).
Then the flood case at the default caps, where every insert evicts an older draft: the time per
insert and the slowest single insert, which is how long one insert blocks the event loop.

    .venv/bin/python bench/conversations.py [--inserts 2000] [--batches 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import Figure, add_json_argument, write
from bot.core.conversation import MAX_DRAFTS, Conversations
from bot.core.messages import Address

LEVELS = (1_000, 50_000)
ARGS = ("Rally for Chechnya", "2027-03-29 18:00")


def filled(open_drafts: int, max_drafts: int) -> Conversations:
    """A store holding `open_drafts` drafts, one per private chat, as distinct users open them."""
    conversations = Conversations(max_drafts=max_drafts)
    for number in range(open_drafts):
        conversations.remember(Address("bench", str(number)), str(number), "eventform", ARGS)
    return conversations


def per_insert(conversations: Conversations, first: int, inserts: int) -> tuple[float, float]:
    """(seconds per insert, slowest single insert) for `inserts` new askers."""
    slowest = 0.0
    start = time.perf_counter()
    for number in range(first, first + inserts):
        before = time.perf_counter()
        conversations.remember(Address("bench", str(number)), str(number), "eventform", ARGS)
        slowest = max(slowest, time.perf_counter() - before)
    return (time.perf_counter() - start) / inserts, slowest


def at_level(open_drafts: int, inserts: int, batches: int, max_drafts: int) -> tuple[float, float]:
    """The median time per insert, and the slowest insert, with `open_drafts` already open."""
    times, slowest = [], 0.0
    for _ in range(batches):
        conversations = filled(open_drafts, max_drafts)
        each, worst = per_insert(conversations, open_drafts, inserts)
        assert len(conversations) <= max_drafts
        times.append(each)
        slowest = max(slowest, worst)
    return statistics.median(times), slowest


def main(inserts: int, batches: int, json_path: Path | None = None) -> None:
    # Room for every draft, so the 50,000 stay open and nothing is evicted while measuring.
    room = max(LEVELS) + inserts
    print(f"conversations: time per insert, median of {batches} batches of {inserts:,} inserts")
    baseline, _ = at_level(LEVELS[0], inserts, batches, room)
    print(f"  {LEVELS[0]:>6,} drafts open: {baseline * 1e6:6.2f} µs per insert (baseline)")
    large, _ = at_level(LEVELS[1], inserts, batches, room)
    print(
        f"  {LEVELS[1]:>6,} drafts open: {large * 1e6:6.2f} µs per insert, "
        f"ratio 50k/1k {large / baseline:.2f} (near 1: O(1))"
    )
    # The flood: the default cap is full and every insert evicts the oldest asker's draft.
    flood, slowest = at_level(MAX_DRAFTS, inserts, batches, MAX_DRAFTS)
    print(
        f"  at the cap ({MAX_DRAFTS:,}), each insert evicting one: {flood * 1e6:6.2f} µs per "
        f"insert, ratio {flood / baseline:.2f}; slowest single insert {slowest * 1e3:.3f} ms"
    )
    first = f"{LEVELS[0]:,} drafts open"
    write(
        "conversations",
        [
            Figure("insert_1k_us", f"Time per insert, {first}", baseline * 1e6, "µs", digits=2),
            Figure(
                "insert_50k_us",
                f"Time per insert, {LEVELS[1]:,} drafts open",
                large * 1e6,
                "µs",
                first,
                baseline * 1e6,
                target="ratio near 1 (O(1))",
                digits=2,
            ),
            Figure(
                "insert_at_cap_us",
                f"Time per insert at the cap ({MAX_DRAFTS:,}), each evicting one",
                flood * 1e6,
                "µs",
                first,
                baseline * 1e6,
                digits=2,
            ),
            Figure(
                "slowest_at_cap_ms",
                "Slowest single insert at the cap",
                slowest * 1e3,
                "ms",
                digits=3,
            ),
        ],
        json_path,
        notes=[f"median of {batches} batches of {inserts:,} inserts"],
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inserts", type=int, default=2000)
    parser.add_argument("--batches", type=int, default=5)
    add_json_argument(parser)
    options = parser.parse_args()
    main(options.inserts, options.batches, options.json)
