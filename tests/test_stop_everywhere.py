"""Stop is obeyed in every state a session passes through: said a moment after the state
is entered, the very next state is "stopped" and nothing but the stop message is said.

Each state is reached the way a couple reaches it (a cooperative run of each routine, a
pause, a crash to resume, a journal that knows several people), so removing the handling
of stop from any single state fails here.
"""

from __future__ import annotations

import pytest
from sessionkit import ROUTINES, simulate

from assistant.clock import Scheduler, VirtualClock
from assistant.events import Event, EventLog
from assistant.events.kinds import IntentHeard, Ouch, Pain, Said, State, Warning
from assistant.narration.voice import SilentVoice
from assistant.routine.loader import load_routine
from assistant.runner import Utterance, run_session
from assistant.session import Session
from assistant.session.carryover import Carryover, Memory, ResumePoint
from assistant.simulation.partner import SimulatedPartner

WORK_STATES = ("screening", "setup", "instruction", "stroking", "asking", "holding", "waiting")


def _first_entries(events: list[Event]) -> dict[str, float]:
    entered: dict[str, float] = {}
    for e in events:
        if isinstance(e, State):
            entered.setdefault(e.state, e.t)
    return entered


def _check_stopped(events: list[Event], state: str) -> None:
    """The stop was heard in ``state``; the next state is stopped; only the stop is said."""
    at = next(i for i, e in enumerate(events) if isinstance(e, IntentHeard) and e.name == "stop")
    before = [e.state for e in events[:at] if isinstance(e, State)]
    assert before[-1] == state, f"the stop was meant to land in {state}, not {before[-1]}"
    after = events[at + 1 :]
    states = [e.state for e in after if isinstance(e, State)]
    assert states[:1] == ["stopped"], f"stop in {state} led to {states[:3]}"
    until = next(i for i, e in enumerate(after) if isinstance(e, State) and e.state == "stopped")
    said = [e.kind for e in after[:until] if isinstance(e, Said)]
    assert said == [], f"said after stop in {state}: {said}"
    first_line = next(e for e in after[until:] if isinstance(e, Said))
    assert first_line.kind == "stop"


@pytest.mark.parametrize("name", ROUTINES)
def test_stop_in_every_state_of_a_whole_session(name: str) -> None:
    _, straight, _ = simulate(name)
    entered = _first_entries(straight.events)
    states = [s for s in (*WORK_STATES, "closing") if s in entered]
    assert {"setup", "instruction", "stroking", "closing"} <= set(states)
    for state in states:
        _, log, outcome = simulate(name, [(entered[state] + 0.01, "stop")])
        _check_stopped(log.events, state)
        assert outcome == "stopped"


@pytest.mark.parametrize("state", WORK_STATES)
def test_stop_during_a_pause_from_each_state(state: str) -> None:
    name = next(r for r in ROUTINES if state in _first_entries(simulate(r)[1].events))
    entered = _first_entries(simulate(name)[1].events)
    t = entered[state] + 0.01
    _, log, outcome = simulate(name, [(t, "pause"), (t + 1, "stop")])
    _check_stopped(log.events, "paused")
    assert outcome == "stopped"


def _run(memory: Memory, said: list[tuple[float, str]]) -> list[Event]:
    """knot-relief with ``memory`` (people to choose from, a crash to resume), and ``said``."""
    clock = VirtualClock()
    log = EventLog()
    partner = SimulatedPartner(clock, extra=[Utterance(at, text) for at, text in said])
    log.add_sink(partner)
    session = Session(
        load_routine("knot-relief"),
        scheduler=Scheduler(clock),
        voice=SilentVoice(),
        log=log,
        memory=memory,
    )
    run_session(session, partner)
    return log.events


def test_stop_while_asking_who_is_lying_down() -> None:
    memory = Memory(people=("Sam", "Alex"), recall=lambda name: Carryover(person=name))
    events = _run(memory, [(0.5, "stop")])
    _check_stopped(events, "choosing")


def test_stop_while_offering_to_resume_after_a_crash() -> None:
    crash = Carryover(resume=ResumePoint(session=1, stage=2, minutes_ago=3))
    events = _run(Memory(carryover=crash), [(0.5, "stop")])
    _check_stopped(events, "offering")


# --- pain before any massage is heard too ---------------------------------------------------


def _said_after(events: list[Event], word: str) -> list[Event]:
    at = next(i for i, e in enumerate(events) if isinstance(e, IntentHeard) and e.name == word)
    return events[at:]


@pytest.mark.parametrize("word", ["ouch", "pins and needles"])
def test_a_sign_while_asking_who_is_lying_down_is_recorded_not_reasked(word: str) -> None:
    memory = Memory(people=("Sam", "Alex"), recall=lambda name: Carryover(person=name))
    events = _run(memory, [(0.5, word), (30.0, "stop")])
    name = "warning" if word != "ouch" else "ouch"
    after = _said_after(events, name)
    assert any(isinstance(e, Ouch | Warning) for e in after)
    first = next(e for e in after if isinstance(e, Said))
    assert first.kind != "question", "answered, not met with the question again"


def test_pain_during_the_resume_offer_is_recorded_and_answered() -> None:
    crash = Carryover(resume=ResumePoint(session=1, stage=2, minutes_ago=3))
    events = _run(Memory(carryover=crash), [(0.5, "eight"), (30.0, "stop")])
    pains = [e for e in events if isinstance(e, Pain)]
    assert [p.value for p in pains][:1] == [8]
