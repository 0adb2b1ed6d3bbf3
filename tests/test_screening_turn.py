"""The screening turn as its own machine (assistant/session/dialogue.py): what it allows, and
what its states mean in a real session on a virtual clock (answers said over a question are
held, not counted, for every question; a question heard once stays heard after a pause)."""

from __future__ import annotations

import pytest
from transitions import MachineError

from assistant.clock import Scheduler, VirtualClock
from assistant.events import Event, EventLog
from assistant.events.kinds import Await, Said, Screening, State
from assistant.intents import load_vocabulary
from assistant.narration.voice import SilentVoice
from assistant.prompts import load_prompts
from assistant.routine.loader import load_routine
from assistant.runner import typed
from assistant.session import Session
from assistant.session.dialogue import TURN_STATES, ScreeningTurn, turn_config

P = load_prompts("en")
EN = load_vocabulary("en")


def test_the_turn_machine_allows_only_its_transitions() -> None:
    turn = ScreeningTurn()
    assert (turn.state, turn.index, turn.heard, turn.early) == ("unheard", 0, False, False)
    with pytest.raises(MachineError):
        turn.next_question()  # no next question before this one is heard and answered
    turn.answer_early()
    turn.answer_early()  # a second answer over the same question is held as well
    assert (turn.state, turn.early, turn.heard) == ("early", True, False)
    with pytest.raises(MachineError):
        turn.next_question()  # an early answer never moves the screening on
    turn.question_said()
    assert (turn.state, turn.heard, turn.early) == ("heard", True, False)
    with pytest.raises(MachineError):
        turn.answer_early()  # once heard, an answer counts: it is never early
    turn.question_said()  # read again after a pause: still heard
    assert turn.heard
    turn.advance()
    assert (turn.state, turn.index) == ("unheard", 1)
    assert set(turn_config()["states"]) == set(TURN_STATES)


class _Driven:
    """A session with nobody answering but the test, run event by event on a virtual clock."""

    def __init__(self, routine: str = "swedish-back") -> None:
        self.clock = VirtualClock()
        self.log = EventLog()
        self.session = Session(
            load_routine(routine),
            scheduler=Scheduler(self.clock),
            voice=SilentVoice(),
            log=self.log,
        )
        self.session.start()

    def run_until(self, done: type[Event], count: int = 1, limit: float = 600.0) -> None:
        """Run on until ``count`` events of type ``done`` have been logged in all."""
        end = self.clock.now() + limit
        while sum(isinstance(e, done) for e in self.log.events) < count:
            due = self.session.scheduler.next_due()
            assert due is not None and due <= end, f"no {done.__name__} in time"
            self.clock.advance_to(due)
            self.session.scheduler.run_due()

    def say(self, text: str) -> None:
        self.session.hear(typed(text, EN))
        self.session.scheduler.run_due()

    def answers(self) -> list[tuple[int, str, bool]]:
        return [
            (e.question, e.answer, e.counted is not False)
            for e in self.log.events
            if isinstance(e, Screening)
        ]


def test_an_answer_said_over_the_second_question_is_held_then_asked_for() -> None:
    s = _Driven()
    s.run_until(Await)  # the first question heard: an answer is awaited
    s.say("no")
    s.say("yes")  # over the second question: not counted, does not decline
    assert s.answers() == [(0, "no", True), (1, "yes", False)]
    assert s.session.state == "screening" and s.session.questions.early
    s.run_until(Await, 2)  # the second question said to its end, then the answer asked for
    said = [e for e in s.log.events if isinstance(e, Said) and e.kind == "question"]
    assert [e.text for e in said[-2:]] == [
        load_routine("swedish-back").screening[1],
        P("screening_wait"),
    ]
    s.say("no")
    assert s.answers()[-1] == (1, "no", True)
    assert s.session.questions.index == 2


def test_a_question_heard_before_a_pause_stays_heard_when_read_again() -> None:
    s = _Driven()
    s.run_until(Await)
    s.say("pause")
    assert s.session.state == "paused"
    s.say("resume")
    assert s.session.state == "screening" and s.session.questions.heard
    s.say("no")  # said over the question read again: it was heard before, so it counts
    assert s.answers() == [(0, "no", True)]
    assert s.session.questions.index == 1


def test_a_question_read_again_after_a_pause_is_answered_when_it_ends() -> None:
    s = _Driven()
    s.run_until(Await)
    s.say("pause")
    s.say("resume")
    s.run_until(Await, 2)  # read again to its end: the answer is awaited, not asked for
    assert s.session.questions.heard
    s.say("no")
    assert s.answers() == [(0, "no", True)]
    assert s.session.questions.index == 1


@pytest.mark.parametrize("word", ["stop", "pins and needles", "pause"])
def test_stop_and_warnings_act_in_every_turn_state(word: str) -> None:
    for held in (False, True):
        s = _Driven()
        s.run_until(Await)
        s.say("no")  # the second question is being read: unheard
        if held:
            s.say("yes")  # and an answer is held: early
        assert s.session.questions.state == ("early" if held else "unheard")
        s.say(word)
        moved = {"stop": "stopped", "pins and needles": "paused_warned", "pause": "paused"}
        assert s.session.state == moved[word]
        assert not any(isinstance(e, State) and e.state == "declining" for e in s.log.events)
