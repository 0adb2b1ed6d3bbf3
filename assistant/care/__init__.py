"""Care and safety decisions: small pure functions that take facts and return decisions.

The session only applies them, so every rule can be tested by calling it directly:
:mod:`.pain` (how a reading changes the work), :mod:`.screening` (which answers count),
:mod:`.warmup` (warm-up guard and resuming), :mod:`.spots` (which areas are one spot),
:mod:`.pressure` (pressure per area: level and steps), :mod:`.limits` (the routine's time
limit).
"""

from assistant.care.pain import PainDecision, PainFacts, PainRules, decide_pain
from assistant.care.screening import ScreeningFacts, screening_step
from assistant.care.spots import spot_of
from assistant.care.warmup import (
    ResumePlan,
    crash_resume_plan,
    needs_warmup,
    restart_level,
    warmup_index,
)

__all__ = [
    "PainDecision",
    "PainFacts",
    "PainRules",
    "ResumePlan",
    "ScreeningFacts",
    "crash_resume_plan",
    "decide_pain",
    "needs_warmup",
    "restart_level",
    "screening_step",
    "spot_of",
    "warmup_index",
]
