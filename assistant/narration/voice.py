"""The session's mouth: a narrow interface, and how long a line takes to say.

The session only calls ``say`` (start a line, learn how long it lasts) and ``cut``
(silence now). What actually makes sound lives behind it; in a simulation nothing
does, but each line still takes the time it would take to speak.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from assistant.narration.delivery import DEFAULT_DELIVERY, Delivery

__all__ = ["SilentVoice", "Tunable", "Voice", "estimate_seconds"]

_WORD = re.compile(r"\w+")

#: A comfortable narration rate; espeak-ng's default of 175 wpm is close.
DEFAULT_WPM = 165.0


def estimate_seconds(text: str, words_per_minute: float = DEFAULT_WPM) -> float:
    """Speaking time of a line from its word count, plus a short pause per sentence."""
    words = len(_WORD.findall(text))
    sentences = max(1, len(re.findall(r"[.!?;:]", text)))
    return words / words_per_minute * 60.0 + 0.25 * sentences


class Voice(Protocol):
    """Something that speaks lines and can be silenced mid-word."""

    def say(self, text: str) -> float:
        """Start saying ``text`` without waiting; return how many seconds it takes."""
        ...

    def cue(self, text: str) -> None:
        """A stroke cue, due now: said if it can be said on time, else left out.

        Cues mark the beat; one that would queue behind a line and sound late is
        worse than none.
        """
        ...

    def cut(self) -> None:
        """Stop speaking at once."""
        ...


@runtime_checkable
class Tunable(Protocol):
    """A voice whose speed and loudness can change between lines ("speak faster")."""

    @property
    def delivery(self) -> Delivery:
        """How it speaks now."""
        ...

    def tune(self, delivery: Delivery) -> None:
        """Speak the next line so; a line already under way may finish as it began."""
        ...


class SilentVoice:
    """Speaks nothing, but reports realistic durations so that timing stays true.

    ``duration`` maps a line to seconds at ``rate`` words per minute: a words-per-minute
    estimate by default, or the real speech engine's rendering (see
    :mod:`assistant.narration.render`). Tuned to another rate, durations scale with it.
    """

    def __init__(
        self,
        duration: Callable[[str], float] | None = None,
        rate: int | None = None,
        volume: float = 1.0,
    ) -> None:
        self.duration = duration or estimate_seconds
        self.cuts = 0
        self._base = Delivery(rate=rate or DEFAULT_DELIVERY.rate, volume=volume)
        self._delivery = self._base

    @property
    def delivery(self) -> Delivery:
        return self._delivery

    def tune(self, delivery: Delivery) -> None:
        self._delivery = delivery

    def say(self, text: str) -> float:
        seconds = self.duration(text)
        if self._delivery.rate != self._base.rate:
            seconds *= self._base.rate / self._delivery.rate
        return seconds

    def cue(self, text: str) -> None:
        self.duration(text)

    def cut(self) -> None:
        self.cuts += 1
