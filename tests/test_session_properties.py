"""Property: whatever is said, whenever, the session never breaks and stop always ends it."""

from __future__ import annotations

from conftest import DEPTH
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sessionkit import ROUTINES

from assistant.care import spot_of
from assistant.clock import Scheduler, VirtualClock
from assistant.events import Event, EventLog
from assistant.intents import load_vocabulary
from assistant.narration.voice import SilentVoice
from assistant.prompts import load_prompts
from assistant.routine.loader import load_routine
from assistant.routine.model import PRESSURE_LEVELS, Routine
from assistant.runner import ScriptInput, Utterance, run_session
from assistant.session import STATES, Session
from assistant.simulation.partner import SimulatedPartner

VOCAB = load_vocabulary("en")
PROMPTS = load_prompts("en")
OUTCOMES = ("finished", "stopped", "declined", "ended for pain")
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
    assert outcome in OUTCOMES
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
            # the stop message, then (the window passed) the spoken end and aftercare
            # (a second stop ends at once, with only the spoken end)
            assert set(said) <= {"stop", "ending", "aftercare"} and "stop" not in said[1:]


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
    assert session.done and outcome in OUTCOMES
    assert not log.of_type("error")


#: What a pressure instruction is: the work itself, or a line that puts pressure on.
_PRESSING = {"title", "instruction", "landmark", "pressure"}


def _pressing(event: Event, routine: Routine) -> bool:
    if event.type == "cue":
        return True
    if event.type != "say":
        return False
    holds = {
        PROMPTS("pain_hold", seconds=f"{s.pain_check.hold_seconds:g}")
        for s in routine.stages
        if s.pain_check is not None
    }
    pressing_lines = {PROMPTS("pain_low"), PROMPTS("pain_question"), *holds}
    return event.data["kind"] in _PRESSING or event.data["text"] in pressing_lines


painful = st.sampled_from(
    ["nine", "ten", "it's a nine", "ten out of ten", "ouch", "stop", "resume"]
)


@settings(max_examples=120 * DEPTH, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(ROUTINES),
    steps=st.lists(
        st.tuples(st.floats(0, 240, allow_nan=False), st.one_of(utterance, painful)), max_size=30
    ),
    with_partner=st.booleans(),
    pain=st.lists(st.integers(0, 10), min_size=1, max_size=6),
)
def test_after_severe_pain_never_firmer_and_after_stop_no_pressure_until_resume(
    name: str, steps: list[tuple[float, str]], with_partner: bool, pain: list[int]
) -> None:
    """After any reading of 9 or 10, nothing on that spot is ever firmer than it was; after a
    stop, no pressure instruction is given until someone says resume."""
    routine = LOADED[name]
    clock = VirtualClock()
    log = EventLog()
    lines = _timeline(steps)
    source: ScriptInput
    if with_partner:
        partner = SimulatedPartner(clock, extra=lines, pain_answers=pain)
        log.add_sink(partner)
        source = partner
    else:
        source = ScriptInput(clock, lines)
    session = Session(routine, scheduler=Scheduler(clock), voice=SilentVoice(), log=log)
    outcome = run_session(session, source)
    assert outcome in OUTCOMES and not log.of_type("error")

    caps: dict[str, int] = {}  # area -> the firmest level allowed from now on
    stopped = False
    for e in log.events:
        d = e.data
        if e.type == "pain" and int(d["value"]) >= 9 and "level" in d:
            cap = max(0, PRESSURE_LEVELS.index(str(d["level"])) - 1)
            for area in spot_of(str(d["area"]), routine.same_spot):
                caps[area] = min(caps.get(area, cap), cap)
        elif e.type in ("stage", "pressure") and d["area"] in caps:
            level = PRESSURE_LEVELS.index(str(d["level"]))
            assert level <= caps[str(d["area"])], f"{e} is firmer than allowed after a 9-10"
        elif e.type == "state" and d["state"] == "stopped":
            stopped = True
        elif e.type == "intent" and d["name"] == "resume":
            stopped = False
        elif stopped:
            assert not _pressing(e, routine), f"{e} after a stop, before any resume"
