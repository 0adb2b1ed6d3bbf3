"""The massage machine's states and transitions, the session's settings and a stage's
progress: data the model, the diagram and the tests share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ACTIVE",
    "AS_PARENT",
    "MASSAGE_ACTIVE",
    "OUTCOME",
    "PAUSED_STATES",
    "QUIET",
    "RESUMABLE",
    "STAGE_STATES",
    "STATES",
    "TERMINAL",
    "SessionSettings",
    "StageProgress",
    "machine_config",
    "phase",
]


# --- configuration -------------------------------------------------------------------------------

# Learner mode adds two waits (assistant/session/learning.py): "practising" the commands
# before the setup checklist, and "placing" the hands before pressure work, until "next".
STAGE_STATES = ("instruction", "placing", "stroking", "asking", "holding", "waiting")
#: The massage machine's states where hands may be at work, or are about to be.
MASSAGE_ACTIVE = ("setup", "practising", *STAGE_STATES, "closing")
#: Where a pause and a warning sign act (of the dialogue, only the screening questions).
ACTIVE = ("screening", *MASSAGE_ACTIVE)
#: A pause, and the questions a pause can be asking (nested states of ``paused``):
#: ``paused_warned`` after a warning sign (end the session, or carry on lighter?),
#: ``paused_checking`` after silence during a pain check (is the receiver all right?).
PAUSED_STATES = ("paused", "paused_warned", "paused_checking")
#: Asking about comfort (after an ouch or a high reading outside the trigger-point loop):
#: a number then answers that question, not the loop's, and the stage carries on after.
ASKING_STATES = ("asking", "asking_comfort")
#: Nested states entered as their parent is: a state event and the parent's entry each time
#: (the nested pauses, by contrast, are questions a pause asks without starting over).
AS_PARENT = ("asking_comfort",)
#: Where a pause or stop can come back to, by the names state events use.
RESUMABLE = (*ACTIVE, "asking_comfort")
TERMINAL = ("finished", "declined", "ended")
#: The massage machine's states: ``presession`` holds the pre-session dialogue, which
#: hands over to ``setup`` (or, after a crash, to the stage it stopped in).
STATES = (
    "idle",
    "presession",
    *MASSAGE_ACTIVE,
    "asking_comfort",
    *PAUSED_STATES,
    "stopped",
    "ending",  # the closing words of an early end: only stop (it cuts them short) acts
    *TERMINAL,
)
#: States whose entry is no state event of their own: the closing words belong to the
#: state they end, and the pre-session dialogue's state reports itself.
QUIET = ("presession", "ending")
#: What each terminal state reports as the session's outcome.
OUTCOME = {"finished": "finished", "declined": "declined", "ended": "stopped"}


def phase(state: str) -> str:
    """A nested state's outer state ("paused_warned" is a pause): what state events report."""
    return state.split("_", 1)[0]


def _nested(states: tuple[str, ...]) -> list[str | dict[str, Any]]:
    """The state list as transitions' HierarchicalMachine wants it: children under parents."""
    out: list[str | dict[str, Any]] = []
    parents: dict[str, dict[str, Any]] = {}
    for name in states:
        parent, _, child = name.partition("_")
        if not child:
            out.append(name)
            continue
        if parent not in parents:
            parents[parent] = {"name": parent, "children": []}
            out[out.index(parent)] = parents[parent]
        parents[parent]["children"].append(child)
    return out


