"""The pre-session dialogue as its own small machines: who is lying down, the crash-resume
offer and the screening questions, before the massage machine takes over.

The dialogue (:class:`PreSession`, which the session holds as ``dialogue``) runs while the
massage machine is in ``presession``: ``opening`` (nothing asked yet), ``choosing`` (who is
lying down), ``offering`` (carry on after a crash?), ``screening`` (the safety questions),
then either ``declining`` (a yes rules the massage out; the massage machine ends it) or
``handover`` (the massage machine moves on to ``setup``, or to the stage a crash
stopped in). Its states speak only while the massage machine is in ``presession``;
``stop``, pause, warning signs, pain and faults stay transitions of the massage machine out
of ``presession``, so they act in every dialogue state. A pause or stop keeps the dialogue
where it was, and ``presession`` entered again (on resume) enters its state again.

A safety question's answer counts only once the question was heard to its end. That rule
was two flags on the session; here it is three states of a ``transitions`` machine, with
its own configuration as data (drawn by ``massage-assistant diagram`` next to the massage
machine) and its own model, :class:`ScreeningTurn`, which the session holds:

- ``unheard``: the current question (or the welcome before it) is still being said; an
  answer now is noted, not counted.
- ``early``: such an answer came; when the question ends, the answer is asked for.
- ``heard``: the question was said to its end; yes, no or not sure counts.

The turn runs while the dialogue is in ``screening``; a pause keeps the turn where it was,
and the question is read again on return (an answer to a question already heard still
counts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from transitions import Machine

__all__ = [
    "DIALOGUE_STATES",
    "SPEAKING",
    "TURN_STATES",
    "PreSession",
    "ScreeningTurn",
    "dialogue_config",
    "drawn_together",
    "turn_config",
]

#: The dialogue's states that speak: while the massage machine is in ``presession``, the
#: session is where the dialogue is, and state events (and journals) name that state.
SPEAKING = ("choosing", "offering", "screening", "declining")
DIALOGUE_STATES = ("opening", *SPEAKING, "handover")
TURN_STATES = ("unheard", "early", "heard")
_ASKING = ["opening", "choosing", "offering"]  # before the safety questions


def dialogue_config() -> dict[str, Any]:
    """States and transitions of the pre-session dialogue, kept as data for the diagram."""
    return {
        "states": list(DIALOGUE_STATES),
        "transitions": [
            # who is lying down is settled before anything else
            {"trigger": "ask_person", "source": "opening", "dest": "choosing"},
            {"trigger": "offer_resume", "source": _ASKING[:2], "dest": "offering"},
            # also where a stop before the questions comes back to (they are not skipped)
            {"trigger": "begin_screening", "source": _ASKING, "dest": "screening"},
            {"trigger": "decline", "source": "screening", "dest": "declining"},
            {"trigger": "hand_over", "source": [*_ASKING, "screening"], "dest": "handover"},
        ],
        "initial": "opening",
    }


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
    """The massage machine's configuration with the dialogue drawn inside ``presession`` and
    the turn inside the dialogue's ``screening``, for the diagram only: the three run as
    separate machines, each while the one around it is in that state."""
    turn = turn_config()
    dialogue = dialogue_config()
    inner_states = [
        {"name": s, "children": turn["states"], "initial": turn["initial"]}
        if s == "screening"
        else s
        for s in dialogue["states"]
    ]
    states = [
        {"name": s, "children": inner_states, "initial": dialogue["initial"]}
        if s == "presession"
        else s
        for s in session["states"]
    ]
    inner = [
        *_prefixed(dialogue["transitions"], "presession_"),
        *_prefixed(turn["transitions"], "presession_screening_"),
    ]
    return {**session, "states": states, "transitions": [*session["transitions"], *inner]}


def _prefixed(transitions: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    return [
        {**t, "source": [f"{prefix}{s}" for s in _listed(t["source"])]}
        | ({"dest": f"{prefix}{t['dest']}"} if t["dest"] else {})
        for t in transitions
    ]


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


class PreSession:
    """Where the pre-session dialogue is; the session says what each of its states says."""

    state: str  # set by transitions
    ask_person: Callable[[], bool]
    offer_resume: Callable[[], bool]
    begin_screening: Callable[[], bool]
    decline: Callable[[], bool]
    hand_over: Callable[[], bool]

    def __init__(self, entered: Callable[[], None]) -> None:
        """``entered`` is called as each state that speaks is entered."""
        self.machine = Machine(model=self, **dialogue_config(), auto_transitions=False)
        for name in SPEAKING:
            self.machine.get_state(name).add_callback("enter", entered)
