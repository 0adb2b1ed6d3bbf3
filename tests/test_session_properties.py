"""Property: whatever is said, whenever, the session never breaks and stop always ends it."""

from __future__ import annotations

from conftest import DEPTH
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sessionkit import ROUTINES

from assistant.clock import Scheduler, VirtualClock
from assistant.events import Event, EventLog
from assistant.intents import load_vocabulary
from assistant.partner import SimulatedPartner
from assistant.routine_loader import load_routine
from assistant.runner import ScriptInput, Utterance, run_session
from assistant.session import STATES, Session
from assistant.voice import SilentVoice

VOCAB = load_vocabulary("en")
PHRASES = sorted({" ".join(p.words) for p in VOCAB.phrases})
LOADED = {name: load_routine(name) for name in ROUTINES}

utterance = st.one_of(
    st.sampled_from(PHRASES),  # anything the vocabulary knows, pain answers included
    st.sampled_from(
        [
            "next",
            "lighter",
            "pause",
            "resume",
            "back",
            "repeat",
            "ouch",
            "yes",
            "no",
            "slower",
            "faster",
            "help",
            "where are we",
            "firmer",
        ]
    ),
    st.text(max_size=30),  # and anything else at all
)
script = st.lists(st.tuples(st.floats(0, 240, allow_nan=False), utterance), max_size=30)


def _timeline(steps: list[tuple[float, str]]) -> list[Utterance]:
    """Gaps between utterances into times since the start."""
    lines, t = [], 0.0
    for gap, text in steps:
        t += gap
        lines.append(Utterance(t, text))
    return lines


def _source(
    clock: VirtualClock, log: EventLog, lines: list[Utterance], with_partner: bool
) -> ScriptInput:
    """The script alone, or the script mixed with a cooperative simulated couple."""
    if not with_partner:
        return ScriptInput(clock, lines)
    partner = SimulatedPartner(clock, extra=lines)
    log.add_sink(partner)
    return partner


class _Watch:
    """Checks every event as it comes: time never runs backwards, nothing follows the end."""

    def __init__(self) -> None:
        self.last_t = 0.0
        self.ended = False

    def emit(self, event: Event) -> None:
        assert not self.ended, f"{event} after the end"
        assert event.t >= self.last_t
        self.last_t = event.t
        self.ended = event.type == "end"


@settings(max_examples=120 * DEPTH, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(ROUTINES),
    steps=script,
    with_partner=st.booleans(),
    stop_gap=st.floats(0, 60, allow_nan=False),
)
def test_any_intents_at_any_time_end_safely_on_stop(
    name: str, steps: list[tuple[float, str]], with_partner: bool, stop_gap: float
) -> None:
    clock = VirtualClock()
    watch = _Watch()
    log = EventLog(watch)
    lines = _timeline(steps)
    lines.append(Utterance((lines[-1].at if lines else 0.0) + stop_gap, "stop"))
    source = _source(clock, log, lines, with_partner)
    session = Session(LOADED[name], scheduler=Scheduler(clock), voice=SilentVoice(), log=log)

    outcome = run_session(session, source)

    assert session.done and session.state in STATES
    assert outcome in ("finished", "stopped", "declined")
    assert not log.of_type("error")
    ends = log.of_type("end")
    assert len(ends) == 1 and ends[0] is log.events[-1]
    stops = [e for e in log.events if e.type == "intent" and e.data["name"] == "stop"]
    if stops and stops[-1].t <= ends[0].t and outcome == "stopped":
        # after the last stop, nothing is said but the stop message
        # (unless something was heard after it: a stop and a resume at the same moment
        # sort as "resume" last, and resuming after a stop is allowed)
        last = log.events.index(stops[-1])
        if not any(e.type == "intent" for e in log.events[last + 1 :]):
            said = [e.data.get("kind") for e in log.events[last:] if e.type in ("say", "cue")]
            assert said in ([], ["stop"])


@settings(max_examples=30 * DEPTH, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(ROUTINES), steps=script, with_partner=st.booleans())
def test_without_a_stop_every_session_still_ends(
    name: str, steps: list[tuple[float, str]], with_partner: bool
) -> None:
    """Nobody answering, or anything said, still ends in a terminal state (idle limits)."""
    clock = VirtualClock()
    log = EventLog()
    source = _source(clock, log, _timeline(steps), with_partner)
    session = Session(LOADED[name], scheduler=Scheduler(clock), voice=SilentVoice(), log=log)
    outcome = run_session(session, source)
    assert session.done and outcome in ("finished", "stopped", "declined")
    assert not log.of_type("error")
