"""Learner mode: dialogues on the virtual clock, its pure decisions, and the routine field
it reads (``reason``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.care.learner import LEARNER_PACE, PRACTICE, learner_pace, needs_hands_check
from assistant.cli import main
from assistant.clock import Scheduler, VirtualClock
from assistant.events import Event, EventLog
from assistant.events import kinds as ev
from assistant.intents import load_vocabulary
from assistant.narration.voice import SilentVoice
from assistant.prompts import load_prompts
from assistant.routine.loader import check_file, load_routine, routine_paths
from assistant.runner import Utterance, run_session
from assistant.session import Session
from assistant.simulation.partner import SimulatedPartner

P = load_prompts("en")
ROUTINE = "knot-relief"  # warm-up, trigger-point and compression work, waits for next


class OnState:
    """Event sink: say ``text`` ``delay`` seconds after ``state`` is entered (``times`` times)."""

    def __init__(self, partner: SimulatedPartner, state: str, text: str, delay: float = 0.5):
        self.partner, self.state, self.text, self.delay = partner, state, text, delay
        self.left = 1

    def emit(self, event: Event) -> None:
        if isinstance(event, ev.State) and event.state == self.state and self.left > 0:
            self.left -= 1
            self.partner.add(Utterance(event.t + self.delay, self.text))


def run(
    routine: str = ROUTINE,
    *,
    learn: bool = True,
    on: tuple[tuple[str, str, float], ...] = (),
    locale_partner: bool = False,
) -> tuple[Session, list[Event], str]:
    clock = VirtualClock()
    log = EventLog()
    r = load_routine(routine)
    vocabulary = load_vocabulary(r.locale) if locale_partner else None
    partner = SimulatedPartner(clock, pain_answers=(5, 4, 3), vocabulary=vocabulary)
    log.add_sink(partner)
    for state, text, delay in on:
        log.add_sink(OnState(partner, state, text, delay))
    session = Session(r, scheduler=Scheduler(clock), voice=SilentVoice(), log=log, learn=learn)
    outcome = run_session(session, partner)
    return session, log.events, outcome


def states(events: list[Event]) -> list[str]:
    return [e.state for e in events if isinstance(e, ev.State)]


def said(events: list[Event], kind: str | None = None) -> list[str]:
    return [e.text for e in events if isinstance(e, ev.Said) and kind in (None, e.kind)]


# --- the pure decisions ---------------------------------------------------------------------


def test_pressure_work_needs_the_hands_placed_first_and_glides_do_not() -> None:
    stages = {s.id: s for s in load_routine(ROUTINE).stages}
    checked = {i for i, s in stages.items() if needs_hands_check(s)}
    assert checked == {"release-knot", "compression-broadening"}
    swedish = [s for s in load_routine("swedish-back").stages if needs_hands_check(s)]
    assert {s.technique for s in swedish} == {"friction", "kneading"}


def test_learner_pace_is_slower_and_stays_within_the_limits() -> None:
    assert learner_pace(1.0, True, (0.6, 2.0)) == LEARNER_PACE == 1.5
    assert learner_pace(1.5, False, (0.6, 2.0)) == 1.0
    assert learner_pace(1.6, True, (0.6, 2.0)) == 2.0  # already slowed by hand: the limit


# --- the routine field ------------------------------------------------------------------------


def test_every_stage_of_every_shipped_routine_says_why() -> None:
    for path in routine_paths():
        routine = load_routine(path)
        for stage in routine.stages:
            assert len(stage.reason.split()) >= 8, (path.name, stage.id)
            assert stage.reason != stage.instruction and stage.reason != stage.landmark


def test_a_blank_reason_is_refused_with_its_line(tmp_path: Path) -> None:
    text = (Path(load_routine("gentle-first").path)).read_text(encoding="utf-8")
    first = text.index("    reason: >-")
    end = text.index("\n    strokes:", first)
    broken = text[:first] + '    reason: "  "' + text[end:]
    line = broken[:first].count("\n") + 1
    path = tmp_path / "blank.yaml"
    path.write_text(broken, encoding="utf-8")
    routine, problems = check_file(path)
    assert routine is None
    assert [(p.line, "reason" in p.message) for p in problems] == [(line, True)]


# --- a whole session in learner mode ----------------------------------------------------------


def test_a_learner_session_practises_places_the_hands_and_explains_each_step() -> None:
    session, events, outcome = run()
    assert outcome == "finished"
    seen = states(events)
    # the practice comes between the welcome and the setup checklist, once
    assert seen[seen.index("setup") : seen.index("setup") + 3] == ["setup", "practising", "setup"]
    assert seen.count("practising") == 1
    acks = [t for t in said(events, "ack") if t in {P(f"learn.heard.{w}") for w in PRACTICE}]
    assert acks == [P(f"learn.heard.{w}") for w in PRACTICE]
    assert "stopped" not in seen  # the practised stop was practice
    # each step: its title, then where to find the place and why, then what to do
    routine = load_routine(ROUTINE)
    lines = [
        e for e in events if isinstance(e, ev.Said) and e.stage is not None and e.kind != "ack"
    ]
    for stage in routine.stages:
        kinds = [e.kind for e in lines if e.stage == stage.id][:4]
        assert kinds == ["title", "landmark", "reason", "instruction"], stage.id
    # before pressure work the giver places the hands, and nothing starts until "next"
    placing = [e.stage for e in events if isinstance(e, ev.State) and e.state == "placing"]
    assert placing == ["release-knot", "compression-broadening"]
    for stage_id in placing:
        entered = next(
            i
            for i, e in enumerate(events)
            if isinstance(e, ev.State) and e.state == "placing" and e.stage == stage_id
        )
        after = events[entered + 1 :]
        nxt = next(i for i, e in enumerate(after) if isinstance(e, ev.IntentHeard))
        assert after[nxt] == ev.IntentHeard(t=after[nxt].t, name="next")
        before = after[:nxt]
        assert not any(isinstance(e, ev.Cue) for e in before)
        assert [e.kind for e in before if isinstance(e, ev.Said)] == ["prompt"]
        assert isinstance(after[nxt + 1], ev.State) and after[nxt + 1].state != "instruction"
    # slower strokes: each cue half as far again from the next
    assert session.pace == LEARNER_PACE
    glide = next(s for s in routine.stages if s.id == "firm-glide")
    assert glide.pacing is not None
    cues = [e.t for e in events if isinstance(e, ev.Cue) and e.stage == "firm-glide"]
    beat = glide.pacing.seconds_per_stroke * LEARNER_PACE / len(glide.pacing.cues)
    assert cues[1] - cues[0] == pytest.approx(beat)


def test_without_learner_mode_nothing_of_it_happens() -> None:
    session, events, outcome = run(learn=False)
    assert outcome == "finished"
    assert "practising" not in states(events) and "placing" not in states(events)
    assert said(events, "reason") == [] and session.pace == 1.0
    first = [
        e.kind
        for e in events
        if isinstance(e, ev.Said) and e.stage == "warm-up" and e.kind != "ack"
    ][:3]
    assert first == ["title", "instruction", "landmark"]


def test_no_skips_the_practice() -> None:
    _, events, outcome = run(on=(("practising", "no", 1.0),))
    assert outcome == "finished"
    assert P("learn.practice_skipped") in said(events)
    assert not any(t == P("learn.heard.next") for t in said(events))
    seen = states(events)
    assert seen[seen.index("practising") + 1] == "setup"


def test_stop_out_of_turn_in_the_practice_stops_for_real_at_once() -> None:
    _, events, outcome = run(on=(("practising", "stop", 1.0), ("stopped", "resume", 3.0)))
    assert outcome == "finished"
    heard = next(e for e in events if isinstance(e, ev.IntentHeard) and e.name == "stop")
    cut = next(e for e in events if isinstance(e, ev.Cut))
    stopped = next(e for e in events if isinstance(e, ev.State) and e.state == "stopped")
    assert cut.t == heard.t == stopped.t  # the practice intro was cut off mid-line
    seen = states(events)
    # resume after that stop goes on to the setup checklist; the practice is not repeated
    at = seen.index("stopped")
    assert seen[at - 1 : at + 2] == ["practising", "stopped", "setup"]
    assert seen.count("practising") == 1


def test_pain_during_the_practice_is_heard_as_pain() -> None:
    _, events, _ = run(on=(("practising", "ouch", 1.0),))
    ouch = next(e for e in events if isinstance(e, ev.IntentHeard) and e.name == "ouch")
    assert any(isinstance(e, ev.Ouch) and e.t == ouch.t for e in events)


def test_learner_mode_by_voice_during_setup() -> None:
    session, events, outcome = run(learn=False, on=(("setup", "teach me", 1.0),))
    assert outcome == "finished"
    assert P("learn.on") in said(events, "ack")
    assert [e.factor for e in events if isinstance(e, ev.Pace)] == [LEARNER_PACE]
    assert "practising" in states(events) and "placing" in states(events)
    assert session.learning


def test_learner_mode_off_between_steps() -> None:
    session, events, outcome = run(on=(("waiting", "learner mode", 1.0),))
    assert outcome == "finished"
    off = next(e for e in events if isinstance(e, ev.Said) and e.text == P("learn.off"))
    assert [e.factor for e in events if isinstance(e, ev.Pace)] == [1.0]
    assert not session.learning and session.pace == 1.0
    later = [e for e in events if e.t > off.t]
    assert not any(isinstance(e, ev.State) and e.state == "placing" for e in later)
    assert not any(isinstance(e, ev.Said) and e.kind == "reason" for e in later)


def test_learner_mode_is_not_switched_mid_strokes() -> None:
    session, events, _ = run(learn=False, on=(("stroking", "teach me", 2.0),))
    assert P("learn.not_now") in said(events, "ack")
    assert not session.learning


def test_pause_while_placing_comes_back_to_placing() -> None:
    _, events, outcome = run(on=(("placing", "pause", 0.5), ("paused", "resume", 2.0)))
    assert outcome == "finished"
    seen = states(events)
    at = seen.index("placing")
    assert seen[at : at + 3] == ["placing", "paused", "placing"]


def test_ouch_while_placing_the_hands_asks_for_them_to_be_placed_again() -> None:
    """Pain before the pressure work began: after the comfort answer the instruction is said
    again and the hands are placed again, never straight into pressing."""
    _, events, outcome = run(on=(("placing", "ouch", 0.5),))
    assert outcome == "finished"
    seen = states(events)
    at = seen.index("placing")
    after_ouch = seen[at + 1 :]
    assert after_ouch[:3] == ["asking", "instruction", "placing"], after_ouch[:5]


def test_a_korean_learner_session_runs_to_the_end() -> None:
    ko = load_prompts("ko")
    _, events, outcome = run("gentle-first-ko", locale_partner=True)
    assert outcome == "finished"
    assert [
        t for t in said(events, "ack") if t.startswith(("넘어가.", "그만.", "계속.", "약하게."))
    ] == [ko(f"learn.heard.{w}") for w in PRACTICE]
    assert said(events, "reason")


def test_the_learn_flag_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["simulate", ROUTINE, "--learn", "--durations", "wpm", "--verbose"])
    out = capsys.readouterr()
    assert code == 0
    assert "outcome: finished" in out.err
    assert P("learn.practice_intro") in out.out and P("learn.hands_in_place") in out.out
