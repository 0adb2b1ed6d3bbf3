"""What a session brings with it from earlier ones: who is lying down, the pressure
they settled on, how fast and loud the voice was, and an unfinished session to carry on
from.

Plain data, so the session stays independent of where it came from (the journal).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from assistant.narration.delivery import Delivery

__all__ = ["ENDED_FOR_PAIN", "Carryover", "Memory", "ResumePoint", "flags_win"]

#: The outcome of a session ended because of pain (or a warning sign), as events and the
#: journal record it.
ENDED_FOR_PAIN = "ended for pain"


@dataclass(frozen=True)
class ResumePoint:
    """An earlier session of this routine that stopped without ending (a crash)."""

    session: int  # its id in the journal
    stage: int  # index of the stage it was in
    minutes_ago: int  # since it stopped, for the spoken offer
    learning: bool = False  # it was in learner mode: a resumed session teaches too


@dataclass(frozen=True)
class Carryover:
    """Defaults to nothing carried over: a session exactly as the routine describes."""

    person: str | None = None  # None: the default person, never named aloud
    #: pressure steps per body area, counted from each stage's own starting pressure
    steps: Mapping[str, int] = field(default_factory=dict)
    resume: ResumePoint | None = None
    #: the person's last session ended because of pain: said before the next one starts
    ended_for_pain: bool = False
    #: the speed and loudness this person last asked the voice for; None: as configured
    delivery: Delivery | None = None  # the voice as this person last set it (named people)


@dataclass(frozen=True)
class Memory:
    """What earlier sessions offer a new one.

    When nobody was named and ``people`` is not empty, the session first asks who is
    lying down, then calls ``recall`` with the answer (None: someone else) for the
    carryover; otherwise it starts from ``carryover`` as it is.
    """

    carryover: Carryover = field(default_factory=Carryover)
    people: Sequence[str] = ()
    recall: Callable[[str | None], Carryover] | None = None


def flags_win(carry: Carryover, rate: int | None, volume: float | None) -> Carryover:
    """A ``--rate`` or ``--volume`` given for this run wins over the remembered voice."""
    remembered = carry.delivery
    if remembered is None or (rate is None and volume is None):
        return carry
    kept = Delivery(
        rate=remembered.rate if rate is None else rate,
        volume=remembered.volume if volume is None else volume,
    )
    return replace(carry, delivery=kept)
