"""What each spoken word does in each state, found by saying it there in a real session.

For every state a session passes through, a fresh simulated session (a cooperative couple,
on a virtual clock) is run to just after that state is entered; one word is said; what
follows is noted: the state it moves to, or the kind of the first line said. The table in
docs/state-machine.md comes from here, and a test regenerates it, so the document cannot
drift from what the session does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.clock import Scheduler, VirtualClock
from assistant.events import Event, EventLog
from assistant.events.kinds import Said, State
from assistant.narration.voice import SilentVoice
from assistant.routine.loader import load_routine
from assistant.runner import ScriptInput, Utterance, _End, typed
from assistant.session import Session
from assistant.session.carryover import Memory
from assistant.session.machine import QUIET, phase
from assistant.simulation.partner import SimulatedPartner

__all__ = [
    "REACH",
    "ROUTINE",
    "STATES",
    "WORDS",
    "Reached",
    "markdown",
    "reach",
    "reaction",
    "where",
]

#: screening, setup, a pain-check loop (asking, holding) and stages that wait for "next"
ROUTINE = "knot-relief"
#: (what is said, what it means) for each command the vocabulary knows
WORDS: tuple[tuple[str, str], ...] = (
    ("stop", "stop"),
    ("pause", "pause"),
    ("resume", "resume"),
    ("next", "next"),
    ("back", "back"),
    ("repeat", "repeat"),
    ("lighter", "lighter"),
    ("firmer", "firmer"),
    ("slower", "slower"),
    ("faster", "faster"),
    ("speak faster", "speak_faster"),
    ("speak slower", "speak_slower"),
    ("louder", "louder"),
    ("quieter", "quieter"),
    ("teach me", "learn"),
    ("help", "help"),
    ("where are we", "status"),
    ("yes", "yes"),
    ("no", "no"),
    ("five", "pain 5"),
    ("ouch", "ouch"),
    ("pins and needles", "warning"),
)
#: the states tabled, and how each is reached: from where, by saying what (None: by
#: silence, nobody answering until the session asks whether all is well, or simply
#: silence until there). The screening turn's states (assistant/session/dialogue.py) are
#: columns of their own: "screening_unheard" is the welcome or a question being said,
#: "screening_early" after an answer said over it, "screening_heard" once a question ends.
REACH: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "screening_unheard": ("screening", ()),
    "screening_early": ("screening", ("yes",)),
    "screening_heard": ("screening", None),
    "setup": ("setup", ()),
    "instruction": ("instruction", ()),
    "stroking": ("stroking", ()),
    "asking": ("asking", ()),
    "asking_comfort": ("instruction", ("ouch",)),
    "holding": ("holding", ()),
    "waiting": ("waiting", ()),
    "closing": ("closing", ()),
    "paused": ("instruction", ("pause",)),
    "paused_warned": ("instruction", ("pins and needles",)),
    "paused_checking": ("asking", None),
    "stopped": ("instruction", ("stop",)),
    "ending": ("instruction", ("stop", "next")),
}
STATES = tuple(REACH)
AFTER = 3.0  # seconds of session time watched after the word
#: the kinds of line the ending state goes on saying, whatever is said: no reaction
CLOSING_WORDS = ("ending", "aftercare")


def _session() -> tuple[Session, VirtualClock, SimulatedPartner, EventLog]:
    clock = VirtualClock()
    log = EventLog()
    partner = SimulatedPartner(clock)
    log.add_sink(partner)
    session = Session(
        load_routine(ROUTINE),
        scheduler=Scheduler(clock),
        voice=SilentVoice(),
        log=log,
        memory=Memory(),
    )
    return session, clock, partner, log


def _run_until(
    session: Session, clock: VirtualClock, source: SimulatedPartner | ScriptInput, t: float
) -> None:
    while not session.done and clock.now() < t:
        due = session.scheduler.next_due()
        item = source.next_before(t if due is None else min(due, t))
        if isinstance(item, _End):
            break
        if isinstance(item, Utterance):
            session.hear(item.heard or typed(item.text, session.vocabulary))
        session.scheduler.run_due()


def _entries() -> dict[str, float]:
    session, clock, partner, log = _session()
    session.start()
    _run_until(session, clock, partner, 3 * 3600.0)
    entered: dict[str, float] = {}
    for e in log.events:
        if isinstance(e, State):
            entered.setdefault(e.state, e.t)
    return entered


@dataclass
class Reached:
    """A session just inside a state, with what drives it: say words to it, run it on."""

    session: Session
    clock: VirtualClock
    source: SimulatedPartner | ScriptInput
    log: EventLog
    at: float

    def say(self, text: str, then: float = AFTER) -> str:
        """Say ``text`` now, run ``then`` seconds on; the state right after the word."""
        self.session.hear(typed(text, self.session.vocabulary))
        self.session.scheduler.run_due()
        moved = where(self.session)
        self.run(then)
        return moved

    def run(self, seconds: float) -> None:
        """Let ``seconds`` of session time pass (or less, if the session ends)."""
        self.at = self.clock.now() + seconds
        _run_until(self.session, self.clock, self.source, self.at)


def where(session: Session) -> str:
    """The session's state, and while screening the turn's state in it: "screening_early"."""
    if session.state == "screening":
        return f"screening_{session.questions.state}"
    return session.state


def reach(state: str, entered: dict[str, float] | None = None) -> Reached | None:
    """A fresh session run to just after ``state`` is entered, the way :data:`REACH` says;
    None when the routine never gets there."""
    entered = entered if entered is not None else _entries()
    base, words = REACH[state]
    if base not in entered:
        return None
    session, clock, partner, log = _session()
    session.start()
    here = Reached(session, clock, partner, log, entered[base] + 0.01)
    _run_until(session, clock, partner, here.at)
    if words is None:  # nobody answers: the session asks whether all is well
        here.source = ScriptInput(clock)
        while where(session) != state and not session.done and clock.now() < here.at + 300.0:
            _run_until(session, clock, here.source, clock.now() + 1.0)
        here.at = clock.now()
    for word in words or ():
        here.say(word, then=1.0)
    assert where(session) == state, f"meant to be in {state}, in {where(session)}"
    return here


def reaction(state: str, said: str, entered: dict[str, float] | None = None) -> str:
    """What saying ``said`` just after ``state`` is entered does: ``→ state`` or a line kind."""
    here = reach(state, entered)
    if here is None:
        return "(not reached)"
    mark = len(here.log.events)
    moved = here.say(said)
    if moved != state and (phase(moved) == phase(state) or moved in QUIET):
        return f"→ {moved}"  # a nested or quiet state: no state event says so
    said_ = _describe(here.log.events[mark:], phase(state))
    return f"→ {moved}" if said_ == f"→ {phase(moved)}" else said_


def _describe(events: Sequence[Event], state: str) -> str:
    for e in events:
        if isinstance(e, State) and e.state != state:
            return f"→ {e.state}"
        if isinstance(e, Said) and not (state in QUIET and e.kind in CLOSING_WORDS):
            return e.kind
    return "·"


def markdown() -> str:
    """The table: a row per word, a column per state."""
    entered = _entries()
    head = "| said | " + " | ".join(STATES) + " |"
    rule = "|---|" + "---|" * len(STATES)
    rows = [
        f"| *{said}* ({meaning}) | " + " | ".join(reaction(s, said, entered) for s in STATES) + " |"
        for said, meaning in WORDS
    ]
    return "\n".join([head, rule, *rows]) + "\n"
