"""What a pain reading means for the hands: carry on, go lighter, hold, release, or end.

Pure: the facts of the moment in, one decision out. The session applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["PainDecision", "PainFacts", "PainRules", "decide_pain"]

Action = Literal["release", "ease", "lighter", "hold", "more", "carry_on"]


@dataclass(frozen=True)
class PainRules:
    """The thresholds on the 0-10 scale; defaults follow the seeds, on the careful side."""

    severe: int = 8  # at or above: ease off at once (release when nothing lighter is left)
    very_severe: int = 9  # at or above: this spot is never worked firmer again this session
    unbearable: int = 10  # a single one: lift the hands away and leave the spot
    comfort_limit: int = 7  # outside trigger-point work, at or above: go lighter
    very_severe_per_stage: int = 2  # this many 9-10s in one stage: leave the spot
    severe_per_stage: int = 3  # this many 8+ in one stage: leave the spot
    stages_per_session: int = 2  # this many stages left for pain: end the session


@dataclass(frozen=True)
class PainFacts:
    """One reading and where it was given.

    ``level`` and ``floor`` index the pressure levels (0 = feather); counts include this
    reading. ``target`` is the trigger-point hold range when the reading answers a
    trigger-point question, else None.
    """

    value: int
    level: int
    floor: int
    very_severe_in_stage: int = 0
    severe_in_stage: int = 0
    stages_left_for_pain: int = 0  # before this reading
    target: tuple[int, int] | None = None


@dataclass(frozen=True)
class PainDecision:
    """``action`` for the hands now; ``ends`` the stage or the whole session (None: neither);
    ``cap``: the firmest level this spot may have from now on (None: unchanged)."""

    action: Action
    ends: Literal["stage", "session"] | None = None
    cap: int | None = None


def decide_pain(facts: PainFacts, rules: PainRules | None = None) -> PainDecision:
    """Escalate with the pain: the higher and the more often, the sooner the hands come off.

    A single 10, or 8 or more with nothing lighter left, means lift the hands away and
    leave the spot; so do repeated severe readings in one stage. Leaving spots for pain
    twice ends the session. A 9 or 10, or leaving a spot, caps the spot one step below
    where it hurt.
    """
    r = rules or PainRules()
    v = facts.value
    cap = max(0, facts.level - 1) if v >= r.very_severe else None
    leave = (
        v >= r.unbearable
        or (v >= r.severe and facts.level <= facts.floor)
        or facts.very_severe_in_stage >= r.very_severe_per_stage
        or facts.severe_in_stage >= r.severe_per_stage
    )
    if leave:  # the spot is left, and never worked as firmly again this session
        session = facts.stages_left_for_pain + 1 >= r.stages_per_session
        return PainDecision("release", "session" if session else "stage", max(0, facts.level - 1))
    if v >= r.severe:
        return PainDecision("ease", None, cap)
    if facts.target is not None:
        lo, hi = facts.target
        if v > hi:
            return PainDecision("lighter")
        if v >= lo:
            return PainDecision("hold")
        return PainDecision("more")
    if v >= r.comfort_limit:
        return PainDecision("lighter")
    return PainDecision("carry_on")
