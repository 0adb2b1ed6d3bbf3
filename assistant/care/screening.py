"""Which answers to a safety question count: only those given after it was heard.

An answer said over the welcome, or over a question still being read, answered
nothing: the question is asked (again) in full. "Not sure" counts as a reason to ask
a doctor first, like a yes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["ScreeningFacts", "screening_step"]

Step = Literal["wait_for_question", "next_question", "decline", "ask_yes_no", "ignore"]


@dataclass(frozen=True)
class ScreeningFacts:
    """``answer`` is the intent name; ``heard`` whether the current question was said in full."""

    answer: str
    heard: bool


def screening_step(facts: ScreeningFacts) -> Step:
    """What an answer does to the screening."""
    if facts.answer not in ("yes", "no", "unsure"):
        return "ignore"
    if not facts.heard:
        return "wait_for_question"
    if facts.answer == "no":
        return "next_question"
    return "decline"  # yes, or not sure: a doctor's OK first
