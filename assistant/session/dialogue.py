"""The screening turn of the pre-session dialogue as its own small machine.

A safety question's answer counts only once the question was heard to its end. That rule
was two flags on the session; here it is three states of a ``transitions`` machine, with
its own configuration as data (drawn by ``massage-assistant diagram`` next to the massage
machine) and its own model, :class:`ScreeningTurn`, which the session holds:

- ``unheard``: the current question (or the welcome before it) is still being said; an
  answer now is noted, not counted.
- ``early``: such an answer came; when the question ends, the answer is asked for.
- ``heard``: the question was said to its end; yes, no or not sure counts.

The session machine keeps the outer state ``screening``, so ``stop``, pause, warning words,
pain and faults act there as everywhere: a pause keeps the turn where it was, and the
question is read again on return (an answer to a question already heard still counts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from transitions import Machine

__all__ = ["TURN_STATES", "ScreeningTurn", "drawn_together", "turn_config"]

TURN_STATES = ("unheard", "early", "heard")


def turn_config() -> dict[str, Any]:
    """States and transitions of one screening question, kept as data for the diagram."""
    return {
        "states": list(TURN_STATES),
        "transitions": [
            # an answer over the welcome or the question: kept until the question is heard
            {"trigger": "answer_early", "source": "unheard", "dest": "early"},
            {"trigger": "answer_early", "source": "early", "dest": None},  # one more: held too
            {"trigger": "question_said", "source": ["unheard", "early"], "dest": "heard"},
            # said again after a pause: a question heard once stays heard
            {"trigger": "question_said", "source": "heard", "dest": None},
            {"trigger": "next_question", "source": "heard", "dest": "unheard"},
        ],
        "initial": "unheard",
    }


def drawn_together(session: dict[str, Any]) -> dict[str, Any]:
    """The session machine's configuration with the turn drawn inside ``screening``, for the
    diagram only: the two run as separate machines, the turn while the session screens."""
    turn = turn_config()
    states = [
        {"name": s, "children": turn["states"], "initial": turn["initial"]}
        if s == "screening"
        else s
        for s in session["states"]
    ]
    inner = [
        {**t, "source": [f"screening_{s}" for s in _listed(t["source"])]}
        | ({"dest": f"screening_{t['dest']}"} if t["dest"] else {})
        for t in turn["transitions"]
    ]
    return {**session, "states": states, "transitions": [*session["transitions"], *inner]}


def _listed(source: str | list[str]) -> list[str]:
    return [source] if isinstance(source, str) else source


class ScreeningTurn:
    """Which safety question is asked, and whether an answer to it counts yet."""

    state: str  # set by transitions
    answer_early: Callable[[], bool]
    question_said: Callable[[], bool]
    next_question: Callable[[], bool]

    def __init__(self) -> None:
        self.index = 0  # the question being asked
        self.machine = Machine(model=self, **turn_config(), auto_transitions=False)

    @property
    def heard(self) -> bool:
        """The current question was said to its end: an answer to it counts."""
        return self.state == "heard"

    @property
    def early(self) -> bool:
        """An answer came before the question was heard: ask for it once the question ends."""
        return self.state == "early"

    def advance(self) -> None:
        """On to the next question, not heard yet."""
        self.index += 1
        self.next_question()
