"""The warm-up guard, and where a session picks up again after a crash or a stop.

Tense, cold muscles can spasm under firm work (seeds 001 and 004), so firm and
trigger-point work needs its warm-up done first, also after a crash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.routine.model import PRESSURE_LEVELS, Stage

__all__ = ["ResumePlan", "crash_resume_plan", "needs_warmup", "restart_level", "warmup_index"]

#: Techniques that work a knot, whatever the pressure.
KNOT_WORK = ("trigger-point", "compression-broadening")
#: After a crash, the safety questions are asked again unless it was this recent.
SCREENING_STILL_VALID_MIN = 10


def needs_warmup(stage: Stage) -> bool:
    """Firm (or deeper) pressure, or knot work, needs warmed-up muscles."""
    firm = PRESSURE_LEVELS.index("firm")
    return PRESSURE_LEVELS.index(stage.pressure) >= firm or stage.technique in KNOT_WORK


def warmup_index(stages: Sequence[Stage], before: int) -> int | None:
    """The last warm-up stage before stage ``before``, if any."""
    found = [i for i, s in enumerate(stages[:before]) if s.warm_up]
    return found[-1] if found else None


@dataclass(frozen=True)
class ResumePlan:
    """``screen_again``: ask the safety questions again; ``warm_up_first``: the index of a
    warm-up stage to do before ``stage`` (None: go straight there)."""

    screen_again: bool
    warm_up_first: int | None
    stage: int


def crash_resume_plan(stages: Sequence[Stage], stage: int, minutes_ago: int) -> ResumePlan:
    """Carry on after a crash: questions again unless within a few minutes; a short
    warm-up before any stage that needs one."""
    screen = minutes_ago > SCREENING_STILL_VALID_MIN
    warm = None
    if needs_warmup(stages[stage]):
        warm = warmup_index(stages, stage)
    return ResumePlan(screen, warm, stage)


def restart_level(level_at_stop: int) -> int:
    """Resume after a stop one step lighter than where it stopped: a stop is often a pain
    signal, and lighter is always the safe side (below the stage's range if need be)."""
    return max(0, level_at_stop - 1)
