"""What each spoken word does in each state, found by saying it there in a real session.

For every state a session passes through, a fresh simulated session (a cooperative couple,
on a virtual clock) is run to just after that state is entered; one word is said; what
follows is noted: the state it moves to, or the kind of the first line said. The table in
docs/state-machine.md comes from here, and a test regenerates it, so the document cannot
drift from what the session does.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.clock import Scheduler, VirtualClock
from assistant.events import Event, EventLog
from assistant.events.kinds import Said, State
from assistant.narration.voice import SilentVoice
from assistant.routine.loader import load_routine
from assistant.runner import Utterance, _End
from assistant.session import Session
from assistant.session.carryover import Memory
from assistant.simulation.partner import SimulatedPartner

__all__ = ["ROUTINE", "STATES", "WORDS", "markdown", "reaction"]

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
#: the states tabled; "paused" and "stopped" are reached by a word said in "instruction"
STATES = (
    "screening",
    "setup",
    "instruction",
    "stroking",
    "asking",
    "holding",
    "waiting",
    "closing",
    "paused",
    "stopped",
)
AFTER = 3.0  # seconds of session time watched after the word


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


def _run_until(session: Session, clock: VirtualClock, source: SimulatedPartner, t: float) -> None:
    while not session.done and clock.now() < t:
        due = session.scheduler.next_due()
        item = source.next_before(t if due is None else min(due, t))
        if isinstance(item, _End):
            break
        if isinstance(item, Utterance):
            session.hear(item.text)
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


def reaction(state: str, said: str, entered: dict[str, float] | None = None) -> str:
    """What saying ``said`` just after ``state`` is entered does: ``→ state`` or a line kind."""
    entered = entered if entered is not None else _entries()
    base = "instruction" if state in ("paused", "stopped") else state
    if base not in entered:
        return "(not reached)"
    session, clock, partner, log = _session()
    session.start()
    at = entered[base] + 0.01
    _run_until(session, clock, partner, at)
    if state in ("paused", "stopped"):
        session.hear("pause" if state == "paused" else "stop")
        at += 1.0
        _run_until(session, clock, partner, at)
    assert session.state == state, f"meant to be in {state}, in {session.state}"
    mark = len(log.events)
    session.hear(said)
    session.scheduler.run_due()
    _run_until(session, clock, partner, at + AFTER)
    return _describe(log.events[mark:], state)


def _describe(events: Sequence[Event], state: str) -> str:
    for e in events:
        if isinstance(e, State) and e.state != state:
            return f"→ {e.state}"
        if isinstance(e, Said):
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
