"""Learner mode's decisions: how much slower the strokes go, which steps need the hands
placed first, and the commands practised before a first session.

Pure, so tests call them directly; the session (``assistant/session/learning.py``) applies
them.
"""

from __future__ import annotations

from assistant.routine.model import Stage

__all__ = ["LEARNER_PACE", "PRACTICE", "PRESSURE_WORK", "learner_pace", "needs_hands_check"]

#: Strokes take half as long again: time to feel where the hands are going.
LEARNER_PACE = 1.5
#: Techniques that press into the muscle rather than glide over it: a learner first finds
#: the spot and settles the hands, and only then does the work begin.
PRESSURE_WORK = frozenset({"kneading", "friction", "trigger-point", "compression-broadening"})
#: The commands practised, in order: moving on, stopping at once, carrying on, easing off.
PRACTICE = ("next", "stop", "resume", "lighter")


def needs_hands_check(stage: Stage) -> bool:
    """Whether a learner is asked to say "next" with the hands in place before this stage."""
    return stage.technique in PRESSURE_WORK


def learner_pace(pace: float, on: bool, limits: tuple[float, float]) -> float:
    """The stroke pace after learner mode is switched on (slower) or off, within limits."""
    lo, hi = limits
    return min(hi, max(lo, pace * LEARNER_PACE if on else pace / LEARNER_PACE))
