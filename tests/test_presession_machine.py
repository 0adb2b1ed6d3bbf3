"""The pre-session dialogue as its own machine (assistant/session/dialogue.py): what it
allows, and how it hands over to the massage machine in a real session on a virtual clock
(who is lying down, the crash-resume offer, the screening questions, declining)."""

from __future__ import annotations

import dataclasses

import pytest
from transitions import MachineError

from assistant.clock import Scheduler, VirtualClock
from assistant.events import Event, EventLog
from assistant.events.kinds import Await, End, Person, Reminder, Said, State
from assistant.intents import load_vocabulary
from assistant.narration.voice import SilentVoice
from assistant.routine.loader import load_routine
from assistant.routine.model import Routine
from assistant.runner import typed
from assistant.session import Session
from assistant.session.carryover import Carryover, Memory, ResumePoint
from assistant.session.dialogue import DIALOGUE_STATES, SPEAKING, PreSession, dialogue_config

EN = load_vocabulary("en")
ROUTINE = "swedish-back"  # screening questions, a setup checklist, several stages


def test_the_dialogue_machine_allows_only_its_transitions() -> None:
    entered: list[str] = []
    d = PreSession(entered=lambda: entered.append(d.state))
    assert d.state == "opening" and entered == []
    with pytest.raises(MachineError):
        d.decline()  # only a safety question's answer declines
    d.ask_person()
    with pytest.raises(MachineError):
        d.ask_person()  # who is lying down is asked once
    d.offer_resume()
    with pytest.raises(MachineError):
        d.offer_resume()
    d.begin_screening()
    d.decline()
    with pytest.raises(MachineError):
        d.hand_over()  # a yes to a safety question cannot be taken back
    assert entered == ["choosing", "offering", "screening", "declining"]
    assert set(dialogue_config()["states"]) == set(DIALOGUE_STATES)
    handed = PreSession(entered=lambda: None)
    handed.hand_over()  # nothing to ask: straight to the massage machine
    assert handed.state == "handover"
    with pytest.raises(MachineError):
        handed.begin_screening()


class _Driven:
    """A session with nobody answering but the test, run event by event on a virtual clock."""

    def __init__(self, memory: Memory | None = None, routine: str | Routine = ROUTINE) -> None:
        self.clock = VirtualClock()
        self.log = EventLog()
        self.session = Session(
            load_routine(routine) if isinstance(routine, str) else routine,
            scheduler=Scheduler(self.clock),
            voice=SilentVoice(),
            log=self.log,
            memory=memory,
        )
        self.session.start()

    def run_until(self, done: type[Event], count: int = 1, limit: float = 600.0) -> None:
        end = self.clock.now() + limit
        while sum(isinstance(e, done) for e in self.log.events) < count:
            due = self.session.scheduler.next_due()
            assert due is not None and due <= end, f"no {done.__name__} in time"
            self.clock.advance_to(due)
            self.session.scheduler.run_due()

    def say(self, text: str) -> None:
        self.session.hear(typed(text, EN))
        self.session.scheduler.run_due()

    def states(self) -> list[str]:
        return [e.state for e in self.log.events if isinstance(e, State)]


def _choosing() -> _Driven:
    return _Driven(Memory(people=["Sam"], recall=lambda name: Carryover(person=name)))


def _offering(minutes_ago: int = 5) -> _Driven:
    resume = ResumePoint(session=1, stage=1, minutes_ago=minutes_ago)
    return _Driven(Memory(carryover=Carryover(resume=resume)))


def _at(state: str) -> _Driven:
    s = {"choosing": _choosing, "offering": _offering}.get(state, _Driven)()
    if state == "declining":
        s.run_until(Await)
        s.say("yes")
    assert s.session.state == state
    return s


@pytest.mark.parametrize("state", SPEAKING)
def test_the_session_is_where_the_dialogue_is_while_the_massage_machine_waits(
    state: str,
) -> None:
    """State events, help and journals name the dialogue's state, as they always did."""
    s = _at(state)
    assert (s.session.machine_state, s.session.dialogue.state) == ("presession", state)
    assert s.states()[-1] == state


@pytest.mark.parametrize("state", SPEAKING)
def test_stop_pause_and_warnings_are_the_massage_machines_in_every_dialogue_state(
    state: str,
) -> None:
    """Stop may act anywhere before the massage; pause and a warning sign move the machine
    only over the safety questions (elsewhere they are answered, or heard and recorded)."""
    session = _at(state).session
    assert session.may_stop()  # type: ignore[attr-defined]
    moves = state == "screening"
    assert session.may_pause() is moves  # type: ignore[attr-defined]
    assert session.may_warn() is moves  # type: ignore[attr-defined]


