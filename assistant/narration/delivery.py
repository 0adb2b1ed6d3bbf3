"""How fast and how loud the narration speaks, and what "speak faster" or "louder" make of it.

Pure: a :class:`Delivery` and a requested change in, the next delivery out (or None at a
limit, so the session can say "that is the fastest"). The bounds are where the words stay
clear: 450 words per minute is tested to be understood by the recognizer, and 0.2 of full
volume is still audible across a quiet room.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "DEFAULT_DELIVERY",
    "RATE_LIMITS",
    "VOLUME_LIMITS",
    "Change",
    "Delivery",
    "next_delivery",
]

#: Words per minute: slower than 120 drags each word; above 450 espeak-ng blurs them.
RATE_LIMITS = (120, 450)
#: Share of full volume: below a fifth, a line is lost under the room's noise.
VOLUME_LIMITS = (0.2, 1.0)
RATE_FACTOR = 1.2  # each "speak faster" is a fifth quicker; five steps span the range
VOLUME_STEP = 0.2

Change = Literal["faster", "slower", "louder", "quieter"]


@dataclass(frozen=True)
class Delivery:
    """The voice's speed and loudness."""

    #: words per minute; by default what the narration engine has always spoken (the
    #: rate pyttsx3's espeak driver starts with) and every measurement was made at: the
    #: renderer takes it from here, so a "faster" step is a fifth above what was heard
    rate: int = 200
    volume: float = 1.0  # share of full volume, 0.2 to 1.0


DEFAULT_DELIVERY = Delivery()


def next_delivery(current: Delivery, change: Change) -> Delivery | None:
    """The delivery after one step of ``change``; None when it is already at that limit.

    Rates move by a factor (a step feels the same at any speed), rounded to 5 words per
    minute, and a step that would cross a limit lands on it.
    """
    lo, hi = RATE_LIMITS
    vlo, vhi = VOLUME_LIMITS
    if change in ("faster", "slower"):
        factor = RATE_FACTOR if change == "faster" else 1 / RATE_FACTOR
        rate = min(hi, max(lo, 5 * round(current.rate * factor / 5)))
        if rate == current.rate or (change == "faster") != (rate > current.rate):
            return None
        return Delivery(rate, current.volume)
    step = VOLUME_STEP if change == "louder" else -VOLUME_STEP
    volume = round(min(vhi, max(vlo, current.volume + step)), 2)
    if math.isclose(volume, current.volume) or (change == "louder") != (volume > current.volume):
        return None
    return Delivery(current.rate, volume)