def machine_config() -> dict[str, Any]:
    """States and transitions, kept as data so the diagram and the session share them."""
    live = ["idle", "presession", *MASSAGE_ACTIVE, "paused", "ending"]
    t: list[dict[str, Any]] = [
        # the pre-session dialogue (who is lying down, a crash to resume, the screening
        # questions) runs as its own machine while this one is in "presession"
        {"trigger": "open", "source": "idle", "dest": "presession"},
        # the hand-over: the setup checklist, or after a crash the stage it stopped in
        {"trigger": "begin_setup", "source": ["presession", "practising"], "dest": "setup"},
        # learner mode: a practice round of the commands, then the setup checklist
        {"trigger": "practise", "source": "setup", "dest": "practising"},
        # a yes to a safety question: the dialogue's declining words, then the end
        {"trigger": "conclude_decline", "source": "presession", "dest": "declined"},
        {
            "trigger": "instruct",
            "source": ["presession", "setup", *STAGE_STATES],
            "dest": "instruction",
        },
        # learner mode: before pressure work, wait until the hands are in place
        {"trigger": "check_hands", "source": "instruction", "dest": "placing"},
        {"trigger": "stroke", "source": ["instruction", "placing", "asking"], "dest": "stroking"},
        {"trigger": "ask", "source": list(STAGE_STATES), "dest": "asking"},
        {"trigger": "ask_comfort", "source": list(STAGE_STATES), "dest": "asking_comfort"},
        {"trigger": "hold", "source": ["asking", "holding"], "dest": "holding"},
        {"trigger": "wait_for_next", "source": list(STAGE_STATES), "dest": "waiting"},
        {"trigger": "close", "source": list(STAGE_STATES), "dest": "closing"},
        {"trigger": "finish", "source": "closing", "dest": "finished"},
        {"trigger": "pause", "source": list(MASSAGE_ACTIVE), "dest": "paused"},
        # before the massage only the screening questions pause (the others are answered)
        {
            "trigger": "pause",
            "source": "presession",
            "dest": "paused",
            "conditions": "in_screening",
        },
        # a warning sign: hands off, then "shall we end?" (yes ends, no carries on lighter)
        {"trigger": "warn", "source": [*MASSAGE_ACTIVE, "paused"], "dest": "paused_warned"},
        {
            "trigger": "warn",
            "source": "presession",
            "dest": "paused_warned",
            "conditions": "in_screening",
        },
        # no number after asking twice: "are you all right?" (yes carries on, no stops)
        {"trigger": "check_on", "source": "asking", "dest": "paused_checking"},
        {"trigger": "stop", "source": live, "dest": "stopped"},
        {"trigger": "end_early", "source": [*live[:-1], "stopped"], "dest": "ending"},
        {"trigger": "end", "source": [*live, "stopped"], "dest": "ended"},
    ]
    # resume returns to wherever the pause came from (the screening questions included)
    t += [
        {
            "trigger": "resume",
            "source": "paused",
            "dest": "presession" if s == "screening" else s,
            "conditions": f"paused_from_{s}",
        }
        for s in RESUMABLE
    ]
    # after a stop, resume restarts the current stage (or the phase before the stages)
    t += [
        {
            "trigger": "restart",
            "source": "stopped",
            "dest": "presession",
            "conditions": "paused_from_screening",
        },
        {
            "trigger": "restart",
            "source": "stopped",
            "dest": "setup",
            "conditions": "paused_from_setup",
        },
        {
            "trigger": "restart",
            "source": "stopped",
            "dest": "closing",
            "conditions": "paused_from_closing",
        },
        {  # a stop in the practice round leaves it: the setup checklist comes next
            "trigger": "restart",
            "source": "stopped",
            "dest": "setup",
            "conditions": "paused_from_practising",
        },
        {
            "trigger": "restart",
            "source": "stopped",
            "dest": "instruction",
            "unless": [
                "paused_from_screening",
                "paused_from_setup",
                "paused_from_practising",
                "paused_from_closing",
            ],
        },
    ]
    return {"states": _nested(STATES), "transitions": t, "initial": "idle"}


@dataclass(frozen=True)
class SessionSettings:
    """Timings and safety limits of a session; defaults suit a home massage."""

    resume_window_s: float = 180.0  # after stop, how long "resume" still restarts the stage
    answer_timeout_s: float = 12.0  # wait for a pain number before asking once more
    reprompt_s: float = 90.0  # wait for next/yes/no before reminding
    idle_limit_s: float = 1800.0  # nobody answers a waiting state or pause: end the session
    settle_s: float = 4.0  # after "add a little pressure", before asking again
    severe_pain: int = 8  # at or above: ease off at once
    very_severe_pain: int = 9  # two of these in one stage end the stage
    comfort_limit: int = 7  # outside a pain check, at or above: go lighter
    stages_left_for_pain: int = 2  # this many spots left for pain end the session
    pace_step: float = 1.25  # slower multiplies stroke time by this, faster divides
    pace_limits: tuple[float, float] = (0.6, 2.0)
    words_per_minute: float = 165.0  # for time estimates in status lines


# --- progress -----------------------------------------------------------------------------------


@dataclass
class StageProgress:
    """What has been done in the current stage; survives pauses and asides."""

    index: int
    stroke_pos: tuple[int, int] = (0, 0)  # next (set, stroke) to do
    holds: int = 0
    readings: list[int] = field(default_factory=list)
    very_severe: int = 0  # readings of 9-10; two end the stage
    severe: int = 0  # readings of 8 or more; three end the stage
    low_streak: int = 0  # readings in a row below the target: the knot has let go
    left_for_pain: bool = False  # ended because of pain: no "good" when it is over
    cued: bool = False  # a stroke cue has been given in this stage
    placed: bool = False  # learner mode: the giver said the hands are in place
    done: bool = False
