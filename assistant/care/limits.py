"""The routine's time limit: when to check it, and what it means for the stage under way."""

from __future__ import annotations

from typing import Literal

__all__ = ["LimitAction", "last_stage_budget", "limit_action"]

LimitAction = Literal["close", "jump_to_last"]
MARGIN = 1.2  # the last stage and the closing get a fifth more than they need


def last_stage_budget(hands_on_s: float, spoken_s: float, pace: float) -> float:
    """Seconds the last stage and the closing need at the current pace, with a margin."""
    return (hands_on_s * pace + spoken_s) * MARGIN


def limit_action(
    *, hard_limit_passed: bool, limit_hit: bool, jumped: bool, index: int, last: int
) -> LimitAction | None:
    """At the hard limit, close; near it, go to the last stage once; else carry on."""
    if hard_limit_passed:
        return "close"
    if limit_hit and not jumped and index < last:
        return "jump_to_last"
    return None
