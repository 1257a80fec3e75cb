"""What a broadcast through a platform's paid lane costs and how long it takes, before Confirm.

Telegram's paid broadcasts (allow_paid_broadcast) go up to 1,000 messages a second for 0.1
Telegram Stars a message, withdrawn from the bot's balance
(https://core.telegram.org/bots/api#sendmessage). Telegram bills only the messages that went past
its free limits, so recipients x price is the most a broadcast can cost: the figure an organizer
must see before spending the campaign's Stars.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

# Exact, so 10 messages cost exactly 1 Star however the sum is taken.
STARS_PER_MESSAGE = Fraction(1, 10)


@dataclass(frozen=True, slots=True)
class PaidEstimate:
    """A paid broadcast's cost and duration on one platform, for its preview."""

    platform: str
    recipients: int  # chats reached through the paid lane, one message each
    stars: int  # the most it costs, rounded up to whole Stars
    seconds: int  # about how long the paid lane takes, rounded up
    rate: float  # messages a second through the paid lane


def stars_for(messages: int, price: Fraction = STARS_PER_MESSAGE) -> int:
    """The most `messages` paid messages cost, in whole Stars (rounded up)."""
    if messages < 0:
        raise ValueError("a message count is never negative")
    return math.ceil(messages * price)


def seconds_for(messages: int, rate: float) -> int:
    """Whole seconds (rounded up) to send `messages` at `rate` a second."""
    if messages < 0 or rate <= 0:
        raise ValueError("a message count is never negative, a rate always positive")
    return math.ceil(Fraction(messages) / Fraction(rate))


def estimate(platform: str, recipients: int, rate: float) -> PaidEstimate:
    """Cost and duration of one message to each of `recipients` chats at the paid `rate`."""
    return PaidEstimate(
        platform=platform,
        recipients=recipients,
        stars=stars_for(recipients),
        seconds=seconds_for(recipients, rate),
        rate=rate,
    )