@pytest.mark.parametrize("at", ["offering"])
def test_a_stop_before_the_questions_comes_back_to_the_questions(at: str) -> None:
    s = _at(at)
    s.say("stop")
    s.say("resume")
    assert (s.session.state, s.session.dialogue.state) == ("screening", "screening")
    s.run_until(Await)
    # the dialogue said nothing while the session was stopped: one screening, entered once
    assert s.states() == [at, "stopped", "screening"]
    said = [e.text for e in s.log.events if isinstance(e, Said) and e.kind == "question"]
    assert said[-1] == load_routine(ROUTINE).screening[0]


def test_the_last_no_hands_over_to_the_setup() -> None:
    s = _Driven()
    for n in range(len(load_routine(ROUTINE).screening)):
        s.run_until(Await, n + 1)
        s.say("no")
    assert (s.session.machine_state, s.session.dialogue.state) == ("setup", "handover")
    assert s.states() == ["screening", "setup"]


def test_a_pause_over_the_questions_keeps_the_dialogue_and_comes_back_to_it() -> None:
    s = _Driven()
    s.run_until(Await)
    s.say("pause")
    assert (s.session.machine_state, s.session.dialogue.state) == ("paused", "screening")
    s.say("resume")
    assert s.session.state == "screening" and s.states() == ["screening", "paused", "screening"]


def test_a_recent_crash_hands_over_straight_to_its_stage() -> None:
    s = _offering(minutes_ago=5)  # within minutes: the answers still hold
    s.say("yes")
    assert (s.session.machine_state, s.session.dialogue.state) == ("instruction", "handover")
    assert s.session.progress.index == 1
    assert s.states() == ["offering", "instruction"]


def test_an_older_crash_asks_the_questions_again_then_hands_over_to_its_stage() -> None:
    s = _offering(minutes_ago=90)
    s.say("yes")
    assert s.session.state == "screening"
    for n in range(len(load_routine(ROUTINE).screening)):
        s.run_until(Await, n + 1)
        s.say("no")
    assert (s.session.machine_state, s.session.dialogue.state) == ("instruction", "handover")
    assert s.session.progress.index == 1  # the setup is not done again


def test_a_declined_massage_ends_from_the_dialogue() -> None:
    s = _at("declining")
    s.run_until(End)
    assert s.session.machine_state == "declined" and s.session.done
    assert s.states() == ["screening", "declining", "declined"]


def test_what_the_parts_declare_of_each_other_is_defined() -> None:
    """state.py declares, for type checkers only, what one part of the session calls of
    another; each name must be defined by some part, or the declaration hides a typo."""
    import ast
    from pathlib import Path

    import assistant.session.state as state_module

    tree = ast.parse(Path(state_module.__file__).read_text(encoding="utf-8"))
    block = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.If)
        and getattr(n.test, "id", None) == "TYPE_CHECKING"
        and any(isinstance(b, ast.FunctionDef) for b in n.body)
    )
    declared = [b.name for b in block.body if isinstance(b, ast.FunctionDef)]
    assert len(declared) > 20
    missing = [name for name in declared if not hasattr(Session, name)]
    assert missing == []


def test_without_questions_the_dialogue_hands_over_at_once_and_after_a_stop() -> None:
    r = dataclasses.replace(load_routine(ROUTINE), screening=())
    straight = _Driven(routine=r)
    assert (straight.session.machine_state, straight.session.dialogue.state) == (
        "setup",
        "handover",
    )
    resume = ResumePoint(session=1, stage=1, minutes_ago=5)
    s = _Driven(Memory(carryover=Carryover(resume=resume)), routine=r)
    s.say("stop")  # during the offer: resume then starts afresh, at the setup
    s.say("resume")
    assert (s.session.machine_state, s.session.dialogue.state) == ("setup", "handover")
    assert s.states() == ["offering", "stopped", "setup"]


@pytest.mark.parametrize("screening", [True, False])
def test_a_stop_while_asking_who_is_lying_down_asks_again_on_resume(screening: bool) -> None:
    """Nobody was named yet: resuming must not skip the question, or the person's last
    session ending in pain goes unsaid and their lighter pressure is never applied."""
    r = load_routine(ROUTINE)
    r = r if screening else dataclasses.replace(r, screening=())
    area = r.stages[0].area
    sam = Carryover(person="Sam", steps={area: -1}, ended_for_pain=True)
    s = _Driven(Memory(people=["Sam"], recall=lambda name: sam), routine=r)
    assert s.session.state == "choosing"
    s.say("stop")
    s.say("resume")
    assert (s.session.machine_state, s.session.dialogue.state) == ("presession", "choosing")
    assert s.states() == ["choosing", "stopped", "choosing"]
    s.run_until(Await)
    s.say("one")
    assert [e.name for e in s.log.events if isinstance(e, Person)] == ["Sam"]
    assert any(isinstance(e, Reminder) and e.kind == "ended_for_pain" for e in s.log.events)
    assert s.session._area_offset == {area: -1}
    assert s.session.state == ("screening" if screening else "setup")
